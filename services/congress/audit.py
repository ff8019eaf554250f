"""经费审查报告: the funds review committee's report (from finance) becomes an item the congress
approves: an agenda item "审议经费审查报告" of the next open session with a motion."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.congress.orm import AgendaItem, AuditItem, CongressSession, Poll


def receive(uow, school: str, payload: dict) -> None:
    if uow.session.get(AuditItem, payload["audit_id"]) is not None:
        return
    submitted = payload["submitted_on"]
    item = AuditItem(school=school, audit_id=payload["audit_id"], year=payload["year"], title=payload["title"],
                     summary=payload["summary"], findings=payload["findings"],
                     submitted_on=date.fromisoformat(submitted) if isinstance(submitted, str) else submitted)
    uow.session.add(item)
    uow.session.flush()
    target = uow.session.scalars(select(CongressSession).where(CongressSession.status.in_(("planned", "convened")))
                                 .order_by(CongressSession.term_no, CongressSession.session_no)).first()
    if target is not None:
        _place(uow, target, item)


def attach_pending(uow, congress_session: CongressSession) -> None:
    """A new session takes every report still waiting for a congress."""
    for item in uow.session.scalars(select(AuditItem).where(AuditItem.session_id.is_(None))):
        _place(uow, congress_session, item)


def _place(uow, congress_session: CongressSession, item: AuditItem) -> None:
    s = uow.session
    position = (s.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.session_id == congress_session.id))
                or 0) + 1
    agenda = AgendaItem(school=congress_session.school, session_id=congress_session.id, position=position,
                        title=f"审议经费审查报告：{item.title}", power="deliberate_approve", presenter="经费审查委员会",
                        audit_id=item.audit_id)
    s.add(agenda)
    s.flush()
    poll = Poll(school=congress_session.school, session_id=congress_session.id, agenda_item_id=agenda.id,
                kind="motion", title=f"审议经费审查报告：{item.title}", status="draft",
                options=["yes", "no", "abstain"], rule=congress_session.pass_rule, breakdown=False,
                audit_id=item.audit_id)
    s.add(poll)
    s.flush()
    item.session_id, item.poll_id = congress_session.id, poll.id
