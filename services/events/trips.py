"""暑期教工出游: routes led by committee members, the intention survey (意向征询) before
registration, and the per-person subsidy that becomes a request to finance (costs.py)."""
from __future__ import annotations

from sqlalchemy import func, select

from services.events.activities import directory_member, load_activity, resolve_member
from services.events.orm import TripIntention, TripRoute
from shared.db.base import utcnow
from shared.errors import Conflict, ValidationFailed


def route_view(row: TripRoute) -> dict:
    return {"id": row.id, "activity_id": row.activity_id, "name": row.name, "leader_member_id": row.leader_member_id,
            "leader_name": row.leader_name, "description": row.description}


def add_route(uow, school: str, activity_id: int, data: dict) -> dict:
    session = uow.session
    activity = load_activity(session, activity_id)
    if activity.kind != "trip":
        raise Conflict("not_a_trip")
    leader = None
    if data.get("leader_member_id") is not None:
        leader = directory_member(session, data["leader_member_id"], "leader_member_id")
    row = TripRoute(school=school, activity_id=activity_id, name=data["name"], description=data.get("description"),
                    leader_member_id=leader.member_id if leader else None, leader_name=leader.name if leader else None)
    session.add(row)
    uow.commit()
    return route_view(row)


def list_routes(session, activity_id: int) -> dict:
    load_activity(session, activity_id)
    rows = session.execute(select(TripRoute).where(TripRoute.activity_id == activity_id).order_by(TripRoute.id)).scalars().all()
    return {"items": [route_view(r) for r in rows], "total": len(rows)}


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
