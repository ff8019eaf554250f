"""Posting, reversing and closing against the real tables: what is refused writes nothing."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, update

from services.finance import ledger
from services.finance.domain.chart import BANK
from services.finance.orm import Entry, EntryLine, PostedEntryImmutable
from shared.errors import Conflict, NotFound, ValidationFailed

from .support import DAY, S1, S2, cr, dr


def count(fin, model, school=S1):
    with fin.read(school) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_posted_entries_are_chained_and_the_chain_verifies(fin):
    first = fin.pay(S1, "5101", "100.00")
    second = fin.post(S1, dr(BANK, "30.00"), cr("4101", "30.00"), kind="receipt")
    with fin.read(S1) as session:
        a, b = session.get(Entry, first), session.get(Entry, second)
        assert (a.seq, b.seq) == (1, 2) and b.prev_hash == a.hash
    report = fin.verify(S1)
    assert report["valid"] and report["entries"] == 2


def test_an_unbalanced_entry_is_refused_and_nothing_is_written(fin):
    with pytest.raises(ValidationFailed) as exc:
        fin.post(S1, dr("5101", "10.00"), cr(BANK, "9.00"))
    assert exc.value.code == "entry_unbalanced" and exc.value.fields == {"lines": ["unbalanced"]}
    assert count(fin, Entry) == 0 and count(fin, EntryLine) == 0


def test_a_posted_entry_cannot_be_changed_or_deleted_through_the_orm(fin):
    entry_id = fin.pay(S1, "5101", "10.00")
    with fin.uow(S1) as uow:
        uow.session.get(Entry, entry_id).memo = "改过的"
        with pytest.raises(PostedEntryImmutable):
            uow.session.flush()
    with fin.uow(S1) as uow:
        uow.session.delete(uow.session.get(Entry, entry_id))
        with pytest.raises(PostedEntryImmutable):
            uow.session.flush()
    with fin.uow(S1) as uow:
        with pytest.raises(PostedEntryImmutable):
            uow.session.execute(update(EntryLine).values(debit=D("99.00")))
    assert fin.verify(S1)["valid"]


def test_a_change_made_behind_the_kit_is_found_by_the_chain_check(fin):
    fin.pay(S1, "5101", "10.00")
    fin.pay(S1, "5201", "20.00")
    with fin.engine.begin() as conn:    # someone edits the database directly
        conn.execute(EntryLine.__table__.update().where(EntryLine.__table__.c.account == "5201")
                     .values(debit=D("200.00")))
        conn.execute(EntryLine.__table__.update().where(EntryLine.__table__.c.account == BANK,
                                                        EntryLine.__table__.c.credit == D("20.00"))
                     .values(credit=D("200.00")))
    report = fin.verify(S1)
    assert not report["valid"] and report["broken_at"] == 2 and report["problem"] == "hash_mismatch"


def test_a_reversal_mirrors_the_entry_and_leaves_it_untouched(fin):
    original = fin.pay(S1, "5101", "75.00")
    reversal = fin.reverse(S1, original)
    with fin.read(S1) as session:
        got = ledger.get_entry(session, original)
        mirror = ledger.get_entry(session, reversal)
    assert got["reversed_by"] == reversal and mirror["reverses_id"] == original and mirror["kind"] == "reversal"
    assert {(l["account"], l["debit"], l["credit"]) for l in mirror["lines"]} == {
        ("5101", "0.00", "75.00"), (BANK, "75.00", "0.00")}
    assert got["lines"][0]["debit"] == "75.00"
    assert fin.verify(S1)["valid"]


def test_an_entry_is_reversed_once_and_a_reversal_is_not_reversed(fin):
    original = fin.pay(S1, "5101", "75.00")
    reversal = fin.reverse(S1, original)
    with pytest.raises(Conflict) as exc:
        fin.reverse(S1, original)
    assert exc.value.code == "entry_already_reversed"
    with pytest.raises(Conflict) as exc:
        fin.reverse(S1, reversal)
    assert exc.value.code == "entry_is_reversal"
    assert count(fin, Entry) == 2


def test_posting_into_a_closed_period_is_refused(fin):
    fin.set_period(S1, "2025-03", "closed")
    with pytest.raises(Conflict) as exc:
        fin.pay(S1, "5101", "10.00")
    assert exc.value.code == "period_closed" and exc.value.params == {"period": "2025-03"}
    assert count(fin, Entry) == 0


def test_an_adjusting_period_takes_journal_entries_only(fin):
    fin.set_period(S1, "2025-03", "adjusting")
    with pytest.raises(Conflict) as exc:
        fin.pay(S1, "5101", "10.00")
    assert exc.value.code == "period_not_open"
    assert fin.post(S1, dr("5301", "5.00"), cr("5101", "5.00"), kind="adjusting")
    assert fin.post(S1, dr("5301", "5.00"), cr("5101", "5.00"), kind="journal")


def test_closing_a_period_publishes_period_closed_and_cannot_be_undone(fin):
    fin.set_period(S1, "2025-03", "adjusting")
    fin.set_period(S1, "2025-03", "closed")
    assert fin.event_types() == ["finance.period_closed"]
    assert fin.events()[0]["payload"] == {"school": S1, "period": "2025-03", "closed_on": DAY.isoformat()}
    with pytest.raises(Conflict) as exc:
        fin.set_period(S1, "2025-03", "open")
    assert exc.value.code == "period_transition"


def test_each_school_has_its_own_chain_and_sees_only_its_entries(fin):
    fin.pay(S1, "5101", "10.00")
    fin.pay(S2, "5101", "20.00")
    fin.pay(S2, "5101", "30.00")
    assert fin.verify(S1)["entries"] == 1 and fin.verify(S2)["entries"] == 2
    with fin.read(S1) as session:
        assert ledger.list_entries(session, {})["total"] == 1
        with pytest.raises(NotFound):
            ledger.get_entry(session, 2)


def test_changing_who_posted_an_entry_breaks_the_chain(fin):
    fin.pay(S1, "5101", "10.00")
    with fin.engine.begin() as conn:
        conn.execute(Entry.__table__.update().values(posted_by="someone else"))
    assert fin.verify(S1)["problem"] == "hash_mismatch"
