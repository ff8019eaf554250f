"""困难职工档案 use cases: apply, home visit, verify, public notice with objections, approve; pair a
leader; yearly re-check; close. One open file per household."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.welfare import members, policies
from services.welfare.domain import hardship as model
from services.welfare.domain.errors import WelfareConflict, WelfareNotFound
from services.welfare.orm import HardshipCheck, HardshipFile, HardshipObjection


def _file(session, file_id: int) -> HardshipFile:
    f = session.get(HardshipFile, int(file_id))
    if f is None:
        raise WelfareNotFound("hardship_file_not_found")
    return f


def household_of(f: HardshipFile) -> set[int]:
    return {f.member_id, *(f.household or [])}


def apply(uow, school: str, data: dict, context, today: date) -> dict:
    members.require_self_or_officer(context, data["member_id"])
    session = uow.session
    # the household's directory rows locked in id order: two applications naming one person wait
    # for each other, so the one-file-per-household check cannot pass twice
    members.lock(session, [data["member_id"], *data["household"]])
    person = members.member(session, data["member_id"])
    for i, other in enumerate(data["household"]):
        members.member(session, other, field=f"household.{i}")
    household = {person.member_id, *data["household"]}
    if data.get("applied_on"):
        model.check_step_date(data["applied_on"], None, today, "applied_on")
    open_files = session.scalars(select(HardshipFile).where(HardshipFile.status.in_(model.OPEN)))
    if model.household_conflict(household, [household_of(f) for f in open_files]):
        raise WelfareConflict("hardship_household_has_file", fields={"member_id": ["hardship_household_has_file"]})
    f = HardshipFile(school=school, member_id=person.member_id, member_name=person.name,
                     household=sorted(household - {person.member_id}), category=data["category"],
                     situation=data["situation"], status="applied", applied_on=data.get("applied_on") or today)
    session.add(f)
    session.flush()
    return _done(uow, f)


def _done(uow, f) -> dict:
    uow.session.flush()
    result = view(uow.session, f, today=date.today())
    uow.commit()
    return result


def step(uow, file_id: int, name: str, data: dict, context, today: date) -> dict:
    """入户走访 (home_visit), 核实 (verify), 公示 (start_notice), 批准 (approve), 不予认定 (reject)."""
    session = uow.session
    f = _file(session, file_id)
    target = model.next_status(f.status, name)
    on = data.get("on") or today
    if name == "home_visit":
        model.check_step_date(on, f.applied_on, today)
        f.visited_on, f.visit_notes = on, data.get("notes")
    elif name == "verify":
        model.check_step_date(on, f.visited_on, today)
        f.verified_on, f.verify_notes = on, data.get("notes")
    elif name == "start_notice":
        days = data.get("days") or policies.settings(session)["hardship_notice_days"]
        starts = data.get("starts_on") or today
        model.check_step_date(starts, f.verified_on, today, "starts_on", future_allowed=True)
        f.notice_starts_on, f.notice_days = starts, int(days)
    elif name == "approve":
        model.check_notice_completed(f.notice_starts_on, f.notice_days, _unresolved(session, f.id), today)
        f.approved_on, f.approved_by, f.last_checked_on = today, context.actor, today
    elif name == "reject":
        f.rejected_reason = data["reason"]
    f.status = target
    return _done(uow, f)


def _unresolved(session, file_id: int) -> int:
    return session.scalar(select(func.count(HardshipObjection.id))
                          .where(HardshipObjection.file_id == file_id, HardshipObjection.resolved_on.is_(None)))


def object_to(uow, school: str, file_id: int, data: dict, today: date) -> dict:
    """公示期异议: recorded only while the notice runs."""
    session = uow.session
    f = _file(session, file_id)
    if f.status != "notice":
        raise WelfareConflict("hardship_step_out_of_order", params={"status": f.status, "step": "objection"})
    session.add(HardshipObjection(school=school, file_id=f.id, received_on=data.get("received_on") or today,
                                  content=data["content"]))
    return _done(uow, f)


def resolve_objection(uow, file_id: int, objection_id: int, data: dict, today: date) -> dict:
    session = uow.session
    f = _file(session, file_id)
    o = session.get(HardshipObjection, int(objection_id))
    if o is None or o.file_id != f.id:
        raise WelfareNotFound("hardship_objection_not_found")
    if o.resolved_on is not None:    # an answer given is on the record; it is not rewritten
        raise WelfareConflict("hardship_objection_resolved", params={"on": o.resolved_on.isoformat()})
    o.resolution, o.upheld, o.resolved_on = data["resolution"], data["upheld"], data.get("resolved_on") or today
    if data["upheld"] and f.status == "notice":
        f.status, f.rejected_reason = "rejected", f"公示异议成立：{data['resolution']}"
    return _done(uow, f)


def pair_leader(uow, file_id: int, data: dict) -> dict:
    """领导干部帮扶困难户: one leader paired with each household."""
    session = uow.session
    f = _file(session, file_id)
    if f.status in ("rejected", "closed"):
        raise WelfareConflict("hardship_step_out_of_order", params={"status": f.status, "step": "pair_leader"})
    if data.get("leader_member_id") is not None:
        members.member(session, data["leader_member_id"], field="leader_member_id")
    f.leader_name, f.leader_member_id = data["leader_name"], data.get("leader_member_id")
    return _done(uow, f)


def recheck(uow, school: str, file_id: int, data: dict, context, today: date) -> dict:
    """年度复核: still eligible keeps the file a year more; otherwise it closes (脱困)."""
    session = uow.session
    f = _file(session, file_id)
    model.next_status(f.status, "recheck")
    on = data.get("checked_on") or today
    session.add(HardshipCheck(school=school, file_id=f.id, checked_on=on, still_eligible=data["still_eligible"],
                              notes=data.get("notes"), checked_by=context.actor))
    f.last_checked_on = on
    if not data["still_eligible"]:
        f.status, f.closed_on, f.close_reason = "closed", on, "recovery"
    return _done(uow, f)


def close(uow, file_id: int, data: dict, today: date) -> dict:
    session = uow.session
    f = _file(session, file_id)
    f.status = model.next_status(f.status, "close")
    f.closed_on, f.close_reason = data.get("closed_on") or today, data["reason"]
    return _done(uow, f)


def close_for_member(session, member_id: int, reason: str, today: date) -> None:
    """Membership said the member retired, left or moved: their file closes, approved or still
    on its way (an application of someone who has gone is not carried on)."""
    for f in session.scalars(select(HardshipFile).where(HardshipFile.status.in_(model.OPEN),
                                                        HardshipFile.member_id == member_id)):
        f.status, f.closed_on, f.close_reason = "closed", today, reason


def view(session, f: HardshipFile, today: date) -> dict:
    objections = session.scalars(select(HardshipObjection).where(HardshipObjection.file_id == f.id)
                                 .order_by(HardshipObjection.id))
    checks = session.scalars(select(HardshipCheck).where(HardshipCheck.file_id == f.id).order_by(HardshipCheck.id))
    ends = model.notice_ends_on(f.notice_starts_on, f.notice_days) if f.notice_starts_on else None
    return {**summary(f, today), "situation": f.situation, "visited_on": f.visited_on, "visit_notes": f.visit_notes,
            "verified_on": f.verified_on, "verify_notes": f.verify_notes, "notice_starts_on": f.notice_starts_on,
            "notice_days": f.notice_days, "notice_ends_on": ends, "approved_by": f.approved_by,
            "rejected_reason": f.rejected_reason,
            "objections": [{"id": o.id, "received_on": o.received_on, "content": o.content, "resolution": o.resolution,
                            "upheld": o.upheld, "resolved_on": o.resolved_on} for o in objections],
            "checks": [{"checked_on": c.checked_on, "still_eligible": c.still_eligible, "notes": c.notes,
                        "checked_by": c.checked_by} for c in checks]}


def summary(f: HardshipFile, today: date) -> dict:
    return {"id": f.id, "member_id": f.member_id, "member_name": f.member_name, "household": f.household,
            "category": f.category, "status": f.status, "applied_on": f.applied_on, "approved_on": f.approved_on,
            "leader_name": f.leader_name, "leader_member_id": f.leader_member_id, "last_checked_on": f.last_checked_on,
            "recheck_due": f.status == "approved" and model.recheck_due(f.approved_on, f.last_checked_on, today),
            "closed_on": f.closed_on, "close_reason": f.close_reason}


def get(session, file_id: int, context) -> dict:
    f = _file(session, file_id)
    members.require_self_or_officer(context, f.member_id)
    return view(session, f, date.today())


def search(session, query: dict, today: date) -> dict:
    stmt = select(HardshipFile).order_by(HardshipFile.id)
    if query.get("status"):
        stmt = stmt.where(HardshipFile.status == query["status"])
    rows = [summary(f, today) for f in session.scalars(stmt)]
    if query.get("recheck_due"):
        rows = [r for r in rows if r["recheck_due"]]
    page, size = query["page"], query["page_size"]
    return {"items": rows[(page - 1) * size: page * size], "total": len(rows), "page": page, "page_size": size}
