"""预算 (budget) checks: a spending request is reserved against its category's budget of the year
when it is received, and released when it is rejected."""
from __future__ import annotations

from decimal import Decimal


def available(budget: Decimal | None, committed: Decimal) -> Decimal:
    return (budget or Decimal("0.00")) - committed


def fits(amount: Decimal, budget: Decimal | None, committed: Decimal) -> bool:
    return amount <= available(budget, committed)
