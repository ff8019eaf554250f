"""A finance database on SQLite and the unit of work the service would give each use case."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from services.finance import ledger
from services.finance.domain import ledger as L
from services.finance.domain.chart import BANK
from services.finance.errors import domain_errors
from services.finance.orm import KIT
from shared.db import UnitOfWork
from shared.tenancy import CallContext

S1, S2 = "S001", "S002"
DAY = date(2025, 3, 10)


def dr(account, amount):
    return L.Line(account, debit=Decimal(amount))


def cr(account, amount):
    return L.Line(account, credit=Decimal(amount))


class Finance:
    """The use cases as the service calls them, without nameko."""

    def __init__(self, engine, sessions):
        self.engine, self.sessions = engine, sessions

    def uow(self, school, *, role="finance_officer", actor="t") -> UnitOfWork:
        return UnitOfWork(self.sessions, KIT, schools=None if school is None else {school},
                          context=CallContext(school=school, actor=actor, role=role))

    def read(self, school):
        return self.sessions(None if school is None else frozenset({school}))

    def run(self, school, fn, *args, role="finance_officer", actor="t", **kw):
        """``fn(uow, school, ...)`` in a unit of work, committed, with domain errors mapped."""
        with domain_errors(), self.uow(school, role=role, actor=actor) as uow:
            result = fn(uow, school, *args, **kw)
            uow.commit()
            return result

    def post(self, school, *lines, kind="journal", day=DAY, memo="凭证"):
        def _post(uow, school):
            return ledger.post(uow, school, L.Entry(school, day, kind, memo, tuple(lines)), "t").id
        return self.run(school, _post)

    def pay(self, school, account, amount, day=DAY):
        return self.post(school, dr(account, amount), cr(BANK, amount), kind="payment", day=day)

    def reverse(self, school, entry_id, day=DAY):
        return self.run(school, lambda uow, s: ledger.reverse(uow, s, entry_id, day, None, "t").id)

    def set_period(self, school, period, state):
        return self.run(school, ledger.set_period_state, period, state, "t", DAY)

    def verify(self, school):
        with self.read(school) as session:
            return ledger.verify(session, school)

    def events(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [json.loads(b) for b in conn.execute(select(KIT.outbox.c.body).order_by(KIT.outbox.c.id)).scalars()]

    def event_types(self) -> list[str]:
        return [e["type"] for e in self.events()]


def request(n: int, amount: str, category: str = "staff_activities", origin: str = "welfare", day=DAY) -> dict:
    return {"request_id": f"{origin}:{n}", "amount": amount, "budget_category": category,
            "purpose": f"申请 {n}", "requested_on": day.isoformat()}
