"""Sessions, sittings, agenda, the roll and attendance (会议、会期、议程、全体代表、签到)."""
from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.congress.common import get_or_404, iso, rule_of, today
from services.congress.domain import rules
from services.congress.orm import (AgendaItem, Attendance, AuditItem, CongressSession, Delegate, DirectoryMember,
                                   Sitting)
from shared.directory import IN_SERVICE
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.db.base import utcnow


def session_view(s: CongressSession, sittings=None, agenda=None) -> dict:
    out = {"id": s.id, "school": s.school, "term_no": s.term_no, "session_no": s.session_no,
           "label": rules.session_label(s.term_no, s.session_no), "title": s.title, "mode": s.mode,
           "central_topic": s.central_topic, "school_year": s.school_year, "status": s.status,
           "quorum_rule": s.quorum_rule, "pass_rule": s.pass_rule, "election_rule": s.election_rule,
           "min_cosigners": s.min_cosigners, "min_group_size": s.min_group_size,
           "proposals_open_on": iso(s.proposals_open_on), "proposals_close_on": iso(s.proposals_close_on),
           "convened_at": iso(s.convened_at), "closed_at": iso(s.closed_at)}
    if sittings is not None:
        out["sittings"] = [{"id": t.id, "date": t.sitting_date.isoformat()} for t in sittings]
    if agenda is not None:
        out["agenda"] = [agenda_view(a) for a in agenda]
    return out


def agenda_view(a: AgendaItem) -> dict:
    return {"id": a.id, "position": a.position, "title": a.title, "power": a.power,
            "power_label": rules.POWER_LABELS[a.power], "presenter": a.presenter, "audit_id": a.audit_id}


def _sittings(session, session_id):
    return list(session.scalars(select(Sitting).where(Sitting.session_id == session_id)
                                .order_by(Sitting.sitting_date, Sitting.id)))


def _agenda(session, session_id):
    return list(session.scalars(select(AgendaItem).where(AgendaItem.session_id == session_id)
                                .order_by(AgendaItem.position, AgendaItem.id)))


def load_session(session, session_id: int) -> CongressSession:
    return get_or_404(session, CongressSession, int(session_id), "congress_session_not_found")


def create_session(uow, school: str, data: dict) -> dict:
    session = uow.session
    dates = sorted(data["sitting_dates"])
    row = CongressSession(
        school=school, term_no=data["term_no"], session_no=data["session_no"], mode=data["mode"],
        title=data.get("title") or f"第{rules.chinese_number(data['term_no'])}届{rules.MODE_LABELS[data['mode']]}第"
                                   f"{rules.chinese_number(data['session_no'])}次会议",
        central_topic=data.get("central_topic"), school_year=rules.school_year_of(dates[0]), status="planned",
        quorum_rule=data.get("quorum_rule") or rules.DEFAULT_QUORUM.as_dict(),
        pass_rule=data.get("pass_rule") or rules.DEFAULT_PASS.as_dict(),
        election_rule=data.get("election_rule") or rules.DEFAULT_ELECTION.as_dict(),
        min_cosigners=data.get("min_cosigners", 2), min_group_size=data.get("min_group_size", 5),
        proposals_open_on=data.get("proposals_open_on"), proposals_close_on=data.get("proposals_close_on"))
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("congress_session_exists", fields={"session_no": ["congress_session_exists"]},
                       params={"label": rules.session_label(row.term_no, row.session_no)}) from None
    for d in dates:
        session.add(Sitting(school=school, session_id=row.id, sitting_date=d, checkin_code=_code()))
    for i, item in enumerate(data.get("agenda", []), start=1):
        session.add(AgendaItem(school=school, session_id=row.id, position=i, title=item["title"],
                               power=item["power"], presenter=item.get("presenter")))
    session.flush()
    from services.congress import audit
    audit.attach_pending(uow, row)
    uow.commit()
    return session_view(row, _sittings(session, row.id), _agenda(session, row.id))


def _code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def get_session(session, session_id: int) -> dict:
    row = load_session(session, session_id)
    return session_view(row, _sittings(session, row.id), _agenda(session, row.id))


def list_sessions(session, query: dict) -> dict:
    stmt = select(CongressSession)
    if query.get("school_year"):
        stmt = stmt.where(CongressSession.school_year == query["school_year"])
    if query.get("term_no"):
        stmt = stmt.where(CongressSession.term_no == query["term_no"])
    if query.get("status"):
        stmt = stmt.where(CongressSession.status == query["status"])
    page, size = query.get("page", 1), query.get("page_size", 50)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(CongressSession.term_no.desc(), CongressSession.session_no.desc())
                           .offset((page - 1) * size).limit(size))
    year = rules.school_year_of(today())
    held = session.scalar(select(func.count()).select_from(CongressSession).where(
        CongressSession.school_year == year, CongressSession.status.in_(("convened", "closed"))))
    # 每学年至少召开一次: warn while this school year has had no session
    return {"items": [session_view(s) for s in rows], "total": total, "page": page, "page_size": size,
            "school_year": year, "held_this_school_year": held,
            "warning": None if held else "no_session_this_school_year"}


RULE_SETTINGS = ("quorum_rule", "pass_rule", "election_rule", "min_group_size")


def update_session(uow, session_id: int, data: dict) -> dict:
    """Amend a session: its title, central topic (中心议题), proposal window and co-signers while it
    is not closed; its voting rules only while it is still being prepared."""
    row = load_session(uow.session, session_id)
    if row.status == "closed":
        raise Conflict("congress_session_closed")
    late = [k for k in RULE_SETTINGS if k in data and row.status != "planned"]
    if late:
        raise Conflict("congress_session_not_planned", fields={k: ["congress_session_not_planned"] for k in late},
                       params={"status": row.status})
    opens = data.get("proposals_open_on", row.proposals_open_on)
    closes = data.get("proposals_close_on", row.proposals_close_on)
    if opens and closes and closes < opens:
        raise ValidationFailed(fields={"proposals_close_on": ["window_closes_before_it_opens"]})
    for key, value in data.items():
        setattr(row, key, value)
    uow.commit()
    return session_view(row, _sittings(uow.session, row.id), _agenda(uow.session, row.id))


def add_sitting(uow, school: str, session_id: int, data: dict) -> dict:
    """另定会期: a further sitting of a session (九届一次 sat on 3月31日, then again on 4月7日)."""
    row = load_session(uow.session, session_id)
    if row.status == "closed":
        raise Conflict("congress_session_closed")
    on = data["date"]
    if rules.school_year_of(on) != row.school_year:
        raise ValidationFailed(fields={"date": ["sitting_outside_school_year"]}, params={"school_year": row.school_year})
    if any(t.sitting_date == on for t in _sittings(uow.session, row.id)):
        raise Conflict("sitting_exists", fields={"date": ["sitting_exists"]})
    uow.session.add(Sitting(school=school, session_id=row.id, sitting_date=on, checkin_code=_code()))
    uow.session.flush()
    uow.commit()
    return session_view(row, _sittings(uow.session, row.id), _agenda(uow.session, row.id))


def add_agenda_item(uow, school: str, session_id: int, data: dict) -> dict:
    row = load_session(uow.session, session_id)
    if row.status == "closed":
        raise Conflict("congress_session_closed")
    position = (uow.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.session_id == row.id))
                or 0) + 1
    item = AgendaItem(school=school, session_id=row.id, position=position, title=data["title"], power=data["power"],
                      presenter=data.get("presenter"))
    uow.session.add(item)
    uow.session.flush()
    uow.commit()
    return agenda_view(item)


def convene(uow, session_id: int) -> dict:
    row = load_session(uow.session, session_id)
    if row.status != "planned":
        raise Conflict("congress_session_not_planned", params={"status": row.status})
    row.status, row.convened_at = "convened", utcnow()
    sittings = _sittings(uow.session, row.id)
    roll = roll_of(uow.session, row)
    uow.publish("congress.session_convened", {
        "session_id": row.id, "school": row.school, "term_no": row.term_no, "session_no": row.session_no,
        "label": rules.session_label(row.term_no, row.session_no), "mode": row.mode, "title": row.title,
        "central_topic": row.central_topic, "school_year": row.school_year,
        "sitting_dates": [t.sitting_date for t in sittings], "delegates": len(roll)})
    uow.commit()
    return session_view(row, sittings, _agenda(uow.session, row.id))


def close(uow, session_id: int) -> dict:
    from services.congress.orm import Poll
    row = load_session(uow.session, session_id)
    if row.status != "convened":
        raise Conflict("congress_session_not_convened", params={"status": row.status})
    if uow.session.scalar(select(func.count()).select_from(Poll).where(Poll.session_id == row.id,
                                                                         Poll.status == "open")):
        raise Conflict("congress_polls_still_open")
    row.status, row.closed_at = "closed", utcnow()
    uow.publish("congress.session_closed", {"session_id": row.id, "school": row.school,
                                            "label": rules.session_label(row.term_no, row.session_no),
                                            "school_year": row.school_year, "closed_on": today()})
    uow.commit()
    return session_view(row)


# --- the roll (全体代表) -------------------------------------------------------------------

def roll_of(session, congress_session: CongressSession) -> dict:
    """全体代表: member id -> constituency group, the base of quorum and majority. In an all-staff
    assembly (教职工大会) every in-service member is on the roll."""
    if congress_session.mode == "all_staff_assembly":
        rows = session.execute(select(DirectoryMember.member_id, DirectoryMember.union_group_id)
                               .where(DirectoryMember.status.in_(IN_SERVICE)))
    else:
        rows = session.execute(select(Delegate.member_id, Delegate.constituency_group_id)
                               .where(Delegate.term_no == congress_session.term_no, Delegate.status == "active"))
    return {m: g for m, g in rows}


# --- attendance (签到) --------------------------------------------------------------------

def load_sitting(session, congress_session: CongressSession, sitting_id: int) -> Sitting:
    sitting = session.get(Sitting, int(sitting_id))
    if sitting is None or sitting.session_id != congress_session.id:
        raise NotFound("sitting_not_found", params={"id": sitting_id})
    return sitting


def check_in(uow, school: str, session_id: int, sitting_id: int, data: dict, ctx) -> dict:
    row = load_session(uow.session, session_id)
    sitting = load_sitting(uow.session, row, sitting_id)
    if row.status == "closed":
        raise Conflict("congress_session_closed")
    if ctx.role in ("delegate", "member"):
        if ctx.member_id is None:
            raise Forbidden("member_account_required")
        if data.get("code") != sitting.checkin_code:
            raise ValidationFailed(fields={"code": ["checkin_code_wrong"]})
        member_id, method = ctx.member_id, "code"
    elif data.get("member_ids"):
        return _check_in_many(uow, school, row, sitting, data["member_ids"])
    else:
        if not data.get("member_id"):
            raise ValidationFailed(fields={"member_id": ["required"]})
        member_id, method = data["member_id"], "secretary"
    if member_id not in roll_of(uow.session, row):
        raise Forbidden("not_a_delegate")
    uow.session.add(Attendance(school=school, sitting_id=sitting.id, member_id=member_id, method=method))
    try:
        uow.session.flush()
    except IntegrityError:
        raise Conflict("already_checked_in")
    uow.commit()
    return attendance(uow.session, row.id, sitting.id)


def _check_in_many(uow, school, row, sitting, member_ids) -> dict:
    """The secretary checks in a list of delegates (a signed attendance sheet); those already in are skipped."""
    roll = roll_of(uow.session, row)
    if any(m not in roll for m in member_ids):
        raise ValidationFailed(fields={"member_ids": ["not_a_delegate"]})
    present = set(uow.session.scalars(select(Attendance.member_id).where(Attendance.sitting_id == sitting.id)))
    uow.session.add_all([Attendance(school=school, sitting_id=sitting.id, member_id=m, method="secretary")
                         for m in dict.fromkeys(member_ids) if m not in present])
    try:
        uow.session.flush()
        uow.commit()
    except IntegrityError:      # a delegate checked in by code meanwhile: the sheet is sent again
        raise Conflict("already_checked_in") from None
    return attendance(uow.session, row.id, sitting.id)


def present_count(session, sitting_id: int, roll: dict) -> int:
    present = session.scalars(select(Attendance.member_id).where(Attendance.sitting_id == sitting_id))
    return sum(1 for m in present if m in roll)


def attendance(session, session_id: int, sitting_id: int) -> dict:
    row = load_session(session, session_id)
    sitting = load_sitting(session, row, sitting_id)
    roll = roll_of(session, row)
    state = rules.quorum(present_count(session, sitting.id, roll), len(roll), rule_of(row.quorum_rule))
    return {"session_id": row.id, "sitting_id": sitting.id, "date": sitting.sitting_date.isoformat(), **state}


def sitting_code(session, session_id: int, sitting_id: int) -> dict:
    row = load_session(session, session_id)
    sitting = load_sitting(session, row, sitting_id)
    return {"sitting_id": sitting.id, "code": sitting.checkin_code}


def pending_audits(session) -> list[AuditItem]:
    return list(session.scalars(select(AuditItem).where(AuditItem.session_id.is_(None))))
