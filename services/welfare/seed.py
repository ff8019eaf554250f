"""Demo data (演示数据): the demo district's members in welfare's directory, and in each school a
hospitalisation that is owed a visit and a retiree visited last festival. Idempotent: a second
``--demo`` run adds nothing (the directory is version-guarded; cases are added only to a school
that has none)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.welfare.orm import CareCase, DirectoryMember, RetireeCareRecord
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
    session.flush()
