"""Properties (hypothesis): any sequence of postings and reversals keeps every entry balanced, the
trial balance at zero, each entry reversed at most once and the hash chain valid."""
from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from services.finance.domain import ledger as L
from services.finance.domain.chart import DEFAULT_CHART
from services.finance.orm import Entry, EntryLine
from shared.errors import Conflict

from .support import DAY

ACCOUNTS = [a.code for a in DEFAULT_CHART]
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
_schools = itertools.count()


@st.composite
def balanced_lines(draw):
    debits = draw(st.lists(st.tuples(st.sampled_from(ACCOUNTS), amounts), min_size=1, max_size=4))
    total = sum(a for _, a in debits)
    n_credits = draw(st.integers(1, 3))
    cuts = sorted(draw(st.lists(st.integers(1, int(total * 100) - 1), min_size=n_credits - 1,
                                max_size=n_credits - 1, unique=True))) if total > Decimal("0.01") * n_credits else []
    parts = [Decimal(b - a) / 100 for a, b in zip([0, *cuts], [*cuts, int(total * 100)])]
    credits = [(draw(st.sampled_from(ACCOUNTS)), p) for p in parts]
    return tuple([L.Line(a, debit=x) for a, x in debits] + [L.Line(a, credit=x) for a, x in credits])


actions = st.lists(st.one_of(st.tuples(st.just("post"), balanced_lines()),
                             st.tuples(st.just("reverse"), st.integers(0, 30))), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=actions)
def test_random_postings_and_reversals_always_balance_and_keep_the_chain_valid(fin, steps):
    school = f"P{next(_schools):05d}"
    posted: list[int] = []
    reversed_: set[int] = set()
    for action, arg in steps:
        if action == "post":
            posted.append(fin.post(school, *arg))
        elif posted:
            target = posted[arg % len(posted)]
            try:
                posted.append(fin.reverse(school, target))
                reversed_.add(target)
            except Conflict as exc:
                assert exc.code in ("entry_already_reversed", "entry_is_reversal")
    with fin.read(school) as session:
        assert session.scalar(select(func.count()).select_from(Entry)) == len(posted)
        per_entry = session.execute(select(EntryLine.entry_id, func.sum(EntryLine.debit), func.sum(EntryLine.credit))
                                    .group_by(EntryLine.entry_id)).all()
        assert all(d == c for _, d, c in per_entry)
        total_d, total_c = session.execute(select(func.sum(EntryLine.debit), func.sum(EntryLine.credit))).one()
        assert total_d == total_c
        reversals = session.scalars(select(Entry.reverses_id).where(Entry.reverses_id.is_not(None))).all()
        assert sorted(reversals) == sorted(reversed_)
    report = fin.verify(school)
    assert report["valid"] and report["entries"] == len(posted)


@settings(max_examples=200, deadline=None)
@given(lines=balanced_lines())
def test_generated_balanced_lines_pass_and_any_one_cent_change_is_refused(lines):
    from services.finance.domain.chart import default_chart
    chart = default_chart()
    L.check_lines(lines, chart)
    first = lines[0]
    skewed = (L.Line(first.account, debit=first.debit + Decimal("0.01")),) + lines[1:]
    try:
        L.check_lines(skewed, chart)
        raise AssertionError("an unbalanced entry passed")
    except L.LedgerError as exc:
        assert exc.code == "entry_unbalanced"


@settings(max_examples=100, deadline=None)
@given(entries=st.lists(balanced_lines(), min_size=1, max_size=8), victim=st.integers(0, 7))
def test_changing_any_posted_entry_breaks_the_chain_from_it(entries, victim):
    prev, chain = L.GENESIS, []
    for seq, lines in enumerate(entries, start=1):
        e = L.Entry("S", DAY, "journal", "m", lines)
        h = L.chain_hash(prev, e, seq)
        chain.append((seq, prev, h, e))
        prev = h
    assert L.verify_chain(chain).valid
    i = victim % len(chain)
    seq, p, h, e = chain[i]
    chain[i] = (seq, p, h, L.Entry("S", DAY, "journal", "m2", e.lines))
    report = L.verify_chain(chain)
    assert not report.valid and report.broken_at == i + 1


MONTHS = (1, 2, 3)
steps_with_periods = st.lists(st.one_of(
    st.tuples(st.just("post"), st.sampled_from(MONTHS), balanced_lines()),
    st.tuples(st.just("close"), st.sampled_from(MONTHS), st.sampled_from(("adjusting", "closed")))),
    min_size=1, max_size=15)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps_with_periods)
def test_postings_into_periods_that_are_not_open_are_refused_and_write_nothing(fin, steps):
    from datetime import date
    school = f"Q{next(_schools):05d}"
    state = {m: "open" for m in MONTHS}
    accepted = 0
    for action, month, arg in steps:
        period = f"2025-{month:02d}"
        if action == "close":
            try:
                fin.set_period(school, period, arg)
                state[month] = arg
            except Conflict as exc:
                assert exc.code == "period_transition" and L.PERIOD_STATES.index(arg) <= L.PERIOD_STATES.index(state[month])
            continue
        try:
            fin.post(school, *arg, kind="payment", day=date(2025, month, 10))
            accepted += 1
            assert state[month] == "open"
        except Conflict as exc:
            assert state[month] != "open" and exc.code in ("period_closed", "period_not_open")
    report = fin.verify(school)
    assert report["valid"] and report["entries"] == accepted
