"""Seeding the demo district (演示区): schools, union groups, members and committees, written
through a unit of work so every admission is also an outbox event."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.membership import views
from services.membership.demo import AS_OF, demo_district
from services.membership.members import new_member
from services.membership.organisation import announce_position
from services.membership.orm import CommitteePosition, School, StatusChange, UnionGroup

SCHOOL_FIELDS = ("code", "name", "kind", "area", "staff_headcount")


def seed_demo_district(runtime, context: dict) -> None:
    data = demo_district()
    context["schools"] = [s["code"] for s in data["schools"]]
    report = context.setdefault("report", [])
    with runtime.unit_of_work("membership") as uow:
        session = uow.session
        if session.execute(select(School.code).where(School.code.in_(context["schools"]))).first():
            report.append("demo district already present; not seeded again")
            return
        total = 0
        for spec in data["schools"]:
            code = spec["code"]
            session.add(School(**{k: spec[k] for k in SCHOOL_FIELDS}, active=True))
            uow.publish("membership.school_registered", {k: spec[k] for k in SCHOOL_FIELDS}, school=code)
            groups = {}
            for g in data["groups"][code]:
                row = UnionGroup(school=code, name=g["name"])
                session.add(row)
                groups[g["name"]] = row
            session.flush()
            members = []
            for m in data["members"][code]:
                fields = {**m, "union_group_id": groups[m["union_group"]].id if m.get("union_group") in groups else None}
                members.append(new_member(code, fields, m.get("status", "active")))
            session.add_all(members)
            session.flush()
            for m in members:
                session.add(StatusChange(school=code, member_id=m.id, from_status=None, to_status=m.status,
                                         effective_on=m.join_date or AS_OF, reason="demo", actor="system"))
            names = {g.id: name for name, g in groups.items()}
            uow.publish_many("membership.member_admitted", [
                {"member": views.snapshot(m, names.get(m.union_group_id)), "admitted_on": m.join_date or AS_OF,
                 "via": "enrolment"} for m in members if m.status in ("active", "retired")], school=code)
            uow.publish_many("membership.member_applied", [
                {"member": views.snapshot(m, names.get(m.union_group_id)), "applied_on": AS_OF}
                for m in members if m.status == "applicant"], school=code)
            for g in data["groups"][code]:
                if g.get("leader_index") is not None:
                    groups[g["name"]].leader_member_id = members[g["leader_index"]].id
            uow.publish_many("membership.union_group_changed", [
                {"id": g.id, "school": code, "name": g.name, "leader_member_id": g.leader_member_id, "version": 1}
                for g in groups.values()], school=code)
            positions = []
            for c in data["committee"][code]:
                positions.append(CommitteePosition(school=code, member_id=members[c["member_index"]].id,
                                                   portfolio=c["portfolio"], title=c.get("title"),
                                                   started_on=date(AS_OF.year, 1, 1)))
            session.add_all(positions)
            session.flush()
            by_id = {m.id: m.name for m in members}
            for row in positions:
                announce_position(uow, row, by_id[row.member_id])
            # for the other plugins' demo data: the committee their copies will receive
            context.setdefault("committee", {})[code] = [
                {"position_id": p.id, "school": code, "member_id": p.member_id, "member_name": by_id[p.member_id],
                 "portfolio": p.portfolio, "title": p.title, "started_on": p.started_on, "ended_on": None}
                for p in positions]
            context.setdefault("chairs", {})[code] = next(
                (members[c["member_index"]].id for c in data["committee"][code] if c["portfolio"] == "chair"), None)
            # for the other plugins' demo data: the member snapshots their directories will receive
            context.setdefault("members", {})[code] = [views.snapshot(m, names.get(m.union_group_id)) for m in members]
            total += len(members)
        uow.commit()
    report.append(f"demo district seeded: {len(data['schools'])} schools, {total} members")
