"""Business gauges of the finance service, read on scrape: requests waiting for approval and the
share of each budget already committed (预算占用率), per school."""
from __future__ import annotations

from datetime import date

from nameko.extensions import DependencyProvider
from sqlalchemy import func, select

from services.finance.budgets import COMMITTED
from services.finance.orm import Budget, SpendingRequest
from shared import metrics
from shared.service import Database


class FinanceGauges(DependencyProvider):
    def setup(self):
        self.database = next(d for d in self.container.dependencies if isinstance(d, Database))
        metrics.register_gauge_source("finance", "unionhub_finance_requests_pending",
                                      "Spending requests waiting for approval (待审批经费申请)", ["school"], self._pending)
        metrics.register_gauge_source("finance", "unionhub_finance_budget_committed_ratio",
                                      "Share of this year's budget committed, per category (预算占用率)",
                                      ["school", "category"], self._budget_use)

    def _query(self, stmt):
        session = self.database.sessions(None)
        try:
            return session.execute(stmt).all()
        finally:
            session.close()

    def _pending(self):
        for school, n in self._query(select(SpendingRequest.school, func.count())
                                     .where(SpendingRequest.status == "received").group_by(SpendingRequest.school)):
            yield (school,), n

    def _budget_use(self):
        year = date.today().year
        used = {(s, c): v for s, c, v in self._query(
            select(SpendingRequest.school, SpendingRequest.category, func.sum(SpendingRequest.amount))
            .where(SpendingRequest.year == year, SpendingRequest.status.in_(COMMITTED))
            .group_by(SpendingRequest.school, SpendingRequest.category))}
        for school, category, amount in self._query(select(Budget.school, Budget.category, Budget.amount)
                                                    .where(Budget.year == year)):
            if amount:
                yield (school, category), float(used.get((school, category)) or 0) / float(amount)
