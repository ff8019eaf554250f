"""活动经费: an activity's expenses and per-person subsidies, requested from finance by event
(``events.expense_requested``) and shown with finance's answer (``finance.spending_request_updated``).
Answers may arrive twice or out of order: a status only moves forward, by the rule of finance's
answer protocol (``shared.contracts.finance.answer_moves_forward``)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select

from services.events.activities import load_activity
from services.events.labels import EXPENSE_LABELS, label
from services.events.orm import Expense, Registration
from services.events.paging import page
from shared.contracts import finance as finance_contract
from shared.errors import Conflict

DEFAULT_CATEGORY = "staff_activities"     # 职工活动支出, finance's spending category


def expense_view(row: Expense, language=None) -> dict:
    return {"id": row.id, "activity_id": row.activity_id, "kind": row.kind, "amount": str(row.amount),
            "purpose": row.purpose, "budget_category": row.budget_category, "status": row.status,
            "status_label": label(EXPENSE_LABELS, row.status, language), "reason": row.reason,
            "reason_code": row.reason_code, "decided_by": row.decided_by, "entry_id": row.entry_id,
            "answered_at": row.answered_at.isoformat() if row.answered_at else None,
            "requested_on": row.requested_on.isoformat(), "request_id": finance_contract.request_id("events", row.id)}


def subsidy_amount(per_person: Decimal | None, participants: int) -> Decimal:
    if not per_person:
        raise Conflict("no_subsidy_per_person")
    if participants == 0:
        raise Conflict("no_participants")
    return (per_person * participants).quantize(Decimal("0.01"))


def request_expense(uow, school: str, activity_id: int, data: dict, today: date, language=None) -> dict:
    session = uow.session
    activity = load_activity(session, activity_id)
    amount = data.get("amount")
    if data["kind"] == "subsidy":
        participants = session.execute(select(func.count()).where(
            Registration.activity_id == activity_id, Registration.status.in_(("registered", "attended")))).scalar_one()
        amount = subsidy_amount(activity.subsidy_per_person, participants)
    row = Expense(school=school, activity_id=activity_id, kind=data["kind"], amount=amount, purpose=data["purpose"],
                  budget_category=data.get("budget_category") or DEFAULT_CATEGORY, status="requested",
                  requested_on=today)
    session.add(row)
    session.flush()
    uow.publish("events.expense_requested", {
        "request_id": finance_contract.request_id("events", row.id), "expense_id": row.id, "school": school, "activity_id": activity_id,
        "amount": row.amount, "budget_category": row.budget_category,
        "purpose": f"{activity.title}：{row.purpose}", "requested_on": today})
    uow.commit()
    return expense_view(row, language)


def list_expenses(session, activity_id: int, query: dict | None = None, language=None) -> dict:
    load_activity(session, activity_id)
    return page(session, select(Expense).where(Expense.activity_id == activity_id).order_by(Expense.id), query,
                lambda r: expense_view(r, language))


def apply_answer(session, payload: dict) -> bool:
    """Finance's answer to one of our requests; returns whether it changed the expense."""
    if payload.get("origin") != "events":
        return False
    expense_id = finance_contract.request_key("events", payload.get("request_id", ""))
    if expense_id is None:
        return False
    row = session.execute(select(Expense).where(Expense.id == expense_id)).scalar_one_or_none()
    if row is None:
        return False
    status = payload["status"]
    if not finance_contract.answer_moves_forward(row.status, status):
        return False
    at = payload.get("at")
    if isinstance(at, str):
        at = datetime.fromisoformat(at.replace("Z", "+00:00"))
    if at is not None and at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    row.status, row.answered_at = status, at
    row.reason, row.reason_code = payload.get("reason"), payload.get("reason_code")
    row.decided_by = payload.get("decided_by") or row.decided_by
    row.entry_id = payload.get("entry_id") or row.entry_id
    return True
