"""暑期教工出游: routes led by committee members, the intention survey (意向征询) before
registration, and the per-person subsidy that becomes a request to finance (costs.py)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.events.activities import directory_member, load_activity, resolve_member
from services.events.committee import check_route_leader, positions_of
from services.events.domain.committee import in_office
from services.events.orm import CommitteeSeat, TripIntention, TripRoute
from shared.db.base import utcnow
from shared.errors import Conflict, NotFound, ValidationFailed


def route_view(row: TripRoute, seat: CommitteeSeat | None = None) -> dict:
    """A route and its leader; ``leader_portfolio`` is the leader's committee portfolio in office
    today (None once the leader has left the committee: the route needs a new leader)."""
    return {"id": row.id, "activity_id": row.activity_id, "name": row.name, "leader_member_id": row.leader_member_id,
            "leader_name": row.leader_name, "leader_portfolio": seat.portfolio if seat else None,
            "description": row.description}


def _check_route(session, activity_id: int, data: dict, today: date, route_id: int | None = None):
    """Every bad field of a route at once: its name unique within the trip, its leader a live
    member of the school who sits on the union committee today (带队委员)."""
    errors, leader, seat = {}, None, None
    if "name" in data and session.execute(select(TripRoute.id).where(
            TripRoute.activity_id == activity_id, TripRoute.name == data["name"],
            TripRoute.id != (route_id or 0))).first() is not None:
        errors["name"] = ["route_name_taken"]
    if "leader_member_id" in data:
        try:
            leader = directory_member(session, data["leader_member_id"], "leader_member_id")
            seat = check_route_leader(session, leader.member_id, today)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        codes = {code for codes in errors.values() for code in codes}
        raise ValidationFailed(codes.pop() if len(codes) == 1 else None, fields=errors)
    return leader, seat


def _trip(session, activity_id: int):
    activity = load_activity(session, activity_id)
    if activity.kind != "trip":
        raise Conflict("not_a_trip")
    return activity


def add_route(uow, school: str, activity_id: int, data: dict, today: date) -> dict:
    """出游线路: one of a trip's routes, led by a union committee member."""
    session = uow.session
    _trip(session, activity_id)
    leader, seat = _check_route(session, activity_id, data, today)
    row = TripRoute(school=school, activity_id=activity_id, name=data["name"], description=data.get("description"),
                    leader_member_id=leader.member_id, leader_name=leader.name)
    session.add(row)
    uow.commit()
    return route_view(row, seat)


def update_route(uow, activity_id: int, route_id: int, data: dict, today: date) -> dict:
    """Rename a route, change its description or its leader (who must sit on the committee)."""
    session = uow.session
    _trip(session, activity_id)
    row = _route(session, activity_id, route_id)
    leader, seat = _check_route(session, activity_id, data, today, route_id)
    if leader is not None:
        row.leader_member_id, row.leader_name = leader.member_id, leader.name
    for key in ("name", "description"):
        if key in data:
            setattr(row, key, data[key])
    uow.commit()
    return route_view(row, seat or _seat(session, row.leader_member_id, today))


def _route(session, activity_id: int, route_id: int) -> TripRoute:
    row = session.execute(select(TripRoute).where(TripRoute.id == route_id, TripRoute.activity_id == activity_id)
                          ).scalar_one_or_none()
    if row is None:
        raise NotFound("trip_route_not_found", params={"id": route_id})
    return row


def _seat(session, member_id: int | None, today: date) -> CommitteeSeat | None:
    if member_id is None:
        return None
    return next((p for p in positions_of(session, member_id) if in_office(p.started_on, p.ended_on, today)), None)


def list_routes(session, activity_id: int, today: date) -> dict:
    load_activity(session, activity_id)
    rows = session.execute(select(TripRoute).where(TripRoute.activity_id == activity_id).order_by(TripRoute.id)).scalars().all()
    return {"items": [route_view(r, _seat(session, r.leader_member_id, today)) for r in rows], "total": len(rows)}


def answer_survey(uow, school: str, activity_id: int, data: dict, context) -> dict:
    """A member's intention: joining or not, and the preferred route (one answer per member; a
    second answer replaces the first)."""
    session = uow.session
    activity = load_activity(session, activity_id)
    if not activity.survey_open:
        raise Conflict("survey_closed")
    member_id = resolve_member(context, data.get("member_id"))
    directory_member(session, member_id)
    route_id = data.get("route_id")
    if route_id is not None and session.execute(select(TripRoute.id).where(
            TripRoute.id == route_id, TripRoute.activity_id == activity_id)).first() is None:
        raise ValidationFailed(fields={"route_id": ["trip_route_not_found"]})
    row = session.execute(select(TripIntention).where(TripIntention.activity_id == activity_id,
                                                      TripIntention.member_id == member_id)).scalar_one_or_none()
    if row is None:
        row = TripIntention(school=school, activity_id=activity_id, member_id=member_id, joining=data["joining"])
        session.add(row)
    row.joining, row.route_id, row.note, row.answered_at = data["joining"], route_id, data.get("note"), utcnow()
    uow.commit()
    return {"activity_id": activity_id, "member_id": member_id, "joining": row.joining, "route_id": row.route_id}


def survey_results(session, activity_id: int) -> dict:
    load_activity(session, activity_id)
    routes = {r.id: r.name for r in session.execute(select(TripRoute).where(TripRoute.activity_id == activity_id)).scalars()}
    counts = dict(session.execute(select(TripIntention.route_id, func.count()).where(
        TripIntention.activity_id == activity_id, TripIntention.joining.is_(True))
        .group_by(TripIntention.route_id)).all())
    declined = session.execute(select(func.count()).where(TripIntention.activity_id == activity_id,
                                                          TripIntention.joining.is_(False))).scalar_one()
    joining = sum(counts.values())
    return {"activity_id": activity_id, "answers": joining + declined, "joining": joining, "not_joining": declined,
            "routes": [{"route_id": rid, "name": name, "joining": int(counts.get(rid, 0))} for rid, name in routes.items()],
            "no_preference": int(counts.get(None, 0))}
