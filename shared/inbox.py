"""Idempotent event consumers (the inbox).

``@consumes("membership", "member_admitted")`` makes a method an event handler whose queue is a
durable queue (classic, or quorum with ``UNIONHUB_QUEUE_TYPE``) declared when the service starts,
with a dead-letter exchange and a redelivery limit the kit counts itself. The method runs as
``fn(self, uow, event)`` inside a unit of work that already holds the dedupe record
``(consumer, event_id)``: its effects and the record commit together, so a redelivered event
changes nothing. A handler that fails puts its event back at the tail of its queue with a failure
count (``x-unionhub-failures``); past the limit the event is dead-lettered to ``<queue>.dlq``
(``unionhub dlq replay`` puts it back). A message that breaks its contract is dead-lettered at once.

Deliveries that are waiting together are handled together: one worker and one transaction for up
to ``UNIONHUB_CONSUMER_BATCH`` events, each handled in its own school's scope (the tenancy guard
and the dedupe record work per event) and flushed before the next. When one event fails, the
transaction is rolled back and run again without it, so every other event commits and the failed
one counts exactly one failed handling, as if each had been handled alone. Under load this turns
a transaction, a pool checkout and a worker per event into one per batch.
"""
from __future__ import annotations

import functools
import inspect
import logging
from dataclasses import dataclass
from functools import partial

import eventlet
import eventlet.semaphore
from eventlet.event import Event
from kombu import Connection, Queue
from sqlalchemy.exc import InterfaceError, OperationalError
from nameko.events import EventHandler, SERVICE_POOL
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer, QueueConsumer
from nameko.standalone.events import get_event_exchange

from shared import broker, contracts, metrics
from shared.db.uow import AlreadyProcessed
from shared.tenancy import CallContext

log = logging.getLogger(__name__)
TRANSIENT_RETRIES = 6   # about 12 s of backoff before a database outage counts as a failed delivery


def batch_limit(config) -> int:
    """Events one handler takes in one transaction at most."""
    return max(1, int(config.get("UNIONHUB_CONSUMER_BATCH", 200)))


def _dead_letter_undecodable(message, exc):
    log.error("dead-lettering an undecodable message: %s", exc)
    message.reject(requeue=False)


class InboxQueueConsumer(QueueConsumer):
    """nameko's queue consumer, except that a body that cannot be decoded is dead-lettered
    instead of being acknowledged and dropped, and that each queue may have a whole batch
    (``UNIONHUB_CONSUMER_BATCH``) unacknowledged: a handler works on one batch at a time, so
    the workers limit does not apply."""

    @property
    def prefetch_count(self):
        return max(self.container.max_workers, batch_limit(self.container.config))

    def handle_message(self, provider, body, message):
        # the handler only queues the delivery for its next batch: no green thread per message
        provider.handle_message(body, message)

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for consumer in consumers:
            consumer.on_decode_error = _dead_letter_undecodable
        return consumers


_DLQS: dict[str, set[str]] = {}


def _dlq_depths(service: str, amqp_uri: str):
    with Connection(amqp_uri, connect_timeout=3) as conn:
        channel = conn.channel()
        for queue in sorted(_DLQS.get(service, ())):
            try:
                _name, depth, _consumers = channel.queue_declare(queue=broker.dlq_name(queue), passive=True)
            except Exception:  # a missing queue closes the channel: open another for the next one
                channel = conn.channel()
                continue
            yield (service, broker.dlq_name(queue)), depth


FAILURES_HEADER = "x-unionhub-failures"


def failures_so_far(headers) -> int:
    try:
        return max(0, int((headers or {}).get(FAILURES_HEADER, 0)))
    except (TypeError, ValueError):
        return 0


def after_failure(headers, delivery_limit: int) -> str:
    """What to do with a message whose handling just failed: ``retry`` (the first delivery and
    ``delivery_limit`` redeliveries), then ``dead_letter``."""
    return "dead_letter" if failures_so_far(headers) + 1 > delivery_limit else "retry"


class _Republisher:
    """Puts a failed message back at the tail of its own queue with its failure count raised,
    publisher-confirmed before the original is acked (a crash in between duplicates at worst; the
    consumers dedupe). One connection per broker, shared by a process's handlers."""

    _instances: dict[str, "_Republisher"] = {}

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self._lock = eventlet.semaphore.Semaphore()
        self._conn = None

    @classmethod
    def for_broker(cls, amqp_uri: str) -> "_Republisher":
        if amqp_uri not in cls._instances:
            cls._instances[amqp_uri] = cls(amqp_uri)
        return cls._instances[amqp_uri]

    def republish(self, message, queue_name: str, failures: int) -> None:
        headers = dict(message.headers or {})
        headers[FAILURES_HEADER] = failures
        props = message.properties or {}
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = Connection(self.amqp_uri, connect_timeout=5,
                                            transport_options={"confirm_publish": True})
                producer = self._conn.Producer()
                producer.publish(message.body, exchange="", routing_key=queue_name, headers=headers,
                                 content_type=message.content_type, content_encoding=message.content_encoding,
                                 delivery_mode=2, message_id=props.get("message_id"),
                                 retry=True, retry_policy={"max_retries": 2})
            except Exception:
                if self._conn is not None:
                    self._conn.release()
                self._conn = None
                raise


class InboxEventHandler(EventHandler):
    queue_consumer = InboxQueueConsumer()

    def __init__(self, source_service, event_type, linger: float = 0.0, **kwargs):
        self.linger = linger
        super().__init__(source_service, event_type, handler_type=SERVICE_POOL, reliable_delivery=True,
                         requeue_on_error=True, **kwargs)

    def setup(self):
        config = self.container.config
        name = queue_name(self.source_service, self.event_type, self.container.service_name, self.method_name)
        self.queue = consumer_queue(name, self.source_service, self.event_type, config)
        declare_queue(config["AMQP_URI"], self.queue)
        service = self.container.service_name
        _DLQS.setdefault(service, set()).add(name)
        metrics.register_gauge_source(f"dlq:{service}", "unionhub_dlq_depth", "Dead-lettered events waiting for replay",
                                      ["service", "queue"], lambda: _dlq_depths(service, config["AMQP_URI"]))
        self._buffer: list = []
        self._draining = False
        self.batch_limit = batch_limit(config)
        Consumer.setup(self)

    def handle_message(self, body, message):
        """Queue the delivery for the next batch (nameko would start a worker per message)."""
        self._buffer.append((body, message))
        if not self._draining:
            self._draining = True
            self.container.spawn_managed_thread(self._drain, identifier=f"{self.queue.name}.batch")

    def _drain(self) -> None:
        try:
            eventlet.sleep(0)   # deliveries already read off the socket join this batch
            if self.linger and len(self._buffer) < self.batch_limit:
                # a read model that may lag a little waits for company: ten events in one
                # transaction cost little more than one
                eventlet.sleep(self.linger)
            while self._buffer:
                batch, self._buffer = self._buffer[:self.batch_limit], self._buffer[self.batch_limit:]
                self._handle_batch(batch)
        finally:
            self._draining = False

    def _handle_batch(self, batch) -> None:
        done = Event()
        deliveries = [(body, dict(message.headers or {})) for body, message in batch]
        try:
            self.container.spawn_worker(self, (deliveries,), {}, context_data={},
                                        handle_result=partial(self._batch_handled, batch, done))
        except ContainerBeingKilled:
            for _body, message in batch:
                self.queue_consumer.requeue_message(message)
            return
        done.wait()

    def _batch_handled(self, batch, done, worker_ctx, result, exc_info):
        try:
            outcomes = result if exc_info is None else [exc_info[1]] * len(batch)
            if batch and not any(isinstance(o, BaseException) for o in outcomes):
                # every event handled: the batch's acks leave in one write, not one each
                with broker.one_write(getattr(batch[0][1].channel.connection, "transport", None)):
                    for _body, message in batch:
                        self.queue_consumer.ack_message(message)
                return result, exc_info
            for (_body, message), outcome in zip(batch, outcomes):
                self.handle_message_processed(message, exc=outcome if isinstance(outcome, BaseException) else None)
        finally:
            done.send(None)
        return result, exc_info

    def handle_message_processed(self, message, exc=None):
        if exc is None:
            self.queue_consumer.ack_message(message)
            return
        limit = int(self.container.config.get("UNIONHUB_DELIVERY_LIMIT", 5))
        if isinstance(exc, contracts.ContractViolation) or after_failure(message.headers, limit) == "dead_letter":
            log.error("dead-lettering a message of %s after %d failed handling(s): %s", self.queue.name,
                      failures_so_far(message.headers) + 1, exc)
            self._reject(message)
            return
        try:
            _Republisher.for_broker(self.container.config["AMQP_URI"]).republish(
                message, self.queue.name, failures_so_far(message.headers) + 1)
        except Exception as error:   # broker trouble: let it come back as it is
            log.warning("%s: could not re-queue a failed message (%s); requeueing it", self.queue.name, error)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    @staticmethod
    def _reject(message) -> None:
        try:
            message.reject(requeue=False)   # to the dead-letter exchange, then the queue's DLQ
        except Exception:  # connection gone: the broker redelivers it
            pass


def queue_name(source: str, event_type: str, service: str, method: str) -> str:
    return f"evt-{source}-{event_type}--{service}.{method}"


def consumer_queue(name: str, source: str, event_type: str, config: dict) -> Queue:
    limit = int(config.get("UNIONHUB_DELIVERY_LIMIT", 5))
    queue_type = config.get("UNIONHUB_QUEUE_TYPE", "classic")
    return Queue(name, exchange=get_event_exchange(source, config), routing_key=event_type, durable=True,
                 queue_arguments=broker.consumer_queue_arguments(name, limit, queue_type))


def declare_queue(amqp_uri: str, queue: Queue) -> None:
    """The consumer queue, bound to its exchange, and its dead-letter queue."""
    queue_type = (queue.queue_arguments or {}).get("x-queue-type", "classic")
    broker.declare_dead_letter_queue(amqp_uri, queue.name, queue_type)
    with Connection(amqp_uri, connect_timeout=5) as conn:
        broker.declare_queue_replacing_empty(conn.channel, queue)


def handler_queues(service_cls) -> list[tuple[str, str, str]]:
    """``(queue, source, event_type)`` of every idempotent handler of a nameko service class."""
    out = []
    for attr, member in inspect.getmembers(service_cls):
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, InboxEventHandler):
                out.append((queue_name(entrypoint.source_service, entrypoint.event_type, service_cls.name, attr),
                            entrypoint.source_service, entrypoint.event_type))
    return sorted(out)


def declare_topology(amqp_uri: str, service_classes, config: dict | None = None) -> list[str]:
    """Declare every consumer queue of the given services before any of them starts, so that no
    event published by one service before another first runs finds no queue."""
    config = dict(config or {}, AMQP_URI=amqp_uri)
    names = []
    for cls in service_classes:
        for name, source, event_type in handler_queues(cls):
            declare_queue(amqp_uri, consumer_queue(name, source, event_type, config))
            names.append(name)
    return names


def consumes(source: str, event_type: str, *, scope: str = "school", dedupe: bool = True, batch: bool = False,
             linger: float = 0.0):
    """Declare an idempotent handler of ``<source>.<event_type>``; ``scope="district"`` gives the
    unit of work every school (for read models that span schools, such as transfers).
    ``dedupe=False`` is for handlers idempotent by themselves (a version-guarded upsert): they
    skip the dedupe record, two statements fewer per event.

    The handler is written for one event, ``fn(self, uow, event)``, and the kit calls it for each
    event of a batch (see the module docstring). ``batch=True`` handlers take the whole batch,
    ``fn(self, uow, events)``, in a district-scoped unit of work, and keep each event to its own
    school themselves (``uow.scope_to``); with no dedupe record (they must be idempotent by
    themselves). ``linger``: seconds to wait for more events before handling a short batch, for
    read models that may lag a little."""
    if scope not in ("school", "district"):
        raise ValueError("scope is 'school' or 'district'")
    if batch and dedupe:
        raise ValueError("a batch handler is idempotent by itself: pass dedupe=False")

    def decorator(fn):
        @functools.wraps(fn)
        def handler(self, deliveries):
            run = _BatchRun(self, fn, f"{self.name}.{fn.__name__}", scope, dedupe, whole=batch)
            return run.run(deliveries)
        return InboxEventHandler.decorator(source, event_type, linger=linger)(handler)
    return decorator


@dataclass
class _Pending:
    position: int          # in the delivered batch
    event: object
    context: CallContext


class _EventFailed(Exception):
    def __init__(self, index: int, error: BaseException):
        super().__init__(str(error))
        self.index, self.error = index, error


def _context_of(headers: dict, event) -> CallContext:
    data = {key[len("nameko."):]: value for key, value in (headers or {}).items() if key.startswith("nameko.")}
    data["school"] = event.school or data.get("school")
    return CallContext.from_context_data(data)


class _BatchRun:
    """One worker's batch: parse, handle every event in one transaction, and take the failing ones
    out one at a time. ``run`` answers, per delivery, None (handled or a duplicate) or the
    exception that failed it."""

    def __init__(self, service, fn, consumer: str, scope: str, dedupe: bool, whole: bool = False):
        self.service, self.fn, self.consumer, self.scope, self.dedupe = service, fn, consumer, scope, dedupe
        self.whole = whole

    def run(self, deliveries) -> list:
        outcomes: list = [None] * len(deliveries)
        pending = []
        for position, (body, headers) in enumerate(deliveries):
            try:
                event = contracts.parse(body, lenient_payload=True)
            except contracts.ContractViolation as exc:
                outcomes[position] = exc
                metrics.EVENTS_CONSUMED.labels(self.service.name, "unparsed", "failed").inc()
                continue
            pending.append(_Pending(position, event, _context_of(headers, event)))
        while pending:
            try:
                done = self._with_retries(pending)
            except _EventFailed as failed:
                bad = pending.pop(failed.index)
                outcomes[bad.position] = failed.error
                self._count(bad.event, "failed")
                continue
            except Exception as exc:   # the commit itself failed: no single event to blame
                if len(pending) == 1:
                    outcomes[pending[0].position] = exc
                    self._count(pending[0].event, "failed")
                    break
                for one in pending:
                    try:
                        for event, outcome in self._with_retries([one]):
                            self._count(event, outcome)
                    except _EventFailed as failed:
                        outcomes[one.position] = failed.error
                        self._count(one.event, "failed")
                    except Exception as error:
                        outcomes[one.position] = error
                        self._count(one.event, "failed")
                break
            for event, outcome in done:
                self._count(event, outcome)
            break
        return outcomes

    def _count(self, event, outcome: str) -> None:
        metrics.EVENTS_CONSUMED.labels(self.service.name, event.type, outcome).inc()

    def _with_retries(self, pending) -> list:
        for attempt in range(TRANSIENT_RETRIES + 1):
            try:
                return self._once(pending)
            except (OperationalError, InterfaceError) as exc:
                # the database is briefly away or full: wait here rather than spend the
                # messages' redeliveries (which end in the dead-letter queue)
                if attempt == TRANSIENT_RETRIES:
                    raise
                log.warning("%s: transient database error, retrying: %s", self.consumer, exc)
                eventlet.sleep(min(0.2 * 2 ** attempt, 5.0))
            except _EventFailed as failed:
                if isinstance(failed.error, (OperationalError, InterfaceError)) and attempt < TRANSIENT_RETRIES:
                    log.warning("%s: transient database error, retrying: %s", self.consumer, failed.error)
                    eventlet.sleep(min(0.2 * 2 ** attempt, 5.0))
                    continue
                raise
        raise AssertionError("unreachable")

    def _once(self, pending) -> list:
        if self.whole:
            with self.service.db.unit_of_work(district=True) as uow:
                self.fn(self.service, uow, [item.event for item in pending])
                uow.scope_to(None, CallContext())
                uow.commit()
            return [(item.event, "handled") for item in pending]
        done = []
        with self.service.db.unit_of_work(district=True) as uow:
            for index, item in enumerate(pending):
                event = item.event
                district = self.scope == "district" or not event.school
                try:
                    uow.scope_to(None if district else {event.school}, item.context)
                    if self.dedupe:
                        try:
                            uow.claim(self.consumer, event.event_id)
                        except AlreadyProcessed:
                            done.append((event, "duplicate"))
                            continue
                    self.fn(self.service, uow, event)
                    uow.flush()
                except Exception as exc:
                    raise _EventFailed(index, exc) from exc
                done.append((event, "handled"))
            uow.commit()
        return done
