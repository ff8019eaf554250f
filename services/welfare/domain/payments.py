"""支付申请 (a payment asked of finance) and how finance's answers move it.

A payment is ``pending`` from the moment it is requested until finance first answers; finance's
``received``, ``approved``, ``rejected`` and ``paid`` only ever move it forward, so a redelivered
or late answer (a ``received`` after ``approved``) changes nothing. ``rejected`` and ``paid`` are
final. A rejected payment no longer counts against the caps.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.contracts import finance as finance_contract

STATUSES = ("pending", "received", "approved", "rejected", "paid")
COUNTED = ("pending", "received", "approved", "paid")   # against the caps
FINAL = ("rejected", "paid")


@dataclass(frozen=True)
class Answer:
    status: str
    reason: str | None = None
    reason_code: str | None = None


def answer_applies(current: str, answer: Answer) -> bool:
    """Whether finance's ``answer`` moves a payment in ``current`` status forward (the rule of
    finance's answer protocol, ``shared.contracts.finance``)."""
    return finance_contract.answer_moves_forward(current, answer.status)


def moves_from(status: str) -> tuple[str, ...]:
    """The statuses an answer of ``status`` moves a payment from (answer_applies, as a set)."""
    return finance_contract.statuses_moved_by(status, STATUSES)


def request_id(payment_id: int) -> str:
    return finance_contract.request_id("welfare", payment_id)


def payment_id_of(request_id_: str) -> int | None:
    return finance_contract.request_key("welfare", request_id_)
