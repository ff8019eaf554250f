"""The union's organisation: the schools registry (the tenants), union groups, the committee,
district statistics and the personal-data read audit."""
from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from services.membership import views
from services.membership.domain import model
from services.membership.members import forget_group, forget_school, load_member
from services.membership.orm import CommitteePosition, Member, PiiRead, School, UnionGroup
from services.membership.schemas import IN_SERVICE_CATEGORIES
from shared.errors import Conflict, NotFound, ValidationFailed

SCHOOL_FIELDS = ("code", "name", "kind", "area", "staff_headcount")


def create_school(uow, data: dict) -> dict:
    session = uow.session
    if session.get(School, data["code"]) is not None:
        raise Conflict("school_code_taken", fields={"code": ["school_code_taken"]}, params={"school": data["code"]})
    row = School(**{k: data.get(k) for k in SCHOOL_FIELDS}, active=True)
    session.add(row)
    uow.publish("membership.school_registered", {k: getattr(row, k) for k in SCHOOL_FIELDS}, school=row.code)
    try:
        uow.commit()
    except IntegrityError:
        raise Conflict("school_code_taken", fields={"code": ["school_code_taken"]}) from None
    return views.school(row)


def update_school(uow, code: str, data: dict) -> dict:
    session = uow.session
    row = session.get(School, code)
    if row is None:
        raise NotFound("school_not_found", params={"school": code})
    for key, value in data.items():
        setattr(row, key, value)
    uow.publish("membership.school_updated", {**{k: getattr(row, k) for k in SCHOOL_FIELDS}, "active": row.active},
                school=row.code)
    uow.commit()
    forget_school(row.code)
    return views.school(row)


def list_schools(session, page: int, size: int) -> dict:
    total = session.execute(select(func.count()).select_from(School)).scalar_one()
    rows = session.execute(select(School).order_by(School.code).offset((page - 1) * size).limit(size)).scalars()
    return {"items": [views.school(r) for r in rows], "total": total}


def get_school(session, code: str) -> dict:
    row = session.get(School, code)
    if row is None:
        raise NotFound("school_not_found", params={"school": code})
    return views.school(row)


def membership_stats(session) -> dict:
    """入会率 per school: in-service members (active, not retirees) over eligible staff."""
    in_service = func.sum(case((Member.status == "active", case((Member.category.in_(IN_SERVICE_CATEGORIES), 1), else_=0)),
                               else_=0))
    retirees = func.sum(case((Member.status == "retired", 1), else_=0))
    counts = {school: (int(a or 0), int(r or 0)) for school, a, r in
              session.execute(select(Member.school, in_service, retirees).group_by(Member.school))}
    rows = []
    for school in session.execute(select(School).where(School.active.is_(True)).order_by(School.code)).scalars():
        members, retired = counts.get(school.code, (0, 0))
        rate = model.membership_rate(members, school.staff_headcount)
        rows.append({"school": school.code, "name": school.name, "members": members, "retirees": retired,
                     "eligible_staff": school.staff_headcount, "rate": str(rate) if rate is not None else None})
    total_members = sum(r["members"] for r in rows)
    total_staff = sum(r["eligible_staff"] for r in rows)
    total_rate = model.membership_rate(total_members, total_staff)
    return {"schools": rows, "total": {"school": "*", "name": "全区合计", "members": total_members,
                                       "retirees": sum(r["retirees"] for r in rows), "eligible_staff": total_staff,
                                       "rate": str(total_rate) if total_rate is not None else None}}


def _group_view(session, row) -> dict:
    leader = session.execute(select(Member.name).where(Member.id == row.leader_member_id)).scalar() \
        if row.leader_member_id else None
    count = session.execute(select(func.count()).where(Member.union_group_id == row.id,
                                                       Member.status.in_(("active", "retired")))).scalar_one()
    return {"id": row.id, "name": row.name, "leader_member_id": row.leader_member_id, "leader_name": leader,
            "members": count}


def _check_leader(session, member_id):
    if member_id is None:
        return
    row = session.execute(select(Member).where(Member.id == member_id)).scalar_one_or_none()
    if row is None or row.status not in ("active", "retired"):
        raise ValidationFailed(fields={"leader_member_id": ["member_not_found"]})


def create_group(uow, school: str, data: dict) -> dict:
    session = uow.session
    if session.execute(select(UnionGroup).where(UnionGroup.name == data["name"])).scalar_one_or_none():
        raise Conflict("group_name_taken", fields={"name": ["group_name_taken"]})
    _check_leader(session, data.get("leader_member_id"))
    row = UnionGroup(school=school, name=data["name"], leader_member_id=data.get("leader_member_id"))
    session.add(row)
    session.flush()
    _announce_group(uow, row)
    uow.commit()
    return _group_view(session, row)


def update_group(uow, school: str, group_id: int, data: dict) -> dict:
    session = uow.session
    row = session.execute(select(UnionGroup).where(UnionGroup.id == group_id)).scalar_one_or_none()
    if row is None:
        raise NotFound("group_not_found", params={"id": group_id})
    if "name" in data and data["name"] != row.name and session.execute(
            select(UnionGroup).where(UnionGroup.name == data["name"])).scalar_one_or_none():
        raise Conflict("group_name_taken", fields={"name": ["group_name_taken"]})
    if data.get("leader_member_id") is not None:
        _check_leader(session, data["leader_member_id"])
        leader_group = session.execute(select(Member.union_group_id).where(
            Member.id == data["leader_member_id"])).scalar()
        if leader_group != row.id:
            raise ValidationFailed(fields={"leader_member_id": ["group_leader_not_in_group"]})
    for key, value in data.items():
        setattr(row, key, value)
    row.version = (row.version or 1) + 1
    _announce_group(uow, row)
    uow.commit()
    forget_group(row.id)
    return _group_view(session, row)


def _announce_group(uow, row) -> None:
    uow.publish("membership.union_group_changed", {"id": row.id, "school": row.school, "name": row.name,
                                                   "leader_member_id": row.leader_member_id,
                                                   "version": row.version or 1})


def list_groups(session) -> dict:
    rows = session.execute(select(UnionGroup).order_by(UnionGroup.name)).scalars().all()
    return {"items": [_group_view(session, r) for r in rows], "total": len(rows)}


def _position_view(session, row, language="zh-CN") -> dict:
    name = session.execute(select(Member.name).where(Member.id == row.member_id)).scalar()
    return {"id": row.id, "member_id": row.member_id, "member_name": name, "portfolio": row.portfolio,
            "portfolio_label": model.label("portfolio", row.portfolio, language), "title": row.title,
            "started_on": row.started_on.isoformat(), "ended_on": row.ended_on.isoformat() if row.ended_on else None}


def appoint(uow, school: str, data: dict, today: date) -> dict:
    """委员分工: a member takes a portfolio on the union committee (工会委员会)."""
    session = uow.session
    member = load_member(session, data["member_id"])
    if member.status != "active":
        raise Conflict("member_not_active", fields={"member_id": ["member_not_active"]})
    if data["portfolio"] in ("chair",) and session.execute(select(CommitteePosition).where(
            CommitteePosition.portfolio == "chair", CommitteePosition.ended_on.is_(None))).first():
        raise Conflict("chair_taken", fields={"portfolio": ["chair_taken"]})
    row = CommitteePosition(school=school, member_id=member.id, portfolio=data["portfolio"], title=data.get("title"),
                            started_on=data.get("started_on") or today)
    session.add(row)
    session.flush()
    announce_position(uow, row, member.name)
    uow.commit()
    return _position_view(session, row)


def announce_position(uow, row, member_name: str) -> None:
    """membership.committee_changed: the other services keep their own copy of the committee
    (events checks that a trip route is led by a committee member, 带队委员)."""
    uow.publish("membership.committee_changed", {
        "position_id": row.id, "school": row.school, "member_id": row.member_id, "member_name": member_name,
        "portfolio": row.portfolio, "title": row.title, "started_on": row.started_on, "ended_on": row.ended_on},
        school=row.school)


def end_position(uow, position_id: int, on: date) -> dict:
    session = uow.session
    row = session.execute(select(CommitteePosition).where(CommitteePosition.id == position_id)).scalar_one_or_none()
    if row is None:
        raise NotFound("position_not_found", params={"id": position_id})
    if row.ended_on is not None:
        raise Conflict("position_ended")
    row.ended_on = on
    announce_position(uow, row, session.execute(select(Member.name).where(Member.id == row.member_id)).scalar_one())
    uow.commit()
    return _position_view(session, row)


def committee(session, current_only: bool = True) -> dict:
    q = select(CommitteePosition).order_by(CommitteePosition.id)
    if current_only:
        q = q.where(CommitteePosition.ended_on.is_(None))
    rows = session.execute(q).scalars().all()
    return {"items": [_position_view(session, r) for r in rows], "total": len(rows)}


def pii_reads(session, page: int, size: int) -> dict:
    total = session.execute(select(func.count()).select_from(PiiRead)).scalar_one()
    rows = session.execute(select(PiiRead).order_by(PiiRead.id.desc()).offset((page - 1) * size).limit(size)).scalars()
    return {"items": [{"member_id": r.member_id, "fields": r.fields, "actor": r.actor, "role": r.role,
                       "read_at": r.read_at.isoformat()} for r in rows], "total": total}


def annual_summary(session, school: str, year: int) -> dict:
    """年度总结 figures from membership: admissions, transfers, retirements and the rate."""
    from services.membership.orm import StatusChange
    start, end = date(year, 1, 1), date(year, 12, 31)
    changes = dict(session.execute(
        select(StatusChange.to_status, func.count()).where(StatusChange.effective_on.between(start, end))
        .group_by(StatusChange.to_status)).all())
    stats = next((s for s in membership_stats(session)["schools"] if s["school"] == school), None)
    return {"school": school, "year": year, "items": {
        "admitted": int(changes.get("active", 0)), "transferred_out": int(changes.get("transferred_out", 0)),
        "retired": int(changes.get("retired", 0)), "left": int(changes.get("left", 0)),
        "members": stats["members"] if stats else 0, "membership_rate": stats["rate"] if stats else None}}
