"""复式记账 (double entry): the rules every posted entry (记账凭证) obeys.

- every line is a debit or a credit of a positive exact amount on a known account;
- debits equal credits, and an entry has at least two lines;
- a posted entry is never changed or deleted: it is reversed (红字冲销) by an entry with the
  debits and credits swapped;
- periods (会计期间, one per month) are ``open`` (all entries), ``adjusting`` (journal,
  reversal and audit-adjusting entries only) or ``closed`` (nothing);
- posted entries form a hash chain per school: each hash covers the entry and the previous hash,
  so an edit, a deletion or a reordering anywhere breaks verification from that entry on.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.finance.domain.chart import Chart
from services.finance.domain.money import CENT, ZERO

GENESIS = "0" * 64
PERIOD_STATES = ("open", "adjusting", "closed")
# what each kind of entry may be posted into
ENTRY_KINDS = {
    "receipt": ("open",),            # 收入 (dues collected, funds received)
    "payment": ("open",),            # 支出 (a paid spending request)
    "journal": ("open", "adjusting"),   # 转账凭证 by the finance officer
    "reversal": ("open", "adjusting"),  # 冲销
    "adjusting": ("adjusting",),     # 经审会 audit adjustments, in the adjusting period only
}
NEXT_STATE = {"open": "adjusting", "adjusting": "closed"}


class LedgerError(Exception):
    """A ledger rule refused the entry; ``code`` is the stable error code, ``fields`` the bad fields."""

    def __init__(self, code: str, fields: dict | None = None, params: dict | None = None):
        super().__init__(code)
        self.code, self.fields, self.params = code, fields or {}, params or {}


@dataclass(frozen=True)
class Line:
    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    memo: str | None = None


@dataclass(frozen=True)
class Entry:
    """An entry ready to post (``seq``/hashes are given by ``chain``)."""
    school: str
    entry_date: date
    kind: str
    memo: str
    lines: tuple
    reverses: int | None = None
    source: str | None = None
    period: str = field(default="")
    posted_by: str | None = None

    def __post_init__(self):
        if not self.period:
            object.__setattr__(self, "period", period_of(self.entry_date))


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def check_lines(lines, chart: Chart) -> None:
    """Refuse an entry that is not a balanced set of well-formed lines on known accounts."""
    bad: dict[str, list[str]] = {}
    if len(lines) < 2:
        raise LedgerError("entry_too_few_lines", {"lines": ["too_few_lines"]})
    debit = credit = ZERO
    for i, line in enumerate(lines):
        name = f"lines.{i}"
        if line.account not in chart:
            bad.setdefault(f"{name}.account", []).append("unknown_account")
        for side, amount in (("debit", line.debit), ("credit", line.credit)):
            if not isinstance(amount, Decimal):
                bad.setdefault(f"{name}.{side}", []).append("money_not_string")
            elif amount < 0:
                bad.setdefault(f"{name}.{side}", []).append("money_negative")
            elif amount != amount.quantize(CENT):
                bad.setdefault(f"{name}.{side}", []).append("money_decimals")
        if not bad.get(f"{name}.debit") and not bad.get(f"{name}.credit"):
            if (line.debit > 0) == (line.credit > 0):
                bad.setdefault(name, []).append("one_side_only")
            debit += line.debit
            credit += line.credit
    if bad:
        raise LedgerError("entry_invalid", bad)
    if debit != credit:
        raise LedgerError("entry_unbalanced", {"lines": ["unbalanced"]},
                          {"debit": str(debit), "credit": str(credit)})


def check_period(kind: str, period: str, state: str) -> None:
    if kind not in ENTRY_KINDS:
        raise LedgerError("entry_invalid", {"kind": ["invalid_choice"]})
    if state == "closed":
        raise LedgerError("period_closed", {"entry_date": ["period_closed"]}, {"period": period})
    if state not in ENTRY_KINDS[kind]:
        raise LedgerError("period_not_open", {"entry_date": ["period_" + state]}, {"period": period, "state": state})


def next_period_state(current: str, target: str) -> str:
    """Periods only move forward: open -> adjusting -> closed (open -> closed goes through both)."""
    if target not in PERIOD_STATES or PERIOD_STATES.index(target) <= PERIOD_STATES.index(current):
        raise LedgerError("period_transition", {"state": ["period_invalid_transition"]}, {"from": current, "to": target})
    return target


def reversal_lines(lines) -> tuple:
    """The lines of a reversal: each debit becomes a credit of the same amount and vice versa."""
    return tuple(Line(l.account, debit=l.credit, credit=l.debit, memo=l.memo) for l in lines)


def canonical(entry: Entry, seq: int) -> str:
    lines = [[l.account, str(l.debit.quantize(CENT)), str(l.credit.quantize(CENT))] for l in entry.lines]
    return json.dumps({"school": entry.school, "seq": seq, "date": entry.entry_date.isoformat(),
                       "period": entry.period, "kind": entry.kind, "memo": entry.memo, "reverses": entry.reverses,
                       "source": entry.source, "posted_by": entry.posted_by, "lines": lines}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))


def chain_hash(prev_hash: str, entry: Entry, seq: int) -> str:
    return hashlib.sha256((prev_hash + "|" + canonical(entry, seq)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    valid: bool
    entries: int
    head: str
    broken_at: int | None = None     # seq of the first entry whose hash does not verify
    problem: str | None = None

    def as_dict(self) -> dict:
        return {"valid": self.valid, "entries": self.entries, "head": self.head, "broken_at": self.broken_at,
                "problem": self.problem}


def verify_chain(posted) -> ChainReport:
    """``posted``: ``(seq, prev_hash, hash, Entry)`` in seq order, starting at 1."""
    prev, count = GENESIS, 0
    for seq, prev_hash, hash_, entry in posted:
        count += 1
        if seq != count:
            return ChainReport(False, count, prev, seq, "sequence_gap")
        if prev_hash != prev:
            return ChainReport(False, count, prev, seq, "previous_hash_mismatch")
        if chain_hash(prev, entry, seq) != hash_:
            return ChainReport(False, count, prev, seq, "hash_mismatch")
        if sum(l.debit for l in entry.lines) != sum(l.credit for l in entry.lines):
            return ChainReport(False, count, prev, seq, "unbalanced")
        prev = hash_
    return ChainReport(True, count, prev)
