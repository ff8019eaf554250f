"""健康 use cases: annual check campaigns for in-service staff (体检), retirees and women (妇检);
bookings, attendance and follow-up flags (早发现的病例跟进)."""
from __future__ import annotations

from sqlalchemy import func, select

from services.welfare import members
from services.welfare.domain.errors import WelfareConflict, WelfareInvalid, WelfareNotFound
from services.welfare.paging import page
from services.welfare.orm import HealthBooking, HealthCampaign

# who a campaign of each kind is for: (statuses, gender or None)
ELIGIBLE = {"annual": (("active",), None), "retiree": (("retired",), None), "women": (("active", "retired"), "female")}


def eligible(kind: str, status: str, gender: str) -> bool:
    statuses, only = ELIGIBLE[kind]
    return status in statuses and (only is None or gender == only)


def _campaign(session, campaign_id: int) -> HealthCampaign:
    c = session.get(HealthCampaign, int(campaign_id))
    if c is None:
        raise WelfareNotFound("health_campaign_not_found")
    return c


def create(uow, school: str, data: dict) -> dict:
    c = HealthCampaign(school=school, **data)
    uow.session.add(c)
    uow.session.flush()
    result = view(uow.session, c)
    uow.commit()
    return result


def book(uow, school: str, campaign_id: int, data: dict, context) -> dict:
    members.require_self_or_officer(context, data["member_id"])
    session = uow.session
    c = _campaign(session, campaign_id)
    person = members.member(session, data["member_id"])
    if not eligible(c.kind, person.status, person.gender):
        raise WelfareInvalid("health_not_eligible", fields={"member_id": ["health_not_eligible"]})
    if session.scalars(select(HealthBooking.id).where(HealthBooking.campaign_id == c.id,
                                                      HealthBooking.member_id == person.member_id)).first():
        raise WelfareConflict("health_already_booked", fields={"member_id": ["health_already_booked"]})
    b = HealthBooking(school=school, campaign_id=c.id, member_id=person.member_id, member_name=person.name,
                      slot_on=data.get("slot_on") or c.check_on)
    session.add(b)
    session.flush()
    result = booking_view(b)
    uow.commit()
    return result


def record_result(uow, campaign_id: int, booking_id: int, data: dict) -> dict:
    session = uow.session
    b = session.get(HealthBooking, int(booking_id))
    if b is None or b.campaign_id != int(campaign_id):
        raise WelfareNotFound("health_booking_not_found")
    if data["follow_up"] and not data["attended"]:
        raise WelfareInvalid("health_follow_up_needs_attendance", fields={"follow_up": ["health_follow_up_needs_attendance"]})
    b.attended, b.follow_up, b.follow_up_note = data["attended"], data["follow_up"], data.get("follow_up_note")
    session.flush()
    result = booking_view(b)
    uow.commit()
    return result


def booking_view(b: HealthBooking) -> dict:
    return {"id": b.id, "campaign_id": b.campaign_id, "member_id": b.member_id, "member_name": b.member_name,
            "slot_on": b.slot_on, "attended": b.attended, "follow_up": b.follow_up, "follow_up_note": b.follow_up_note}


def view(session, c: HealthCampaign) -> dict:
    booked, attended, follow = session.execute(
        select(func.count(HealthBooking.id), func.count(HealthBooking.id).filter(HealthBooking.attended.is_(True)),
               func.count(HealthBooking.id).filter(HealthBooking.follow_up.is_(True)))
        .where(HealthBooking.campaign_id == c.id)).one()
    return {"id": c.id, "year": c.year, "kind": c.kind, "title": c.title, "check_on": c.check_on, "place": c.place,
            "booked": booked, "attended": attended, "follow_up": follow}


def campaigns(session, query: dict | None = None) -> dict:
    query = query or {}
    stmt = select(HealthCampaign).order_by(HealthCampaign.id.desc())
    for name in ("year", "kind"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(HealthCampaign, name) == query[name])
    return page(session, stmt, query, lambda c: view(session, c))


def bookings(session, campaign_id: int, follow_up_only: bool = False, query: dict | None = None) -> dict:
    c = _campaign(session, campaign_id)
    stmt = select(HealthBooking).where(HealthBooking.campaign_id == c.id).order_by(HealthBooking.member_name,
                                                                                  HealthBooking.id)
    if follow_up_only:
        stmt = stmt.where(HealthBooking.follow_up.is_(True))
    return page(session, stmt, query, booking_view, campaign=view(session, c))
