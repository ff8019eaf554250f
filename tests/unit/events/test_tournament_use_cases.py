from datetime import date, datetime

import pytest

from services.events import activities, participation, registrations, tournaments
from shared.errors import Conflict, NotFound, ValidationFailed

from .conftest import SCHOOL


@pytest.fixture
def roster(db):
    db.group(1, "语文组")
    db.group(2, "数学组")
    for i in range(1, 7):
        db.member(i, f"会员{i}", group_id=1 if i <= 3 else 2)


def create(db, **kw):
    with db.uow() as uow:
        return tournaments.create(uow, SCHOOL, {"title": "乒乓球赛", "format": "round_robin", "unit": "member",
                                                "points_win": 2, "points_draw": 1, "points_loss": 0,
                                                "allow_draw": False, **kw})["id"]


def test_prelims_from_an_activity_are_pooled_by_union_group_and_drawn_round_robin(db, roster):
    with db.uow() as uow:
        a = activities.create_activity(uow, SCHOOL, {"title": "预赛", "kind": "sport",
                                                     "starts_at": datetime(2026, 3, 18)}, "t")["id"]
    for m in range(1, 7):
        with db.uow() as uow:
            registrations.register(uow, SCHOOL, a, m, None, datetime(2026, 3, 1), "t")
    t = create(db, activity_id=a)
    with db.uow() as uow:
        added = tournaments.add_entrants(uow, SCHOOL, t, {"from_activity": True})
    assert sorted({e["pool"] for e in added["items"]}) == ["数学组", "语文组"]
    with db.uow() as uow:
        draw = tournaments.make_draw(uow, SCHOOL, t, {"qualifiers_per_pool": 2})
    assert len(draw["matches"]) == 6                     # 3 per pool of three
    assert all(m["a_id"] and m["b_id"] for m in draw["matches"])
    with db.uow() as uow, pytest.raises(Conflict):
        tournaments.add_entrants(uow, SCHOOL, t, {"entrants": [{"name": "迟到队"}]})


def test_a_result_for_a_match_not_in_the_draw_is_refused(db, roster):
    t = create(db)
    with db.uow() as uow:
        tournaments.add_entrants(uow, SCHOOL, t, {"entrants": [{"member_id": 1}, {"member_id": 2}]})
    with db.uow() as uow:
        tournaments.make_draw(uow, SCHOOL, t, {"qualifiers_per_pool": 2})
    other = create(db, title="另一赛事")
    with db.uow() as uow, pytest.raises(NotFound) as exc:
        tournaments.record_result(uow, other, 1, {"score_a": 3, "score_b": 0})
    assert exc.value.code == "match_not_in_draw"


def test_knockout_byes_walk_over_and_winners_advance_to_the_final(db, roster):
    t = create(db, format="knockout")
    with db.uow() as uow:
        tournaments.add_entrants(uow, SCHOOL, t, {"entrants": [{"member_id": m, "seed": m} for m in (1, 2, 3)]})
    with db.uow() as uow:
        draw = tournaments.make_draw(uow, SCHOOL, t, {"qualifiers_per_pool": 2})
    first = [m for m in draw["matches"] if m["round"] == 1]
    assert sorted(m["status"] for m in first) == ["scheduled", "walkover"]
    semi = next(m for m in first if m["status"] == "scheduled")
    with db.uow() as uow:
        tournaments.record_result(uow, t, semi["id"], {"score_a": 1, "score_b": 3})
    with db.read() as s:
        final = next(m for m in tournaments.get(s, t)["matches"] if m["round"] == 2)
    assert final["status"] == "scheduled" and {final["a_name"], final["b_name"]} == {"会员1", semi["b_name"]}
    with db.uow() as uow, pytest.raises(Conflict) as exc:
        tournaments.record_result(uow, t, final["id"], {"score_a": 2, "score_b": 2})
    assert exc.value.code == "draw_not_allowed"
    with db.uow() as uow:
        tournaments.record_result(uow, t, final["id"], {"score_a": 3, "score_b": 0})
    with db.read() as s:
        placing = tournaments.standings(s, t)
    assert placing["status"] == "finished"
    assert [(p["name"], p["rank"]) for p in placing["placing"]] == [
        (final["a_name"], 1), (final["b_name"], 2), (semi["a_name"], 3)]
    with db.uow() as uow:
        award = tournaments.give_award(uow, SCHOOL, t, {"title": "冠军", "rank": 1,
                                                        "entrant_id": placing["placing"][0]["entrant_id"]},
                                       date(2026, 4, 20))
    assert award["name"] == final["a_name"]


def test_prelim_winners_seed_the_final(db, roster):
    prelim = create(db)
    with db.uow() as uow:
        tournaments.add_entrants(uow, SCHOOL, prelim, {"entrants": [{"member_id": m} for m in range(1, 7)]})
    with db.uow() as uow:
        draw = tournaments.make_draw(uow, SCHOOL, prelim, {"qualifiers_per_pool": 2})
    final = create(db, format="knockout", title="决赛")
    with db.uow() as uow, pytest.raises(Conflict) as exc:
        tournaments.make_draw(uow, SCHOOL, final, {"from_tournament_id": prelim, "qualifiers_per_pool": 2})
    assert exc.value.code == "prelims_not_finished"
    for m in draw["matches"]:      # the lower entrant id always wins
        a_wins = m["a_id"] < m["b_id"]
        with db.uow() as uow:
            tournaments.record_result(uow, prelim, m["id"], {"score_a": 3 if a_wins else 1, "score_b": 1 if a_wins else 3})
    with db.uow() as uow:
        fdraw = tournaments.make_draw(uow, SCHOOL, final, {"from_tournament_id": prelim, "qualifiers_per_pool": 2})
    first = sorted((m for m in fdraw["matches"] if m["round"] == 1), key=lambda m: m["slot"])
    names = [(m["a_name"], m["b_name"]) for m in first]
    assert len(first) == 2
    # pool winners (会员1, 会员4) are seeds 1-2 and meet only in the final
    assert {names[0][0], names[1][0]} == {"会员1", "会员4"}


def test_an_entrant_must_be_a_member_of_the_school(db, roster):
    db.member(50, "外校", school="S2")
    t = create(db)
    with db.uow() as uow, pytest.raises(ValidationFailed) as exc:
        tournaments.add_entrants(uow, SCHOOL, t, {"entrants": [{"member_id": 1}, {"member_id": 50}]})
    assert exc.value.fields == {"entrants.1.member_id": ["member_not_in_school"]}


def test_compulsory_gaps_and_participation_by_group(db, roster):
    with db.uow() as uow:
        a = activities.create_activity(uow, SCHOOL, {"title": "预赛", "kind": "sport", "compulsory": True,
                                                     "starts_at": datetime(2026, 3, 18)}, "t")["id"]
    for m in (1, 2, 4):
        with db.uow() as uow:
            registrations.register(uow, SCHOOL, a, m, None, datetime(2026, 3, 1), "t")
    with db.read() as s:
        gaps = participation.compulsory_gaps(s, a)
    by_group = {g["group_name"]: [x["member_id"] for x in g["missing"]] for g in gaps["groups"]}
    assert by_group == {"语文组": [3], "数学组": [5, 6]} and gaps["missing"] == 3 and not gaps["complete"]
    with db.uow() as uow:
        registrations.check_in(uow, a, 1, datetime(2026, 3, 18, 9))
    with db.uow() as uow:
        registrations.close_attendance(uow, a, datetime(2026, 3, 18, 12))
    with db.read() as s:
        report = participation.school_participation(s, 2026)
    assert report["school"]["participants"] == 1 and report["school"]["participation_rate"] == "16.7"
    assert report["school"]["attendance_rate"] == "33.3"
    group = next(g for g in report["groups"] if g["group_name"] == "语文组")
    assert (group["members"], group["participants"], group["no_show"]) == (3, 1, 1)


def test_a_result_for_a_match_not_in_the_draw_changes_nothing(db, roster):
    t = create(db)
    with db.uow() as uow:
        tournaments.add_entrants(uow, SCHOOL, t, {"entrants": [{"member_id": m} for m in (1, 2, 3)]})
    with db.uow() as uow:
        draw = tournaments.make_draw(uow, SCHOOL, t, {"qualifiers_per_pool": 2})
    with db.uow() as uow, pytest.raises(NotFound):
        tournaments.record_result(uow, t, max(m["id"] for m in draw["matches"]) + 1, {"score_a": 3, "score_b": 0})
    with db.read() as s:
        after = tournaments.get(s, t)
    assert after["matches"] == draw["matches"] and after["status"] == "drawn"


def test_the_same_draw_seed_gives_the_same_draw_and_the_seed_is_published(db, roster):
    draws = []
    for title in ("甲", "乙"):
        t = create(db, title=title, format="knockout")
        with db.uow() as uow:
            tournaments.add_entrants(uow, SCHOOL, t, {"entrants": [{"member_id": m} for m in range(1, 7)]})
        with db.uow() as uow:
            draws.append(tournaments.make_draw(uow, SCHOOL, t, {"qualifiers_per_pool": 2, "draw_seed": 4242}))
    assert draws[0]["draw_seed"] == draws[1]["draw_seed"] == 4242
    names = [[(m["a_name"], m["b_name"]) for m in d["matches"] if m["round"] == 1] for d in draws]
    assert names[0] == names[1]
    t = create(db, title="丙")
    with db.uow() as uow:
        tournaments.add_entrants(uow, SCHOOL, t, {"entrants": [{"member_id": m} for m in (1, 2)]})
    with db.uow() as uow:
        assert tournaments.make_draw(uow, SCHOOL, t, {"qualifiers_per_pool": 2})["draw_seed"] > 0


def test_a_team_match_between_union_groups_with_rosters_and_one_against_another_school(db, roster):
    t = create(db, unit="team", title="羽毛球团体对抗赛", format="round_robin")
    with db.uow() as uow:
        added = tournaments.add_entrants(uow, SCHOOL, t, {"entrants": [
            {"group_id": 1, "member_ids": [1, 2]}, {"group_id": 2, "member_ids": [4, 5]}, {"name": "陡岗小学"}]})
    teams = {e["name"]: e for e in added["items"]}
    assert set(teams) == {"语文组", "数学组", "陡岗小学"}
    assert [p["name"] for p in teams["语文组"]["roster"]] == ["会员1", "会员2"] and teams["陡岗小学"]["roster"] == []
    assert {e["pool"] for e in added["items"]} == {""}            # teams play one pool
    with db.uow() as uow:
        draw = tournaments.make_draw(uow, SCHOOL, t, {"qualifiers_per_pool": 2})
    assert len(draw["matches"]) == 3
    for m in draw["matches"]:
        with db.uow() as uow:
            tournaments.record_result(uow, t, m["id"], {"score_a": 3, "score_b": 2})
    with db.read() as s:
        (pool,) = tournaments.standings(s, t)["pools"]
    assert sorted(r["points"] for r in pool["rows"]) == [0, 2, 4]


def test_every_bad_entrant_is_named_at_once_and_none_is_added(db, roster):
    db.member(50, "外校", school="S2")
    team = create(db, unit="team", title="团体赛")
    with db.uow() as uow, pytest.raises(ValidationFailed) as exc:
        tournaments.add_entrants(uow, SCHOOL, team, {"entrants": [
            {"member_id": 1}, {"name": "A队", "member_ids": [2, 50]}, {"group_id": 77}, {"name": "B队", "member_ids": [2]}]})
    assert exc.value.fields == {"entrants.0.member_id": ["teams_only"],
                                "entrants.1.member_ids.1": ["member_not_in_school"],
                                "entrants.2.group_id": ["no_such_union_group"], "entrants.2.name": ["required"],
                                "entrants.3.member_ids.0": ["already_entered"]}
    individual = create(db, title="单打")
    with db.uow() as uow, pytest.raises(ValidationFailed) as exc:
        tournaments.add_entrants(uow, SCHOOL, individual, {"entrants": [{"name": "无名氏"}]})
    assert exc.value.fields == {"entrants.0.member_id": ["required"]}
    with db.uow() as uow:
        tournaments.add_entrants(uow, SCHOOL, individual, {"entrants": [{"member_id": 1}]})
    with db.uow() as uow, pytest.raises(Conflict) as exc:
        tournaments.add_entrants(uow, SCHOOL, individual, {"entrants": [{"member_id": 1}]})
    assert exc.value.fields == {"entrants.0.member_id": ["already_entered"]}
    with db.read() as s:
        assert [e["name"] for e in tournaments.get(s, team)["entrants"]] == []
        assert [e["name"] for e in tournaments.get(s, individual)["entrants"]] == ["会员1"]


def test_without_named_groups_everyone_is_required_members_in_no_group_too(db, roster):
    db.member(7, "新教师")                                   # in no union group yet
    with db.uow() as uow:
        a = activities.create_activity(uow, SCHOOL, {"title": "预赛", "kind": "sport", "compulsory": True,
                                                     "starts_at": datetime(2026, 3, 18)}, "t")["id"]
    with db.read() as s:
        gaps = participation.compulsory_gaps(s, a)
    assert [(g["group_name"], g["members"]) for g in gaps["groups"]] == [("语文组", 3), ("数学组", 3), ("未分组", 1)]
    assert gaps["expected"] == gaps["missing"] == 7
