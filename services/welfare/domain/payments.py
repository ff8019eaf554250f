"""支付申请 (a payment asked of finance) and how finance's answers move it.

A payment is ``pending`` from the moment it is requested until finance first answers; finance's
``received``, ``approved``, ``rejected`` and ``paid`` only ever move it forward, so a redelivered
or late answer (a ``received`` after ``approved``) changes nothing. ``rejected`` and ``paid`` are
final. A rejected payment no longer counts against the caps.
"""
from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("pending", "received", "approved", "rejected", "paid")
RANK = {"pending": 0, "received": 1, "approved": 2, "rejected": 3, "paid": 3}
COUNTED = ("pending", "received", "approved", "paid")   # against the caps
FINAL = ("rejected", "paid")


@dataclass(frozen=True)
class Answer:
    status: str
    reason: str | None = None
    reason_code: str | None = None


def answer_applies(current: str, answer: Answer) -> bool:
    """Whether finance's ``answer`` moves a payment in ``current`` status forward."""
    if current in FINAL:
        return False
    if current == "approved" and answer.status == "rejected":
        return False   # finance approved it: a stray rejection cannot un-approve a booked spend
    return RANK[answer.status] > RANK[current]


def moves_from(status: str) -> tuple[str, ...]:
    """The statuses an answer of ``status`` moves a payment from (answer_applies, as a set)."""
    return tuple(current for current in STATUSES if answer_applies(current, Answer(status)))


def request_id(payment_id: int) -> str:
    return f"welfare:{payment_id}"


def payment_id_of(request_id_: str) -> int | None:
    prefix, _, rest = request_id_.partition(":")
    return int(rest) if prefix == "welfare" and rest.isdigit() else None
