"""The ledger's rules as pure functions: balance, periods, reversal and the hash chain."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from services.finance.domain import ledger as L
from services.finance.domain.chart import BANK, default_chart

CHART = default_chart()


def entry(*lines, kind="journal", day=date(2025, 3, 5), memo="测试"):
    return L.Entry("S1", day, kind, memo, tuple(lines))


def dr(account, amount):
    return L.Line(account, debit=D(amount))


def cr(account, amount):
    return L.Line(account, credit=D(amount))


def test_a_balanced_entry_passes():
    L.check_lines(entry(dr("5101", "120.50"), cr(BANK, "120.50")).lines, CHART)


def test_an_entry_whose_debits_and_credits_differ_is_refused_with_both_totals():
    with pytest.raises(L.LedgerError) as exc:
        L.check_lines((dr("5101", "100.00"), cr(BANK, "99.99")), CHART)
    assert exc.value.code == "entry_unbalanced"
    assert exc.value.params == {"debit": "100.00", "credit": "99.99"}


def test_an_entry_of_one_line_is_refused():
    with pytest.raises(L.LedgerError) as exc:
        L.check_lines((dr("5101", "1.00"),), CHART)
    assert exc.value.code == "entry_too_few_lines"


def test_every_bad_line_is_named():
    lines = (dr("9999", "1.00"), L.Line("5101", D("1.00"), D("1.00")), cr(BANK, "1.005"), cr(BANK, "-1.00"))
    with pytest.raises(L.LedgerError) as exc:
        L.check_lines(lines, CHART)
    assert exc.value.code == "entry_invalid"
    assert exc.value.fields == {"lines.0.account": ["unknown_account"], "lines.1": ["one_side_only"],
                                "lines.2.credit": ["money_decimals"], "lines.3.credit": ["money_negative"]}


def test_a_float_amount_is_refused():
    with pytest.raises(L.LedgerError) as exc:
        L.check_lines((L.Line("5101", debit=1.5), cr(BANK, "1.50")), CHART)
    assert exc.value.fields == {"lines.0.debit": ["money_not_string"]}


@pytest.mark.parametrize("kind,state,allowed", [
    ("payment", "open", True), ("payment", "adjusting", False), ("receipt", "adjusting", False),
    ("journal", "adjusting", True), ("reversal", "adjusting", True), ("adjusting", "open", False),
    ("adjusting", "adjusting", True), ("journal", "closed", False), ("reversal", "closed", False),
])
def test_what_each_period_state_accepts(kind, state, allowed):
    if allowed:
        L.check_period(kind, "2025-03", state)
    else:
        with pytest.raises(L.LedgerError) as exc:
            L.check_period(kind, "2025-03", state)
        assert exc.value.code == ("period_closed" if state == "closed" else "period_not_open")


def test_periods_only_move_forward():
    assert L.next_period_state("open", "adjusting") == "adjusting"
    assert L.next_period_state("open", "closed") == "closed"
    assert L.next_period_state("adjusting", "closed") == "closed"
    for current, target in (("closed", "open"), ("adjusting", "open"), ("closed", "adjusting"), ("open", "open")):
        with pytest.raises(L.LedgerError) as exc:
            L.next_period_state(current, target)
        assert exc.value.code == "period_transition"


def test_a_reversal_swaps_debits_and_credits_and_nets_to_zero():
    lines = (dr("5101", "80.00"), dr("5301", "20.00"), cr(BANK, "100.00"))
    mirrored = L.reversal_lines(lines)
    assert [(l.account, l.debit, l.credit) for l in mirrored] == [
        ("5101", D("0.00"), D("80.00")), ("5301", D("0.00"), D("20.00")), (BANK, D("100.00"), D("0.00"))]
    for account in ("5101", "5301", BANK):
        assert sum(l.debit - l.credit for l in lines + mirrored if l.account == account) == 0


def _chain(entries):
    prev, out = L.GENESIS, []
    for seq, e in enumerate(entries, start=1):
        h = L.chain_hash(prev, e, seq)
        out.append((seq, prev, h, e))
        prev = h
    return out


def test_an_untouched_chain_verifies():
    chain = _chain([entry(dr("5101", "1.00"), cr(BANK, "1.00")), entry(dr(BANK, "5.00"), cr("4101", "5.00"))])
    report = L.verify_chain(chain)
    assert report.valid and report.entries == 2 and report.head == chain[-1][2]


def test_changing_an_amount_of_a_posted_entry_breaks_the_chain_at_that_entry():
    chain = _chain([entry(dr("5101", "1.00"), cr(BANK, "1.00")), entry(dr(BANK, "5.00"), cr("4101", "5.00")),
                    entry(dr("5201", "3.00"), cr(BANK, "3.00"))])
    seq, prev, h, e = chain[1]
    chain[1] = (seq, prev, h, replace(e, lines=(dr(BANK, "50.00"), cr("4101", "50.00"))))
    report = L.verify_chain(chain)
    assert not report.valid and report.broken_at == 2 and report.problem == "hash_mismatch"


def test_deleting_an_entry_breaks_the_chain():
    chain = _chain([entry(dr("5101", "1.00"), cr(BANK, "1.00")) for _ in range(3)])
    report = L.verify_chain([chain[0], chain[2]])
    assert not report.valid and report.problem == "sequence_gap"


def test_reordering_entries_breaks_the_chain():
    chain = _chain([entry(dr("5101", f"{i}.00"), cr(BANK, f"{i}.00")) for i in (1, 2)])
    a, b = chain
    report = L.verify_chain([(1, a[1], b[2], b[3]), (2, b[1], a[2], a[3])])
    assert not report.valid and report.broken_at == 1


def test_an_entry_that_does_not_balance_fails_the_chain_check_even_with_a_matching_hash():
    bad = entry(dr("5101", "1.00"), cr(BANK, "2.00"))
    report = L.verify_chain(_chain([bad]))
    assert not report.valid and report.problem == "unbalanced" and report.broken_at == 1
