"""经费申请 (spending requests): recorded once per ``request_id``, reserved against the budget,
approved by amount, rejected with a reason or paid into the ledger; every change is answered with
``finance.spending_request_updated``."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from services.finance import budgets, ledger
from services.finance.domain import ledger as L
from services.finance.domain.approval import check_approver, level_for
from services.finance.domain.budget import available, fits
from services.finance.domain.chart import BANK, CATEGORY_LABELS
from services.finance.domain.money import fmt
from services.finance.errors import MESSAGES
from services.finance.orm import SpendingRequest
from shared.db import utcnow
from shared.errors import Conflict, NotFound


def _reason(code: str, **params) -> str:
    return MESSAGES[code]["zh-CN"].format(**params)


def as_dict(row: SpendingRequest) -> dict:
    return {"id": row.id, "request_id": row.request_id, "origin": row.origin, "school": row.school,
            "budget_category": row.category, "category_label": CATEGORY_LABELS.get(row.category, row.category),
            "amount": fmt(row.amount), "purpose": row.purpose, "member_id": row.member_id,
            "requested_on": row.requested_on.isoformat(), "status": row.status, "level_needed": row.level_needed,
            "approval_level": row.approval_level, "committee_resolution": row.committee_resolution,
            "decided_by": row.decided_by, "decided_at": row.decided_at.isoformat() if row.decided_at else None,
            "reason": row.reason, "reason_code": row.reason_code, "entry_id": row.entry_id}


def _answer(uow, row: SpendingRequest) -> None:
    uow.publish("finance.spending_request_updated", {
        "request_id": row.request_id, "origin": row.origin, "school": row.school, "status": row.status,
        "amount": fmt(row.amount), "budget_category": row.category, "reason": row.reason,
        "reason_code": row.reason_code, "approval_level": row.approval_level, "decided_by": row.decided_by,
        "entry_id": row.entry_id, "at": utcnow().isoformat()}, school=row.school)


def intake(uow, school: str, data: dict, origin: str, limits) -> tuple[dict, bool]:
    """Record a request once; ``(request, created)``. A request already recorded (a redelivered or
    re-sent event) changes nothing and is answered by nothing new."""
    session = uow.session
    existing = session.scalar(select(SpendingRequest).where(SpendingRequest.request_id == data["request_id"]))
    if existing is not None:
        return as_dict(existing), False
    amount = Decimal(data["amount"])
    requested_on = data["requested_on"]
    if isinstance(requested_on, str):
        requested_on = date.fromisoformat(requested_on)
    category = data["budget_category"]
    row = SpendingRequest(school=school, request_id=data["request_id"], origin=origin, category=category,
                          year=requested_on.year, amount=amount, purpose=data["purpose"][:200],
                          member_id=data.get("member_id"), requested_on=requested_on, status="received",
                          level_needed=level_for(amount, limits))
    if ledger.load_chart(session).expense_account(category) is None:
        _decide(row, "rejected", "system", reason_code="unknown_category", reason=_reason("unknown_category", category=category))
    else:
        budget = budgets.budget_row(session, row.year, category, lock=True)
        used = budgets.committed(session, row.year, category)
        if not fits(amount, budget.amount if budget else None, used):
            left = available(budget.amount if budget else None, used)
            _decide(row, "rejected", "system", reason_code="over_budget",
                    reason=_reason("over_budget", category=CATEGORY_LABELS.get(category, category),
                                   available=fmt(max(left, Decimal(0))), amount=fmt(amount)))
    session.add(row)
    session.flush()
    _answer(uow, row)
    return as_dict(row), True


def create(uow, school: str, data: dict, limits) -> dict:
    """A request entered by a finance officer (origin ``finance``)."""
    data = dict(data, request_id=data.get("request_id") or f"finance:{uuid.uuid4().hex[:12]}")
    data.setdefault("requested_on", date.today())
    result, created = intake(uow, school, data, "finance", limits)
    if not created:
        raise Conflict("request_duplicate", fields={"request_id": ["finance_duplicate"]}, params={"request_id": data["request_id"]})
    return result


def _decide(row, status, actor, *, level=None, reason=None, reason_code=None, resolution=None):
    row.status, row.decided_by, row.decided_at = status, actor, utcnow()
    row.approval_level, row.reason, row.reason_code = level, reason, reason_code
    row.committee_resolution = resolution


def _locked(session, request_id: int) -> SpendingRequest:
    row = session.scalar(select(SpendingRequest).where(SpendingRequest.id == request_id).with_for_update())
    if row is None:
        raise NotFound("spending_request_not_found")
    return row


def _pending(row):
    if row.status != "received":
        raise Conflict("request_not_pending", params={"status": row.status})


def approve(uow, request_id: int, role: str, actor: str | None, limits, resolution: str | None = None) -> dict:
    row = _locked(uow.session, request_id)
    _pending(row)
    level = check_approver(Decimal(row.amount), role, limits, resolution)
    _decide(row, "approved", actor, level=level, resolution=resolution if level == "committee" else None)
    uow.session.flush()
    _answer(uow, row)
    return as_dict(row)


def reject(uow, request_id: int, actor: str | None, reason: str) -> dict:
    row = _locked(uow.session, request_id)
    _pending(row)
    _decide(row, "rejected", actor, reason=reason, reason_code="rejected_by_officer")
    uow.session.flush()
    _answer(uow, row)
    return as_dict(row)


def pay(uow, school: str, request_id: int, actor: str | None, paid_on: date, account: str = BANK) -> dict:
    """Book an approved request: debit its spending account, credit the bank (or cash)."""
    session = uow.session
    row = _locked(session, request_id)
    if row.status != "approved":
        raise Conflict("request_not_approved", params={"status": row.status})
    chart = ledger.load_chart(session)
    expense = chart.expense_account(row.category)
    amount = Decimal(row.amount)
    entry = L.Entry(school, paid_on, "payment", f"{CATEGORY_LABELS.get(row.category, row.category)}：{row.purpose}"[:200],
                    (L.Line(expense.code, debit=amount), L.Line(account, credit=amount)), source=row.request_id)
    posted = ledger.post(uow, school, entry, actor)
    row.status, row.entry_id = "paid", posted.id
    session.flush()
    _answer(uow, row)
    return as_dict(row)


def find_ids(session, keys: list) -> dict:
    """Batch keys (numeric ids or request_id strings) -> row id (None when unknown)."""
    ids = [k for k in keys if isinstance(k, int)]
    names = [k for k in keys if isinstance(k, str)]
    by_id = set(session.scalars(select(SpendingRequest.id).where(SpendingRequest.id.in_(ids)))) if ids else set()
    by_name = dict(session.execute(select(SpendingRequest.request_id, SpendingRequest.id)
                                   .where(SpendingRequest.request_id.in_(names))).all()) if names else {}
    return {k: (k if k in by_id else None) if isinstance(k, int) else by_name.get(k) for k in keys}


def get(session, request_id: int) -> dict:
    row = session.get(SpendingRequest, request_id)
    if row is None:
        raise NotFound("spending_request_not_found")
    return as_dict(row)


def search(session, query: dict) -> dict:
    stmt = select(SpendingRequest)
    for key, column in (("request_id", SpendingRequest.request_id), ("status", SpendingRequest.status),
                        ("origin", SpendingRequest.origin),
                        ("budget_category", SpendingRequest.category)):
        if query.get(key):
            stmt = stmt.where(column == query[key])
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, size = query.get("page", 1), query.get("page_size", 50)
    rows = session.scalars(stmt.order_by(SpendingRequest.id.desc()).offset((page - 1) * size).limit(size))
    return {"items": [as_dict(r) for r in rows], "total": total, "page": page, "page_size": size}
