"""District views (区教育工会): spending by school against the caps, hardship households by school,
visits owed by school; and each school's year figures for the year-end summary (工作总结)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from services.welfare import happiness, policies
from services.welfare.domain import payments as payment_model
from services.welfare.orm import (BirthdayDelivery, CareCase, CareVisit, ConditionItem, DirectoryMember, HardshipFile,
                                  HealthBooking, HealthCampaign, MutualAidEnrolment, OutreachCampaign,
                                  OutreachRecipient, Payment, Programme, ProgrammeParticipant, ProtectionPeriod,
                                  RightsCase, StudentAid)
from shared.directory import LIVE

ZERO = Decimal("0.00")


def spending(session, year: int) -> dict:
    """Per school and kind: requested (not rejected), paid, pending, and the yearly cap room of all
    its live members (cap per member × members) where the kind has a yearly cap."""
    policy = policies.district(session)
    heads = dict(session.execute(select(DirectoryMember.school, func.count(DirectoryMember.member_id))
                                 .where(DirectoryMember.status.in_(LIVE)).group_by(DirectoryMember.school)).all())
    rows = session.execute(select(Payment.school, Payment.kind, Payment.status, func.sum(Payment.amount),
                                  func.count(Payment.id)).where(Payment.year == year)
                           .group_by(Payment.school, Payment.kind, Payment.status)).all()
    schools: dict = defaultdict(lambda: defaultdict(lambda: {"counted": ZERO, "paid": ZERO, "rejected": ZERO,
                                                             "awaiting_finance": 0}))
    for school, kind, status, amount, n in rows:
        cell = schools[school][kind]
        amount = Decimal(amount or 0).quantize(Decimal("0.01"))
        if status in payment_model.COUNTED:
            cell["counted"] += amount
        if status == "paid":
            cell["paid"] += amount
        if status == "rejected":
            cell["rejected"] += amount
        if status in ("pending", "received"):
            cell["awaiting_finance"] += n
    out = []
    for school in sorted(set(schools) | set(heads)):
        kinds = []
        for kind, cell in sorted(schools[school].items()):
            cap = policy.rule(kind).per_member_year
            room = cap * heads.get(school, 0) if cap is not None else None
            kinds.append({"kind": kind, **cell, "cap_per_member_year": cap, "cap_room": room,
                          "share_of_cap": None if not room else str((cell["counted"] / room).quantize(Decimal("0.0001")))})
        out.append({"school": school, "members": heads.get(school, 0), "kinds": kinds,
                    "counted": sum((k["counted"] for k in kinds), ZERO), "paid": sum((k["paid"] for k in kinds), ZERO)})
    return {"year": year, "schools": out}


def hardship(session) -> dict:
    rows = session.execute(select(HardshipFile.school, HardshipFile.status, HardshipFile.category,
                                  func.count(HardshipFile.id))
                           .group_by(HardshipFile.school, HardshipFile.status, HardshipFile.category)).all()
    out: dict = defaultdict(lambda: {"approved": 0, "in_progress": 0, "closed": 0, "by_category": defaultdict(int)})
    for school, status, category, n in rows:
        cell = out[school]
        if status == "approved":
            cell["approved"] += n
            cell["by_category"][category] += n
        elif status in ("closed", "rejected"):
            cell["closed"] += n
        else:
            cell["in_progress"] += n
    return {"schools": [{"school": s, **{k: dict(v) if k == "by_category" else v for k, v in c.items()}}
                        for s, c in sorted(out.items())]}


def visits_owed(session) -> dict:
    rows = session.execute(select(CareCase.school, func.count(CareCase.id), func.min(CareCase.occurred_on))
                           .where(CareCase.must_visit.is_(True), CareCase.visits == 0, CareCase.status != "closed")
                           .group_by(CareCase.school)).all()
    return {"schools": [{"school": s, "owed": n, "oldest": oldest} for s, n, oldest in sorted(rows)],
            "total": sum(r[1] for r in rows)}


def womens_programme(session, year: int) -> dict:
    """女职工工作 by school (W23, for the district's inspection of the 女职工之家): the year's
    activities of the ledger by kind, attendances, and how many of the school's women took part."""
    women = dict(session.execute(select(DirectoryMember.school, func.count(DirectoryMember.member_id))
                                 .where(DirectoryMember.status.in_(LIVE), DirectoryMember.gender == "female")
                                 .group_by(DirectoryMember.school)).all())
    kinds = session.execute(select(Programme.school, Programme.kind, func.count(Programme.id))
                            .where(Programme.area == "women", Programme.year == year)
                            .group_by(Programme.school, Programme.kind)).all()
    attended = session.execute(
        select(Programme.school, func.count(ProgrammeParticipant.id),
               func.count(func.distinct(ProgrammeParticipant.member_id)))
        .join(Programme, Programme.id == ProgrammeParticipant.programme_id)
        .where(Programme.area == "women", Programme.year == year, ProgrammeParticipant.attended.is_(True))
        .group_by(Programme.school)).all()
    by_school: dict = defaultdict(lambda: {"activities": 0, "by_kind": {}, "attendances": 0, "women_reached": 0})
    for school, kind, n in kinds:
        by_school[school]["activities"] += n
        by_school[school]["by_kind"][kind] = n
    for school, times, people in attended:
        by_school[school]["attendances"], by_school[school]["women_reached"] = times, people
    out = []
    for school in sorted(set(by_school) | set(women)):
        cell, n = by_school[school], women.get(school, 0)
        reach = None if not n else str((Decimal(cell["women_reached"]) / n).quantize(Decimal("0.0001")))
        out.append({"school": school, "women_members": n, **cell, "share_reached": reach})
    return {"year": year, "schools": out, "activities": sum(c["activities"] for c in out)}


def _wellbeing(session, year: int) -> dict:
    """The year's W13/W21–W24 work in counts only (no names: the summary is read widely)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    protection = dict(session.execute(select(ProtectionPeriod.kind, func.count(ProtectionPeriod.id))
                                      .where(ProtectionPeriod.starts_on.between(start, end))
                                      .group_by(ProtectionPeriod.kind)).all())
    rights_opened = dict(session.execute(select(RightsCase.kind, func.count(RightsCase.id))
                                         .where(RightsCase.opened_on.between(start, end))
                                         .group_by(RightsCase.kind)).all())
    rights_closed = dict(session.execute(select(RightsCase.status, func.count(RightsCase.id))
                                         .where(RightsCase.closed_on.between(start, end))
                                         .group_by(RightsCase.status)).all())
    conditions = dict(session.execute(select(ConditionItem.status, func.count(ConditionItem.id))
                                      .where(ConditionItem.year == year).group_by(ConditionItem.status)).all())
    programmes = {}
    for area, n, attended in session.execute(
            select(Programme.area, func.count(func.distinct(Programme.id)),
                   func.count(ProgrammeParticipant.id).filter(ProgrammeParticipant.attended.is_(True)))
            .outerjoin(ProgrammeParticipant, ProgrammeParticipant.programme_id == Programme.id)
            .where(Programme.year == year).group_by(Programme.area)):
        programmes[area] = {"activities": n, "attended": attended}
    return {
        "protection_periods": protection,
        "rights_cases": {"opened": sum(rights_opened.values()), "by_kind": rights_opened, "closed": rights_closed},
        "working_conditions": {"raised": sum(conditions.values()), "by_status": conditions},
        "programmes": programmes,
        "happiness_index": happiness.year_index(session, year),
    }


def annual_summary(session, school: str, year: int) -> dict:
    start, end = date(year, 1, 1), date(year, 12, 31)
    cases = session.scalar(select(func.count(CareCase.id)).where(CareCase.occurred_on.between(start, end)))
    visits = session.scalar(select(func.count(CareVisit.id)).where(CareVisit.visited_on.between(start, end)))
    by_kind = session.execute(select(Payment.kind, func.sum(Payment.amount), func.count(Payment.id))
                              .where(Payment.year == year, Payment.status.in_(payment_model.COUNTED))
                              .group_by(Payment.kind)).all()
    return {
        "school": school, "year": year,
        "care_cases": cases, "care_visits": visits,
        "payments": {k: {"amount": Decimal(a or 0).quantize(Decimal("0.01")), "count": n} for k, a, n in by_kind},
        "payments_total": sum((Decimal(a or 0) for _, a, _ in by_kind), ZERO).quantize(Decimal("0.01")),
        "hardship_households": session.scalar(select(func.count(HardshipFile.id)).where(HardshipFile.status == "approved")),
        "birthdays_delivered": session.scalar(select(func.count(BirthdayDelivery.id)).where(BirthdayDelivery.year == year)),
        "health_checks_attended": session.scalar(
            select(func.count(HealthBooking.id)).join(HealthCampaign, HealthCampaign.id == HealthBooking.campaign_id)
            .where(HealthCampaign.year == year, HealthBooking.attended.is_(True))),
        "mutual_aid_enrolled": session.scalar(select(func.count(MutualAidEnrolment.id)).where(MutualAidEnrolment.year == year)),
        "outreach_delivered": session.scalar(
            select(func.count(OutreachRecipient.id)).join(OutreachCampaign, OutreachCampaign.id == OutreachRecipient.campaign_id)
            .where(OutreachCampaign.year == year, OutreachRecipient.delivered_on.is_not(None))),
        "student_aid": session.scalar(select(func.count(StudentAid.id)).where(StudentAid.year == year)),
        **_wellbeing(session, year),
    }
