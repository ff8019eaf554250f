"""Tenant isolation in the storage kit, on PostgreSQL: a session bound to one school union reads,
updates and deletes only that school's rows, refuses to flush a row of another school before
anything reaches the database, and the partial unique index keeps one live membership per ID
number across the whole district even when the domain checks are bypassed."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from services.membership.orm import KIT, CommitteePosition, Member, PiiRead, School, StatusChange, UnionGroup
from shared import contracts, plugins
from shared.db import TenantSessionFactory, UnitOfWork, make_engine, migrate
from shared.errors import CrossTenantWrite
from shared.tenancy import CallContext

from .support import next_id_number, pg_url

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sessions(module_db_prefix):
    contracts.load_all()
    url = pg_url(f"{module_db_prefix}membership")
    migrate.upgrade(plugins.discover()["membership"], url)
    engine = make_engine(url)
    yield TenantSessionFactory(engine)
    engine.dispose()


@dataclass
class Pair:
    a: str
    b: str
    members: dict  # school -> [member ids]
    groups: dict   # school -> group id


def _member(school: str, name: str, group_id=None, id_number=None, status="active") -> Member:
    row = Member(school=school, person_key=uuid.uuid4().hex, name=name, gender="female", birth_date=date(1980, 5, 1),
                 birth_month=5, category="teacher", id_number=id_number or next_id_number(), union_group_id=group_id,
                 join_date=date(2020, 9, 1), version=1)
    row.set_status(status)
    return row


@pytest.fixture
def pair(sessions) -> Pair:
    """Two schools with members, groups, status history, committee positions and PII-read audit rows."""
    tag = uuid.uuid4().hex[:6]
    a, b = f"A{tag}", f"B{tag}"
    members, groups = {}, {}
    with sessions(None) as s:
        for code, count in ((a, 2), (b, 3)):
            s.add(School(code=code, name=f"学校{code}", kind="primary", staff_headcount=50))
            group = UnionGroup(school=code, name="语文组")  # the same group name in both schools
            s.add(group)
            s.flush()
            groups[code] = group.id
            rows = [_member(code, f"{code}-会员{i}", group.id) for i in range(count)]
            s.add_all(rows)
            s.flush()
            for row in rows:
                s.add(StatusChange(school=code, member_id=row.id, to_status="active", effective_on=date(2020, 9, 1)))
                s.add(PiiRead(school=code, member_id=row.id, fields="id_number", actor="chair", role="school_admin"))
            s.add(CommitteePosition(school=code, member_id=rows[0].id, portfolio="chair", started_on=date(2020, 9, 1)))
            members[code] = [r.id for r in rows]
        s.commit()
    return Pair(a, b, members, groups)


def _district_rows(sessions, model, school):
    with sessions(None) as s:
        return s.execute(select(model).where(model.school == school).order_by(model.id)).scalars().all()


def test_a_school_session_selects_only_its_own_members(sessions, pair):
    with sessions({pair.a}) as s:
        assert s.execute(select(Member.id).order_by(Member.id)).scalars().all() == pair.members[pair.a]
        assert {m.school for m in s.execute(select(Member)).scalars()} == {pair.a}
        assert s.execute(select(Member).where(Member.school == pair.b)).first() is None
        assert s.execute(select(Member).where(Member.id == pair.members[pair.b][0])).first() is None
        assert s.get(Member, pair.members[pair.b][0]) is None
        assert s.execute(select(Member.name).where(Member.name.like(f"{pair.b}%"))).first() is None
        for model in (StatusChange, PiiRead, CommitteePosition, UnionGroup):
            assert {r.school for r in s.execute(select(model)).scalars()} == {pair.a}, model.__name__


def test_counts_and_aggregates_in_a_school_session_see_only_its_own_rows(sessions, pair):
    mine = len(pair.members[pair.a])
    with sessions({pair.a}) as s:
        assert s.execute(select(func.count()).select_from(Member)).scalar_one() == mine
        assert s.execute(select(func.count(Member.id))).scalar_one() == mine
        assert s.execute(select(func.count()).select_from(select(Member).subquery())).scalar_one() == mine
        assert s.execute(select(select(func.count(Member.id)).scalar_subquery())).scalar_one() == mine
        assert dict(s.execute(select(Member.school, func.count()).group_by(Member.school)).all()) == {pair.a: mine}
        assert s.execute(select(func.count()).select_from(StatusChange)).scalar_one() == mine
        assert s.execute(select(func.max(Member.id))).scalar_one() == max(pair.members[pair.a])


def test_joins_in_a_school_session_never_pair_rows_of_another_school(sessions, pair):
    with sessions({pair.a}) as s:
        history = s.execute(select(Member.school, StatusChange.school)
                            .join(StatusChange, StatusChange.member_id == Member.id)).all()
        assert set(history) == {(pair.a, pair.a)}
        # joining on a column both schools share (the group name) must not reach the other school
        other = aliased(UnionGroup)
        pairs = s.execute(select(UnionGroup.school, other.school)
                          .join(other, other.name == UnionGroup.name)).all()
        assert set(pairs) == {(pair.a, pair.a)}
        grouped = s.execute(select(Member.id, UnionGroup.school)
                            .outerjoin(UnionGroup, UnionGroup.id == Member.union_group_id)).all()
        assert {m for m, _ in grouped} == set(pair.members[pair.a]) and {g for _, g in grouped} == {pair.a}
        # an explicit join to the other school's rows by id finds nothing
        crossed = s.execute(select(Member.id, StatusChange.id)
                            .join(StatusChange, StatusChange.member_id.in_(pair.members[pair.b]))).all()
        assert crossed == []
        peer = aliased(Member)
        assert s.execute(select(Member.id, peer.id).join(peer, peer.id != Member.id)
                         .where(peer.id.in_(pair.members[pair.b]))).all() == []


def test_orm_update_statements_in_a_school_session_change_only_its_own_rows(sessions, pair):
    with sessions({pair.a}) as s:
        assert s.execute(update(Member).values(position="A 的改动")).rowcount == len(pair.members[pair.a])
        assert s.execute(update(Member).where(Member.id == pair.members[pair.b][0])
                         .values(position="越权")).rowcount == 0
        s.commit()
    assert {m.position for m in _district_rows(sessions, Member, pair.a)} == {"A 的改动"}
    assert {m.position for m in _district_rows(sessions, Member, pair.b)} == {None}


def test_an_orm_update_cannot_move_rows_into_another_school(sessions, pair):
    with sessions({pair.a}) as s:
        try:
            with pytest.raises(CrossTenantWrite):
                s.execute(update(Member).where(Member.id == pair.members[pair.a][0]).values(school=pair.b))
        finally:
            s.commit()
    assert [m.id for m in _district_rows(sessions, Member, pair.a)] == pair.members[pair.a]
    assert [m.id for m in _district_rows(sessions, Member, pair.b)] == pair.members[pair.b]


def test_an_orm_bulk_update_by_primary_key_cannot_change_another_schools_rows(sessions, pair):
    victim = pair.members[pair.b][0]
    with sessions({pair.a}) as s:
        try:
            s.execute(update(Member), [{"id": victim, "position": "越权"}])
        except CrossTenantWrite:
            pass  # refusing the statement outright is as good as skipping the foreign row
        finally:
            s.commit()
    assert {m.position for m in _district_rows(sessions, Member, pair.b)} == {None}


def test_orm_delete_statements_in_a_school_session_remove_only_its_own_rows(sessions, pair):
    before_b = [r.id for r in _district_rows(sessions, PiiRead, pair.b)]
    with sessions({pair.a}) as s:
        assert s.execute(delete(PiiRead)).rowcount == len(pair.members[pair.a])
        assert s.execute(delete(CommitteePosition).where(CommitteePosition.school == pair.b)).rowcount == 0
        s.commit()
    assert _district_rows(sessions, PiiRead, pair.a) == []
    assert [r.id for r in _district_rows(sessions, PiiRead, pair.b)] == before_b
    assert len(_district_rows(sessions, CommitteePosition, pair.b)) == 1


def _add_new_row(s, pair):
    s.add(_member(pair.a, "本校新会员"))  # legitimate, in the same flush: must not survive either
    s.add(_member(pair.b, "外校新会员"))
    s.flush()


def _move_own_row(s, pair):
    row = s.execute(select(Member).where(Member.id == pair.members[pair.a][0])).scalar_one()
    row.school = pair.b
    s.flush()


def _merge_foreign_row(s, pair):
    ghost = _member(pair.b, "改写外校会员")
    ghost.id = pair.members[pair.b][0]
    s.merge(ghost)
    s.flush()


def _bulk_insert(s, pair):
    row = {"school": pair.b, "person_key": uuid.uuid4().hex, "name": "批量", "gender": "male",
           "birth_date": date(1980, 1, 1), "birth_month": 1, "category": "teacher", "id_number": next_id_number(),
           "status": "active", "live": True, "version": 1, "created_at": date(2024, 1, 1),
           "updated_at": date(2024, 1, 1)}
    s.execute(insert(Member), [dict(row, school=pair.a, id_number=next_id_number()), row])


def _insert_values(s, pair):
    s.execute(insert(PiiRead).values(school=pair.b, member_id=pair.members[pair.b][0], fields="phone",
                                     read_at=date(2024, 1, 1)))


WRITES = {"a new row of the other school": _add_new_row, "an own row moved to the other school": _move_own_row,
          "overwriting the other school's row through merge": _merge_foreign_row,
          "an ORM bulk insert naming the other school": _bulk_insert,
          "an ORM insert with values of the other school": _insert_values}


@pytest.mark.parametrize("write", WRITES.values(), ids=list(WRITES))
def test_writing_a_row_of_another_school_raises_and_commits_nothing(sessions, pair, write):
    snapshot = {school: ([m.id for m in _district_rows(sessions, Member, school)],
                         [r.id for r in _district_rows(sessions, PiiRead, school)]) for school in (pair.a, pair.b)}
    with sessions({pair.a}) as s:
        with pytest.raises(CrossTenantWrite):
            write(s, pair)
        s.rollback()
        s.commit()
    after = {school: ([m.id for m in _district_rows(sessions, Member, school)],
                      [r.id for r in _district_rows(sessions, PiiRead, school)]) for school in (pair.a, pair.b)}
    assert after == snapshot
    assert {m.school for m in _district_rows(sessions, Member, pair.a)} == {pair.a}


def test_a_unit_of_work_that_writes_into_another_school_commits_neither_its_state_nor_its_events(sessions, pair):
    def outbox_count():
        with sessions(None) as s:
            return s.execute(select(func.count()).select_from(KIT.outbox)).scalar_one()
    before = outbox_count()
    context = CallContext(school=pair.a, actor="chair-a", role="school_admin")
    with pytest.raises(CrossTenantWrite):
        with UnitOfWork(sessions, KIT, schools={pair.a}, context=context) as uow:
            uow.session.add(_member(pair.a, "本校"))
            uow.session.add(_member(pair.b, "外校"))
            uow.publish("membership.school_updated", {"code": pair.a, "name": "x", "kind": "primary", "area": None,
                                                      "staff_headcount": 1, "active": True})
            uow.commit()
    assert outbox_count() == before
    assert [m.id for m in _district_rows(sessions, Member, pair.a)] == pair.members[pair.a]
    assert [m.id for m in _district_rows(sessions, Member, pair.b)] == pair.members[pair.b]


def test_the_partial_unique_index_refuses_one_id_number_live_at_two_schools(sessions, pair):
    shared_id = next_id_number()
    with sessions(None) as s:  # the district view: no domain check stands in the way
        s.add(_member(pair.a, "甲", id_number=shared_id))
        s.commit()
        s.add(_member(pair.b, "甲", id_number=shared_id))
        with pytest.raises(IntegrityError, match="uq_members_live_id_number"):
            s.commit()
        s.rollback()
        s.add(_member(pair.a, "甲", id_number=shared_id, status="applicant"))
        with pytest.raises(IntegrityError, match="uq_members_live_id_number"):
            s.commit()
        s.rollback()
    assert [m.school for m in _all_with_id(sessions, shared_id)] == [pair.a]


def test_the_same_id_number_may_live_again_once_the_earlier_membership_ended(sessions, pair):
    shared_id = next_id_number()
    with sessions(None) as s:
        first = _member(pair.a, "乙", id_number=shared_id)
        s.add(first)
        s.commit()
        first.set_status("transferred_out")
        s.add(_member(pair.b, "乙", id_number=shared_id))
        s.commit()
        first.set_status("active")  # reviving the old one would make two live memberships
        with pytest.raises(IntegrityError, match="uq_members_live_id_number"):
            s.commit()
        s.rollback()
    rows = _all_with_id(sessions, shared_id)
    assert [(m.school, m.live) for m in rows] == [(pair.a, False), (pair.b, True)]


def _all_with_id(sessions, id_number):
    with sessions(None) as s:
        return s.execute(select(Member).where(Member.id_number == id_number).order_by(Member.id)).scalars().all()
