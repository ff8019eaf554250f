"""District views (区教育工会): schools without a session this school year, proposal rates by
school, disclosures filed; and each school's figures for the year-end summary (工作总结)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services.congress import disclosure, meetings
from services.congress.common import today
from services.congress.delegates import current_term
from services.congress.domain import rules
from services.congress.orm import (CongressSession, Delegate, KnownSchool, Notice, Poll, Proposal, Resolution)
from services.congress.proposals import rates_by_school, _rates

HELD = ("convened", "closed")


def overview(session, school_year: int | None) -> dict:
    year = school_year or rules.school_year_of(today())
    held, planned = {}, {}
    for s in session.scalars(select(CongressSession).where(CongressSession.school_year == year)):
        (held if s.status in HELD else planned).setdefault(s.school, []).append(rules.session_label(s.term_no,
                                                                                                     s.session_no))
    schools = list(session.scalars(select(KnownSchool).where(KnownSchool.active.is_(True))
                                   .order_by(KnownSchool.code)))
    missing = [{"school": k.code, "name": k.name, "planned": planned.get(k.code, [])}
               for k in schools if k.code not in held]
    return {"school_year": year, "schools": len(schools), "with_session": len(held),
            "without_session": missing, "warning": bool(missing)}


def proposal_rates(session, school_year: int | None) -> dict:
    """答复率 and 落实率 by school; a school without a session that year is listed with none."""
    year = school_year or rules.school_year_of(today())
    items = {i["school"]: i for i in rates_by_school(session, year)}
    for k in session.scalars(select(KnownSchool).where(KnownSchool.active.is_(True))):
        items.setdefault(k.code, {"school": k.code, "sessions": 0, **rules.proposal_rates([], [])})
    return {"school_year": year, "items": [items[code] for code in sorted(items)]}


def disclosures(session, year: int | None) -> dict:
    year = year or today().year
    rows = session.execute(select(Notice.school, Notice.month, func.count()).where(Notice.month.like(f"{year}-%"))
                           .group_by(Notice.school, Notice.month))
    by_school: dict = {}
    for school, month, n in rows:
        by_school.setdefault(school, {})[month] = n
    known = [k.code for k in session.scalars(select(KnownSchool).where(KnownSchool.active.is_(True)))]
    items = []
    for code in sorted(set(known) | set(by_school)):
        months = by_school.get(code, {})
        items.append({"school": code, "filed": sum(months.values()), "months": months,
                      "missing": rules.disclosure_gaps(set(months), year, today()),
                      "pending": rules.disclosure_pending(set(months), year, today())})
    return {"year": year, "items": items}


def filings(session, query: dict) -> dict:
    """备案: every notice the schools filed with the district when they published it."""
    return disclosure.notices(session, query)


def poll_counts(polls) -> dict:
    """Closed polls counted by kind, with the motions adopted (the summary's and the archive's figures)."""
    motions = [p for p in polls if p.kind == "motion"]
    return {"motions": len(motions), "motions_adopted": sum(1 for p in motions if p.result and p.result.get("adopted")),
            "elections": sum(1 for p in polls if p.kind == "election"),
            "evaluations": sum(1 for p in polls if p.kind == "evaluation")}


def annual_summary(session, school: str, year: int) -> dict:
    """教代会 figures of a calendar year for the year-end summary."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    sessions = [s for s in session.scalars(select(CongressSession).where(CongressSession.status.in_(HELD)))
                if s.convened_at and start <= s.convened_at.date() <= end]
    ids = [s.id for s in sessions]
    polls = list(session.scalars(select(Poll).where(Poll.session_id.in_(ids), Poll.status == "closed"))) if ids else []
    notices = session.scalar(select(func.count()).select_from(Notice).where(Notice.month.like(f"{year}-%"))) or 0
    months = {m for (m,) in session.execute(select(Notice.month).where(Notice.month.like(f"{year}-%")))}
    return {
        "school": school, "year": year,
        "sessions": [{"label": rules.session_label(s.term_no, s.session_no), "title": s.title,
                      "central_topic": s.central_topic, "convened_on": s.convened_at.date().isoformat()}
                     for s in sessions],
        "delegates": session.scalar(select(func.count()).select_from(Delegate).where(
            Delegate.status == "active", Delegate.term_no == current_term(session))) or 0,
        **poll_counts(polls),
        "resolutions": session.scalar(select(func.count()).select_from(Resolution)
                                      .where(Resolution.session_id.in_(ids))) if ids else 0,
        "proposals": _rates(session, ids) if ids else _rates(session, []),
        "disclosures": notices, "disclosure_months_missing": rules.disclosure_gaps(months, year, today()),
        "meetings": meetings.by_kind(session, year),
    }


def open_proposals_by_school(session):
    rows = session.execute(select(Proposal.school, func.count()).where(
        Proposal.status.in_(("submitted", "registered", "assigned", "reopened"))).group_by(Proposal.school))
    return list(rows)
