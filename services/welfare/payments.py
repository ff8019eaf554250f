"""支付申请 use cases: check a payment against the policy, ask finance for it by event, and follow
finance's answers (``finance.spending_request_updated``, origin ``welfare``)."""
from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select, update

from services.welfare import members, policies
from services.welfare.domain import payments as model
from services.welfare.domain import policy as rules
from services.welfare.domain.errors import WelfareInvalid, WelfareNotFound
from services.welfare.orm import CareCase, DirectoryMember, HardshipFile, Payment
from shared.db.base import utcnow
from shared.directory import LIVE

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


class _Requests:
    """The cap check of one or many payments against what is already counted, with everything it
    needs loaded up front: the members (locked in id order, so cap checks of one member are
    serialised and two batches never wait on each other in a cycle), their use of the caps this
    year, the cases named and the approved hardship files. Accepted payments are counted at once,
    so a batch cannot slip two payments under one cap."""

    def __init__(self, uow, school: str, items: list[dict], today: date, actor: str | None, policy=None):
        session = uow.session
        self.uow, self.school, self.today, self.actor = uow, school, today, actor
        self.policy = policy or policies.effective(session)
        ids = sorted({int(i["member_id"]) for i in items})
        allowed = session.info.get("schools")
        self.people = {m.member_id: m for m in session.scalars(
            select(DirectoryMember).where(DirectoryMember.member_id.in_(ids)).order_by(DirectoryMember.member_id)
            .with_for_update()) if allowed is None or m.school in allowed}
        self.spent: dict[tuple, rules.Spent] = {}
        for member_id, kind, amount, times in session.execute(
                select(Payment.member_id, Payment.kind, func.sum(Payment.amount), func.count(Payment.id))
                .where(Payment.member_id.in_(ids), Payment.year == today.year, Payment.status.in_(model.COUNTED))
                .group_by(Payment.member_id, Payment.kind)):
            self.spent[(member_id, kind)] = rules.Spent(Decimal(amount).quantize(Decimal("0.01")), int(times))
        case_ids = {int(i["case_id"]) for i in items if i.get("case_id") is not None}
        self.cases = dict(session.execute(select(CareCase.id, CareCase.member_id)
                                          .where(CareCase.id.in_(case_ids))).all()) if case_ids else {}
        # what each life event (care case) already has, of each kind: the per-event cap is the event's
        self.event_spent: dict[tuple, Decimal] = {
            (case_id, kind): Decimal(amount).quantize(Decimal("0.01")) for case_id, kind, amount in session.execute(
                select(Payment.case_id, Payment.kind, func.sum(Payment.amount))
                .where(Payment.case_id.in_(case_ids), Payment.status.in_(model.COUNTED))
                .group_by(Payment.case_id, Payment.kind))} if case_ids else {}
        self.files = list(session.scalars(select(HardshipFile).where(HardshipFile.status == "approved"))) \
            if any(i["kind"] == "hardship" for i in items) else []

    def check(self, *, member_id: int, kind: str, form: str, amount: Decimal, purpose: str,
              case_id: int | None = None, hardship_file_id: int | None = None, source: str | None = None,
              source_id: int | None = None) -> Payment:
        """The payment, added to the session, or the error naming the rule it breaks."""
        rules.validate_kind(kind)
        if form not in rules.FORMS:
            raise WelfareInvalid(fields={"form": ["invalid_choice"]})
        person = self.people.get(int(member_id))
        if person is None:
            raise WelfareInvalid("welfare_member_unknown", fields={"member_id": ["welfare_member_unknown"]})
        if person.status not in LIVE:
            raise WelfareInvalid("welfare_member_not_live", fields={"member_id": ["welfare_member_not_live"]})
        if case_id is not None and self.cases.get(int(case_id)) != person.member_id:
            raise WelfareInvalid("care_case_not_found", fields={"case_id": ["care_case_not_found"]})
        if kind == "hardship":
            found = next((f for f in self.files if (hardship_file_id is None or f.id == hardship_file_id)
                          and (f.member_id == person.member_id or person.member_id in (f.household or []))), None)
            if found is None:
                raise WelfareInvalid("hardship_file_required", fields={"hardship_file_id": ["hardship_file_required"]})
            hardship_file_id = found.id
        key = (person.member_id, kind)
        used = self.spent.get(key, rules.Spent())
        event_key = (int(case_id), kind) if case_id is not None else None
        event_used = self.event_spent.get(event_key, Decimal("0.00"))
        rules.check_payment(self.policy, kind, form, amount, used, event_used)
        self.spent[key] = rules.Spent(used.amount + amount, used.times + 1)
        if event_key is not None:
            self.event_spent[event_key] = event_used + amount
        payment = Payment(school=self.school, member_id=person.member_id, member_name=person.name, kind=kind,
                          form=form, amount=amount, year=self.today.year, purpose=purpose,
                          budget_category=rules.budget_category(kind), status="pending", case_id=case_id,
                          hardship_file_id=hardship_file_id, source=source, source_id=source_id,
                          requested_on=self.today, requested_by=self.actor)
        self.uow.session.add(payment)
        return payment

    def publish(self, payments: list[Payment]) -> None:
        """Give the payments their ids and write one ``welfare.payment_requested`` each."""
        if not payments:
            return
        self.uow.session.flush()
        self.uow.publish_many("welfare.payment_requested", [{
            "request_id": model.request_id(p.id), "payment_id": p.id, "school": self.school,
            "member_id": p.member_id, "kind": p.kind, "form": rules.contract_form(p.form), "form_detail": p.form,
            "amount": str(p.amount), "budget_category": p.budget_category, "purpose": p.purpose,
            "requested_on": p.requested_on.isoformat(), "member_name": p.member_name, "case_id": p.case_id,
        } for p in payments])


def request(uow, school: str, *, today: date, actor: str | None, policy=None, **item) -> Payment:
    """Check one payment against the policy and, when allowed, record it and publish
    ``welfare.payment_requested`` in the same transaction. Raises naming the rule broken."""
    batch = _Requests(uow, school, [item], today, actor, policy)
    payment = batch.check(**item)
    batch.publish([payment])
    return payment


def apply_answer(uow, payload: dict) -> str:
    """Finance answered a spending request: move the payment forward (never back). Returns what
    happened (for logs and tests): applied, stale, unknown or not_ours.

    One conditional UPDATE: the status it may move from is part of the WHERE, so two answers for
    one payment handled at once (received and approved back to back) cannot overwrite each other,
    and the hot path of 1,000 answers is one statement each."""
    if payload.get("origin") != "welfare":
        return "not_ours"
    payment_id = model.payment_id_of(payload["request_id"])
    answer = model.Answer(payload["status"], payload.get("reason"), payload.get("reason_code"))
    values = {"status": answer.status, "answered_at": utcnow()}
    if answer.status == "rejected":   # kept within the columns: an overlong reason must not stop the queue
        values.update(reason=(answer.reason or None) and answer.reason[:300],
                      reason_code=(answer.reason_code or None) and answer.reason_code[:64])
    if payload.get("decided_by"):
        values["decided_by"] = str(payload["decided_by"])[:64]
    if payload.get("entry_id"):
        values["entry_id"] = payload["entry_id"]
    if payment_id is not None:
        moved = uow.session.execute(update(Payment).where(Payment.id == payment_id,
                                                          Payment.status.in_(model.moves_from(answer.status)))
                                    .values(**values).execution_options(synchronize_session=False)).rowcount
        if moved:
            return "applied"
        if uow.session.scalar(select(Payment.id).where(Payment.id == payment_id)) is not None:
            return "stale"
    log.warning("finance answered %s, which this service does not know", payload["request_id"])
    return "unknown"


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
    policy on its own, in the order given; the allowed ones are recorded and requested from finance
    in one transaction, the refused ones are reported with the rule they break."""
    from shared.errors import DomainError
    batch = _Requests(uow, school, items, today, actor)
    results, accepted = [], []
    for index, item in enumerate(items):
        try:
            accepted.append((index, batch.check(**item)))
            results.append(None)
        except DomainError as exc:
            results.append({"index": index, "accepted": False, "code": exc.code, "fields": exc.fields,
                            "params": exc.params})
    batch.publish([p for _, p in accepted])
    for index, payment in accepted:
        results[index] = {"index": index, "accepted": True, "payment": view(payment)}
    return {"items": results, "accepted": len(accepted), "refused": len(items) - len(accepted)}
