"""参与面 / 参与度: who took part, per member, union group and school; and 必须人人参加 — the
members of each required union group who have not registered yet."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from services.events.activities import load_activity
from services.events.domain import registration as rules
from services.events.orm import Activity, DirectoryGroup, DirectoryMember, Registration
from shared.directory import IN_SERVICE, members_of

NO_GROUP = "未分组"


def compulsory_gaps(session, activity_id: int) -> dict:
    """The in-service members of each required group without a registration holding (or waiting
    for) a seat. Without named groups everyone is required, members in no group (未分组) too."""
    activity = load_activity(session, activity_id)
    groups = {g.group_id: g.name for g in session.execute(select(DirectoryGroup)).scalars()}
    by_group: dict = {}
    for m in members_of(session, DirectoryMember, statuses=IN_SERVICE):
        by_group.setdefault(m.union_group_id, []).append(m)
    if activity.compulsory_group_ids:
        wanted = list(activity.compulsory_group_ids)
    else:
        wanted = sorted(groups) + ([None] if None in by_group else [])
    taking_part = {m for (m,) in session.execute(select(Registration.member_id).where(
        Registration.activity_id == activity_id, Registration.status.in_(tuple(rules.LIVE))))}
    out, missing_total, expected_total = [], 0, 0
    for group_id in wanted:
        members = by_group.get(group_id, [])
        missing = [{"member_id": m.member_id, "name": m.name} for m in members if m.member_id not in taking_part]
        expected_total += len(members)
        missing_total += len(missing)
        out.append({"group_id": group_id, "group_name": groups.get(group_id, NO_GROUP if group_id is None
                                                                    else str(group_id)),
                    "members": len(members), "registered": len(members) - len(missing), "missing": missing,
                    "complete": not missing})
    return {"activity_id": activity_id, "compulsory": activity.compulsory, "groups": out,
            "expected": expected_total, "missing": missing_total, "complete": missing_total == 0}


def _year_bounds(year: int):
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def school_participation(session, year: int) -> dict:
    """Per member, per union group and for the school: activities registered and attended, the
    participation rate (members who attended at least one activity over in-service members) and
    the attendance rate (attended over attended + no-show)."""
    start, end = _year_bounds(year)
    rows = session.execute(select(Registration.member_id, Registration.status, func.count())
                           .join(Activity, Activity.id == Registration.activity_id)
                           .where(Activity.starts_at >= start, Activity.starts_at < end)
                           .group_by(Registration.member_id, Registration.status)).all()
    per_member: dict[int, dict] = {}
    for member_id, status, n in rows:
        entry = per_member.setdefault(member_id, {"registered": 0, "attended": 0, "no_show": 0})
        if status in rules.COUNTED:
            entry["registered"] += n
        if status in ("attended", "no_show"):
            entry[status] += n
    groups = {g.group_id: g.name for g in session.execute(select(DirectoryGroup)).scalars()}
    members = members_of(session, DirectoryMember, statuses=IN_SERVICE)
    by_group: dict = {}
    member_rows = []
    for m in members:
        e = per_member.get(m.member_id, {"registered": 0, "attended": 0, "no_show": 0})
        member_rows.append({"member_id": m.member_id, "name": m.name, "group_id": m.union_group_id, **e,
                            "attendance_rate": rules.rate(e["attended"], e["attended"] + e["no_show"])})
        g = by_group.setdefault(m.union_group_id, {"group_id": m.union_group_id,
                                                   "group_name": groups.get(m.union_group_id, NO_GROUP),
                                                   "members": 0, "participants": 0, "attended": 0, "no_show": 0})
        g["members"] += 1
        g["participants"] += 1 if e["attended"] else 0
        g["attended"] += e["attended"]
        g["no_show"] += e["no_show"]
    for g in by_group.values():
        g["participation_rate"] = rules.rate(g["participants"], g["members"])
        g["attendance_rate"] = rules.rate(g["attended"], g["attended"] + g["no_show"])
    participants = sum(1 for r in member_rows if r["attended"])
    attended = sum(r["attended"] for r in member_rows)
    no_show = sum(r["no_show"] for r in member_rows)
    activities = session.execute(select(func.count()).where(Activity.starts_at >= start, Activity.starts_at < end,
                                                           Activity.status != "cancelled")).scalar_one()
    return {"year": year, "school": {"activities": activities, "members": len(members), "participants": participants,
                                     "participation_rate": rules.rate(participants, len(members)),
                                     "attended": attended, "no_show": no_show,
                                     "attendance_rate": rules.rate(attended, attended + no_show)},
            "groups": sorted(by_group.values(), key=lambda g: (g["group_id"] is None, g["group_name"])),
            "members": member_rows}


def district_participation(session, year: int) -> dict:
    """Each school's participation in its own activities over the year (district view)."""
    start, end = _year_bounds(year)
    members = dict(session.execute(select(DirectoryMember.school, func.count()).where(
        DirectoryMember.status.in_(IN_SERVICE)).group_by(DirectoryMember.school)).all())
    participants = dict(session.execute(
        select(Registration.school, func.count(func.distinct(Registration.member_id)))
        .join(Activity, Activity.id == Registration.activity_id)
        .where(Activity.starts_at >= start, Activity.starts_at < end, Registration.status == "attended")
        .group_by(Registration.school)).all())
    activities = dict(session.execute(select(Activity.school, func.count()).where(
        Activity.starts_at >= start, Activity.starts_at < end, Activity.status != "cancelled")
        .group_by(Activity.school)).all())
    schools = sorted(set(members) | set(activities))
    rows = [{"school": s, "activities": int(activities.get(s, 0)), "members": int(members.get(s, 0)),
             "participants": int(participants.get(s, 0)),
             "participation_rate": rules.rate(int(participants.get(s, 0)), int(members.get(s, 0)))} for s in schools]
    return {"year": year, "schools": rows}
