"""Demo data (演示数据): the demo district's members in welfare's directory, and in each school a
hospitalisation that is owed a visit, a retiree visited last festival, a 三八 activity in the
women's ledger (女职工活动台帐) and a working-conditions item (午餐补贴). Idempotent: a second
``--demo`` run adds nothing (the directory is version-guarded; the demo year is added only to a
school that has no care case yet)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.welfare.orm import (CareCase, ConditionItem, DirectoryMember, Programme, ProgrammeParticipant,
                                  RetireeCareRecord)
from shared.directory import apply_member


def seed_demo(runtime, context: dict) -> None:
    report = context.setdefault("report", [])
    snapshots = context.get("members") or {}
    added = 0
    for school, members in snapshots.items():
        with runtime.unit_of_work("welfare", school=school) as uow:
            for snap in members:
                _before, applied = apply_member(uow.session, DirectoryMember, snap)
                added += int(applied)
            if not uow.session.scalars(select(CareCase.id)).first():
                _demo_cases(uow.session, school, members)
            uow.commit()
    report.append(f"welfare: {added} members in the directory")


def _demo_cases(session, school: str, members: list[dict]) -> None:
    active = [m for m in members if m.get("status") == "active"]
    retired = [m for m in members if m.get("status") == "retired"]
    today = date.today()
    if active:
        m = active[0]
        session.add(CareCase(school=school, member_id=int(m["id"]), member_name=m["name"], kind="hospitalisation",
                             must_visit=True, occurred_on=today, description="演示：住院手术", source="officer",
                             reported_by="demo", status="open"))
    if retired:
        m = retired[0]
        session.add(RetireeCareRecord(school=school, member_id=int(m["id"]), member_name=m["name"],
                                      kind="festival_invitation", happened_on=date(today.year, 1, 20),
                                      leaders=["校长"], notes="演示：春节慰问退休教师"))
    women = [m for m in active if m.get("gender") == "female"][:5]
    day = date(today.year, 3, 8)
    activity = Programme(school=school, area="women", kind="womens_day", year=today.year, title="演示：三八节女职工活动",
                         starts_on=day, place="工会活动室", audience="women", form="service")
    session.add(activity)
    session.add(ConditionItem(school=school, year=today.year, category="lunch_subsidy", title="演示：教职工午餐补贴",
                              raised_from="教代会提案", raised_on=date(today.year, 1, 10), status="open",
                              log=[{"on": date(today.year, 1, 10).isoformat(), "status": "open", "note": None,
                                    "by": "demo"}]))
    session.flush()
    session.add_all([ProgrammeParticipant(school=school, programme_id=activity.id, member_id=int(m["id"]),
                                          member_name=m["name"], enrolled_on=day, attended=True) for m in women])
    session.flush()
