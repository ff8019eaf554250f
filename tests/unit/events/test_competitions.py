"""区级比赛: the district creates one, schools enter teams of their own members, the district
records results, and the schools are ranked across the district."""
from datetime import date

import pytest

from services.events import competitions
from services.events.domain.competition import school_table
from shared.errors import Conflict, ValidationFailed

from .conftest import SCHOOL

TODAY = date(2026, 9, 1)


@pytest.fixture
def comp(db):
    for i in range(1, 5):
        db.member(i, f"甲校{i}")
        db.member(10 + i, f"乙校{i}", school="S2")
    with db.uow(district=True, role="district_admin") as uow:
        return competitions.create(uow, {"title": "全区教职工乒乓球赛", "kind": "sport", "year": 2026,
                                         "entries_close_on": date(2026, 9, 10), "max_athletes": 3})["id"]


def enter(db, comp, school, team, ids, today=TODAY):
    with db.uow(school) as uow:
        return competitions.enter(uow, school, comp, {"team_name": team, "athlete_ids": ids}, today)


def results(db, comp, rows):
    with db.uow(district=True, role="district_admin") as uow:
        return competitions.record_results(uow, comp, {"results": rows})


def test_schools_enter_teams_of_their_own_members_within_the_rules(db, comp):
    entry = enter(db, comp, SCHOOL, "甲校一队", [1, 2])
    assert [a["name"] for a in entry["athletes"]] == ["甲校1", "甲校2"] and entry["school"] == SCHOOL
    for ids, fields in (([1, 11], {"athlete_ids.1": ["member_not_in_school"]}),
                        ([3, 3], {"athlete_ids": ["duplicate_athlete"]}),
                        ([1, 2, 3, 4], {"athlete_ids": ["too_many_athletes"]})):
        with pytest.raises(ValidationFailed) as exc:
            enter(db, comp, SCHOOL, "甲校二队", ids)
        assert exc.value.fields == fields
    with pytest.raises(Conflict) as exc:
        enter(db, comp, SCHOOL, "甲校一队", [3])
    assert exc.value.code == "team_already_entered"
    with pytest.raises(Conflict) as exc:
        enter(db, comp, SCHOOL, "迟到队", [3], today=date(2026, 9, 11))
    assert exc.value.code == "entries_closed"
    with db.read() as s:
        assert [e["team_name"] for e in competitions.school_entries(s, comp)["items"]] == ["甲校一队"]


def test_results_rank_the_schools_and_every_school_sees_them_once_published(db, comp):
    a1 = enter(db, comp, SCHOOL, "甲校一队", [1, 2])
    a2 = enter(db, comp, SCHOOL, "甲校二队", [3])
    b1 = enter(db, comp, "S2", "乙校队", [11, 12])
    with db.sessions(None) as s, pytest.raises(Conflict) as exc:
        competitions.published_rankings(s, comp)
    assert exc.value.code == "results_not_published"
    ranking = results(db, comp, [{"entry_id": b1["id"], "rank": 1, "award": "一等奖", "score": "9.50"},
                                 {"entry_id": a1["id"], "rank": 2, "award": "二等奖"},
                                 {"entry_id": a2["id"], "rank": 5}])
    assert [e["team_name"] for e in ranking["entries"]] == ["乙校队", "甲校一队", "甲校二队"]
    assert [(r["school"], r["place"], r["teams"], r["awards"]) for r in ranking["schools"]] == [
        ("S2", 1, 1, 1), (SCHOOL, 2, 2, 1)]
    with db.sessions(None) as s:
        seen_by_a = competitions.without_other_athletes(competitions.published_rankings(s, comp), SCHOOL)
    athletes = {e["team_name"]: e["athletes"] for e in seen_by_a["entries"]}
    assert athletes["乙校队"] == [] and [a["name"] for a in athletes["甲校一队"]] == ["甲校1", "甲校2"]


def test_results_for_entries_not_in_the_competition_are_refused_and_nothing_is_recorded(db, comp):
    a1 = enter(db, comp, SCHOOL, "甲校一队", [1])
    with pytest.raises(ValidationFailed) as exc:
        results(db, comp, [{"entry_id": a1["id"], "rank": 1}, {"entry_id": 999, "rank": 2},
                           {"entry_id": a1["id"], "rank": 3}])
    assert exc.value.fields == {"results.1.entry_id": ["entry_not_found"], "results.2.entry_id": ["duplicate_entry"]}
    with db.sessions(None) as s:
        ranking = competitions.rankings(s, comp)
    assert ranking["status"] == "open" and ranking["entries"][0]["rank"] is None


def test_schools_level_on_best_rank_are_separated_by_prizes_then_share_a_place():
    table = school_table([("A", 3, None, None), ("B", 3, "三等奖", "1.5"), ("C", 3, None, None), ("D", None, None, None)])
    assert [(r["school"], r["place"]) for r in table] == [("B", 1), ("A", 2), ("C", 2), ("D", None)]
    assert table[0]["score"] == "1.50"
