"""Outbox to consumer: events committed with their state change are relayed with publisher
confirms and reach an idempotent consumer exactly once, even when the relay publishes twice."""
from __future__ import annotations

import uuid

import pytest

from shared import testing

from .support import MembershipDb, ProbeProcess

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def membership_db(amqp_uri, module_db_prefix, module_tmp):
    db = MembershipDb(amqp_uri, module_db_prefix, module_tmp)
    yield db
    db.close()


@pytest.fixture(scope="module")
def probe(amqp_uri, module_db_prefix, module_tmp):
    probe = ProbeProcess(amqp_uri, module_db_prefix, module_tmp, name=f"probe_{uuid.uuid4().hex[:6]}").start()
    yield probe
    probe.close()


def _school() -> str:
    return f"S{uuid.uuid4().hex[:8]}"


def test_state_changes_committed_through_a_unit_of_work_reach_the_consumer_exactly_once(membership_db, probe):
    school = _school()
    events = membership_db.create_school(school)
    names = ["张三", "李四", "王五"]
    admitted = {}
    for name in names:
        member, ids = membership_db.admit(school, name)
        assert len(ids) == 1
        admitted[ids[0]] = member
    events += list(admitted)
    assert membership_db.pending(events) == len(events)  # committed, waiting for the relay

    membership_db.relay_until_drained()

    assert probe.wait_handled(events) == {e: 1 for e in events}
    rows = {r.event_id: r for r in probe.handled_rows(events)}
    assert rows[events[0]].type == "membership.school_registered"
    for event_id, member in admitted.items():
        assert rows[event_id].type == "membership.member_admitted"
        assert rows[event_id].school == school
        assert rows[event_id].member_name == member["name"]
    assert probe.dedupe_records(events) == len(events)
    assert all(r.sent_at is not None and r.last_error is None for r in membership_db.outbox_rows(events))


def test_a_relay_that_publishes_the_same_rows_twice_still_gets_each_event_handled_once(membership_db, probe):
    school = _school()
    membership_db.create_school(school)
    events = [membership_db.admit(school, f"会员{i}")[1][0] for i in range(5)]
    membership_db.relay_until_drained()
    assert probe.wait_handled(events) == {e: 1 for e in events}
    duplicates_before = probe.consumed("membership.member_admitted", "duplicate")

    # the relay crashed after the broker confirmed but before it marked the rows sent
    assert membership_db.forget_sent(events) == len(events)
    membership_db.relay_until_drained()

    testing.wait_for(lambda: probe.consumed("membership.member_admitted", "duplicate") >= duplicates_before + 5,
                     30, what="the probe to receive the five re-published events")
    assert probe.handled(events) == {e: 1 for e in events}
    assert probe.dedupe_records(events) == len(events)


def test_five_hundred_events_all_arrive_exactly_once(membership_db, probe):
    school = _school()
    events = []
    for chunk in range(5):
        events += membership_db.publish_admitted(school, [f"批量{chunk}-{i}" for i in range(100)],
                                                 first_id=chunk * 100 + 1)
    assert len(set(events)) == 500
    assert membership_db.pending(events) == 500

    membership_db.relay_until_drained()

    seen = probe.wait_handled(events, timeout=120)
    assert seen == {e: 1 for e in events}
    assert probe.dedupe_records(events) == 500


def test_events_relayed_while_the_consumer_is_stopped_wait_in_its_durable_queue(membership_db, probe):
    school = _school()
    membership_db.create_school(school)
    probe.stop()
    try:
        events = [membership_db.admit(school, f"等待{i}")[1][0] for i in range(3)]
        membership_db.relay_until_drained()
        rows = membership_db.outbox_rows(events)
        assert all(r.sent_at is not None and r.last_error is None for r in rows)  # routed, not "unroutable"
    finally:
        probe.start()
    assert probe.wait_handled(events) == {e: 1 for e in events}
