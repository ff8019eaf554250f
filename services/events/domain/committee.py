"""工会委员会 as the events service sees it: the committee copy kept from membership's
announcements, and who may lead a trip route (每条线路由一名工会委员带队). Pure rules."""
from __future__ import annotations

from datetime import date


def merge_position(held: dict | None, announced: dict) -> dict:
    """The position to keep after an announcement. A position ends once and is never reopened,
    so an end already known survives an older announcement arriving late or twice."""
    if held is not None and held.get("ended_on") is not None and announced.get("ended_on") is None:
        return {**announced, "ended_on": held["ended_on"]}
    return dict(announced)


def in_office(started_on: date, ended_on: date | None, today: date) -> bool:
    """A committee member in office on ``today`` (an end on a later day still counts as in office)."""
    return started_on <= today and (ended_on is None or ended_on > today)


def can_lead_route(positions: list, today: date) -> bool:
    """带队委员: a route's leader holds a committee position in office today."""
    return any(in_office(p.started_on, p.ended_on, today) for p in positions)
