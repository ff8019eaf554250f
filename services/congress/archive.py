"""教代会档案 (DOMAIN.md C30, →district): a school year's congress files compiled from the records
themselves (the sessions with their votes, resolutions and proposal rates, the meetings and
delegate training, the school-affairs disclosure and the suggestion box), and submitted to the
district for the bureau's evaluation. What is still missing is listed before anyone submits; a
school year without a session held cannot be submitted. The submitted contents are kept as they
were; submitting again makes a new revision."""
from __future__ import annotations

from sqlalchemy import func, select

from services.congress import meetings as meetings_
from services.congress.district import HELD, poll_counts
from services.congress.common import iso, today
from services.congress.domain import rules
from services.congress.orm import (ArchiveFiling, CongressSession, KnownSchool, Meeting, Notice, Poll, Resolution,
                                   Sitting, Suggestion)
from services.congress.proposals import _rates
from shared.errors import Conflict

MISSING_LABELS = {"no_session_this_school_year": "本学年尚未召开教代会", "no_delegate_training": "本学年未开展代表培训",
                  "replies_outstanding": "仍有提案未答复", "disclosure_months_missing": "有月份未进行校务公开"}


def compile_archive(session, school: str, school_year: int | None) -> dict:
    """档案目录: everything the union's records hold for the school year (学年, September to August;
    default: the current one)."""
    school_year = school_year or rules.school_year_of(today())
    start, end = rules.school_year_bounds(school_year)
    sessions = []
    for s in session.scalars(select(CongressSession).where(CongressSession.school_year == school_year)
                             .order_by(CongressSession.term_no, CongressSession.session_no)):
        polls = list(session.scalars(select(Poll).where(Poll.session_id == s.id, Poll.status == "closed")))
        sessions.append({
            "session_id": s.id, "label": rules.session_label(s.term_no, s.session_no), "title": s.title,
            "mode": s.mode, "status": s.status, "held": s.status in HELD, "central_topic": s.central_topic,
            "sittings": [iso(d) for (d,) in session.execute(select(Sitting.sitting_date)
                                                            .where(Sitting.session_id == s.id)
                                                            .order_by(Sitting.sitting_date))],
            **poll_counts(polls),
            "resolutions": session.scalar(select(func.count()).select_from(Resolution)
                                          .where(Resolution.session_id == s.id)) or 0,
            "proposals": _rates(session, [s.id])})
    meetings = [{"meeting_id": m.id, "kind": m.kind, "kind_label": meetings_.label(m.kind), "title": m.title,
                 "held_on": iso(m.held_on), "headcount": m.headcount}
                for m in session.scalars(select(Meeting).where(Meeting.held_on >= start, Meeting.held_on <= end)
                                         .order_by(Meeting.held_on, Meeting.id))]
    months = {}
    for (month,) in session.execute(select(Notice.month).where(Notice.published_on >= start,
                                                                 Notice.published_on <= end)):
        months[month] = months.get(month, 0) + 1
    suggestions = list(session.execute(select(Suggestion.replied_on).where(Suggestion.submitted_on >= start,
                                                                            Suggestion.submitted_on <= end)))
    held = [s for s in sessions if s["held"]]
    owed = sum(s["proposals"]["proposals"] - s["proposals"]["replied"] for s in held)
    missing = []
    if not held:
        missing.append("no_session_this_school_year")
    if not any(m["kind"] == meetings_.TRAINING for m in meetings):
        missing.append("no_delegate_training")
    if owed:
        missing.append("replies_outstanding")
    # 每月一公开 over the school year's two calendar years; the month in progress is not late yet
    gaps = [m for y in (school_year, school_year + 1) for m in rules.disclosure_gaps(set(months), y, today())
            if f"{start:%Y-%m}" <= m <= f"{end:%Y-%m}"]
    if gaps:
        missing.append("disclosure_months_missing")
    return {"school": school, "school_year": school_year, "label": f"{school_year}—{school_year + 1}学年",
            "sessions": sessions, "meetings": meetings,
            "disclosures": {"notices": sum(months.values()), "months": dict(sorted(months.items())),
                            "months_missing": gaps},
            "suggestions": {"received": len(suggestions), "replied": sum(1 for (r,) in suggestions if r)},
            "missing": missing, "missing_labels": [MISSING_LABELS[m] for m in missing], "ready": bool(held)}


def filing_view(f: ArchiveFiling, *, contents: bool = True) -> dict:
    out = {"id": f.id, "school": f.school, "school_year": f.school_year, "revision": f.revision,
           "submitted_on": iso(f.submitted_on), "missing": list(f.contents.get("missing", []))}
    if contents:
        out["contents"] = f.contents
    return out


def submit(uow, school: str, school_year: int) -> dict:
    """报送教代会档案: compile now and file with the district (a new revision when filed before)."""
    session = uow.session
    contents = compile_archive(session, school, school_year)
    if not contents["ready"]:
        raise Conflict("no_session_this_school_year", params={"school_year": school_year})
    row = session.scalar(select(ArchiveFiling).where(ArchiveFiling.school_year == school_year))
    if row is None:
        row = ArchiveFiling(school=school, school_year=school_year, revision=1, submitted_on=today(),
                            actor=uow.context.actor, contents=contents)
        session.add(row)
    else:
        row.revision, row.submitted_on, row.actor, row.contents = row.revision + 1, today(), uow.context.actor, contents
    session.flush()
    uow.publish("congress.archive_submitted", {
        "filing_id": row.id, "school": school, "school_year": school_year, "revision": row.revision,
        "sessions": sum(1 for s in contents["sessions"] if s["held"]), "meetings": len(contents["meetings"]),
        "notices": contents["disclosures"]["notices"], "missing": contents["missing"],
        "submitted_on": row.submitted_on})
    uow.commit()
    return filing_view(row)


def district_view(session, school_year: int | None, school: str | None) -> dict:
    """区教育工会: who submitted the year's congress archive (and what it still lacked); with
    ``school``, that school's filed contents too."""
    year = school_year or rules.school_year_of(today())
    stmt = select(ArchiveFiling).where(ArchiveFiling.school_year == year)
    if school:
        stmt = stmt.where(ArchiveFiling.school == school)
    filed = {f.school: f for f in session.scalars(stmt)}
    known = [k.code for k in session.scalars(select(KnownSchool).where(KnownSchool.active.is_(True)))]
    codes = [school] if school else sorted(set(known) | set(filed))
    items = [filing_view(filed[c], contents=bool(school)) if c in filed
             else {"school": c, "school_year": year, "revision": 0, "submitted_on": None, "missing": None}
             for c in codes]
    not_submitted = [c for c in codes if c not in filed]
    return {"school_year": year, "items": items, "not_submitted": not_submitted, "warning": bool(not_submitted)}
