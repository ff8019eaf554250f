"""The outbox relay (shared/outbox.py) against a fake broker: what gets marked sent, retried or kept,
on SQLite and on PostgreSQL (where the relay claims and marks through its own DB-API connection)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from shared.testing import FixedClock
from prometheus_client import REGISTRY
from sqlalchemy import insert, select, text

from kit_schema import KIT
from shared import outbox
from shared import testing
from shared.db import make_engine
from shared.outbox import MAX_BACKOFF_SECONDS, UNROUTABLE_RETRIES, OutboxRelay, retry_delay

T0 = datetime(2024, 9, 1, 8, 0, 0)
OMIT = object()


class FakeBroker:
    """Stands in for ConfirmingPublisher: confirms everything unless told otherwise per event id."""

    def __init__(self):
        self.outcomes: dict = {}
        self.batches: list[list[str]] = []
        self.error: Exception | None = None
        self.closed = 0

    def publish_batch(self, rows):
        self.batches.append([r.event_id for r in rows])
        if self.error is not None:
            raise self.error
        return {r.event_id: self.outcomes.get(r.event_id) for r in rows
                if self.outcomes.get(r.event_id, None) is not OMIT}

    def close(self):
        self.closed += 1


@pytest.fixture(scope="module")
def kit_postgres(pg_available):
    """The kit schema in a database of the machine's PostgreSQL, for this module."""
    name = f"uht_{uuid.uuid4().hex[:8]}_kit_outbox"
    url = testing.create_database(name)
    engine = make_engine(url)
    KIT.outbox.metadata.create_all(engine)
    yield engine
    engine.dispose()
    testing.drop_database(name)


@pytest.fixture
def pg_engine(kit_postgres):
    with kit_postgres.begin() as conn:
        conn.execute(text("TRUNCATE outbox RESTART IDENTITY"))
    return kit_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    """Each relay test runs on the embedded default and on PostgreSQL (emptied first)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_schema")(KIT.outbox.metadata, "kit.db")
    return request.getfixturevalue("pg_engine")


@pytest.fixture
def clock(monkeypatch):
    clock = FixedClock(T0)
    monkeypatch.setattr(outbox, "utcnow", clock)
    return clock


@pytest.fixture
def broker():
    return FakeBroker()


@pytest.fixture
def relay(engine, broker, clock, request):
    relay = OutboxRelay(engine, KIT.outbox, "amqp://nobody@nowhere//", service=f"kit-{request.node.name}"[:60],
                        batch=500)
    relay.publisher = broker
    yield relay
    relay.close_connection()


def add_rows(engine, n, *, due=T0, start=0, attempts=0):
    ids = [f"{start + i:08d}-0000-4000-8000-{uuid.uuid4().hex[:12]}" for i in range(n)]
    with engine.begin() as conn:
        conn.execute(insert(KIT.outbox), [
            dict(event_id=eid, exchange="kit.events", routing_key="note_written", type="kit.note_written",
                 school="A", body="{}", headers={"nameko.school": "A"}, created_at=due, attempts=attempts,
                 next_attempt_at=due) for eid in ids])
    return ids


def row(engine, event_id):
    with engine.connect() as conn:
        return conn.execute(select(KIT.outbox).where(KIT.outbox.c.event_id == event_id)).mappings().one()


def counter(name, service, type_="kit.note_written"):
    return REGISTRY.get_sample_value(name, {"service": service, "type": type_}) or 0.0


def test_retry_delay_doubles_with_each_attempt_up_to_a_cap():
    assert [retry_delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    assert retry_delay(20) == MAX_BACKOFF_SECONDS
    assert retry_delay(-3) == 1.0


def test_confirmed_rows_are_marked_sent(engine, relay, broker):
    ids = add_rows(engine, 3)
    assert relay.publish_once() == 3
    assert broker.batches == [ids]
    for eid in ids:
        r = row(engine, eid)
        assert (r["sent_at"], r["attempts"], r["last_error"]) == (T0, 0, None)


def test_sent_rows_are_not_published_again(engine, relay, broker):
    add_rows(engine, 2)
    relay.publish_once()
    assert relay.publish_once() == 0
    assert len(broker.batches) == 1


def test_nacked_row_stays_pending_and_is_retried_after_its_backoff(engine, relay, broker, clock):
    confirmed, nacked = add_rows(engine, 2)
    broker.outcomes[nacked] = "nacked by broker"
    relay.publish_once()
    r = row(engine, nacked)
    assert r["sent_at"] is None and r["attempts"] == 1 and r["last_error"] == "nacked by broker"
    assert r["next_attempt_at"] == T0 + timedelta(seconds=retry_delay(0))
    assert row(engine, confirmed)["sent_at"] == T0

    assert relay.publish_once() == 0  # not due yet
    clock.now = r["next_attempt_at"]
    assert relay.publish_once() == 1
    again = row(engine, nacked)
    assert again["attempts"] == 2
    assert again["next_attempt_at"] == clock.now + timedelta(seconds=retry_delay(1))
    assert broker.batches == [[confirmed, nacked], [nacked]]


def test_row_confirmed_on_a_retry_is_marked_sent(engine, relay, broker, clock):
    (eid,) = add_rows(engine, 1)
    broker.outcomes[eid] = "nacked by broker"
    relay.publish_once()
    broker.outcomes.clear()
    clock.now = T0 + timedelta(minutes=1)
    relay.publish_once()
    r = row(engine, eid)
    assert r["sent_at"] == clock.now and r["attempts"] == 1


def test_row_the_broker_never_answered_for_is_retried_and_the_rest_of_the_batch_is_marked(engine, relay, broker):
    confirmed, unanswered = add_rows(engine, 2)
    broker.outcomes[unanswered] = OMIT
    relay.publish_once()
    r = row(engine, unanswered)
    assert r["sent_at"] is None and r["attempts"] == 1 and r["last_error"]
    assert row(engine, confirmed)["sent_at"] == T0


def test_row_left_unconfirmed_is_retried(engine, relay, broker):
    (eid,) = add_rows(engine, 1)
    broker.outcomes[eid] = "unconfirmed"
    relay.publish_once()
    r = row(engine, eid)
    assert (r["sent_at"], r["attempts"], r["last_error"]) == (None, 1, "unconfirmed")


def test_nacks_are_counted_as_failed_publishes(engine, relay, broker):
    (eid,) = add_rows(engine, 1)
    broker.outcomes[eid] = "nacked by broker"
    before = counter("unionhub_events_publish_failed_total", relay.service)
    relay.publish_once()
    assert counter("unionhub_events_publish_failed_total", relay.service) == before + 1


def test_unroutable_row_is_retried_with_backoff_while_a_subscriber_may_still_appear(engine, relay, broker):
    (eid,) = add_rows(engine, 1)
    broker.outcomes[eid] = "unroutable: kit.events/note_written"
    relay.publish_once()
    r = row(engine, eid)
    assert r["sent_at"] is None and r["attempts"] == 1
    assert r["last_error"] == "unroutable: kit.events/note_written"
    assert r["next_attempt_at"] == T0 + timedelta(seconds=retry_delay(0))


def test_unroutable_row_out_of_retries_is_marked_sent_with_its_reason_and_counted(engine, relay, broker):
    (routed,) = add_rows(engine, 1)
    (unroutable,) = add_rows(engine, 1, attempts=UNROUTABLE_RETRIES)
    broker.outcomes[unroutable] = "unroutable: kit.events/note_written"
    unrouted_before = counter("unionhub_events_unrouted_total", relay.service)
    published_before = counter("unionhub_events_published_total", relay.service)
    relay.publish_once()
    r = row(engine, unroutable)
    assert r["sent_at"] == T0 and r["last_error"] == "unroutable: kit.events/note_written"
    assert counter("unionhub_events_unrouted_total", relay.service) == unrouted_before + 1
    assert counter("unionhub_events_published_total", relay.service) == published_before + 1
    assert row(engine, routed)["sent_at"] == T0
    assert relay.publish_once() == 0


def test_publisher_failure_leaves_every_row_of_the_batch_pending(engine, relay, broker):
    ids = add_rows(engine, 3)
    broker.error = ConnectionError("broker away")
    with pytest.raises(ConnectionError):
        relay.publish_once()
    for eid in ids:
        r = row(engine, eid)
        assert (r["sent_at"], r["attempts"], r["last_error"]) == (None, 0, None)
    broker.error = None
    assert relay.publish_once() == 3
    assert all(row(engine, eid)["sent_at"] == T0 for eid in ids)


def test_batches_respect_the_batch_size_and_go_in_id_order(engine, relay, broker):
    relay.batch = 2
    ids = add_rows(engine, 5)
    assert [relay.publish_once() for _ in range(4)] == [2, 2, 1, 0]
    assert broker.batches == [ids[0:2], ids[2:4], ids[4:5]]


def test_rows_are_published_in_insertion_order_not_event_id_order(engine, relay, broker):
    later_first = add_rows(engine, 1, start=9) + add_rows(engine, 1, start=1)
    relay.publish_once()
    assert broker.batches == [later_first]


def test_rows_not_yet_due_wait(engine, relay, broker, clock):
    (due,) = add_rows(engine, 1)
    (future,) = add_rows(engine, 1, due=T0 + timedelta(seconds=30))
    assert relay.publish_once() == 1
    assert broker.batches == [[due]]
    clock.now = T0 + timedelta(seconds=30)
    assert relay.publish_once() == 1
    assert broker.batches[-1] == [future]


def test_an_empty_outbox_publishes_nothing(relay, broker):
    assert relay.publish_once() == 0
    assert broker.batches == []


def test_stopping_the_relay_closes_the_publisher(relay, broker):
    relay.stop()
    assert broker.closed == 1


def test_a_relay_that_failed_mid_batch_starts_again_on_a_fresh_connection(engine, relay, broker):
    ids = add_rows(engine, 2)
    broker.error = ConnectionError("broker away")
    with pytest.raises(ConnectionError):
        relay.publish_once()
    broker.error = None
    assert relay.publish_once() == 2      # nothing of the failed batch was left locked or half-marked
    assert broker.batches == [ids, ids]
    assert relay.publish_once() == 0


def test_two_relays_of_one_service_never_publish_the_same_row_at_once(pg_engine, broker, clock):
    """On PostgreSQL (SQLite has one writer at a time) a claim locks its rows (SKIP LOCKED) until
    the marks commit: a second relay running meanwhile takes the rows after them, not the same ones."""
    engine = pg_engine
    ids = add_rows(engine, 4)
    first = OutboxRelay(engine, KIT.outbox, "amqp://nobody@nowhere//", service="kit-two-relays", batch=2)
    second = OutboxRelay(engine, KIT.outbox, "amqp://nobody@nowhere//", service="kit-two-relays", batch=2)
    seen_by_second = []

    class Nested(FakeBroker):
        def publish_batch(self, rows):
            if not seen_by_second:   # while the first relay's batch is still open
                seen_by_second.append(second.publish_once())
            return super().publish_batch(rows)

    first.publisher, second.publisher = Nested(), broker
    try:
        assert first.publish_once() == 2
    finally:
        first.close_connection()
        second.close_connection()
    assert seen_by_second == [2]
    assert broker.batches == [ids[2:4]]
    assert first.publisher.batches == [ids[0:2]]
    assert all(row(engine, eid)["sent_at"] == T0 for eid in ids)
