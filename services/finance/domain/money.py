"""Exact yuan amounts (元, two places); never floats."""
from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def yuan(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value) -> str:
    return str(Decimal(value or 0).quantize(CENT))


def floor_to(value: Decimal, step: Decimal) -> Decimal:
    """``value`` with the remainder under ``step`` dropped (不足 step 的尾数不计)."""
    if step <= 0:
        return value
    return (value / step).to_integral_value(rounding=ROUND_DOWN) * step
