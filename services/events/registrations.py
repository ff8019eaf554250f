"""报名 (registration) use cases: registering (with the burst's hot path), offers, approval,
cancellation, check-in, attendance, lists, and releasing the places of members who left.

Every change to an activity's seats runs under the activity row's lock (``activities.lock_activity``
or the one locked UPDATE of ``register``): seats are counted, offered and released one
transaction at a time, never twice."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import bindparam, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from services.events.activities import (SELF_ROLES, _iso, _pass_on, domain_error, expire_offers, load_activity,
                                        lock_activity, registration_view)
from services.events.domain import registration as rules
from services.events.domain.registration import RegistrationError
from services.events.labels import STATUS_LABELS, label
from services.events.orm import Activity, DirectoryMember, Registration
from services.events.paging import page
from shared.db.base import utcnow
from shared.directory import LIVE
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

def _position(session, reg: Registration) -> int | None:
    if reg.status != "waitlisted":
        return None
    ahead = session.execute(select(func.count()).where(Registration.activity_id == reg.activity_id,
                                                       Registration.status == "waitlisted",
                                                       Registration.seq < reg.seq)).scalar_one()
    return ahead + 1


def _confirmed(uow, activity: Activity, reg: Registration) -> None:
    uow.publish("events.registration_confirmed", {
        "registration_id": reg.id, "activity_id": activity.id, "activity_title": activity.title,
        "kind": activity.kind, "school": activity.school, "member_id": reg.member_id,
        "member_name": reg.member_name, "starts_at": activity.starts_at, "confirmed_at": utcnow()},
        school=activity.school)


@functools.cache
def _hot_statements() -> dict:
    """The registration burst's statements, built once: SQLAlchemy then skips rebuilding and
    re-keying them on every call."""
    act, mem, regs = Activity.__table__, DirectoryMember.__table__, Registration.__table__
    a, m, s = bindparam("a"), bindparam("m"), bindparam("s")

    def member_of(col):
        return select(col).where(mem.c.member_id == m, mem.c.school == s, mem.c.status.in_(LIVE)).scalar_subquery()
    seat_free = or_(act.c.capacity.is_(None), act.c.seats_taken < act.c.capacity)
    return {
        "read": select(act.c.status, act.c.opens_at, act.c.closes_at, member_of(mem.c.name).label("name"),
                       member_of(mem.c.union_group_id).label("group_id"),
                       select(regs.c.status).where(regs.c.activity_id == a, regs.c.member_id == m)
                       .scalar_subquery().label("existing"))
        .where(act.c.id == a, act.c.school == s),
        # the arrival's number and, if one is free, its seat: one statement under the row lock
        "take": update(act).where(act.c.id == a, act.c.school == s, act.c.status == "open")
        .values(seq=act.c.seq + 1, seats_taken=act.c.seats_taken + case((seat_free, 1), else_=0),
                last_seated=case((seat_free, True), else_=False))
        .returning(act.c.seq, act.c.last_seated, act.c.requires_approval, act.c.title, act.c.kind, act.c.starts_at),
        "insert": insert(regs).returning(regs.c.id),
        "ahead": select(func.count()).select_from(regs).where(regs.c.activity_id == a, regs.c.status == "waitlisted",
                                                              regs.c.seq < bindparam("q")),
    }


def register(uow, school: str, activity_id: int, member_id: int, route_id: int | None, now: datetime,
             actor: str | None, language=None) -> dict:
    """报名: a seat when one is free (or awaiting approval), else the waiting list in arrival order.

    Everything that can be read is read before the activity's lock; the locked part is one UPDATE
    that numbers the arrival and takes a seat if one is free (``last_seated`` records which, the
    SET expressions all seeing the row as it was), the registration's INSERT, its event and the
    commit, so a burst of registrations queues on the lock for as short a time as possible."""
    session = uow.session
    hot = _hot_statements()
    # one read, outside the lock (these Core statements name the school themselves: the caller's)
    found = session.connection().execute(hot["read"], {"a": activity_id, "m": member_id, "s": school}).first()
    if found is None:
        raise NotFound("activity_not_found", params={"id": activity_id})
    if found.status != "open":
        raise Conflict("activity_not_open")
    try:
        rules.Window(found.opens_at, found.closes_at).check(now)
    except RegistrationError as exc:
        raise domain_error(exc) from None
    if found.name is None:
        raise ValidationFailed("member_not_in_school", fields={"member_id": ["member_not_in_school"]},
                               params={"member_id": member_id})
    if route_id is not None:
        from services.events.orm import TripRoute
        if session.execute(select(TripRoute.id).where(TripRoute.id == route_id,
                                                      TripRoute.activity_id == activity_id)).first() is None:
            raise ValidationFailed(fields={"route_id": ["trip_route_not_found"]})
    if found.existing is not None and not rules.can_reopen(found.existing):
        raise Conflict("already_registered", fields={"member_id": ["already_registered"]},
                       params={"status": found.existing})
    if found.existing is not None:
        return _register_again(uow, activity_id, member_id, route_id, now, actor, language)
    name, group_id = found.name, found.group_id
    if session.get_bind().dialect.name == "sqlite":
        session.rollback()   # SQLite cannot upgrade a reader to the writer: the locked part starts afresh
    conn = session.connection()
    locked = conn.execute(hot["take"], {"a": activity_id, "s": school}).one_or_none()
    if locked is None:
        raise Conflict("activity_not_open")
    status = "waitlisted" if not locked.last_seated else ("pending_approval" if locked.requires_approval
                                                          else "registered")
    values = dict(school=school, activity_id=activity_id, member_id=member_id, member_name=name, group_id=group_id,
                  status=status, seq=locked.seq, route_id=route_id, registered_at=now, updated_at=now,
                  registered_by=actor)
    try:
        reg_id = conn.execute(hot["insert"], values).scalar_one()
    except IntegrityError:
        raise Conflict("already_registered", fields={"member_id": ["already_registered"]}) from None
    if status == "registered":
        uow.publish("events.registration_confirmed", {
            "registration_id": reg_id, "activity_id": activity_id, "activity_title": locked.title,
            "kind": locked.kind, "school": school, "member_id": member_id, "member_name": name,
            "starts_at": locked.starts_at, "confirmed_at": now}, school=school)
    position = None
    if status == "waitlisted":
        position = conn.execute(hot["ahead"], {"a": activity_id, "q": locked.seq}).scalar_one() + 1
    uow.commit()
    return {"id": reg_id, "activity_id": activity_id, "member_id": member_id, "member_name": name,
            "group_id": group_id, "status": status, "status_label": label(STATUS_LABELS, status, language),
            "position": position, "route_id": route_id, "offer_expires_at": None,
            "registered_at": now.isoformat(), "checked_in_at": None}


def _register_again(uow, activity_id, member_id, route_id, now, actor, language=None) -> dict:
    """A member whose earlier registration was cancelled, declined, expired or rejected comes back:
    a new arrival at the end of the queue, on the same row."""
    session = uow.session
    activity = lock_activity(session, activity_id, arrival=True)
    reg = _load_registration(session, activity_id, member_id)
    if not rules.can_reopen(reg.status):
        raise Conflict("already_registered", fields={"member_id": ["already_registered"]}, params={"status": reg.status})
    status = rules.arrival_status(capacity=activity.capacity, seats_taken=activity.seats_taken,
                                  requires_approval=activity.requires_approval)
    reg.status, reg.seq, reg.offer_expires_at, reg.checked_in_at = status, activity.seq, None, None
    reg.registered_at = reg.updated_at = now
    reg.route_id, reg.registered_by = route_id, actor
    if status in rules.COUNTED:
        activity.seats_taken += 1
    if status == "registered":
        _confirmed(uow, activity, reg)
    uow.commit()
    return registration_view(reg, _position(session, reg), language)


def _load_registration(session, activity_id: int, member_id: int) -> Registration:
    reg = session.execute(select(Registration).where(Registration.activity_id == activity_id,
                                                     Registration.member_id == member_id)).scalar_one_or_none()
    if reg is None:
        raise NotFound("registration_not_found", params={"member_id": member_id})
    return reg


def change(uow, activity_id: int, member_id: int, action: str, now: datetime, context, language=None) -> dict:
    """cancel | accept | decline | approve | reject one member's registration."""
    session = uow.session
    if context.role in SELF_ROLES and (context.member_id != member_id or action in ("approve", "reject")):
        raise Forbidden("role_forbidden")
    activity = lock_activity(session, activity_id)
    if expire_offers(uow, activity, now):
        uow.commit()    # the expiry stands even when the change asked for is refused below
        activity = lock_activity(session, activity_id)
    reg = _load_registration(session, activity_id, member_id)
    held = reg.status in rules.COUNTED
    try:
        if action == "accept" and reg.status == "expired":
            raise RegistrationError("offer_expired")
        if action == "accept":
            rules.accept_offer(reg, now)
            _confirmed(uow, activity, reg)
        elif action == "approve":
            if reg.status != "pending_approval":
                raise RegistrationError("not_awaiting_approval")
            rules.move(reg, "registered")
            _confirmed(uow, activity, reg)
        else:
            target = {"cancel": "cancelled", "decline": "declined", "reject": "rejected"}[action]
            if action == "decline" and reg.status != "offered":
                raise RegistrationError("no_open_offer")
            if action == "cancel" and reg.status in ("attended", "no_show"):
                raise RegistrationError("activity_already_held")
            rules.move(reg, target)
            reg.offer_expires_at = None
            if held:
                uow.publish("events.registration_cancelled", {
                    "registration_id": reg.id, "activity_id": activity.id, "school": activity.school,
                    "member_id": reg.member_id, "status": reg.status, "cancelled_at": now}, school=activity.school)
                _pass_on(uow, activity, 1, now)
    except RegistrationError as exc:
        raise domain_error(exc) from None
    reg.updated_at = now
    uow.commit()
    return registration_view(reg, _position(session, reg), language)


def check_in(uow, activity_id: int, member_id: int, now: datetime, language=None) -> dict:
    """签到 on the day: only a member holding a confirmed seat."""
    session = uow.session
    if load_activity(session, activity_id).status == "cancelled":
        raise Conflict("activity_cancelled")
    reg = session.execute(select(Registration).where(Registration.activity_id == activity_id,
                                                     Registration.member_id == member_id)).scalar_one_or_none()
    try:
        rules.check_in(reg)
    except RegistrationError as exc:
        raise Conflict(exc.code, fields={"member_id": [exc.code]}, params={"member_id": member_id}) from None
    reg.checked_in_at = reg.updated_at = now
    uow.commit()
    return registration_view(reg, None, language)


def close_attendance(uow, activity_id: int, now: datetime) -> dict:
    """活动结束: everyone registered who did not check in is a no-show; the activity is closed."""
    session = uow.session
    activity = lock_activity(session, activity_id)
    if activity.status != "open":
        raise Conflict("attendance_already_closed" if activity.status == "closed" else "activity_cancelled")
    missing = list(session.execute(select(Registration).where(Registration.activity_id == activity_id,
                                                              Registration.status == "registered")).scalars())
    for reg in missing:
        rules.move(reg, "no_show")
        reg.updated_at = now
    attended = session.execute(select(func.count()).where(Registration.activity_id == activity_id,
                                                          Registration.status == "attended")).scalar_one()
    activity.status = "closed"
    uow.publish("events.attendance_recorded", {"activity_id": activity.id, "school": activity.school,
                                               "title": activity.title, "attended": attended,
                                               "no_show": len(missing), "closed_at": now})
    uow.commit()
    return {"activity_id": activity_id, "attended": attended, "no_show": len(missing),
            "attendance_rate": rules.rate(attended, attended + len(missing))}


def list_registrations(session, activity_id: int, query: dict, language=None) -> dict:
    load_activity(session, activity_id)
    stmt = select(Registration).where(Registration.activity_id == activity_id)
    if query.get("status"):
        stmt = stmt.where(Registration.status == query["status"])
    rows = session.execute(stmt.order_by(Registration.seq)).scalars().all()
    total = len(rows)
    number, size = query.get("page", 1), query.get("page_size", 200)
    counts: dict = {}
    waiting_pos = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.status == "waitlisted":
            waiting_pos[r.id] = len(waiting_pos) + 1
    items = [registration_view(r, waiting_pos.get(r.id), language) for r in rows[(number - 1) * size: number * size]]
    return {"items": items, "total": total, "page": number, "page_size": size, "counts": counts}


def my_registrations(session, member_id: int, query: dict | None = None, language=None) -> dict:
    """我的报名: newest activities first, with waiting positions."""
    stmt = (select(Registration).join(Activity, Activity.id == Registration.activity_id)
            .where(Registration.member_id == member_id).order_by(Activity.starts_at.desc(), Registration.id))
    result = page(session, stmt, query, lambda reg: registration_view(reg, _position(session, reg), language))
    activities = {a.id: a for a in session.execute(select(Activity).where(
        Activity.id.in_([r["activity_id"] for r in result["items"]]))).scalars()}
    for view in result["items"]:
        act = activities[view["activity_id"]]
        view["activity_title"], view["starts_at"] = act.title, _iso(act.starts_at)
    return result


def sweep_expired_offers(uow_factory, now: datetime) -> int:
    """Timer: expire every overdue offer of every school (each activity in its own transaction)."""
    with uow_factory() as uow:
        ids = [i for (i,) in uow.session.execute(select(Registration.activity_id).where(
            Registration.status == "offered", Registration.offer_expires_at < now).distinct())]
    total = 0
    for activity_id in ids:
        with uow_factory() as uow:
            activity = lock_activity(uow.session, activity_id)
            total += expire_offers(uow, activity, now)
            uow.commit()
    return total


def withdraw_member(uow, member_id: int, now: datetime) -> int:
    """A member who left the union or the school (退会、调出) gives up the seats and waiting places
    of activities still to come; each freed seat passes on. Returns how many were withdrawn."""
    session = uow.session
    pending = session.execute(select(Registration.activity_id).join(Activity, Activity.id == Registration.activity_id)
                              .where(Registration.member_id == member_id,
                                     Registration.status.in_(tuple(rules.LIVE - {"attended", "no_show"})),
                                     Activity.starts_at > now, Activity.status == "open")).scalars().all()
    for activity_id in sorted(set(pending)):
        activity = lock_activity(session, activity_id)
        reg = _load_registration(session, activity_id, member_id)
        held = reg.status in rules.COUNTED
        rules.move(reg, "cancelled")
        reg.offer_expires_at, reg.updated_at = None, now
        if held:
            uow.publish("events.registration_cancelled", {
                "registration_id": reg.id, "activity_id": activity.id, "school": activity.school,
                "member_id": member_id, "status": "cancelled", "cancelled_at": now}, school=activity.school)
            _pass_on(uow, activity, 1, now)
    return len(set(pending))
