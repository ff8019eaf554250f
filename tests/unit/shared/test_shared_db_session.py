"""Tenant-guarded sessions (shared/db/session.py): a school session reads and writes only its own rows."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import aliased

from kit_schema import Comment, Note, Region, everything
from shared.errors import CrossTenantWrite

A = frozenset({"A"})


def titles(session, stmt=None):
    return sorted(session.scalars(stmt if stmt is not None else select(Note.title)).all())


# ---- reads ------------------------------------------------------------------------------------

def test_select_through_a_school_session_sees_only_that_schools_rows(sessions, seeded):
    with sessions(A) as session:
        assert titles(session) == ["A1", "A2"]
        assert [n.title for n in session.scalars(select(Note).order_by(Note.id))] == ["A1", "A2"]


def test_two_schools_reading_in_turn_each_see_their_own_rows(sessions, seeded):
    # the criteria are built per statement: a cached first school must never leak into the next
    seen = []
    for school in ("A", "B", "A"):
        with sessions(frozenset({school})) as session:
            seen.append(titles(session))
    assert seen == [["A1", "A2"], ["B1"], ["A1", "A2"]]


def test_counting_rows_counts_only_own_rows(sessions, seeded):
    with sessions(A) as session:
        assert session.scalar(select(func.count()).select_from(Note)) == 2
        assert session.scalar(select(func.count(Note.id))) == 2


def test_get_by_query_of_another_schools_row_finds_nothing(sessions, seeded):
    with sessions(A) as session:
        assert session.execute(select(Note).where(Note.id == seeded["B1"])).scalar_one_or_none() is None
        assert session.get(Note, seeded["B1"]) is None
        assert session.get(Note, seeded["A1"]).title == "A1"


def test_joined_rows_of_another_school_are_filtered_out(sessions, seeded):
    with sessions(A) as session:
        # a join that would pair A's notes with B's comments if the joined entity were not filtered
        rows = session.execute(select(Note.title, Comment.text).join(Comment, Comment.note_id != Note.id)
                               .order_by(Note.title, Comment.text)).all()
    assert rows == [("A1", "on A2"), ("A2", "on A1")]


def test_aliased_entities_are_filtered_too(sessions, seeded):
    other = aliased(Note)
    with sessions(A) as session:
        assert sorted(session.scalars(select(other.title))) == ["A1", "A2"]
        pairs = session.execute(select(Note.title, other.title).join(other, other.id != Note.id)).all()
    assert sorted(pairs) == [("A1", "A2"), ("A2", "A1")]


def test_rows_that_are_not_tenant_rows_are_seen_by_every_school(sessions, seeded):
    with sessions(frozenset({"B"})) as session:
        assert session.scalars(select(Region.code)).all() == ["R1"]


def test_district_session_sees_every_school(sessions, seeded):
    with sessions(None) as session:
        assert titles(session) == ["A1", "A2", "B1"]


def test_a_session_of_several_schools_sees_each_of_them(sessions, seeded):
    with sessions(frozenset({"A", "B"})) as session:
        assert titles(session) == ["A1", "A2", "B1"]


# ---- ORM bulk UPDATE / DELETE ------------------------------------------------------------------

def test_orm_bulk_update_touches_only_own_rows(sessions, seeded):
    with sessions(A) as session:
        session.execute(update(Note).values(title=Note.title + "!"))
        session.commit()
    assert everything(sessions) == [("A", "A1!"), ("A", "A2!"), ("B", "B1")]


def test_orm_bulk_update_aimed_at_another_schools_row_changes_nothing(sessions, seeded):
    with sessions(A) as session:
        session.execute(update(Note).where(Note.id == seeded["B1"]).values(title="hijacked"))
        session.commit()
    assert ("B", "B1") in everything(sessions)


def test_orm_bulk_delete_removes_only_own_rows(sessions, seeded):
    with sessions(A) as session:
        session.execute(delete(Comment))
        session.commit()
    assert everything(sessions, Comment, "text") == [("B", "on B1")]


def test_orm_bulk_update_by_primary_key_of_another_schools_row_changes_nothing(sessions, seeded):
    with sessions(A) as session:
        try:
            session.execute(update(Note), [{"id": seeded["B1"], "title": "hijacked"}])
            session.commit()
        except CrossTenantWrite:
            session.rollback()
    assert ("B", "B1") in everything(sessions)


def test_orm_bulk_update_moving_rows_into_another_school_is_refused(sessions, seeded):
    with sessions(A) as session:
        with pytest.raises(CrossTenantWrite):
            session.execute(update(Note).values(school="B"))
    assert everything(sessions) == [("A", "A1"), ("A", "A2"), ("B", "B1")]


# ---- the flush guard -----------------------------------------------------------------------------

def test_new_row_of_own_school_is_written(sessions, seeded):
    with sessions(A) as session:
        session.add(Note(school="A", title="A3"))
        session.commit()
    assert ("A", "A3") in everything(sessions)


def test_flush_of_another_schools_new_row_is_refused_and_nothing_is_written(sessions, seeded):
    with sessions(A) as session:
        session.add(Note(school="A", title="A3"))
        session.add(Note(school="B", title="B2"))
        with pytest.raises(CrossTenantWrite) as refused:
            session.flush()
        session.rollback()
    assert refused.value.params == {"school": "B"}
    assert refused.value.status == 403 and refused.value.code == "cross_school_write"
    assert everything(sessions) == [("A", "A1"), ("A", "A2"), ("B", "B1")]


def test_flush_of_own_row_moved_into_another_school_is_refused(sessions, seeded):
    with sessions(A) as session:
        note = session.get(Note, seeded["A1"])
        note.school = "B"
        with pytest.raises(CrossTenantWrite):
            session.commit()
        session.rollback()
    assert ("A", "A1") in everything(sessions)


def _detached_b1(sessions, seeded):
    with sessions(None) as district:
        row = district.get(Note, seeded["B1"])
        district.expunge(row)
    return row


def test_flush_of_another_schools_changed_row_is_refused(sessions, seeded):
    row = _detached_b1(sessions, seeded)
    with sessions(A) as session:
        row = session.merge(row, load=False)
        row.title = "hijacked"
        with pytest.raises(CrossTenantWrite):
            session.flush()
        session.rollback()
    assert ("B", "B1") in everything(sessions)


def test_flush_of_another_schools_deleted_row_is_refused(sessions, seeded):
    row = _detached_b1(sessions, seeded)
    with sessions(A) as session:
        session.add(row)
        session.delete(row)
        with pytest.raises(CrossTenantWrite):
            session.flush()
        session.rollback()
    assert ("B", "B1") in everything(sessions)


def test_rows_of_a_school_named_in_also_may_be_written(sessions, seeded):
    with sessions(frozenset({"A", "C"})) as session:
        session.add(Note(school="C", title="C1"))
        session.commit()
    assert ("C", "C1") in everything(sessions)


def test_district_session_writes_into_any_school(sessions, seeded):
    with sessions(None) as session:
        session.add_all([Note(school="B", title="B2"), Note(school="Z", title="Z1")])
        session.commit()
    assert {("B", "B2"), ("Z", "Z1")} <= set(everything(sessions))


# ---- ORM bulk INSERT ----------------------------------------------------------------------------

def test_orm_bulk_insert_into_own_school_is_written(sessions, seeded):
    with sessions(A) as session:
        session.execute(insert(Note), [{"school": "A", "title": "A3"}, {"school": "A", "title": "A4"}])
        session.commit()
    assert {("A", "A3"), ("A", "A4")} <= set(everything(sessions))


def test_orm_bulk_insert_naming_another_school_is_refused_and_nothing_is_written(sessions, seeded):
    with sessions(A) as session:
        with pytest.raises(CrossTenantWrite) as refused:
            session.execute(insert(Note), [{"school": "A", "title": "A3"}, {"school": "B", "title": "B2"}])
        session.rollback()
    assert refused.value.params == {"school": "B"}
    assert everything(sessions) == [("A", "A1"), ("A", "A2"), ("B", "B1")]


def test_orm_insert_with_values_naming_another_school_is_refused(sessions, seeded):
    with sessions(A) as session:
        with pytest.raises(CrossTenantWrite):
            session.execute(insert(Note).values(school="B", title="B2"))
        session.rollback()
    assert ("B", "B2") not in everything(sessions)


def test_orm_insert_naming_no_school_is_refused(sessions, seeded):
    with sessions(A) as session:
        with pytest.raises(CrossTenantWrite):
            session.execute(insert(Note), [{"title": "nobody's"}])


def test_orm_bulk_insert_into_a_school_named_in_also_is_written(sessions, seeded):
    with sessions(frozenset({"A", "C"})) as session:
        session.execute(insert(Note), [{"school": "C", "title": "C1"}])
        session.commit()
    assert ("C", "C1") in everything(sessions)


def test_orm_insert_with_values_naming_own_school_is_written(sessions, seeded):
    with sessions(A) as session:
        session.execute(insert(Note).values(school="A", title="A3"))
        session.commit()
    assert ("A", "A3") in everything(sessions)
