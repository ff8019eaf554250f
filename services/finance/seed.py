"""Demo data: each demo school gets this year's budget, a few collected dues and paid requests.
Idempotent: a school that already has a budget for the year is left alone."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from services.finance import budgets, ledger
from services.finance.domain import ledger as L
from services.finance.domain.chart import BANK
from services.finance.orm import Budget, DirectoryMember
from shared.directory import apply_member

BUDGET = {"staff_activities": "60000.00", "rights_welfare": "40000.00", "business": "20000.00",
          "capital": "15000.00", "other": "5000.00"}


def seed_demo(runtime, context) -> None:
    from services.finance.orm import KnownSchool
    today = date.today()
    schools = context.get("schools") or []
    for snap in schools:
        code = snap["code"] if isinstance(snap, dict) else snap
        name = snap.get("name", code) if isinstance(snap, dict) else code
        with runtime.unit_of_work("finance", school=code) as uow:
            session = uow.session
            if session.get(KnownSchool, code) is None:
                session.add(KnownSchool(code=code, name=name, active=True))
            for member in (context.get("members") or {}).get(code, []):
                apply_member(session, DirectoryMember, member)
            if session.scalar(select(Budget.id).where(Budget.year == today.year)) is None:
                budgets.set_budgets(uow, code, today.year,
                                    [{"category": c, "amount": Decimal(a)} for c, a in BUDGET.items()], "demo")
                day = date(today.year, 1, 15)
                for lines, kind, memo in (
                    ((L.Line(BANK, debit=Decimal("50000.00")), L.Line("4201", credit=Decimal("50000.00"))),
                     "receipt", "行政拨缴工会经费"),
                    ((L.Line(BANK, debit=Decimal("3600.00")), L.Line("4101", credit=Decimal("3600.00"))),
                     "receipt", "一月会费"),
                    ((L.Line("5101", debit=Decimal("1200.00")), L.Line(BANK, credit=Decimal("1200.00"))),
                     "payment", "三八节活动"),
                ):
                    ledger.post(uow, code, L.Entry(code, day, kind, memo, lines), "demo")
            uow.commit()
