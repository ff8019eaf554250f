"""赛事: entrants (members or teams), draws (round robin per pool, knockout with byes), results,
standings and awards."""
from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select

from services.events.activities import directory_member, load_activity
from services.events.domain import tournament as t
from services.events.domain.tournament import TournamentError
from services.events.orm import Award, DirectoryGroup, Entrant, Match, Registration, Tournament
from services.events.paging import page
from shared.errors import Conflict, NotFound, ValidationFailed


def _err(exc: TournamentError, field: str | None = None):
    return Conflict(exc.code, fields={field: [exc.code]} if field else None, params=exc.params)


def load(session, tournament_id: int) -> Tournament:
    row = session.execute(select(Tournament).where(Tournament.id == tournament_id)).scalar_one_or_none()
    if row is None:
        raise NotFound("tournament_not_found", params={"id": tournament_id})
    return row


def tournament_view(row: Tournament) -> dict:
    return {"id": row.id, "title": row.title, "format": row.format, "unit": row.unit, "activity_id": row.activity_id,
            "points": {"win": row.points_win, "draw": row.points_draw, "loss": row.points_loss},
            "allow_draw": row.allow_draw, "status": row.status, "draw_seed": row.draw_seed}


def entrant_view(row: Entrant) -> dict:
    return {"id": row.id, "name": row.name, "member_id": row.member_id, "group_id": row.group_id, "pool": row.pool,
            "seed": row.seed, "roster": row.roster or []}


def match_view(row: Match, names: dict) -> dict:
    return {"id": row.id, "pool": row.pool, "round": row.round, "slot": row.slot, "a_id": row.a_id,
            "a_name": names.get(row.a_id), "b_id": row.b_id, "b_name": names.get(row.b_id),
            "score_a": row.score_a, "score_b": row.score_b, "winner_id": row.winner_id, "status": row.status}


def create(uow, school: str, data: dict) -> dict:
    if data.get("activity_id") is not None:
        load_activity(uow.session, data["activity_id"])
    row = Tournament(school=school, status="open", **data)
    uow.session.add(row)
    uow.commit()
    return tournament_view(row)


def _group_names(session) -> dict:
    return {g.group_id: g.name for g in session.execute(select(DirectoryGroup)).scalars()}


def add_entrants(uow, school: str, tournament_id: int, data: dict) -> dict:
    """参赛者: members (unit ``member``), or teams (unit ``team``: a union group's team, a school's
    in a friendly, with an optional roster of the school's members); or everyone registered for
    the tournament's activity, pooled by union group (预赛按工会小组). Every bad entrant is named
    at once and none is added."""
    session = uow.session
    tour = load(session, tournament_id)
    if tour.status != "open":
        raise Conflict("draw_already_made")
    current = _entrants(session, tournament_id)
    specs = list(data.get("entrants") or [])
    if data.get("from_activity"):
        if tour.activity_id is None or tour.unit != "member":
            raise ValidationFailed(fields={"from_activity": ["no_activity" if tour.activity_id is None
                                                             else "members_only"]})
        taken = {e.member_id for e in current}
        regs = session.execute(select(Registration).where(
            Registration.activity_id == tour.activity_id,
            Registration.status.in_(("registered", "attended"))).order_by(Registration.seq)).scalars()
        specs += [{"member_id": r.member_id} for r in regs if r.member_id not in taken]
    rows = _entrant_rows(session, school, tour, current, specs)
    session.add_all(rows)
    session.flush()
    uow.commit()
    return {"items": [entrant_view(e) for e in rows], "total": len(rows)}


def _entrant_rows(session, school: str, tour: Tournament, current: list, specs: list) -> list[Entrant]:
    groups = _group_names(session)
    members_taken = {e.member_id for e in current if e.member_id} | {
        m["member_id"] for e in current for m in (e.roster or [])}
    names_taken = {e.name for e in current}
    errors: dict = {}
    rows = []
    for i, spec in enumerate(specs):
        at = f"entrants.{i}"
        bad = errors.setdefault
        member, roster = None, []
        if tour.unit == "member":
            if spec.get("member_id") is None:
                bad(f"{at}.member_id", []).append("required")
            if spec.get("member_ids"):
                bad(f"{at}.member_ids", []).append("members_only")
        elif spec.get("member_id") is not None:
            bad(f"{at}.member_id", []).append("teams_only")
        if spec.get("member_id") is not None:
            member = _member_or_error(session, spec["member_id"], f"{at}.member_id", errors)
        for k, member_id in enumerate(spec.get("member_ids") or []):
            player = _member_or_error(session, member_id, f"{at}.member_ids.{k}", errors)
            if player is not None:
                roster.append({"member_id": player.member_id, "name": player.name})
        group_id = spec.get("group_id")
        if group_id is not None and group_id not in groups:
            bad(f"{at}.group_id", []).append("no_such_union_group")
        if group_id is None and member is not None:
            group_id = member.union_group_id
        for k, player_id in enumerate([member.member_id] if member else [p["member_id"] for p in roster]):
            if player_id in members_taken:
                bad(f"{at}.member_id" if member else f"{at}.member_ids.{k}", []).append("already_entered")
            members_taken.add(player_id)
        name = spec.get("name") or (member.name if member else groups.get(group_id))
        if not name and spec.get("member_id") is None:
            bad(f"{at}.name", []).append("required")
        elif name in names_taken and member is None:
            bad(f"{at}.name", []).append("already_entered")
        names_taken.add(name)
        pool = spec.get("pool") or (groups.get(group_id, "") if tour.format == "round_robin" and tour.unit == "member"
                                    else "")
        rows.append(Entrant(school=school, tournament_id=tour.id, name=name or "", group_id=group_id,
                            member_id=member.member_id if member else None, pool=pool, seed=spec.get("seed"),
                            roster=roster or None))
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        codes = {c for v in errors.values() for c in v}
        if codes == {"already_entered"}:
            raise Conflict("already_entered", fields=errors)
        raise ValidationFailed(codes.pop() if len(codes) == 1 else None, fields=errors)
    return rows


def _member_or_error(session, member_id: int, field: str, errors: dict):
    try:
        return directory_member(session, member_id, field)
    except ValidationFailed as exc:
        for key, codes in exc.fields.items():
            errors.setdefault(key, []).extend(codes)
        return None


def _entrants(session, tournament_id: int) -> list[Entrant]:
    return list(session.execute(select(Entrant).where(Entrant.tournament_id == tournament_id)
                                .order_by(Entrant.id)).scalars())


def _matches(session, tournament_id: int) -> list[Match]:
    return list(session.execute(select(Match).where(Match.tournament_id == tournament_id)
                                .order_by(Match.pool, Match.round, Match.slot)).scalars())


def qualifiers(session, prelim: Tournament, per_pool: int) -> list[tuple]:
    """(name, member_id, group_id) of the top ``per_pool`` of each prelim pool, in seed order:
    every pool winner before any runner-up."""
    tables = standings_tables(session, prelim)
    out = []
    for place in range(per_pool):
        for pool in tables:
            if place < len(pool["rows"]):
                r = pool["rows"][place]
                out.append((r["name"], r["member_id"], r["group_id"]))
    return out


def make_draw(uow, school: str, tournament_id: int, data: dict) -> dict:
    session = uow.session
    tour = load(session, tournament_id)
    if tour.status != "open":
        raise Conflict("draw_already_made")
    if data.get("from_tournament_id"):
        prelim = load(session, data["from_tournament_id"])
        if any(m.status == "scheduled" for m in _matches(session, prelim.id)):
            raise Conflict("prelims_not_finished")
        for i, (name, member_id, group_id) in enumerate(qualifiers(session, prelim, data["qualifiers_per_pool"])):
            session.add(Entrant(school=school, tournament_id=tour.id, name=name, member_id=member_id,
                                group_id=group_id, pool="", seed=i + 1))
        session.flush()
    entrants = _entrants(session, tour.id)
    if len(entrants) < 2:
        raise _err(TournamentError("too_few_entrants", minimum=2))
    tour.draw_seed = data.get("draw_seed") or secrets.randbelow(2 ** 31 - 1) + 1
    seeds = {e.id: e.seed for e in entrants}
    if tour.format == "round_robin":
        pools: dict[str, list] = {}
        for e in entrants:
            pools.setdefault(e.pool, []).append(e.id)
        for pool, ids in sorted(pools.items()):
            for rnd, pairs in enumerate(t.round_robin(t.draw_order(ids, seeds, tour.draw_seed)), start=1):
                for slot, (a, b) in enumerate(pairs, start=1):
                    session.add(Match(school=school, tournament_id=tour.id, pool=pool, round=rnd, slot=slot,
                                      a_id=a, b_id=b, status="scheduled"))
    else:
        _knockout(session, school, tour, t.draw_order([e.id for e in entrants], seeds, tour.draw_seed))
    tour.status = "drawn"
    session.flush()
    uow.commit()
    return draw_view(session, tour)


def _knockout(session, school: str, tour: Tournament, seeded_ids: list[int]) -> None:
    first = t.knockout_first_round(seeded_ids)
    rounds = t.knockout_rounds(len(seeded_ids))
    by_round: dict[int, list[Match]] = {}
    for rnd in range(rounds, 0, -1):          # final first, so every match knows where its winner goes
        count = 2 ** (rounds - rnd)
        for slot in range(1, count + 1):
            nxt = by_round.get(rnd + 1, [None] * ((count + 1) // 2))[(slot - 1) // 2] if rnd < rounds else None
            m = Match(school=school, tournament_id=tour.id, pool="", round=rnd, slot=slot, status="pending",
                      next_match_id=nxt.id if nxt else None, next_side=("a" if slot % 2 else "b") if nxt else None)
            session.add(m)
            session.flush()
            by_round.setdefault(rnd, []).append(m)
    for m, (a, b) in zip(by_round[1], first):
        m.a_id, m.b_id, m.status = a, b, "scheduled"
    session.flush()
    for m in by_round[1]:
        if (m.a_id is None) != (m.b_id is None):    # a bye: the seed walks over
            _finish(session, m, m.a_id or m.b_id, "walkover")


def _finish(session, match: Match, winner_id: int, status: str = "played") -> None:
    match.winner_id, match.status = winner_id, status
    if match.next_match_id:
        nxt = session.execute(select(Match).where(Match.id == match.next_match_id)).scalar_one()
        setattr(nxt, f"{match.next_side}_id", winner_id)
        if nxt.a_id is not None and nxt.b_id is not None:
            nxt.status = "scheduled"


def record_result(uow, tournament_id: int, match_id: int, data: dict) -> dict:
    session = uow.session
    tour = load(session, tournament_id)
    match = session.execute(select(Match).where(Match.id == match_id, Match.tournament_id == tournament_id)
                            ).scalar_one_or_none()
    if match is None:
        raise NotFound("match_not_in_draw", params={"id": match_id})
    if match.status != "scheduled":
        raise Conflict("match_not_playable", params={"status": match.status})
    try:
        side = t.winner(data["score_a"], data["score_b"], tour.allow_draw and tour.format == "round_robin")
    except TournamentError as exc:
        raise _err(exc, "score_b") from None
    match.score_a, match.score_b = data["score_a"], data["score_b"]
    winner_id = {"a": match.a_id, "b": match.b_id}.get(side)
    if tour.format == "knockout":
        _finish(session, match, winner_id)
    else:
        match.winner_id, match.status = winner_id, "played"
    if all(m.status in ("played", "walkover") for m in _matches(session, tournament_id)):
        tour.status = "finished"
    uow.commit()
    names = {e.id: e.name for e in _entrants(session, tournament_id)}
    return match_view(match, names)


def draw_view(session, tour: Tournament) -> dict:
    names = {e.id: e.name for e in _entrants(session, tour.id)}
    return {**tournament_view(tour), "matches": [match_view(m, names) for m in _matches(session, tour.id)]}


def get(session, tournament_id: int) -> dict:
    tour = load(session, tournament_id)
    return {**draw_view(session, tour), "entrants": [entrant_view(e) for e in _entrants(session, tournament_id)]}


def standings_tables(session, tour: Tournament) -> list[dict]:
    entrants = _entrants(session, tour.id)
    by_id = {e.id: e for e in entrants}
    points = t.Points(tour.points_win, tour.points_draw, tour.points_loss)
    pools: dict[str, list] = {}
    for e in entrants:
        pools.setdefault(e.pool, []).append(e.id)
    results: dict[str, list] = {}
    for m in _matches(session, tour.id):
        if m.status == "played" and m.a_id and m.b_id:
            results.setdefault(m.pool, []).append((m.a_id, m.b_id, m.score_a, m.score_b))
    out = []
    for pool, ids in sorted(pools.items()):
        rows = t.standings(ids, results.get(pool, []), points)
        out.append({"pool": pool, "rows": [{"rank": r.rank, "entrant_id": r.entrant, "name": by_id[r.entrant].name,
                                            "member_id": by_id[r.entrant].member_id,
                                            "group_id": by_id[r.entrant].group_id, "played": r.played,
                                            "won": r.won, "drawn": r.drawn, "lost": r.lost,
                                            "score_for": r.score_for, "score_against": r.score_against,
                                            "points": r.points} for r in rows]})
    return out


def standings(session, tournament_id: int) -> dict:
    tour = load(session, tournament_id)
    if tour.format == "knockout":
        names = {e.id: e.name for e in _entrants(session, tournament_id)}
        matches = _matches(session, tournament_id)
        rounds = max((m.round for m in matches), default=0)
        decided = [(m.round, m.a_id, m.b_id, m.winner_id) for m in matches if m.status in ("played", "walkover")]
        placing = [{"rank": rank, "entrant_id": e, "name": names.get(e)}
                   for e, rank in t.knockout_placing(decided, rounds)]
        return {**tournament_view(tour), "placing": placing}
    return {**tournament_view(tour), "pools": standings_tables(session, tour)}


def give_award(uow, school: str, tournament_id: int, data: dict, today: date) -> dict:
    session = uow.session
    load(session, tournament_id)
    name, member_id = data.get("name"), data.get("member_id")
    if data.get("entrant_id") is not None:
        entrant = session.execute(select(Entrant).where(Entrant.id == data["entrant_id"],
                                                        Entrant.tournament_id == tournament_id)).scalar_one_or_none()
        if entrant is None:
            raise ValidationFailed(fields={"entrant_id": ["entrant_not_found"]})
        name, member_id = entrant.name, entrant.member_id
    elif member_id is not None:
        name = directory_member(session, member_id).name
    if not name:
        raise ValidationFailed(fields={"name": ["required"]})
    row = Award(school=school, tournament_id=tournament_id, title=data["title"], rank=data.get("rank"),
                entrant_id=data.get("entrant_id"), member_id=member_id, name=name, awarded_on=today)
    session.add(row)
    uow.commit()
    return {"id": row.id, "tournament_id": tournament_id, "title": row.title, "rank": row.rank, "name": row.name,
            "member_id": row.member_id, "awarded_on": today.isoformat()}


def list_tournaments(session, query: dict | None = None) -> dict:
    return page(session, select(Tournament).order_by(Tournament.id.desc()), query, tournament_view)


def give_activity_award(uow, school: str, activity_id: int, data: dict, today: date) -> dict:
    """评选/表彰 of an activity (a speech contest's first prize, the "168" best-caring teacher ...):
    to a member of the school or a named collective."""
    session = uow.session
    load_activity(session, activity_id)
    if data.get("entrant_id") is not None:
        raise ValidationFailed(fields={"entrant_id": ["unknown_field"]})
    name, member_id = data.get("name"), data.get("member_id")
    if member_id is not None:
        name = directory_member(session, member_id).name
    if not name:
        raise ValidationFailed(fields={"name": ["required"]})
    row = Award(school=school, activity_id=activity_id, title=data["title"], rank=data.get("rank"),
                member_id=member_id, name=name, awarded_on=today)
    session.add(row)
    uow.commit()
    return {"id": row.id, "activity_id": activity_id, "title": row.title, "rank": row.rank, "name": row.name,
            "member_id": row.member_id, "awarded_on": today.isoformat()}


def list_awards(session, query: dict | None = None) -> dict:
    query = query or {}
    stmt = select(Award).order_by(Award.awarded_on, Award.id)
    if query.get("year"):
        year = query["year"]
        stmt = stmt.where(Award.awarded_on >= date(year, 1, 1), Award.awarded_on <= date(year, 12, 31))
    return page(session, stmt, query, lambda r: {
        "id": r.id, "title": r.title, "rank": r.rank, "name": r.name, "member_id": r.member_id,
        "tournament_id": r.tournament_id, "activity_id": r.activity_id, "awarded_on": r.awarded_on.isoformat()})
