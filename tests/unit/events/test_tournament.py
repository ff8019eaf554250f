from itertools import combinations

import pytest

from services.events.domain import tournament as t


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 8])
def test_round_robin_pairs_everyone_exactly_once_and_nobody_twice_in_a_round(n):
    players = list(range(1, n + 1))
    rounds = t.round_robin(players)
    pairs = [frozenset(p) for rnd in rounds for p in rnd]
    assert sorted(map(sorted, pairs)) == sorted(map(sorted, map(frozenset, combinations(players, 2))))
    assert len(rounds) == (n - 1 if n % 2 == 0 else n)
    for rnd in rounds:
        seen = [p for pair in rnd for p in pair]
        assert len(seen) == len(set(seen))


def test_round_robin_of_one_entrant_has_no_matches():
    assert t.round_robin([1]) == []


def test_knockout_gives_the_top_seeds_the_byes_and_keeps_seeds_one_and_two_apart():
    first = t.knockout_first_round(["A", "B", "C", "D", "E", "F"])
    assert len(first) == 4
    byes = [a for a, b in first if b is t.BYE] + [b for a, b in first if a is t.BYE]
    assert sorted(byes) == ["A", "B"]
    top_half = {e for pair in first[:2] for e in pair}
    assert ("A" in top_half) != ("B" in top_half)


def test_knockout_of_eight_pairs_one_against_eight():
    first = t.knockout_first_round(list(range(1, 9)))
    assert first[0] == (1, 8)
    assert {frozenset(p) for p in first} == {frozenset(p) for p in [(1, 8), (4, 5), (2, 7), (3, 6)]}
    assert t.knockout_rounds(8) == 3 and t.knockout_rounds(5) == 3


def test_knockout_needs_two_entrants():
    with pytest.raises(t.TournamentError):
        t.knockout_first_round(["A"])


def test_a_draw_is_refused_where_draws_are_not_allowed():
    assert t.winner(3, 1, False) == "a" and t.winner(0, 3, False) == "b"
    assert t.winner(2, 2, True) is None
    with pytest.raises(t.TournamentError) as exc:
        t.winner(2, 2, False)
    assert exc.value.code == "draw_not_allowed"


def test_standings_order_by_points_then_score_difference():
    results = [("A", "B", 3, 0), ("A", "C", 3, 2), ("B", "C", 3, 1)]
    table = t.standings(["A", "B", "C"], results)
    assert [(r.entrant, r.points, r.won, r.lost) for r in table] == [("A", 4, 2, 0), ("B", 2, 1, 1), ("C", 0, 0, 2)]
    assert [r.rank for r in table] == [1, 2, 3]
    assert table[0].difference == 4


def test_two_entrants_level_on_points_are_separated_by_their_own_match():
    # B has the better score difference, but A beat B
    results = [("A", "B", 3, 2), ("B", "C", 3, 0), ("C", "A", 3, 0), ("D", "B", 0, 3), ("A", "D", 3, 2),
               ("C", "D", 0, 3)]
    table = t.standings(["A", "B", "C", "D"], results)
    top = [r.entrant for r in table]
    assert table[0].points == table[1].points
    assert top.index("A") < top.index("B")


def test_points_per_result_are_a_setting():
    table = t.standings(["A", "B"], [("A", "B", 1, 1)], t.Points(win=3, draw=1, loss=0))
    assert [r.points for r in table] == [1, 1]


def test_the_draw_puts_seeds_first_and_draws_the_others_by_lot_the_same_way_for_the_same_seed():
    entrants = list("ABCDEFGH")
    seeds = {"E": 2, "B": 1}
    first = t.draw_order(entrants, seeds, 20260318)
    assert first[:2] == ["B", "E"] and sorted(first) == sorted(entrants)
    assert t.draw_order(entrants, seeds, 20260318) == first
    orders = {tuple(t.draw_order(entrants, seeds, seed)) for seed in range(1, 30)}
    assert len(orders) > 1, "a lot that never changes is not a draw"


def test_knockout_placing_ranks_by_the_round_each_entrant_went_out_in():
    # eight players: quarter-finals (round 1), semi-finals (2), final (3)
    decided = [(1, 1, 8, 1), (1, 4, 5, 4), (1, 2, 7, 7), (1, 3, 6, 3),
               (2, 1, 4, 1), (2, 7, 3, 3), (3, 1, 3, 3)]
    placing = dict(t.knockout_placing(decided, 3))
    assert placing[3] == 1 and placing[1] == 2
    assert placing[4] == placing[7] == 3
    assert {placing[e] for e in (8, 5, 2, 6)} == {5}


def test_a_walkover_places_only_the_entrant_who_was_there():
    assert t.knockout_placing([(1, "A", None, "A"), (2, "A", "B", "B")], 2) == [("B", 1), ("A", 2)]
