"""区级比赛: ranking the schools of a district competition from their teams' results. Pure rules."""
from __future__ import annotations

from decimal import Decimal


def school_table(entries: list[tuple]) -> list[dict]:
    """``entries`` are ``(school, rank, award, score)``. A school ranks by its best team's rank,
    then by the prizes its teams took, then by their total score; schools without a rank come
    last. Equal schools share a place (并列)."""
    schools: dict[str, dict] = {}
    for school, rank, award, score in entries:
        row = schools.setdefault(school, {"school": school, "teams": 0, "best_rank": None, "awards": 0,
                                          "score": Decimal("0")})
        row["teams"] += 1
        if rank is not None and (row["best_rank"] is None or rank < row["best_rank"]):
            row["best_rank"] = rank
        row["awards"] += 1 if award else 0
        row["score"] += Decimal(score or 0)

    def key(r):
        return (r["best_rank"] is None, r["best_rank"] or 0, -r["awards"], -r["score"])
    table = sorted(schools.values(), key=lambda r: (*key(r), r["school"]))
    place = 0
    for i, row in enumerate(table):
        if i == 0 or key(row) != key(table[i - 1]):
            place = i + 1
        row["place"] = place if row["best_rank"] is not None else None
    for row in table:
        row["score"] = str(row["score"].quantize(Decimal("0.01")))
    return table
