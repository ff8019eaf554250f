"""The member directory (会员名录) a service keeps from membership events: newest version wins,
out-of-order and repeated snapshots change nothing, the hook runs only when a snapshot applied,
and a transfer moves the member between schools without crossing tenancy."""
from __future__ import annotations

import uuid
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from shared import testing

from shared.db import TenantSessionFactory, UnitOfWork, install_kit_tables, make_base, make_engine
from shared.directory import (MemberDirectoryMixin, apply_group, apply_member, apply_members, directory_models,
                              members_of)
from shared.errors import CrossTenantWrite
from shared.tenancy import CallContext

Base = make_base()
install_kit_tables(Base.metadata)
Member, Group = directory_models(Base)


def snap(member_id=1, school="A", version=1, **kw):
    base = {"id": member_id, "school": school, "person_key": f"p{member_id}", "name": f"张{member_id}",
            "gender": "female", "birth_date": "1980-05-04", "category": "teacher", "status": "active",
            "union_group_id": None, "position": None, "hire_date": None, "join_date": "2010-09-01",
            "version": version}
    return base | kw


@pytest.fixture(scope="module")
def directory_postgres(pg_available):
    name = f"uht_{uuid.uuid4().hex[:8]}_directory"
    url = testing.create_database(name)
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()
    testing.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request):
    """Every directory test runs on the embedded default and on PostgreSQL (one upsert per batch)."""
    if request.param == "sqlite":
        return TenantSessionFactory(request.getfixturevalue("sqlite_schema")(Base.metadata, "directory.db"))
    engine = request.getfixturevalue("directory_postgres")
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(t.name for t in Base.metadata.sorted_tables)} RESTART IDENTITY"))
    return TenantSessionFactory(engine)


def test_new_snapshot_is_stored_with_dates(sessions):
    with sessions(frozenset({"A"})) as s:
        before, applied = apply_member(s, Member, snap())
        s.commit()
        assert (before, applied) == (None, True)
        row = s.get(Member, 1)
        assert row.birth_date == date(1980, 5, 4) and row.join_date == date(2010, 9, 1) and row.name == "张1"


def test_older_or_equal_version_changes_nothing(sessions):
    with sessions(frozenset({"A"})) as s:
        apply_member(s, Member, snap(version=3, status="retired"))
        before, applied = apply_member(s, Member, snap(version=2, status="active"))
        assert applied is False and before["status"] == "retired"
        _, applied = apply_member(s, Member, snap(version=3, status="left"))
        assert applied is False
        assert s.get(Member, 1).status == "retired"


def test_newer_version_replaces_and_reports_before(sessions):
    with sessions(frozenset({"A"})) as s:
        apply_member(s, Member, snap(version=1))
        before, applied = apply_member(s, Member, snap(version=2, status="retired", name="张一"))
        assert applied and before["status"] == "active" and before["version"] == 1
        assert (s.get(Member, 1).status, s.get(Member, 1).name) == ("retired", "张一")


def test_snapshot_of_another_school_is_refused_in_a_school_session(sessions):
    with sessions(frozenset({"A"})) as s:
        with pytest.raises(CrossTenantWrite):
            apply_member(s, Member, snap(school="B"))


def test_members_of_filters_status_and_group(sessions):
    with sessions(None) as s:
        apply_member(s, Member, snap(1, union_group_id=7))
        apply_member(s, Member, snap(2, union_group_id=8))
        apply_member(s, Member, snap(3, status="left", union_group_id=7))
        apply_member(s, Member, snap(4, status="applicant"))
        s.commit()
    with sessions(frozenset({"A"})) as s:
        assert [m.member_id for m in members_of(s, Member)] == [1, 2]
        assert [m.member_id for m in members_of(s, Member, group_id=7)] == [1]


def test_group_versions(sessions):
    with sessions(frozenset({"A"})) as s:
        assert apply_group(s, Group, {"id": 5, "school": "A", "name": "语文组", "leader_member_id": 1, "version": 2})
        assert not apply_group(s, Group, {"id": 5, "school": "A", "name": "旧名", "version": 1})
        assert apply_group(s, Group, {"id": 5, "school": "A", "name": "语文教研组", "leader_member_id": 2, "version": 3})
        assert (s.get(Group, 5).name, s.get(Group, 5).leader_member_id) == ("语文教研组", 2)


class _Svc(MemberDirectoryMixin):
    name = "probe"
    directory = (Member, Group)

    def __init__(self):
        self.seen = []

    def on_member_changed(self, uow, event, before, after):
        self.seen.append((event.type, before and before["status"], after["status"]))


def _run(handler, svc, sessions, payload, type_, schools):
    """Hand one event to a directory handler as the inbox does: a district unit of work, the batch."""
    kit = install_kit_tables(Base.metadata)
    with UnitOfWork(sessions, kit, schools=None, context=CallContext()) as uow:
        event = SimpleNamespace(type=type_, payload=payload, school=payload.get("member", {}).get("school"), actor="t")
        # call the undecorated body: the decorator's broker side is tested in the inbox tests
        handler.__wrapped__(svc, uow, [event])
        uow.commit()


def test_hook_runs_once_per_applied_snapshot(sessions):
    svc = _Svc()
    h = _Svc.directory_member_retired
    _run(_Svc.directory_member_admitted, svc, sessions, {"member": snap()}, "membership.member_admitted", {"A"})
    _run(h, svc, sessions, {"member": snap(version=2, status="retired")}, "membership.member_retired", {"A"})
    _run(h, svc, sessions, {"member": snap(version=2, status="retired")}, "membership.member_retired", {"A"})
    assert svc.seen == [("membership.member_admitted", None, "active"),
                        ("membership.member_retired", "active", "retired")]


def test_transfer_closes_old_membership_and_opens_new(sessions):
    svc = _Svc()
    _run(_Svc.directory_member_admitted, svc, sessions, {"member": snap(1, "A")}, "membership.member_admitted", {"A"})
    payload = {"previous_member": snap(1, "A", version=2, status="transferred_out"), "member": snap(9, "B"),
               "previous_member_id": 1, "from_school": "A", "to_school": "B", "transferred_on": "2026-09-01"}
    _run(_Svc.directory_member_transferred, svc, sessions, payload, "membership.member_transferred", None)
    with sessions(frozenset({"B"})) as s:
        assert [m.member_id for m in members_of(s, Member)] == [9]
    with sessions(frozenset({"A"})) as s:
        assert members_of(s, Member) == [] and s.get(Member, 1).status == "transferred_out"


def test_a_batch_inserts_new_members_and_updates_known_ones_in_delivery_order(sessions):
    with sessions(None) as s:
        apply_member(s, Member, snap(1, version=1))
        apply_member(s, Member, snap(2, version=5, status="retired"))
        s.commit()
    items = [(f"e{i}", snapshot, None) for i, snapshot in enumerate([
        snap(1, version=2, name="张一"),            # newer: updated
        snap(3, version=1),                         # new
        snap(3, version=2, status="left"),          # new, then newer again in the same batch
        snap(2, version=4, status="active"),        # older than the one held: ignored
        snap(1, version=2, name="又一个"),          # the same version twice: the first one stays
    ])]
    with sessions(None) as s:
        applied = apply_members(s, Member, items)
        s.commit()
    assert [(event, before and before["version"], after["version"]) for event, before, after in applied] == [
        ("e0", 1, 2), ("e1", None, 1), ("e2", 1, 2)]
    with sessions(None) as s:
        rows = {m.member_id: (m.name, m.status, m.version) for m in s.query(Member)}
    assert rows == {1: ("张一", "active", 2), 2: ("张2", "retired", 5), 3: ("张3", "left", 2)}


def test_a_batch_refuses_a_snapshot_of_a_school_it_may_not_write(sessions):
    with sessions(None) as s:
        with pytest.raises(CrossTenantWrite):
            apply_members(s, Member, [("e0", snap(1, "A"), {"A"}), ("e1", snap(2, "B"), {"A"})])
