"""会费 (member dues): commonly 0.5% of the wage base a month (工会章程; external to the seeds),
with the remainder of the base under 10 yuan ignored (不足 10 元的尾数不计). Rate, base step and
the rounding of the amount are settings (``DuesRule``)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from services.finance.domain.money import CENT, floor_to

ROUNDINGS = {"half_up": ROUND_HALF_UP, "down": ROUND_DOWN}


@dataclass(frozen=True)
class DuesRule:
    rate: Decimal = Decimal("0.005")
    base_step: Decimal = Decimal("10")
    rounding: str = "half_up"      # of the amount to the cent: half_up or down


def monthly_dues(wage_base: Decimal, rule: DuesRule = DuesRule()) -> Decimal:
    base = floor_to(wage_base, rule.base_step)
    return (base * rule.rate).quantize(CENT, rounding=ROUNDINGS[rule.rounding])


def months_of(year: int, first: int = 1, last: int = 12) -> list[str]:
    return [f"{year:04d}-{m:02d}" for m in range(first, last + 1)]


def arrears(charges: list[tuple[str, Decimal, Decimal]], up_to: str) -> Decimal:
    """Unpaid dues (欠缴) of the periods up to ``up_to``: ``charges`` are ``(period, due, paid)``."""
    return sum((due - paid for period, due, paid in charges if period <= up_to and paid < due), Decimal("0.00"))
