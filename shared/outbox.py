"""The outbox relay: publishes committed outbox rows to RabbitMQ and marks them sent.

Each batch is published on a channel in confirm mode with ``mandatory=True``; a row is marked
sent only after the broker confirmed it. A row the broker returned as unroutable (no service
subscribes to that type) is retried for a few minutes, then marked sent with the reason kept and
counted in ``unionhub_events_unrouted_total``. A row that was nacked or left unconfirmed is retried with
exponential backoff; a broken connection
rolls the batch back and the relay reconnects with backoff. The broker being down delays events,
never loses them; a crash between publish and mark re-publishes, and consumers dedupe by
``event_id``. On PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED`` so several
instances of a service can relay side by side.

On PostgreSQL a batch is two round trips on the relay's own connection: the claim (``BEGIN`` and
the locking read, sent together) and the marks with the ``COMMIT``; written as plain DB-API
statements, because on a busy service the relay runs a batch every few milliseconds and
SQLAlchemy's statement machinery and a pool checkout per batch cost more than the database's work.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from collections import namedtuple
from datetime import timedelta

from amqp.basic_message import Message
from kombu import Connection
from sqlalchemy import create_engine, select, update
from sqlalchemy.pool import NullPool

from shared import metrics
from shared.broker import one_write
from shared.db.base import utcnow
from shared.db.engine import is_postgres

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
UNROUTABLE_RETRIES = 8   # about four minutes of backoff before an event nobody subscribes to is let go


_Row = namedtuple("_Row", "id event_id exchange routing_key type body headers attempts")


def retry_delay(attempts: int) -> float:
    return float(min(2 ** max(attempts, 0), MAX_BACKOFF_SECONDS))


class ConfirmingPublisher:
    """Publishes a batch and waits once for all its confirms (far faster than one round trip per
    message, and as safe)."""

    def __init__(self, amqp_uri: str, confirm_timeout: float = 10.0):
        self.amqp_uri = amqp_uri
        self.confirm_timeout = confirm_timeout
        self._conn = None
        self._channel = None
        self._declared: set[str] = set()
        self._tag = 0
        self._pending: dict[int, str] = {}
        self._outcome: dict[str, str | None] = {}

    def _ensure(self):
        if self._conn is not None and self._conn.connected:
            return
        self.close()
        conn = Connection(self.amqp_uri, heartbeat=0, connect_timeout=5)
        conn.connect()
        channel = conn.channel()
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)
        self._conn, self._channel, self._tag, self._declared = conn, channel, 0, set()

    def close(self):
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # already broken; nothing to release
                pass

    def _settle(self, tag: int, multiple: bool, error: str | None):
        tags = [t for t in self._pending if t <= tag] if multiple else [tag]
        for t in tags:
            event_id = self._pending.pop(t, None)
            if event_id is not None and self._outcome.get(event_id, "") is not None:
                # a returned message is acked afterwards: keep the return as its outcome
                self._outcome[event_id] = self._outcome.get(event_id) or error

    def _on_ack(self, tag, multiple):
        self._settle(tag, multiple, None)

    def _on_nack(self, tag, multiple):
        self._settle(tag, multiple, "nacked by broker")

    def _on_return(self, exc, exchange, routing_key, message):
        event_id = message.properties.get("message_id")
        if event_id:
            self._outcome[event_id] = f"unroutable: {exchange}/{routing_key}"

    def publish_batch(self, rows) -> dict[str, str | None]:
        """Publish rows (with event_id, exchange, routing_key, body, headers); returns
        ``{event_id: None}`` for confirmed rows and ``{event_id: reason}`` for the others."""
        self._ensure()
        self._pending, self._outcome = {}, {}
        for row in rows:
            if row.exchange not in self._declared:
                self._channel.exchange_declare(row.exchange, "topic", durable=True, auto_delete=False)
                self._declared.add(row.exchange)
        with one_write(self._conn.connection.transport):
            for row in rows:
                msg = Message(row.body, content_type="application/json", content_encoding="utf-8",
                              delivery_mode=2, message_id=row.event_id, application_headers=dict(row.headers or {}))
                self._outcome[row.event_id] = ""  # "" = awaiting confirm
                self._channel.basic_publish(msg, exchange=row.exchange, routing_key=row.routing_key, mandatory=True)
                self._tag += 1
                self._pending[self._tag] = row.event_id
        deadline = time.monotonic() + self.confirm_timeout
        while self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise TimeoutError(f"{len(self._pending)} publishes not confirmed in {self.confirm_timeout}s")
            try:
                self._conn.drain_events(timeout=min(remaining, 1.0))
            except socket.timeout:
                continue
        return {eid: (None if out is None else (out or "unconfirmed")) for eid, out in self._outcome.items()}


class OutboxRelay:
    def __init__(self, engine, outbox_table, amqp_uri: str, *, service: str, batch: int = 500,
                 poll_seconds: float = 0.5, linger_seconds: float = 0.02):
        self.engine = engine
        self.outbox = outbox_table
        self.service = service
        self.batch = batch
        self.poll_seconds = poll_seconds
        # woken by a commit, wait this long for the commits right behind it: under load one batch
        # (a claim, a publish with one confirm wait, a mark) carries many events instead of one
        self.linger_seconds = linger_seconds
        self.publisher = ConfirmingPublisher(amqp_uri)
        self._wake = threading.Event()
        self._stopped = False
        self._raw = None   # PostgreSQL: the relay's own connection (outside the service's pool)
        self._own_engine = None
        self._busy = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
        self.publisher.close()
        if not self._busy:   # else the batch under way gives it back when it ends (run)
            self.close_connection()

    def close_connection(self) -> None:
        """Close the relay's PostgreSQL connection (it is opened again when needed); after a failed
        batch, closing it rolls back whatever the batch held."""
        raw, self._raw = self._raw, None
        if raw is not None:
            try:
                raw.close()
            except Exception:  # already broken
                pass

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.close_connection()

    def _run(self) -> None:
        failures = 0
        while not self._stopped:
            try:
                published = self.publish_once()
                failures = 0
            except Exception as exc:  # broker or database away: back off and try again
                failures += 1
                self.publisher.close()
                metrics.RELAY_ERRORS.labels(self.service).inc()
                delay = min(0.2 * 2 ** failures, 15.0)
                log.warning("outbox relay for %s failed (%s); retrying in %.1fs", self.service, exc, delay)
                self._wake.wait(delay)
                self._wake.clear()
                continue
            if published < self.batch:
                if self._wake.wait(self.poll_seconds) and self.linger_seconds:
                    time.sleep(self.linger_seconds)
                self._wake.clear()

    def _pending_query(self, now):
        """SQLite's claim (a single writer: nothing to lock against)."""
        q = (select(self.outbox.c.id, self.outbox.c.event_id, self.outbox.c.exchange, self.outbox.c.routing_key,
                    self.outbox.c.type, self.outbox.c.body, self.outbox.c.headers, self.outbox.c.attempts)
             .where(self.outbox.c.sent_at.is_(None), self.outbox.c.next_attempt_at <= now)
             .order_by(self.outbox.c.id).limit(self.batch))
        return q

    def publish_once(self) -> int:
        """Publish one batch; returns how many rows it tried."""
        now = utcnow()
        if is_postgres(self.engine):
            return self._publish_once_pg(now)
        # SQLite: a read transaction that later writes fails when another writer came between
        with self.engine.connect() as conn:
            rows = conn.execute(self._pending_query(now)).fetchall()
        if rows:
            outcome = self.publisher.publish_batch(rows)
            with self.engine.begin() as conn:
                self._mark(conn, rows, outcome)
        return len(rows)

    def _publish_once_pg(self, now) -> int:
        self._busy = True
        try:
            conn = self._pg_connection()
        except BaseException:
            self._busy = False
            raise
        cur = conn.cursor()
        try:
            cur.execute(self._claim_sql, {"now": now, "n": self.batch})
            rows = [_Row(*r) for r in cur.fetchall()]
            statements = []
            if rows:
                statements = self._marks(rows, self.publisher.publish_batch(rows), utcnow())
            cur.execute(";".join([cur.mogrify(sql, params).decode() for sql, params in statements] + ["COMMIT"]))
            return len(rows)
        except BaseException:
            self.close_connection()   # closed, whatever its transaction held is rolled back
            raise
        finally:
            self._busy = False
            cur.close()

    def _pg_connection(self):
        """The relay's own DB-API connection (autocommit: the claim opens its transaction itself)."""
        if self._raw is None:
            if self._own_engine is None:
                # a connection of its own, not one of the pool's: the service's workers keep all of them
                self._own_engine = create_engine(self.engine.url, poolclass=NullPool)
            raw = self._own_engine.raw_connection()
            try:
                raw.dbapi_connection.autocommit = True
                cur = raw.dbapi_connection.cursor()
                # walk the unsent-rows index in id order rather than through a bitmap: a plain index
                # scan marks the entries of rows sent since as dead, so the next claim skips them
                # even where no vacuum has come by yet
                cur.execute("SET enable_bitmapscan = off")
                # a mark lost with a crash of the database only publishes its rows again, which
                # the consumers dedupe: the relay's commits need not wait for the disk
                cur.execute("SET synchronous_commit = off")
                cur.close()
            except BaseException:
                raw.close()
                raise
            self._raw = raw
        return self._raw.dbapi_connection

    @property
    def _claim_sql(self) -> str:
        o = self.outbox.name
        return (f"BEGIN; SELECT id, event_id, exchange, routing_key, type, body, headers, attempts FROM {o} "
                f"WHERE sent_at IS NULL AND next_attempt_at <= %(now)s ORDER BY id LIMIT %(n)s FOR UPDATE SKIP LOCKED")

    def _settle(self, rows, outcome, now) -> tuple[list[int], list[tuple[int, dict]]]:
        """What the broker's answers mean for the batch's rows, counted in the metrics: the ids to
        mark sent, and ``(id, values)`` for the rows to update otherwise."""
        sent, changes = [], []
        for row in rows:
            error = outcome.get(row.event_id, "missing")
            if error is None:
                sent.append(row.id)
                metrics.EVENTS_PUBLISHED.labels(self.service, row.type).inc()
            elif error.startswith("unroutable") and row.attempts >= UNROUTABLE_RETRIES:
                # unroutable = no consumer queue is bound for this type. Every service declares all
                # installed consumers' queues before it starts, so this is either a subscriber that
                # does not exist (kept retrying for a while in case one is being deployed) or nobody
                # subscribes at all: let it go, with the reason kept
                sent.append(row.id)
                metrics.EVENTS_UNROUTED.labels(self.service, row.type).inc()
                changes.append((row.id, {"last_error": error[:500]}))
            else:
                metrics.EVENTS_PUBLISH_FAILED.labels(self.service, row.type).inc()
                changes.append((row.id, {"attempts": row.attempts + 1, "last_error": error[:500],
                                         "next_attempt_at": now + timedelta(seconds=retry_delay(row.attempts))}))
        return sent, changes

    def _marks(self, rows, outcome, now) -> list[tuple[str, dict]]:
        """PostgreSQL: the marks as DB-API statements, sent with the COMMIT."""
        o = self.outbox.name
        sent, changes = self._settle(rows, outcome, now)
        statements = []
        if sent:
            statements.append((f"UPDATE {o} SET sent_at = %(now)s WHERE id = ANY(%(ids)s)", {"now": now, "ids": sent}))
        for row_id, values in changes:
            assignments = ", ".join(f"{column} = %({column})s" for column in values)
            statements.append((f"UPDATE {o} SET {assignments} WHERE id = %(id)s", {**values, "id": row_id}))
        return statements

    def _mark(self, conn, rows, outcome) -> None:
        """SQLite: the marks through SQLAlchemy, in the caller's transaction."""
        now = utcnow()
        sent, changes = self._settle(rows, outcome, now)
        for start in range(0, len(sent), 500):
            conn.execute(update(self.outbox).where(self.outbox.c.id.in_(sent[start:start + 500])).values(sent_at=now))
        for row_id, values in changes:
            conn.execute(update(self.outbox).where(self.outbox.c.id == row_id).values(**values))
