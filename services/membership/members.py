"""Member use cases (会员管理): each loads through the unit of work, applies the domain rules,
records status history and outbox events, and commits once."""
from __future__ import annotations

import time
import uuid
from datetime import date

from sqlalchemy import func, select

from services.membership import direct, views
from services.membership.domain import model
from services.membership.domain.person import announced_changes, checked_update, normalise_person
from services.membership.orm import Member, School, StatusChange, UnionGroup, PiiRead
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

PRIVILEGED_REVEAL_ROLES = frozenset({"school_admin", "district_admin"})


# What every write asks first (is the school open, what is this group called) changes rarely, and
# asking costs a query each time: each process remembers an answer for a couple of seconds. The
# gateway refuses a closed school at once anyway; a renamed group shows in new snapshots within
# this long.
REMEMBER_SECONDS = 2.0
_open_schools: dict[str, float] = {}
_group_names: dict[tuple[str, int], tuple[float, str]] = {}


def require_school(session, code: str) -> None:
    if _open_schools.get(code, 0.0) > time.monotonic():
        return
    row = session.get(School, code)
    if row is None or not row.active:
        _open_schools.pop(code, None)
        raise NotFound("school_not_found", params={"school": code})
    _open_schools[code] = time.monotonic() + REMEMBER_SECONDS


def load_member(session, member_id: int) -> Member:
    row = session.execute(select(Member).where(Member.id == member_id)).scalar_one_or_none()
    if row is None:
        raise NotFound("member_not_found", params={"id": member_id})
    return row


def _group_name(session, group_id):
    """The union group's name (工会小组), refused when the group is not one of the session's school."""
    if group_id is None:
        return None
    schools = session.info.get("schools")
    key = (",".join(sorted(schools)) if schools else "", int(group_id))
    remembered = _group_names.get(key)
    if remembered is not None and remembered[0] > time.monotonic():
        return remembered[1]
    row = session.execute(select(UnionGroup).where(UnionGroup.id == group_id)).scalar_one_or_none()
    if row is None:
        raise ValidationFailed(fields={"union_group_id": ["group_not_found"]})
    if len(_group_names) > 10_000:
        _group_names.clear()
    _group_names[key] = (time.monotonic() + REMEMBER_SECONDS, row.name)
    return row.name


def forget_school(code: str) -> None:
    _open_schools.pop(code, None)


def forget_group(group_id: int) -> None:
    """A group renamed in this process shows at once in this process's snapshots."""
    for key in [k for k in _group_names if k[1] == int(group_id)]:
        _group_names.pop(key, None)


def live_memberships(session, id_numbers: list[str]) -> list[tuple[str, str, int]]:
    """``(id_number, school, member_id)`` of live memberships anywhere in the district: the one
    cross-school read the rule "one live membership per person" needs. A Core query on the unit of
    work's own connection: it passes the tenant filter on purpose and takes no second connection
    (a worker waiting for a second connection while holding one starves the pool)."""
    t = Member.__table__
    out = []
    for start in range(0, len(id_numbers), 1000):
        q = select(t.c.id_number, t.c.school, t.c.id).where(t.c.id_number.in_(id_numbers[start:start + 1000]),
                                                           t.c.live == True)  # noqa: E712 (the partial index's own predicate)
        out.extend(tuple(r) for r in session.connection().execute(q))
    return out


def check_id_free(session, school: str, id_number: str, *, except_member: int | None = None) -> None:
    model.check_one_live_membership([(other_school, other_id) for _idn, other_school, other_id
                                     in live_memberships(session, [id_number])], school, except_member)


def record_status(session, member: Member, new_status: str, *, on: date, actor, reason=None, counterpart=None):
    session.add(StatusChange(school=member.school, member_id=member.id, from_status=member.status if member.id else None,
                             to_status=new_status, effective_on=on, reason=reason, counterpart_school=counterpart,
                             actor=actor))


def new_member(school: str, data: dict, status: str, person_key: str | None = None) -> Member:
    row = Member(school=school, person_key=person_key or uuid.uuid4().hex, name=data["name"].strip(),
                 gender=data["gender"], birth_date=data["birth_date"], birth_month=data["birth_date"].month,
                 category=data["category"], hire_date=data.get("hire_date"), position=data.get("position"),
                 phone=data.get("phone"), id_number=data["id_number"], union_group_id=data.get("union_group_id"),
                 join_date=data.get("join_date"), version=1)
    row.set_status(status)
    return row


def admit(uow, school: str, data: dict, today: date) -> dict:
    """入会: direct enrolment (active at once) or an application (申请入会) awaiting approval."""
    if uow.direct is not None:
        return direct.admit(uow, school, data, today)
    session = uow.session
    require_school(session, school)
    data = normalise_person(data)
    group = _group_name(session, data.get("union_group_id"))
    check_id_free(session, school, data["id_number"])
    status = "applicant" if data.pop("admission", "enrolment") == "application" else "active"
    if status == "active":
        data.setdefault("join_date", today)
    row = new_member(school, data, status)
    session.add(row)
    session.flush()
    session.add(StatusChange(school=school, member_id=row.id, from_status=None, to_status=status, effective_on=today,
                             actor=uow.context.actor, reason="enrolment" if status == "active" else "application"))
    if status == "active":
        uow.publish("membership.member_admitted", {"member": views.snapshot(row, group), "admitted_on": today,
                                                   "via": "enrolment"})
    else:
        uow.publish("membership.member_applied", {"member": views.snapshot(row, group), "applied_on": today})
    uow.commit()
    return views.member(row, group)


def approve(uow, school: str, member_id: int, on: date) -> dict:
    """批准入会: an applicant becomes an active member."""
    session = uow.session
    row = load_member(session, member_id)
    model.check_transition(row.status, "active")
    record_status(session, row, "active", on=on, actor=uow.context.actor, reason="application_approved")
    row.set_status("active")
    row.join_date = row.join_date or on
    row.version += 1
    group = _group_name(session, row.union_group_id)
    uow.publish("membership.member_admitted", {"member": views.snapshot(row, group), "admitted_on": on,
                                               "via": "application"})
    uow.commit()
    return views.member(row, group)


def update(uow, school: str, member_id: int, data: dict) -> dict:
    """会员信息修改: the changed fields, a new version and ``member_updated`` naming what changed
    (personal data only as ``personal_data``)."""
    if uow.direct is not None:
        return direct.update(uow, school, member_id, data)
    session = uow.session
    row = load_member(session, member_id)
    if row.status in model.TERMINAL_STATUSES:
        raise Conflict("member_closed", params={"status": row.status})
    data = checked_update(row.id_number, data,
                          lambda id_number: check_id_free(session, school, id_number, except_member=row.id))
    if "union_group_id" in data:
        _group_name(session, data["union_group_id"])
    changed = [k for k, v in data.items() if getattr(row, k) != v]
    for key in changed:
        setattr(row, key, data[key])
    if "birth_date" in changed:
        row.birth_month = row.birth_date.month
    group = _group_name(session, row.union_group_id)
    if changed:
        row.version += 1
        uow.publish("membership.member_updated", {"member": views.snapshot(row, group),
                                                  "changed": announced_changes(changed)})
        uow.commit()
    return views.member(row, group)


def transfer(uow, school: str, member_id: int, to_school: str, on: date) -> dict:
    """会员调动: close the membership here and open one at ``to_school``; both keep the history."""
    session = uow.session
    row = load_member(session, member_id)
    known = {code for (code,) in session.execute(select(School.code).where(School.active.is_(True)))}
    model.check_transfer(school, to_school, known)
    model.check_transition(row.status, "transferred_out")
    record_status(session, row, "transferred_out", on=on, actor=uow.context.actor, counterpart=to_school,
                  reason="transfer")
    row.set_status("transferred_out")
    row.transferred_to_school = to_school
    row.version += 1
    session.flush()
    data = {k: getattr(row, k) for k in ("name", "gender", "birth_date", "category", "hire_date", "position", "phone",
                                         "id_number", "join_date")}
    moved = new_member(to_school, data, "active", person_key=row.person_key)
    moved.transferred_from_id = row.id
    session.add(moved)
    session.flush()
    session.add(StatusChange(school=to_school, member_id=moved.id, from_status=None, to_status="active", effective_on=on,
                             reason="transfer", counterpart_school=school, actor=uow.context.actor))
    uow.publish("membership.member_transferred", {"member": views.snapshot(moved), "previous_member": views.snapshot(row),
                                                  "previous_member_id": row.id,
                                                  "from_school": school, "to_school": to_school, "transferred_on": on})
    uow.commit()
    return {"from": views.member(row), "to": views.member(moved)}


def retire(uow, school: str, member_id: int, on: date) -> dict:
    """退休: the member stays in the union as a retiree (退休会员)."""
    session = uow.session
    row = load_member(session, member_id)
    model.check_transition(row.status, "retired")
    record_status(session, row, "retired", on=on, actor=uow.context.actor, reason="retirement")
    row.set_status("retired")
    row.category = model.category_after("retired", row.category)
    row.version += 1
    group = _group_name(session, row.union_group_id)
    uow.publish("membership.member_retired", {"member": views.snapshot(row, group), "retired_on": on})
    uow.commit()
    return views.member(row, group)


def leave(uow, school: str, member_id: int, reason: str, note: str | None, on: date) -> dict:
    """退会: the membership ends, with a reason."""
    session = uow.session
    row = load_member(session, member_id)
    reason = model.check_leave_reason(reason)
    model.check_transition(row.status, "left")
    text = f"{reason}: {note}" if note else reason
    record_status(session, row, "left", on=on, actor=uow.context.actor, reason=text)
    row.set_status("left")
    row.left_reason = text
    row.version += 1
    group = _group_name(session, row.union_group_id)
    uow.publish("membership.member_left", {"member": views.snapshot(row, group), "reason": reason, "left_on": on})
    uow.commit()
    return views.member(row, group)


def get(uow, member_id: int, reveal: str | None, role: str | None) -> dict:
    session = uow.session
    row = load_member(session, member_id)
    fields = frozenset()
    if reveal:
        if role not in PRIVILEGED_REVEAL_ROLES:
            raise Forbidden("reveal_forbidden")
        fields = frozenset({"id_number", "phone"} if reveal == "all" else {reveal})
        session.add(PiiRead(school=row.school, member_id=row.id, fields=",".join(sorted(fields)),
                            actor=uow.context.actor, role=role))
        uow.commit()
    return views.member(row, _group_name(session, row.union_group_id), reveal=fields)


def history(session, member_id: int) -> dict:
    load_member(session, member_id)
    rows = session.execute(select(StatusChange).where(StatusChange.member_id == member_id)
                           .order_by(StatusChange.id)).scalars()
    return {"items": [views.status_change(r) for r in rows]}


def search(session, school: str, query: dict) -> dict:
    q = select(Member).where(Member.school == school)
    if query.get("status"):
        q = q.where(Member.status == query["status"])
    if query.get("category"):
        q = q.where(Member.category == query["category"])
    if query.get("group"):
        q = q.where(Member.union_group_id == query["group"])
    if query.get("q"):
        q = q.where(Member.name.contains(query["q"]))
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    page, size = query.get("page", 1), query.get("page_size", 50)
    rows = session.execute(q.order_by(Member.id).offset((page - 1) * size).limit(size)).scalars().all()
    groups = dict(session.execute(select(UnionGroup.id, UnionGroup.name)).all())
    return {"items": [views.member(r, groups.get(r.union_group_id)) for r in rows], "total": total,
            "page": page, "page_size": size}


def birthdays(session, school: str, month: int, year: int, milestone_only: bool) -> dict:
    """生日名单: members (not applicants or leavers) born in ``month``; 逢十 milestones flagged."""
    rows = session.execute(select(Member.id, Member.name, Member.birth_date, Member.union_group_id)
                           .where(Member.school == school, Member.birth_month == month,
                                  Member.status.in_(("active", "retired")))).all()
    groups = dict(session.execute(select(UnionGroup.id, UnionGroup.name)).all())
    people = [{"member_id": r.id, "name": r.name, "birth_date": r.birth_date, "union_group": groups.get(r.union_group_id)}
              for r in rows]
    items = model.birthdays_in_month(people, month, year)
    if milestone_only:
        items = [i for i in items if i["milestone"]]
    for item in items:
        item["birth_date"] = item["birth_date"].isoformat()
    return {"items": items, "total": len(items)}
