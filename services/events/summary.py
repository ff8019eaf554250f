"""年度工作总结 (the year-end summary): every plugin that declares ``annual_summary`` answers
``annual_summary(school, year)`` by RPC; the events service gathers the answers into one document
(JSON; ``summary_document`` writes it as a Word document). A service that is missing, slow or
failing shows as missing; it never breaks the summary."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from services.events.domain import registration as rules
from services.events.orm import Activity, Award, CompetitionEntry, Competition, PlanItem, Registration, Tournament, WorkPlan
from services.events.labels import KIND_LABELS

SECTION_TITLES = {
    "membership": "组织建设与会员", "congress": "民主管理（教代会）", "welfare": "关心职工生活（福利与慰问）",
    "events": "文体活动与工作计划", "finance": "经费收支与审查",
}


def own_summary(session, school: str, year: int) -> dict:
    """The events service's own figures: activities by kind, participation, tournaments, awards,
    district competition entries and ranks, and the work plan's completion."""
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    in_year = (Activity.starts_at >= start, Activity.starts_at < end, Activity.status != "cancelled")
    by_kind = dict(session.execute(select(Activity.kind, func.count()).where(*in_year).group_by(Activity.kind)).all())
    attended = session.execute(select(func.count()).select_from(Registration).join(
        Activity, Activity.id == Registration.activity_id).where(*in_year, Registration.status == "attended")).scalar_one()
    no_show = session.execute(select(func.count()).select_from(Registration).join(
        Activity, Activity.id == Registration.activity_id).where(*in_year, Registration.status == "no_show")).scalar_one()
    participants = session.execute(select(func.count(func.distinct(Registration.member_id))).select_from(Registration)
                                   .join(Activity, Activity.id == Registration.activity_id)
                                   .where(*in_year, Registration.status == "attended")).scalar_one()
    from services.events.orm import DirectoryMember
    members = session.execute(select(func.count()).where(DirectoryMember.status == "active")).scalar_one()
    tournaments = session.execute(select(func.count()).select_from(Tournament).where(
        Tournament.created_at >= start, Tournament.created_at < end)).scalar_one()
    awards = [{"title": a.title, "name": a.name, "rank": a.rank} for a in session.execute(
        select(Award).where(Award.awarded_on >= start.date(), Award.awarded_on < end.date())).scalars()]
    district = [{"competition": c.title, "team": e.team_name, "rank": e.rank, "award": e.award} for e, c in
                session.execute(select(CompetitionEntry, Competition).join(
                    Competition, Competition.id == CompetitionEntry.competition_id).where(Competition.year == year)).all()]
    plan = session.execute(select(WorkPlan).where(WorkPlan.year == year)).scalar_one_or_none()
    items = list(session.execute(select(PlanItem).where(PlanItem.plan_id == plan.id)).scalars()) if plan else []
    activities = [{"title": a.title, "kind": a.kind, "date": a.starts_at.date().isoformat()} for a in session.execute(
        select(Activity).where(*in_year).order_by(Activity.starts_at)).scalars()]
    return {"school": school, "year": year, "items": {
        "activities": sum(by_kind.values()), "participants": participants,
        "participation_rate": rules.rate(participants, members), "attended": attended,
        "attendance_rate": rules.rate(attended, attended + no_show), "tournaments": tournaments,
        "awards": len(awards), "district_entries": len(district), "plan_items": len(items),
        "plan_items_done": sum(1 for i in items if i.status == "done")},
        "activities_by_kind": {KIND_LABELS.get(k, (k,))[0]: n for k, n in sorted(by_kind.items())},
        "activities": activities, "award_list": awards, "district_competitions": district,
        "plan_not_done": [{"month": i.month, "title": i.title} for i in items if i.status not in ("done", "cancelled")]}


def assemble(school: str, year: int, answers: dict, school_name: str | None = None) -> dict:
    """``answers``: plugin name -> its summary dict, or an exception / None when it did not answer."""
    sections, missing = [], []
    order = list(SECTION_TITLES)      # the order of the seeds' summaries: organisation first, funds last
    for name in sorted(answers, key=lambda n: (order.index(n) if n in order else len(order), n)):
        answer = answers[name]
        if isinstance(answer, dict):
            sections.append({"service": name, "title": SECTION_TITLES.get(name, name), "status": "ok", "data": answer})
        else:
            reason = type(answer).__name__ if isinstance(answer, BaseException) else "no_answer"
            missing.append(name)
            sections.append({"service": name, "title": SECTION_TITLES.get(name, name), "status": "missing",
                             "reason": reason})
    return {"school": school, "school_name": school_name or school, "year": year,
            "title": f"{year}年度工会工作总结", "sections": sections, "missing": missing}
