"""女职工“四期”保护 use cases: record a period of special protection for a woman member (an
officer, or the woman herself), end it, and list them; every officer's read is audited and a
member sees only her own."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.welfare import members, policies, privacy
from services.welfare.domain import protection as model
from services.welfare.domain.errors import WelfareInvalid, WelfareNotFound
from services.welfare.orm import ProtectionPeriod
from services.welfare.paging import page


def record(uow, school: str, data: dict, context, today: date) -> dict:
    members.require_self_or_officer(context, data["member_id"])
    session = uow.session
    model.check_reporter(data["kind"], members.is_officer(context))
    members.lock(session, [data["member_id"]])
    person = members.member(session, data["member_id"])
    model.check_woman(person.gender)
    if person.status != "active":
        raise WelfareInvalid("welfare_member_not_in_service", fields={"member_id": ["welfare_member_not_in_service"]})
    open_kinds = list(session.scalars(select(ProtectionPeriod.kind).where(
        ProtectionPeriod.member_id == person.member_id, ProtectionPeriod.status == "active")))
    model.check_no_open_period(open_kinds, data["kind"])
    starts = data.get("starts_on") or today
    ends = model.expected_end(data["kind"], starts, data.get("expected_end_on"),
                              policies.settings(session)["protection_days"])
    p = ProtectionPeriod(school=school, member_id=person.member_id, member_name=person.name, kind=data["kind"],
                         starts_on=starts, expected_end_on=ends, status="active", measures=data["measures"],
                         notes=data.get("notes"), source="officer" if members.is_officer(context) else "member",
                         reported_by=context.actor)
    session.add(p)
    for before in session.scalars(select(ProtectionPeriod).where(
            ProtectionPeriod.member_id == person.member_id, ProtectionPeriod.status == "active",
            ProtectionPeriod.kind == model.ENDED_BY.get(data["kind"], ""), ProtectionPeriod.starts_on <= starts)):
        before.status, before.ended_on = "ended", model.ended_by_next(starts, before.starts_on)
    session.flush()
    result = view(p, today)
    uow.commit()
    return result


def _period(session, period_id: int, context) -> ProtectionPeriod:
    p = session.get(ProtectionPeriod, int(period_id))
    if p is None:
        raise WelfareNotFound("protection_period_not_found")
    members.require_self_or_officer(context, p.member_id)
    return p


def end(uow, school: str, period_id: int, data: dict, context, today: date) -> dict:
    """The period is over (返岗, 哺乳期满…): an officer or the woman herself says so."""
    session = uow.session
    p = _period(session, period_id, context)
    ended = data.get("ended_on") or today
    p.status, p.ended_on = model.end(p.status, p.starts_on, ended), ended
    if data.get("notes"):
        p.notes = "\n".join(filter(None, [p.notes, data["notes"]]))
    privacy.audit(session, school, context, "protection", [p.id], "end")
    session.flush()
    result = view(p, today)
    uow.commit()
    return result


def get(uow, school: str, period_id: int, context, today: date) -> dict:
    session = uow.session
    p = _period(session, period_id, context)
    privacy.audit(session, school, context, "protection", [p.id], "detail")
    result = view(p, today)
    uow.commit()
    return result


def search(uow, school: str, query: dict, context, today: date) -> dict:
    """Officers list every woman's periods (each listed one an audited read); a member her own."""
    session = uow.session
    stmt = select(ProtectionPeriod)
    own = privacy.own_only(context)
    if own is not None:
        stmt = stmt.where(ProtectionPeriod.member_id == own)
    for name in ("member_id", "kind", "status"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(ProtectionPeriod, name) == query[name])
    if query.get("ending_soon"):
        stmt = stmt.where(ProtectionPeriod.status == "active", ProtectionPeriod.expected_end_on.is_not(None),
                          ProtectionPeriod.expected_end_on.between(today, model.ending_window(today)))
    result = page(session, stmt.order_by(ProtectionPeriod.starts_on.desc(), ProtectionPeriod.id.desc()), query,
                  lambda p: view(p, today))
    privacy.audit(session, school, context, "protection", [i["id"] for i in result["items"]], "list")
    uow.commit()
    return result


def view(p: ProtectionPeriod, today: date) -> dict:
    return {"id": p.id, "member_id": p.member_id, "member_name": p.member_name, "kind": p.kind,
            "label": model.LABELS[p.kind], "starts_on": p.starts_on, "expected_end_on": p.expected_end_on,
            "ended_on": p.ended_on, "status": p.status, "measures": p.measures, "notes": p.notes,
            "source": p.source, "ending_soon": model.ending_soon(p.status, p.expected_end_on, today)}


def measures() -> dict:
    """The measures commonly granted in each period, as suggestions for the form."""
    return {"items": [{"kind": k, "label": model.LABELS[k], "self_reported_only": k in model.SELF_REPORTED_ONLY,
                       "suggested_measures": model.SUGGESTED_MEASURES[k]} for k in model.KINDS]}
