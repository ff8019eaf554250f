"""赛事 (tournaments): round-robin prelims (小组循环赛, one pool per union group), knockout finals
(淘汰赛) with byes, results and standings. Pure rules."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

BYE = None


class TournamentError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def round_robin(entrants: list) -> list[list[tuple]]:
    """Every entrant meets every other once (circle method). Returns rounds of pairs; an odd
    number of entrants gives each one a bye, which is not a match and is left out."""
    players = list(entrants)
    if len(players) < 2:
        return []
    if len(players) % 2:
        players.append(BYE)
    n = len(players)
    rounds = []
    for _ in range(n - 1):
        pairs = [(players[i], players[n - 1 - i]) for i in range(n // 2)]
        rounds.append([p for p in pairs if BYE not in p])
        players = [players[0], players[-1], *players[1:-1]]
    return rounds


def draw_order(entrants: list, seeds: dict, draw_seed: int) -> list:
    """抽签: seeded entrants first in seed order, then the others in an order drawn by lot. The
    lot is ``random.Random(draw_seed)``: the same seed gives the same draw, so a published draw
    can be checked by anyone."""
    seeded = sorted((e for e in entrants if seeds.get(e) is not None), key=lambda e: seeds[e])
    rest = [e for e in entrants if seeds.get(e) is None]
    random.Random(draw_seed).shuffle(rest)
    return seeded + rest


def bracket_size(n: int) -> int:
    size = 1
    while size < n:
        size *= 2
    return size


def seed_positions(size: int) -> list[int]:
    """Seeds in bracket order (1 meets size, 2 meets size-1, and 1 and 2 can meet only in the final)."""
    order = [1]
    while len(order) < size:
        total = len(order) * 2 + 1
        order = [x for s in order for x in (s, total - s)]
    return order


def knockout_first_round(seeded: list) -> list[tuple]:
    """First-round pairs of a knockout draw from entrants in seed order; the top seeds get the byes
    when the field is not a power of two (a pair with ``BYE`` is a walkover)."""
    if len(seeded) < 2:
        raise TournamentError("too_few_entrants", minimum=2)
    size = bracket_size(len(seeded))
    by_seed = {i + 1: e for i, e in enumerate(seeded)}
    slots = [by_seed.get(s, BYE) for s in seed_positions(size)]
    return [(slots[i], slots[i + 1]) for i in range(0, size, 2)]


def knockout_rounds(n: int) -> int:
    size, rounds = bracket_size(n), 0
    while size > 1:
        size //= 2
        rounds += 1
    return rounds


def knockout_placing(matches: list, rounds: int) -> list[tuple]:
    """名次 of a knockout so far: ``(entrant, rank)``, the champion 1, the final's loser 2, the
    semi-finals' losers 3 (并列第三), the quarter-finals' losers 5 ... ``matches`` are
    ``(round, a, b, winner)`` of decided matches; a walkover's missing side is no entrant."""
    placing = []
    for rnd, a, b, won in matches:
        if won is None:
            continue
        lost = b if won == a else a
        if rnd == rounds:
            placing.append((won, 1))
        if lost is not None:
            placing.append((lost, 2 ** (rounds - rnd) + 1))
    return sorted(placing, key=lambda p: p[1])


def winner(score_a: int, score_b: int, allow_draw: bool):
    """'a', 'b' or None (a draw, only where draws are allowed)."""
    if score_a == score_b:
        if not allow_draw:
            raise TournamentError("draw_not_allowed")
        return None
    return "a" if score_a > score_b else "b"


@dataclass
class Row:
    entrant: object
    played: int = 0
    won: int = 0
    drawn: int = 0
    lost: int = 0
    score_for: int = 0
    score_against: int = 0
    points: int = 0
    rank: int = 0
    beaten: set = field(default_factory=set)

    @property
    def difference(self) -> int:
        return self.score_for - self.score_against


@dataclass(frozen=True)
class Points:
    """Points per result; table-tennis team events commonly give 2 for a win and 1 for a loss
    played, a setting per tournament."""
    win: int = 2
    draw: int = 1
    loss: int = 0


def standings(entrants: list, results: list[tuple], points: Points = Points()) -> list[Row]:
    """积分榜 of one pool: ``results`` are ``(a, b, score_a, score_b)`` of played matches. Order:
    points, then head-to-head between exactly two tied entrants, then score difference, score
    for, and the entrant's own order as the last resort."""
    rows = {e: Row(e) for e in entrants}
    for a, b, sa, sb in results:
        ra, rb = rows[a], rows[b]
        for row, mine, theirs in ((ra, sa, sb), (rb, sb, sa)):
            row.played += 1
            row.score_for += mine
            row.score_against += theirs
        if sa > sb:
            ra.won, rb.lost, ra.points, rb.points = ra.won + 1, rb.lost + 1, ra.points + points.win, rb.points + points.loss
            ra.beaten.add(b)
        elif sb > sa:
            rb.won, ra.lost, rb.points, ra.points = rb.won + 1, ra.lost + 1, rb.points + points.win, ra.points + points.loss
            rb.beaten.add(a)
        else:
            ra.drawn, rb.drawn = ra.drawn + 1, rb.drawn + 1
            ra.points, rb.points = ra.points + points.draw, rb.points + points.draw
    order = {e: i for i, e in enumerate(entrants)}
    table = sorted(rows.values(), key=lambda r: (-r.points, -r.difference, -r.score_for, order[r.entrant]))
    # head-to-head settles a tie of exactly two entrants on points
    i = 0
    while i < len(table):
        j = i
        while j + 1 < len(table) and table[j + 1].points == table[i].points:
            j += 1
        if j == i + 1 and table[i].entrant in table[j].beaten and table[j].entrant not in table[i].beaten:
            table[i], table[j] = table[j], table[i]
        i = j + 1
    for rank, row in enumerate(table, start=1):
        row.rank = rank
    return table
