"""Import and export of member lists (会员花名册) as XLSX or CSV.

Import is idempotent: a row whose ID number is already a live member of this school is skipped,
so importing the same file twice creates no duplicates. Valid rows are imported in one
transaction with their status history and ``member_admitted`` events; every invalid row is
reported with its row number and reason.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select

from services.membership import views
from services.membership.exporting import members_to_csv, members_to_xlsx
from services.membership.importing import parse_members_file
from services.membership.members import live_memberships, require_school
from services.membership.orm import Member, StatusChange, UnionGroup
from shared import i18n
from shared.db.base import utcnow


def import_members(uow, school: str, content: bytes, fmt: str, today: date,
                   language: str = "zh-CN") -> dict:
    session = uow.session
    require_school(session, school)
    parsed = parse_members_file(content, fmt)
    errors = [{"row": e.row_number, "field": e.field, "code": e.code,
               "message": e.message_zh if language == "zh-CN" else i18n.render(e.code, language)}
              for e in parsed.errors]
    live = {idn: other for idn, other, _id in live_memberships(session, [r.data["id_number"] for r in parsed.rows])}
    groups = dict(session.execute(select(UnionGroup.name, UnionGroup.id)).all())
    fresh, skipped = [], 0
    for row in parsed.rows:
        data = row.data
        other = live.get(data["id_number"])
        if other == school:
            skipped += 1
            continue
        if other is not None:
            errors.append({"row": row.row_number, "field": "id_number", "code": "id_number_active_elsewhere",
                           "message": i18n.render("id_number_active_elsewhere", language)})
            continue
        group_name = (data.get("union_group") or "").strip()
        if group_name and group_name not in groups:
            group = UnionGroup(school=school, name=group_name)
            session.add(group)
            session.flush()
            groups[group_name] = group.id
            uow.publish("membership.union_group_changed", {"id": group.id, "school": school, "name": group_name,
                                                           "leader_member_id": None, "version": 1})
        fresh.append((row, data, groups.get(group_name)))
    from services.membership.members import new_member
    members = []
    for row, data, group_id in fresh:
        member = new_member(school, {**data, "union_group_id": group_id,
                                     "join_date": data.get("join_date") or today}, "active")
        members.append(member)
    if members:
        # one bulk INSERT ... RETURNING id (the tenancy guard checks every row's school), not a flush of
        # 20,000 tracked objects; the objects stay transient and only carry the values for the events
        now = utcnow()
        columns = [c.key for c in Member.__table__.columns if c.key != "id"]
        rows = [{**{c: getattr(m, c) for c in columns}, "created_at": now, "updated_at": now, "live": m.live,
                 "version": m.version} for m in members]
        ids = session.execute(insert(Member).returning(Member.id, sort_by_parameter_order=True), rows).scalars().all()
        for member, member_id in zip(members, ids):
            member.id = member_id
        session.execute(insert(StatusChange), [
            {"school": school, "member_id": m.id, "from_status": None, "to_status": "active", "effective_on": today,
             "reason": "import", "actor": uow.context.actor} for m in members])
        names = {gid: name for name, gid in groups.items()}
        uow.publish_many("membership.member_admitted", [
            {"member": views.snapshot(m, names.get(m.union_group_id)), "admitted_on": today, "via": "import"}
            for m in members])
    total = session.execute(select(func.count()).select_from(Member).where(Member.school == school)).scalar_one()
    uow.commit()
    errors.sort(key=lambda e: e["row"])
    return {"school": school, "total_rows": len(parsed.rows) + len({e.row_number for e in parsed.errors}),
            "imported": len(members), "skipped": skipped, "errors": errors, "members_total": total}


def export_members(session, school: str, fmt: str, language: str = "zh-CN") -> bytes:
    groups = dict(session.execute(select(UnionGroup.id, UnionGroup.name)).all())
    rows = session.execute(select(Member).where(Member.school == school).order_by(Member.id)).scalars()
    members = [views.member(r, groups.get(r.union_group_id), language=language) for r in rows]
    return members_to_csv(members, language) if fmt == "csv" else members_to_xlsx(members, language)
