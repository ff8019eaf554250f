"""支付申请 use cases: check a payment against the policy, ask finance for it by event, and follow
finance's answers (``finance.spending_request_updated``, origin ``welfare``)."""
from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from services.welfare import members, policies
from services.welfare.domain import payments as model
from services.welfare.domain import policy as rules
from services.welfare.domain.errors import WelfareInvalid, WelfareNotFound
from services.welfare.orm import CareCase, HardshipFile, Payment
from shared.db.base import utcnow

log = logging.getLogger(__name__)


def spent(session, member_id: int, kind: str, year: int) -> rules.Spent:
    """What counts against the caps: every request of the year not rejected."""
    amount, times = session.execute(
        select(func.coalesce(func.sum(Payment.amount), 0), func.count(Payment.id))
        .where(Payment.member_id == member_id, Payment.kind == kind, Payment.year == year,
               Payment.status.in_(model.COUNTED))).one()
    return rules.Spent(Decimal(amount).quantize(Decimal("0.01")), int(times))


def approved_file_of(session, member_id: int, file_id: int | None = None) -> HardshipFile | None:
    """An approved hardship file whose household includes the member."""
    stmt = select(HardshipFile).where(HardshipFile.status == "approved")
    if file_id is not None:
        stmt = stmt.where(HardshipFile.id == file_id)
    for f in session.scalars(stmt):
        if member_id == f.member_id or member_id in (f.household or []):
            return f
    return None


def request(uow, school: str, *, member_id: int, kind: str, form: str, amount: Decimal, purpose: str, today: date,
            actor: str | None, case_id: int | None = None, hardship_file_id: int | None = None,
            source: str | None = None, source_id: int | None = None, policy=None) -> Payment:
    """Check one payment against the policy and, when allowed, record it and publish
    ``welfare.payment_requested`` in the same transaction. Raises naming the rule broken."""
    session = uow.session
    rules.validate_kind(kind)
    if form not in rules.FORMS:
        raise WelfareInvalid(fields={"form": ["invalid_choice"]})
    person = members.member(session, member_id, lock=True)   # serialises cap checks of one member
    if case_id is not None:
        case = session.get(CareCase, int(case_id))
        if case is None or case.member_id != person.member_id:
            raise WelfareInvalid("care_case_not_found", fields={"case_id": ["care_case_not_found"]})
    if kind == "hardship":
        found = approved_file_of(session, person.member_id, hardship_file_id)
        if found is None:
            raise WelfareInvalid("hardship_file_required", fields={"hardship_file_id": ["hardship_file_required"]})
        hardship_file_id = found.id
    policy = policy or policies.effective(session)
    rules.check_payment(policy, kind, form, amount, spent(session, person.member_id, kind, today.year))
    payment = Payment(school=school, member_id=person.member_id, member_name=person.name, kind=kind, form=form,
                      amount=amount, year=today.year, purpose=purpose, budget_category=rules.budget_category(kind),
                      status="pending", case_id=case_id, hardship_file_id=hardship_file_id, source=source,
                      source_id=source_id, requested_on=today, requested_by=actor)
    session.add(payment)
    session.flush()
    uow.publish("welfare.payment_requested", {
        "request_id": model.request_id(payment.id), "payment_id": payment.id, "school": school,
        "member_id": payment.member_id, "kind": kind, "form": rules.contract_form(form), "form_detail": form,
        "amount": str(amount), "budget_category": payment.budget_category, "purpose": purpose,
        "requested_on": today.isoformat(), "member_name": person.name, "case_id": case_id,
    })
    return payment


def apply_answer(uow, payload: dict) -> str:
    """Finance answered a spending request: move the payment forward (never back). Returns what
    happened (for logs and tests): applied, stale, unknown or not_ours."""
    if payload.get("origin") != "welfare":
        return "not_ours"
    payment_id = model.payment_id_of(payload["request_id"])
    # two answers for one payment may be handled at once (received and approved back to back):
    # the row lock makes the second wait and see the first one's status
    payment = uow.session.scalars(select(Payment).where(Payment.id == payment_id).with_for_update()).first() \
        if payment_id else None
    if payment is None:
        log.warning("finance answered %s, which this service does not know", payload["request_id"])
        return "unknown"
    answer = model.Answer(payload["status"], payload.get("reason"), payload.get("reason_code"))
    if not model.answer_applies(payment.status, answer):
        return "stale"
    payment.status = answer.status
    if answer.status == "rejected":
        payment.reason, payment.reason_code = answer.reason, answer.reason_code
    payment.decided_by = payload.get("decided_by") or payment.decided_by
    payment.entry_id = payload.get("entry_id") or payment.entry_id
    payment.answered_at = utcnow()
    return "applied"


def view(p: Payment) -> dict:
    return {"id": p.id, "request_id": model.request_id(p.id), "member_id": p.member_id, "member_name": p.member_name,
            "kind": p.kind, "form": p.form, "amount": p.amount, "year": p.year, "purpose": p.purpose,
            "budget_category": p.budget_category, "status": p.status, "reason": p.reason,
            "reason_code": p.reason_code, "decided_by": p.decided_by, "entry_id": p.entry_id,
            "case_id": p.case_id, "hardship_file_id": p.hardship_file_id, "source": p.source,
            "source_id": p.source_id, "requested_on": p.requested_on, "requested_by": p.requested_by,
            "answered_at": p.answered_at, "awaiting_finance": p.status in ("pending", "received")}


def get(session, payment_id: int, context) -> dict:
    p = session.get(Payment, int(payment_id))
    if p is None:
        raise WelfareNotFound("payment_not_found")
    members.require_self_or_officer(context, p.member_id, members.PAYMENT_READERS)
    return view(p)


def search(session, query: dict) -> dict:
    stmt = select(Payment)
    count = select(func.count(Payment.id))
    for name in ("status", "kind", "member_id", "year"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(Payment, name) == query[name])
            count = count.where(getattr(Payment, name) == query[name])
    page, size = query["page"], query["page_size"]
    total = session.scalar(count)
    rows = session.scalars(stmt.order_by(Payment.id.desc()).offset((page - 1) * size).limit(size))
    return {"items": [view(p) for p in rows], "total": total, "page": page, "page_size": size}


def cap_usage(session, member_id: int, year: int) -> dict:
    """A member's use of every capped kind in ``year``: counted, cap, remaining."""
    person = members.member(session, member_id, field=None, live=False)
    policy = policies.effective(session)
    out = []
    for kind, rule in sorted(policy.rules.items()):
        used = spent(session, person.member_id, kind, year)
        remaining = None if rule.per_member_year is None else max(rule.per_member_year - used.amount, Decimal("0.00"))
        out.append({"kind": kind, "counted": used.amount, "times": used.times, "per_member_year": rule.per_member_year,
                    "per_event": rule.per_event, "times_per_year": rule.times_per_year, "remaining": remaining})
    return {"member_id": person.member_id, "member_name": person.name, "year": year, "items": out}


def of_case(session, case_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.case_id == case_id).order_by(Payment.id)))


def request_many(uow, school: str, items: list[dict], today: date, actor: str | None) -> dict:
    """Many payments at once (a festival's gifts, a month's cakes): each is checked against the
    policy on its own; the allowed ones are recorded and requested from finance in one
    transaction, the refused ones are reported with the rule they break. Members are locked in
    id order so that two batches never wait on each other in a cycle."""
    from shared.errors import DomainError
    policy = policies.effective(uow.session)
    results: list[dict | None] = [None] * len(items)
    for index in sorted(range(len(items)), key=lambda i: (items[i]["member_id"], i)):
        try:
            p = request(uow, school, today=today, actor=actor, policy=policy, **items[index])
            results[index] = {"index": index, "accepted": True, "payment": view(p)}
        except DomainError as exc:
            results[index] = {"index": index, "accepted": False, "code": exc.code, "fields": exc.fields,
                              "params": exc.params}
    accepted = sum(1 for r in results if r["accepted"])
    return {"items": results, "accepted": accepted, "refused": len(items) - accepted}
