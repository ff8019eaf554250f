"""Activities (活动): scheduling and changing them, and the seat keeping that every registration
use case (``registrations.py``) shares: the activity's row lock, the waiting list and passing a
freed seat on.

Every change to an activity's seats runs under the activity row's lock (``lock_activity``: an
UPDATE of the row, so PostgreSQL holds its row lock and SQLite its write lock until commit):
seats are counted, offered and released one transaction at a time, never twice.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from services.events.domain import registration as rules
from services.events.domain.registration import RegistrationError
from services.events.labels import KIND_LABELS, STATUS_LABELS, label
from services.events.orm import Activity, DirectoryGroup, DirectoryMember, Registration
from services.events.paging import page
from shared.directory import LIVE
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

OFFICERS = frozenset({"school_admin", "events_officer", "district_admin"})
SELF_ROLES = frozenset({"member", "delegate"})
FIELDS = ("title", "kind", "description", "edition", "starts_at", "ends_at", "place", "capacity", "opens_at",
          "closes_at", "requires_approval", "fee_per_person", "subsidy_per_person", "offer_hours", "compulsory",
          "compulsory_group_ids", "survey_open")


def domain_error(exc: RegistrationError, field: str | None = None):
    if exc.code == "capacity_below_registered":
        return ValidationFailed(exc.code, fields={"capacity": [exc.code]}, params=exc.params)
    if field:
        return Conflict(exc.code, fields={field: [exc.code]}, params=exc.params)
    return Conflict(exc.code, params=exc.params)


def _iso(value):
    return value.isoformat() if value is not None else None


def _money(value):
    return str(value) if value is not None else None


def activity_view(row: Activity, waiting: int = 0, language=None) -> dict:
    return {"id": row.id, "school": row.school, "title": row.title, "kind": row.kind,
            "kind_label": label(KIND_LABELS, row.kind, language), "description": row.description,
            "edition": row.edition, "starts_at": _iso(row.starts_at), "ends_at": _iso(row.ends_at),
            "place": row.place, "capacity": row.capacity, "seats_taken": row.seats_taken, "waiting": waiting,
            "opens_at": _iso(row.opens_at), "closes_at": _iso(row.closes_at),
            "requires_approval": row.requires_approval, "fee_per_person": _money(row.fee_per_person),
            "subsidy_per_person": _money(row.subsidy_per_person), "offer_hours": row.offer_hours,
            "compulsory": row.compulsory, "compulsory_group_ids": row.compulsory_group_ids,
            "survey_open": row.survey_open, "status": row.status}


def registration_view(row: Registration, position: int | None = None, language=None) -> dict:
    return {"id": row.id, "activity_id": row.activity_id, "member_id": row.member_id, "member_name": row.member_name,
            "group_id": row.group_id, "status": row.status, "status_label": label(STATUS_LABELS, row.status, language),
            "position": position, "route_id": row.route_id, "offer_expires_at": _iso(row.offer_expires_at),
            "registered_at": _iso(row.registered_at), "checked_in_at": _iso(row.checked_in_at)}


def _naive(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        from datetime import timezone
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


# --- activities ---------------------------------------------------------------------------

def load_activity(session, activity_id: int) -> Activity:
    row = session.execute(select(Activity).where(Activity.id == activity_id)).scalar_one_or_none()
    if row is None:
        raise NotFound("activity_not_found", params={"id": activity_id})
    return row


def lock_activity(session, activity_id: int, *, arrival: bool = False) -> Activity:
    """Take the activity's row lock for the rest of the transaction (and number an arrival)."""
    result = session.execute(update(Activity).where(Activity.id == activity_id)
                             .values(seq=Activity.seq + (1 if arrival else 0))
                             .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        raise NotFound("activity_not_found", params={"id": activity_id})
    return session.execute(select(Activity).where(Activity.id == activity_id)
                           .execution_options(populate_existing=True)).scalar_one()


def waiting_counts(session, ids) -> dict:
    if not ids:
        return {}
    return dict(session.execute(select(Registration.activity_id, func.count()).where(
        Registration.activity_id.in_(list(ids)), Registration.status == "waitlisted")
        .group_by(Registration.activity_id)).all())


def _check(session, values: dict, groups) -> None:
    """What the request schema cannot see: the union groups named exist in the school, and after
    a change the activity still ends after it starts and its registration closes after it opens."""
    errors: dict = {}
    known = {g for (g,) in session.execute(select(DirectoryGroup.group_id))} if groups else set()
    for i, group_id in enumerate(groups or []):
        if group_id not in known:
            errors[f"compulsory_group_ids.{i}"] = ["no_such_union_group"]
    for start, end in (("starts_at", "ends_at"), ("opens_at", "closes_at")):
        if values.get(start) and values.get(end) and values[end] < values[start]:
            errors[end] = ["ends_before_start"]
    if errors:
        raise ValidationFailed(fields=errors)


def create_activity(uow, school: str, data: dict, actor: str | None, language=None) -> dict:
    values = {k: _naive(v) for k, v in data.items() if k in FIELDS}
    _check(uow.session, values, values.get("compulsory_group_ids"))
    row = Activity(school=school, seats_taken=0, seq=0, created_by=actor, status="open", **values)
    uow.session.add(row)
    uow.session.flush()
    uow.publish("events.activity_scheduled", {"activity_id": row.id, "school": school, "title": row.title,
                                              "kind": row.kind, "starts_at": row.starts_at,
                                              "capacity": row.capacity, "compulsory": row.compulsory})
    uow.commit()
    return activity_view(row, 0, language)


def update_activity(uow, activity_id: int, data: dict, now: datetime, language=None) -> dict:
    session = uow.session
    row = lock_activity(session, activity_id)
    _check(session, {**{k: getattr(row, k) for k in FIELDS}, **{k: _naive(v) for k, v in data.items()}},
           data.get("compulsory_group_ids"))
    if "capacity" in data:
        try:
            rules.check_capacity_change(data["capacity"], row.seats_taken)
        except RegistrationError as exc:
            raise domain_error(exc) from None
    if "status" in data and row.status == "closed":
        raise Conflict("attendance_already_closed")
    for key, value in data.items():
        if key in FIELDS or key == "status":
            setattr(row, key, _naive(value))
    if "capacity" in data:
        _pass_on(uow, row, 0, now)   # a larger capacity offers the new seats to the waiting list
    uow.commit()
    return activity_view(row, waiting_counts(session, [row.id]).get(row.id, 0), language)


def get_activity(session, activity_id: int, language=None) -> dict:
    row = load_activity(session, activity_id)
    return activity_view(row, waiting_counts(session, [row.id]).get(row.id, 0), language)


def list_activities(session, query: dict, language=None) -> dict:
    stmt = select(Activity)
    if query.get("year"):
        stmt = stmt.where(Activity.starts_at >= datetime(query["year"], 1, 1),
                          Activity.starts_at < datetime(query["year"] + 1, 1, 1))
        if query.get("month"):
            m = query["month"]
            stmt = stmt.where(Activity.starts_at >= datetime(query["year"], m, 1),
                              Activity.starts_at < (datetime(query["year"], m + 1, 1) if m < 12
                                                    else datetime(query["year"] + 1, 1, 1)))
    if query.get("kind"):
        stmt = stmt.where(Activity.kind == query["kind"])
    result = page(session, stmt.order_by(Activity.starts_at, Activity.id), query, lambda r: r)
    waiting = waiting_counts(session, [r.id for r in result["items"]])
    result["items"] = [activity_view(r, waiting.get(r.id, 0), language) for r in result["items"]]
    return result


# --- registration -------------------------------------------------------------------------

def resolve_member(context, requested: int | None) -> int:
    """Members register themselves; the chair and the events officers register anyone of their
    school; any other account linked to a member (a finance officer who is also a member, say)
    registers only that member."""
    if context.role in OFFICERS:
        if requested is None:
            raise ValidationFailed(fields={"member_id": ["required"]})
        return requested
    if context.member_id is None:
        raise Forbidden("member_account_required")
    if requested is not None and requested != context.member_id:
        raise Forbidden("register_self_only")
    return context.member_id


def directory_member(session, member_id: int, field: str = "member_id") -> DirectoryMember:
    row = session.execute(select(DirectoryMember).where(DirectoryMember.member_id == member_id)).scalar_one_or_none()
    if row is None or row.status not in LIVE:
        raise ValidationFailed("member_not_in_school", fields={field: ["member_not_in_school"]},
                               params={"member_id": member_id})
    return row


def _waiting(session, activity_id: int) -> list:
    return list(session.execute(select(Registration).where(Registration.activity_id == activity_id,
                                                           Registration.status == "waitlisted")
                                .order_by(Registration.seq)).scalars())


def _pass_on(uow, activity: Activity, freed: int, now: datetime) -> list:
    offered = rules.release_and_pass_on(activity, freed, _waiting(uow.session, activity.id), now,
                                        activity.offer_hours)
    for reg in offered:
        reg.updated_at = now
        uow.publish("events.seat_offered", {"registration_id": reg.id, "activity_id": activity.id,
                                            "school": activity.school, "member_id": reg.member_id,
                                            "member_name": reg.member_name,
                                            "offer_expires_at": reg.offer_expires_at}, school=activity.school)
    return offered


def expire_offers(uow, activity: Activity, now: datetime) -> int:
    """递补逾期: each expired offer passes its seat on to the next on the waiting list."""
    expired = list(uow.session.execute(select(Registration).where(
        Registration.activity_id == activity.id, Registration.status == "offered",
        Registration.offer_expires_at < now)).scalars())
    for reg in expired:
        rules.move(reg, "expired")
        reg.updated_at = now
    if expired:
        _pass_on(uow, activity, len(expired), now)
    return len(expired)


