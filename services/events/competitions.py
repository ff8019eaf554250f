"""区级比赛 (district competitions): the district creates one; schools enter teams and athletes
from their own members; the district records results and ranks the schools."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.events.activities import directory_member
from services.events.domain.competition import school_table
from services.events.orm import Competition, CompetitionEntry
from services.events.paging import page
from shared.errors import Conflict, NotFound, ValidationFailed


def competition_view(row: Competition) -> dict:
    return {"id": row.id, "title": row.title, "kind": row.kind, "year": row.year,
            "held_on": row.held_on.isoformat() if row.held_on else None, "place": row.place,
            "entries_close_on": row.entries_close_on.isoformat() if row.entries_close_on else None,
            "max_athletes": row.max_athletes, "status": row.status}


def entry_view(row: CompetitionEntry) -> dict:
    return {"id": row.id, "competition_id": row.competition_id, "school": row.school, "team_name": row.team_name,
            "athletes": row.athletes, "rank": row.rank, "score": str(row.score) if row.score is not None else None,
            "award": row.award}


def load(session, competition_id: int) -> Competition:
    row = session.get(Competition, competition_id)
    if row is None:
        raise NotFound("competition_not_found", params={"id": competition_id})
    return row


def create(uow, data: dict) -> dict:
    row = Competition(status="open", **data)
    uow.session.add(row)
    uow.session.flush()
    uow.publish("events.competition_announced", {"competition_id": row.id, "title": row.title, "kind": row.kind,
                                                 "year": row.year, "held_on": row.held_on,
                                                 "entries_close_on": row.entries_close_on}, school=None)
    uow.commit()
    return competition_view(row)


def list_competitions(session, query: dict) -> dict:
    stmt = select(Competition).order_by(Competition.year.desc(), Competition.id)
    if query.get("year"):
        stmt = stmt.where(Competition.year == query["year"])
    return page(session, stmt, query, competition_view)


def enter(uow, school: str, competition_id: int, data: dict, today: date) -> dict:
    """A school's team: its athletes must be live members of that school."""
    session = uow.session
    comp = load(session, competition_id)
    if comp.status != "open" or (comp.entries_close_on and today > comp.entries_close_on):
        raise Conflict("entries_closed")
    ids = data["athlete_ids"]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(fields={"athlete_ids": ["duplicate_athlete"]})
    if comp.max_athletes and len(ids) > comp.max_athletes:
        raise ValidationFailed(fields={"athlete_ids": ["too_many_athletes"]}, params={"max": comp.max_athletes})
    athletes = []
    for i, member_id in enumerate(ids):
        m = directory_member(session, member_id, f"athlete_ids.{i}")
        athletes.append({"member_id": m.member_id, "name": m.name})
    row = CompetitionEntry(school=school, competition_id=competition_id, team_name=data["team_name"],
                           athletes=athletes)
    session.add(row)
    try:
        uow.commit()
    except IntegrityError:
        raise Conflict("team_already_entered", fields={"team_name": ["team_already_entered"]}) from None
    return entry_view(row)


def school_entries(session, competition_id: int, query: dict | None = None) -> dict:
    load(session, competition_id)
    return page(session, select(CompetitionEntry).where(CompetitionEntry.competition_id == competition_id)
                .order_by(CompetitionEntry.id), query, entry_view)


def record_results(uow, competition_id: int, data: dict) -> dict:
    """成绩与名次: each listed entry's rank, score and award; an entry of another competition (or
    one named twice) is refused with the others, and nothing is recorded."""
    session = uow.session
    comp = load(session, competition_id)
    entries = {e.id: e for e in session.execute(select(CompetitionEntry).where(
        CompetitionEntry.competition_id == competition_id)).scalars()}
    errors, seen = {}, set()
    for i, result in enumerate(data["results"]):
        if result["entry_id"] not in entries:
            errors[f"results.{i}.entry_id"] = ["entry_not_found"]
        elif result["entry_id"] in seen:
            errors[f"results.{i}.entry_id"] = ["duplicate_entry"]
        seen.add(result["entry_id"])
    if errors:
        raise ValidationFailed(fields=errors)
    for result in data["results"]:
        e = entries[result["entry_id"]]
        for key in ("rank", "score", "award"):
            if key in result:
                setattr(e, key, result[key])
    comp.status = "finished"
    uow.commit()
    return rankings(session, competition_id)


def rankings(session, competition_id: int) -> dict:
    """各校成绩排名: the entries by rank, and the schools by their best rank, then by how many
    prizes and how much score their teams took."""
    comp = load(session, competition_id)
    rows = session.execute(select(CompetitionEntry).where(
        CompetitionEntry.competition_id == competition_id)).scalars().all()
    ranked = sorted(rows, key=lambda e: (e.rank is None, e.rank or 0, e.school, e.team_name))
    return {**competition_view(comp), "entries": [entry_view(e) for e in ranked],
            "schools": school_table([(e.school, e.rank, e.award, e.score) for e in rows])}


def published_rankings(session, competition_id: int) -> dict:
    """名次公布 for the schools: once the district has recorded the results, every school sees the
    ranking across schools (teams, ranks and awards; the athletes only of its own teams)."""
    comp = load(session, competition_id)
    if comp.status != "finished":
        raise Conflict("results_not_published")
    return rankings(session, competition_id)


def without_other_athletes(ranking: dict, school: str) -> dict:
    return {**ranking, "entries": [e if e["school"] == school else {**e, "athletes": []} for e in ranking["entries"]]}
