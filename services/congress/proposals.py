"""提案工作: intake in a window, co-signers, review (立案 / 转意见 / 不予立案), assignment to a
department with a due date, the reply, implementation tracking with milestones, the
submitter's satisfaction (unsatisfied reopens it), overdue reminders and the session's rates.
条条有答复、件件有回音."""
from __future__ import annotations

from sqlalchemy import func, select

from services.congress import sessions as sess
from services.congress.common import get_or_404, iso, today
from services.congress.domain import rules
from services.congress.orm import CongressSession, DirectoryMember, Proposal, ProposalEntry
from shared.errors import Conflict, Forbidden, ValidationFailed

VOTER_ROLES = ("delegate", "member")


def view(p: Proposal, entries=None) -> dict:
    out = {"id": p.id, "session_id": p.session_id, "number": p.number, "title": p.title, "content": p.content,
           "category": p.category, "submitter_member_id": p.submitter_member_id, "submitter_name": p.submitter_name,
           "cosigners": p.cosigners, "status": p.status, "decline_reason": p.decline_reason,
           "department": p.department, "responsible": p.responsible, "due_on": iso(p.due_on), "reply": p.reply,
           "replied_on": iso(p.replied_on), "track_note": p.track_note, "satisfaction": p.satisfaction,
           "submitted_on": iso(p.submitted_on), "overdue": rules.is_overdue(p.status, p.due_on, today()),
           "version": p.version}
    if entries is not None:
        out["history"] = [{"action": e.action, "status": e.status, "note": e.note, "on": iso(e.on),
                           "actor": e.actor} for e in entries]
    return out


def _load(session, proposal_id) -> Proposal:
    return get_or_404(session, Proposal, int(proposal_id), "proposal_not_found")


def _entries(session, proposal_id):
    return list(session.scalars(select(ProposalEntry).where(ProposalEntry.proposal_id == proposal_id)
                                .order_by(ProposalEntry.id)))


def _step(uow, p: Proposal, action: str, status: str, note=None, on=None):
    if not rules.proposal_allows(p.status, action):
        raise Conflict("proposal_action_not_allowed", params={"status": p.status})
    p.status, p.version = status, p.version + 1
    uow.session.add(ProposalEntry(school=p.school, proposal_id=p.id, action=action, status=status, note=note,
                                  on=on or today(), actor=uow.context.actor))


def submit(uow, school: str, session_id: int, data: dict, ctx) -> dict:
    s = uow.session
    row = sess.load_session(s, session_id)
    if row.status == "closed" or not rules.in_window(today(), row.proposals_open_on, row.proposals_close_on):
        raise Conflict("proposal_window_closed")
    if ctx.role in VOTER_ROLES:
        if ctx.member_id is None:
            raise Forbidden("member_account_required")
        submitter = ctx.member_id
    else:
        submitter = data.get("submitter_member_id")
        if not submitter:
            raise ValidationFailed(fields={"submitter_member_id": ["required"]})
    roll = sess.roll_of(s, row)
    if submitter not in roll:
        raise Forbidden("not_a_delegate")
    cosigners = sorted(set(data.get("cosigners") or []) - {submitter})
    problems = (["cosigner_not_a_delegate"] if any(c not in roll for c in cosigners) else []) + (
        ["too_few_cosigners"] if sum(1 for c in cosigners if c in roll) < row.min_cosigners else [])
    if problems:
        raise ValidationFailed("too_few_cosigners" if problems == ["too_few_cosigners"] else "validation_failed",
                               fields={"cosigners": problems}, params={"min": row.min_cosigners})
    member = s.get(DirectoryMember, submitter)
    p = Proposal(school=school, session_id=row.id, title=data["title"], content=data["content"],
                 category=data.get("category"), submitter_member_id=submitter,
                 submitter_name=member.name if member else str(submitter), cosigners=cosigners,
                 status="submitted", submitted_on=today(), version=1)
    s.add(p)
    s.flush()
    s.add(ProposalEntry(school=school, proposal_id=p.id, action="submit", status="submitted", on=today(),
                        actor=uow.context.actor))
    uow.publish("congress.proposal_submitted", {
        "proposal_id": p.id, "session_id": row.id, "school": school, "title": p.title, "category": p.category,
        "submitter_member_id": submitter, "cosigners": cosigners, "submitted_on": p.submitted_on})
    uow.commit()
    return view(p)


def review(uow, proposal_id: int, data: dict) -> dict:
    p = _load(uow.session, proposal_id)
    decision, reason = data["decision"], data.get("reason")
    if decision == "decline" and not reason:
        raise ValidationFailed(fields={"reason": ["reason_required"]})
    if decision == "register":
        _step(uow, p, "register", "registered", reason)
        p.number = (uow.session.scalar(select(func.max(Proposal.number)).where(Proposal.session_id == p.session_id))
                    or 0) + 1
    elif decision == "convert":
        _step(uow, p, "convert", "opinion", reason)          # 转为意见建议
    else:
        _step(uow, p, "decline", "declined", reason)
        p.decline_reason = reason
    uow.publish("congress.proposal_reviewed", {
        "proposal_id": p.id, "session_id": p.session_id, "school": p.school, "title": p.title, "decision": decision,
        "status": p.status, "number": p.number, "reason": reason, "submitter_member_id": p.submitter_member_id,
        "reviewed_on": today()})
    uow.commit()
    return view(p)


def assign(uow, proposal_id: int, data: dict) -> dict:
    p = _load(uow.session, proposal_id)
    _step(uow, p, "assign", "assigned", f"{data['department']} {data.get('responsible') or ''}".strip())
    p.department, p.responsible, p.due_on = data["department"], data.get("responsible"), data["due_on"]
    p.reminded_on = None
    uow.publish("congress.proposal_assigned", {
        "proposal_id": p.id, "session_id": p.session_id, "school": p.school, "number": p.number, "title": p.title,
        "department": p.department, "responsible": p.responsible, "due_on": p.due_on, "assigned_on": today()})
    uow.commit()
    return view(p)


def answer(uow, proposal_id: int, data: dict) -> dict:
    p = _load(uow.session, proposal_id)
    on = data.get("replied_on") or today()
    _step(uow, p, "answer", "answered", data["reply"], on)
    p.reply, p.replied_on, p.satisfaction = data["reply"], on, None
    uow.publish("congress.proposal_answered", {
        "proposal_id": p.id, "session_id": p.session_id, "school": p.school, "number": p.number, "title": p.title,
        "submitter_member_id": p.submitter_member_id, "department": p.department, "replied_on": on})
    uow.commit()
    return view(p)


def track(uow, proposal_id: int, data: dict) -> dict:
    p = _load(uow.session, proposal_id)
    status, note, on = data["status"], data.get("note"), data.get("on") or today()
    if status == "not_implementable" and not note:
        raise ValidationFailed(fields={"note": ["reason_required"]})
    _step(uow, p, "track", status, note, on)
    p.track_note = note
    uow.publish("congress.proposal_tracked", {"proposal_id": p.id, "school": p.school, "status": status,
                                              "note": note, "on": on})
    uow.commit()
    return view(p)


def rate(uow, proposal_id: int, data: dict, ctx) -> dict:
    p = _load(uow.session, proposal_id)
    if ctx.member_id != p.submitter_member_id:
        raise Forbidden("not_the_submitter")
    satisfaction = data["satisfaction"]
    if satisfaction == "unsatisfied":
        _step(uow, p, "rate", "reopened", data.get("note"))   # 不满意: back to the department
        p.reminded_on = None
    else:
        if not rules.proposal_allows(p.status, "rate"):
            raise Conflict("proposal_action_not_allowed", params={"status": p.status})
        uow.session.add(ProposalEntry(school=p.school, proposal_id=p.id, action="rate", status=p.status,
                                      note=satisfaction, on=today(), actor=uow.context.actor))
        p.version += 1
    p.satisfaction = satisfaction
    uow.publish("congress.proposal_rated", {
        "proposal_id": p.id, "session_id": p.session_id, "school": p.school, "satisfaction": satisfaction,
        "reopened": p.status == "reopened", "status": p.status, "department": p.department, "rated_on": today()})
    uow.commit()
    return view(p)


def get(session, proposal_id: int) -> dict:
    p = _load(session, proposal_id)
    return view(p, _entries(session, p.id))


def search(session, query: dict) -> dict:
    stmt = select(Proposal)
    for key in ("session_id", "status", "department", "submitter_member_id"):
        if query.get(key):
            stmt = stmt.where(getattr(Proposal, key) == query[key])
    if query.get("overdue") is not None:
        overdue = _overdue(today())
        stmt = stmt.where(overdue if query["overdue"] else ~overdue)
    page, size = query.get("page", 1), query.get("page_size", 50)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Proposal.session_id.desc(), Proposal.number, Proposal.id)
                           .offset((page - 1) * size).limit(size))
    return {"items": [view(p) for p in rows], "total": total, "page": page, "page_size": size}


def _overdue(on):
    """``rules.is_overdue`` as SQL."""
    return Proposal.status.in_(rules.AWAITING_REPLY) & Proposal.due_on.is_not(None) & (Proposal.due_on < on)


def remind_overdue(uow, on=None) -> dict:
    """逾期提醒: one ``congress.proposal_overdue`` per overdue proposal per day."""
    on = on or today()
    reminded = []
    # two service instances on the same hour remind once: each skips the rows the other holds
    for p in uow.session.scalars(select(Proposal).where(_overdue(on)).order_by(Proposal.id)
                                 .with_for_update(skip_locked=True)):
        if p.reminded_on == on:
            continue
        p.reminded_on = on
        uow.publish("congress.proposal_overdue", {
            "proposal_id": p.id, "school": p.school, "title": p.title, "department": p.department,
            "responsible": p.responsible, "due_on": p.due_on, "days_overdue": (on - p.due_on).days}, school=p.school)
        reminded.append(p.id)
    uow.commit()
    return {"reminded": reminded, "total": len(reminded)}


def stats(session, session_id: int) -> dict:
    """答复率 (target 100%: 条条有答复) and 落实率 of a session, with the proposals still owed a reply."""
    row = sess.load_session(session, session_id)
    rates = _rates(session, [row.id])
    owed = rates["proposals"] - rates["replied"]
    return {"session_id": row.id, **rates, "reply_rate_target": 100.0, "awaiting_reply": owed,
            "warning": "replies_outstanding" if owed else None}


def _rates(session, session_ids) -> dict:
    rows = list(session.execute(select(Proposal.status, Proposal.replied_on).where(Proposal.session_id.in_(session_ids))))
    return rules.proposal_rates([r.status for r in rows], [r.replied_on is not None for r in rows])


def rates_by_school(session, school_year: int) -> list[dict]:
    """District: reply and implementation rates of every school's sessions of a school year."""
    out = []
    by_school: dict = {}
    for s in session.scalars(select(CongressSession).where(CongressSession.school_year == school_year)):
        by_school.setdefault(s.school, []).append(s.id)
    for school, ids in sorted(by_school.items()):
        out.append({"school": school, "sessions": len(ids), **_rates(session, ids)})
    return out
