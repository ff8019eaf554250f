"""职业幸福指数 (the job-happiness index): an anonymous survey of in-service staff, each answering
once with a score from 1 to 10; the index is the mean score × 10 (0–100). Results are shown only
once enough have answered (a setting, 5 by default), so no small group can be read back."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from services.welfare.domain.errors import WelfareConflict, WelfareInvalid

SCORES = range(1, 11)
DEFAULT_MIN_RESPONSES = 5


def check_window(opens_on: date, closes_on: date) -> None:
    if closes_on < opens_on:
        raise WelfareInvalid("happiness_closes_before_opening", fields={"closes_on": ["happiness_closes_before_opening"]})


def check_open(opens_on: date, closes_on: date, today: date) -> None:
    if not opens_on <= today <= closes_on:
        raise WelfareConflict("happiness_survey_closed", params={"opens_on": opens_on.isoformat(),
                                                                 "closes_on": closes_on.isoformat()})


def index(scores: list[int], minimum: int) -> dict:
    """Mean × 10 with one decimal, and the spread of answers; nothing but the count when too few."""
    n = len(scores)
    if n < max(1, minimum):
        return {"responses": n, "index": None, "too_few_responses": True, "distribution": None}
    mean = Decimal(sum(scores)) / n
    return {"responses": n, "index": str((mean * 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
            "too_few_responses": False,
            "distribution": {str(s): sum(1 for x in scores if x == s) for s in SCORES}}
