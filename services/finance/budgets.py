"""预算 per year and category, and what the spending requests have committed of it."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from services.finance.domain.chart import CATEGORY_LABELS
from services.finance.domain.money import ZERO, fmt
from services.finance.ledger import load_chart
from services.finance.orm import Budget, SpendingRequest
from shared.db import utcnow
from shared.errors import Conflict, ValidationFailed

COMMITTED = ("received", "approved", "paid")


def committed(session, year: int, category: str) -> Decimal:
    return session.scalar(select(func.coalesce(func.sum(SpendingRequest.amount), 0))
                          .where(SpendingRequest.year == year, SpendingRequest.category == category,
                                 SpendingRequest.status.in_(COMMITTED))) or ZERO


def budget_row(session, year: int, category: str, lock: bool = False) -> Budget | None:
    stmt = select(Budget).where(Budget.year == year, Budget.category == category)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def set_budgets(uow, school: str, year: int, items: list[dict], actor: str | None) -> dict:
    session = uow.session
    chart = load_chart(session)
    bad = {f"items.{i}.category": ["unknown_category"] for i, item in enumerate(items)
           if chart.expense_account(item["category"]) is None and chart.income_account(item["category"]) is None}
    if bad:
        raise ValidationFailed(fields=bad)
    for item in items:
        row = budget_row(session, year, item["category"], lock=True)
        used = committed(session, year, item["category"])
        if item["amount"] < used:
            raise Conflict("budget_below_committed", fields={"amount": ["budget_below_committed"]},
                           params={"amount": fmt(item["amount"]), "committed": fmt(used)})
        if row is None:
            session.add(Budget(school=school, year=year, category=item["category"], amount=item["amount"],
                               updated_by=actor))
        else:
            row.amount, row.updated_by, row.updated_at = item["amount"], actor, utcnow()
    session.flush()
    return budgets_of(session, year)


def budgets_of(session, year: int) -> dict:
    used = dict(session.execute(select(SpendingRequest.category, func.sum(SpendingRequest.amount))
                                .where(SpendingRequest.year == year, SpendingRequest.status.in_(COMMITTED))
                                .group_by(SpendingRequest.category)).all())
    paid = dict(session.execute(select(SpendingRequest.category, func.sum(SpendingRequest.amount))
                                .where(SpendingRequest.year == year, SpendingRequest.status == "paid")
                                .group_by(SpendingRequest.category)).all())
    items = []
    for row in session.scalars(select(Budget).where(Budget.year == year).order_by(Budget.category)):
        c = Decimal(used.get(row.category) or 0)
        items.append({"category": row.category, "label": CATEGORY_LABELS.get(row.category, row.category),
                      "amount": fmt(row.amount), "committed": fmt(c), "paid": fmt(paid.get(row.category) or 0),
                      "available": fmt(Decimal(row.amount) - c)})
    return {"year": year, "items": items}
