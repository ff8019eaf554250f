"""The events service's copy of each school union's committee (工会委员会), fed by
``membership.committee_changed``: trip routes are led by committee members (带队委员)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.events.domain import committee as rules
from services.events.orm import CommitteeSeat
from shared.errors import ValidationFailed

FIELDS = ("member_id", "member_name", "portfolio", "title", "started_on", "ended_on")


def _date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def apply_position(session, payload: dict) -> None:
    """Keep one announced position (idempotent: the same announcement twice changes nothing)."""
    announced = {k: payload.get(k) for k in FIELDS}
    announced["started_on"], announced["ended_on"] = _date(announced["started_on"]), _date(announced["ended_on"])
    row = session.get(CommitteeSeat, payload["position_id"])
    held = {k: getattr(row, k) for k in FIELDS} if row is not None else None
    kept = rules.merge_position(held, announced)
    if row is None:
        session.add(CommitteeSeat(position_id=payload["position_id"], school=payload["school"], **kept))
    else:
        for key, value in kept.items():
            setattr(row, key, value)


def positions_of(session, member_id: int) -> list[CommitteeSeat]:
    return list(session.execute(select(CommitteeSeat).where(CommitteeSeat.member_id == member_id)
                                .order_by(CommitteeSeat.position_id)).scalars())


def check_route_leader(session, member_id: int, today: date, field: str = "leader_member_id") -> CommitteeSeat:
    """The position in office of a route's leader, or 422 naming ``field``."""
    positions = positions_of(session, member_id)
    if not rules.can_lead_route(positions, today):
        raise ValidationFailed("leader_not_on_committee", fields={field: ["leader_not_on_committee"]},
                               params={"member_id": member_id})
    return next(p for p in positions if rules.in_office(p.started_on, p.ended_on, today))

