"""The district's chart of accounts (科目设置) and the roll of school unions."""
from __future__ import annotations

from sqlalchemy import select

from services.finance.ledger import forget_chart, load_chart
from services.finance.orm import ChartAccount, KnownSchool
from shared.errors import Conflict


def chart(session) -> dict:
    accounts = sorted(load_chart(session).accounts.values(), key=lambda a: a.code)
    return {"items": [{"code": a.code, "name": a.name, "kind": a.kind, "category": a.category} for a in accounts]}


def add_account(uow, data: dict) -> dict:
    """Add an account, or rename one (its kind and category stay: posted entries rely on them)."""
    session = uow.session
    current = load_chart(session)
    existing = current.get(data["code"])
    if existing is not None and (existing.kind != data["kind"] or existing.category != data.get("category")):
        raise Conflict("account_exists", fields={"code": ["finance_duplicate"]}, params={"code": data["code"]})
    if data.get("category") and existing is None and data["category"] in current.by_category:
        raise Conflict("category_taken", fields={"category": ["finance_duplicate"]}, params={"category": data["category"]})
    row = session.get(ChartAccount, data["code"])
    if row is None:
        session.add(ChartAccount(code=data["code"], name=data["name"], kind=data["kind"], category=data.get("category")))
    else:
        row.name = data["name"]
    session.flush()
    forget_chart(session)
    return chart(session)


def remember_school(session, payload: dict) -> None:
    row = session.get(KnownSchool, payload["code"])
    if row is None:
        session.add(KnownSchool(code=payload["code"], name=payload["name"], active=payload.get("active", True)))
    else:
        row.name, row.active = payload["name"], payload.get("active", True)
    session.flush()
