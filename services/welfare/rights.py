"""维权个案 use cases: open a case (an officer, or the member for themself), keep its notes
(谈心疏导, 调解, 向行政提出建议, 行政答复, 回访), close it with its outcome. Confidential like care
cases: officers' reads are audited; a member sees only their own; a collective case (no member) only
the officers."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.welfare import members, privacy
from services.welfare.domain import rights as model
from services.welfare.domain.errors import WelfareInvalid, WelfareNotFound
from services.welfare.orm import RightsCase, RightsNote
from services.welfare.paging import page


def open_case(uow, school: str, data: dict, context, today: date) -> dict:
    officer = members.is_officer(context)
    member_id = data.get("member_id")
    if not officer and member_id is None:
        member_id = context.member_id      # a member's own case names them
    if member_id is None and not officer:
        raise WelfareInvalid("rights_case_member_required", fields={"member_id": ["rights_case_member_required"]})
    model.check_member(data["kind"], member_id)
    session = uow.session
    person = None
    if member_id is not None:
        members.require_self_or_officer(context, member_id)
        person = members.member(session, member_id)
    opened = data.get("opened_on") or today
    if opened > today:
        raise WelfareInvalid("rights_case_date_in_future", fields={"opened_on": ["rights_case_date_in_future"]})
    case = RightsCase(school=school, member_id=person.member_id if person else None,
                      member_name=person.name if person else None, kind=data["kind"], title=data["title"],
                      description=data.get("description"), opened_on=opened, status="open",
                      source="officer" if officer else "member", reported_by=context.actor, notes_count=0)
    session.add(case)
    session.flush()
    result = detail(session, case)
    uow.commit()
    return result


def _case(session, case_id: int, context) -> RightsCase:
    case = session.get(RightsCase, int(case_id))
    if case is None:
        raise WelfareNotFound("rights_case_not_found")
    members.require_self_or_officer(context, case.member_id if case.member_id is not None else -1)
    return case


def add_note(uow, school: str, case_id: int, data: dict, context, today: date) -> dict:
    session = uow.session
    case = _case(session, case_id, context)
    model.check_open(case.status)
    written = data.get("written_on") or today
    if written > today or written < case.opened_on:
        raise WelfareInvalid("rights_note_date_out_of_case", fields={"written_on": ["rights_note_date_out_of_case"]})
    session.add(RightsNote(school=school, case_id=case.id, written_on=written, kind=data["kind"], text=data["text"],
                           author=context.actor))
    case.notes_count += 1
    privacy.audit(session, school, context, "rights_case", [case.id], "note")
    session.flush()
    result = detail(session, case)
    uow.commit()
    return result


def close(uow, school: str, case_id: int, data: dict, context, today: date) -> dict:
    session = uow.session
    case = _case(session, case_id, context)
    model.check_open(case.status)
    closed = data.get("closed_on") or today
    if closed > today or closed < case.opened_on:
        raise WelfareInvalid("rights_note_date_out_of_case", fields={"closed_on": ["rights_note_date_out_of_case"]})
    case.status, case.outcome, case.closed_on = data["outcome"], data["summary"], closed
    privacy.audit(session, school, context, "rights_case", [case.id], "close")
    session.flush()
    result = detail(session, case)
    uow.commit()
    return result


def get(uow, school: str, case_id: int, context) -> dict:
    session = uow.session
    case = _case(session, case_id, context)
    privacy.audit(session, school, context, "rights_case", [case.id], "detail")
    result = detail(session, case)
    uow.commit()
    return result


def search(uow, school: str, query: dict, context) -> dict:
    session = uow.session
    stmt = select(RightsCase)
    own = privacy.own_only(context)
    if own is not None:
        stmt = stmt.where(RightsCase.member_id == own)
    for name in ("member_id", "kind", "status"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(RightsCase, name) == query[name])
    if query.get("collective"):
        stmt = stmt.where(RightsCase.member_id.is_(None))
    result = page(session, stmt.order_by(RightsCase.opened_on.desc(), RightsCase.id.desc()), query, summary)
    privacy.audit(session, school, context, "rights_case", [i["id"] for i in result["items"]], "list")
    uow.commit()
    return result


def summary(case: RightsCase) -> dict:
    return {"id": case.id, "member_id": case.member_id, "member_name": case.member_name, "kind": case.kind,
            "label": model.LABELS[case.kind], "title": case.title, "opened_on": case.opened_on, "status": case.status,
            "closed_on": case.closed_on, "notes": case.notes_count, "collective": case.member_id is None,
            "source": case.source}


def detail(session, case: RightsCase) -> dict:
    notes = session.scalars(select(RightsNote).where(RightsNote.case_id == case.id).order_by(RightsNote.written_on,
                                                                                             RightsNote.id))
    return {**summary(case), "description": case.description, "outcome": case.outcome, "reported_by": case.reported_by,
            "log": [{"id": n.id, "written_on": n.written_on, "kind": n.kind, "label": model.NOTE_LABELS[n.kind],
                     "text": n.text, "author": n.author} for n in notes]}
