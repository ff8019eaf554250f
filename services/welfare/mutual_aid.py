"""互助保障 use cases: yearly enrolment per member; claims with documents; an approved claim's
payout is requested from finance like any payment (kind ``mutual_aid``)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.welfare import members, payments
from services.welfare.domain.errors import WelfareConflict, WelfareInvalid, WelfareNotFound
from services.welfare.orm import MutualAidClaim, MutualAidEnrolment, Payment
from services.welfare.paging import page

CLAIM_STATUSES = ("submitted", "approved", "rejected")


def enrol(uow, school: str, data: dict, today: date) -> dict:
    session = uow.session
    person = members.member(session, data["member_id"])
    if _enrolment(session, person.member_id, data["year"]) is not None:
        raise WelfareConflict("mutual_aid_already_enrolled", fields={"member_id": ["mutual_aid_already_enrolled"]})
    e = MutualAidEnrolment(school=school, member_id=person.member_id, member_name=person.name, year=data["year"],
                           plan=data["plan"], enrolled_on=data.get("enrolled_on") or today)
    session.add(e)
    session.flush()
    result = enrolment_view(e)
    uow.commit()
    return result


def _enrolment(session, member_id: int, year: int):
    return session.scalars(select(MutualAidEnrolment).where(MutualAidEnrolment.member_id == member_id,
                                                            MutualAidEnrolment.year == year)).first()


def claim(uow, school: str, data: dict, context, today: date) -> dict:
    members.require_self_or_officer(context, data["member_id"])
    session = uow.session
    person = members.member(session, data["member_id"])
    e = _enrolment(session, person.member_id, data["year"])
    if e is None:
        raise WelfareInvalid("mutual_aid_not_enrolled", fields={"year": ["mutual_aid_not_enrolled"]})
    if data["reason"] != e.plan:
        raise WelfareInvalid("mutual_aid_not_covered", fields={"reason": ["mutual_aid_not_covered"]},
                             params={"plan": e.plan})
    c = MutualAidClaim(school=school, enrolment_id=e.id, member_id=person.member_id, member_name=person.name,
                       reason=data["reason"], amount=data["amount"], documents=data["documents"], status="submitted",
                       submitted_on=today)
    session.add(c)
    session.flush()
    result = claim_view(c)
    uow.commit()
    return result


def decide(uow, school: str, claim_id: int, data: dict, context, today: date) -> dict:
    """理赔审核: approval requests the payout from finance in the same transaction."""
    session = uow.session
    c = session.get(MutualAidClaim, int(claim_id))
    if c is None:
        raise WelfareNotFound("mutual_aid_claim_not_found")
    if c.status != "submitted":
        raise WelfareConflict("mutual_aid_claim_step", params={"status": c.status})
    c.decision_note = data.get("note")
    if data["approve"]:
        p = payments.request(uow, school, member_id=c.member_id, kind="mutual_aid", form=data["form"], amount=c.amount,
                             purpose=f"互助保障理赔：{c.member_name}", today=today, actor=context.actor,
                             source="mutual_aid", source_id=c.id)
        c.status, c.payment_id = "approved", p.id
    else:
        c.status = "rejected"
    session.flush()
    result = claim_view(c, session)
    uow.commit()
    return result


def enrolment_view(e) -> dict:
    return {"id": e.id, "member_id": e.member_id, "member_name": e.member_name, "year": e.year, "plan": e.plan,
            "enrolled_on": e.enrolled_on}


def claim_view(c, session=None) -> dict:
    payout = None
    if session is not None and c.payment_id:
        p = session.get(Payment, c.payment_id)
        payout = payments.view(p) if p else None
    return {"id": c.id, "member_id": c.member_id, "member_name": c.member_name, "reason": c.reason, "amount": c.amount,
            "documents": c.documents, "status": c.status, "decision_note": c.decision_note, "payment_id": c.payment_id,
            "payout": payout, "submitted_on": c.submitted_on}


def listing(session, year: int, query: dict | None = None) -> dict:
    """A page of the year's enrolments (参保名单), each with its claims and their payouts."""
    stmt = select(MutualAidEnrolment).where(MutualAidEnrolment.year == year)
    if (query or {}).get("member_id") is not None:
        stmt = stmt.where(MutualAidEnrolment.member_id == query["member_id"])
    result = page(session, stmt.order_by(MutualAidEnrolment.member_name, MutualAidEnrolment.id), query,
                  enrolment_view, year=year)
    ids = [e["id"] for e in result["items"]]
    claims: dict[int, list] = {}
    for c in (session.scalars(select(MutualAidClaim).where(MutualAidClaim.enrolment_id.in_(ids))
                              .order_by(MutualAidClaim.id)) if ids else []):
        claims.setdefault(c.enrolment_id, []).append(claim_view(c, session))
    for e in result["items"]:
        e["claims"] = claims.get(e["id"], [])
    result["claims_submitted"] = session.scalar(
        select(func.count(MutualAidClaim.id)).join(MutualAidEnrolment, MutualAidEnrolment.id == MutualAidClaim.enrolment_id)
        .where(MutualAidEnrolment.year == year, MutualAidClaim.status == "submitted"))
    return result
