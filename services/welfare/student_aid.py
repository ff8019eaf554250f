"""金秋助学 use cases: aid for the children of members in hardship, by tier, never twice for one
student in one year, and never on top of funding from another scheme."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from services.welfare import members, payments, policies
from services.welfare.domain.errors import WelfareConflict, WelfareInvalid
from services.welfare.orm import StudentAid
from services.welfare.paging import page

TIER_NAMES = {"university": "tier1", "vocational_college": "tier2", "senior_high": "tier3"}


def _tiers(session) -> dict:
    """Award per tier: the district's setting (policies.settings), by education stage."""
    amounts = policies.settings(session)["student_aid_tiers"]
    return {stage: (name, Decimal(str(amounts[stage])).quantize(Decimal("0.01"))) for stage, name in TIER_NAMES.items()}


def tier_of(stage: str, tiers: dict) -> tuple[str, Decimal]:
    return tiers[stage]


def award(uow, school: str, data: dict, context, today: date) -> dict:
    session = uow.session
    person = members.member(session, data["member_id"])
    if data["funded_elsewhere"]:
        raise WelfareConflict("student_aid_double_funding", fields={"funded_elsewhere": ["student_aid_double_funding"]})
    name = data["student_name"].strip()
    hardship = payments.approved_file_of(session, person.member_id)
    if hardship is None:
        raise WelfareInvalid("student_aid_not_eligible", fields={"member_id": ["student_aid_not_eligible"]})
    # the same child named by either parent of the household is one student (不重复资助)
    parents = sorted({hardship.member_id, *(hardship.household or []), person.member_id})
    members.lock(session, parents)
    if session.scalars(select(StudentAid.id).where(StudentAid.member_id.in_(parents), StudentAid.student_name == name,
                                                   StudentAid.year == data["year"])).first():
        raise WelfareConflict("student_aid_double_funding", fields={"student_name": ["student_aid_double_funding"]})
    tier, amount = tier_of(data["stage"], _tiers(session))
    aid = StudentAid(school=school, member_id=person.member_id, member_name=person.name, student_name=name,
                     year=data["year"], stage=data["stage"], tier=tier, amount=amount, hardship_file_id=hardship.id)
    session.add(aid)
    session.flush()
    p = payments.request(uow, school, member_id=person.member_id, kind="student_aid", form=data["form"], amount=amount,
                         purpose=f"金秋助学：{name}", today=today, actor=context.actor,
                         hardship_file_id=hardship.id, source="student_aid", source_id=aid.id)
    aid.payment_id = p.id
    session.flush()
    result = view(aid)
    uow.commit()
    return result


def view(a) -> dict:
    return {"id": a.id, "member_id": a.member_id, "member_name": a.member_name, "student_name": a.student_name,
            "year": a.year, "stage": a.stage, "tier": a.tier, "amount": a.amount,
            "hardship_file_id": a.hardship_file_id, "payment_id": a.payment_id}


def listing(session, year: int, query: dict | None = None) -> dict:
    stmt = select(StudentAid).where(StudentAid.year == year).order_by(StudentAid.id)
    return page(session, stmt, query, view, year=year,
                tiers={k: {"tier": t, "amount": a} for k, (t, a) in _tiers(session).items()})
