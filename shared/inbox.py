"""Idempotent event consumers (the inbox).

``@consumes("membership", "member_admitted")`` makes a method an event handler whose queue is a
durable quorum queue declared when the service starts, with a dead-letter exchange and a
redelivery limit. The method runs as ``fn(self, uow, event)`` inside a unit of work that already
holds the dedupe record ``(consumer, event_id)``: its effects and the record commit together, so
a redelivered event changes nothing. A handler that keeps failing is redelivered until the limit,
then dead-lettered to ``<queue>.dlq`` (``unionhub dlq replay`` puts it back); a message that breaks
its contract is dead-lettered at once.
"""
from __future__ import annotations

import functools
import inspect
import logging

from kombu import Connection, Queue
from nameko.events import EventHandler, SERVICE_POOL
from nameko.messaging import Consumer
from nameko.standalone.events import get_event_exchange

from shared import broker, contracts, metrics
from shared.db.uow import AlreadyProcessed

log = logging.getLogger(__name__)


class InboxEventHandler(EventHandler):
    def __init__(self, source_service, event_type, **kwargs):
        super().__init__(source_service, event_type, handler_type=SERVICE_POOL, reliable_delivery=True,
                         requeue_on_error=True, **kwargs)

    def setup(self):
        config = self.container.config
        name = queue_name(self.source_service, self.event_type, self.container.service_name, self.method_name)
        self.queue = consumer_queue(name, self.source_service, self.event_type, config)
        declare_queue(config["AMQP_URI"], self.queue)
        Consumer.setup(self)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is not None and isinstance(exc_info[1], contracts.ContractViolation):
            log.error("dead-lettering %s: %s", self.queue.name, exc_info[1])
            try:
                message.reject(requeue=False)
            except Exception:  # connection gone: the broker redelivers it
                pass
            return
        super().handle_message_processed(message, result, exc_info)


def queue_name(source: str, event_type: str, service: str, method: str) -> str:
    return f"evt-{source}-{event_type}--{service}.{method}"


def consumer_queue(name: str, source: str, event_type: str, config: dict) -> Queue:
    limit = int(config.get("UNIONHUB_DELIVERY_LIMIT", 5))
    return Queue(name, exchange=get_event_exchange(source, config), routing_key=event_type, durable=True,
                 queue_arguments=broker.consumer_queue_arguments(name, limit))


def declare_queue(amqp_uri: str, queue: Queue) -> None:
    """The consumer queue, bound to its exchange, and its dead-letter queue."""
    broker.declare_dead_letter_queue(amqp_uri, queue.name)
    with Connection(amqp_uri, connect_timeout=5) as conn:
        queue(conn.channel()).declare()


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


def consumes(source: str, event_type: str, *, scope: str = "school"):
    """Declare an idempotent handler of ``<source>.<event_type>``; ``scope="district"`` gives the
    unit of work every school (for read models that span schools, such as transfers)."""
    if scope not in ("school", "district"):
        raise ValueError("scope is 'school' or 'district'")

    def decorator(fn):
        @functools.wraps(fn)
        def handler(self, body):
            event = contracts.parse(body, lenient_payload=True)
            consumer = f"{self.name}.{fn.__name__}"
            district = scope == "district" or not event.school
            outcome = "failed"
            try:
                with self.db.unit_of_work(event.school, district=district) as uow:
                    try:
                        uow.claim(consumer, event.event_id)
                    except AlreadyProcessed:
                        outcome = "duplicate"
                        return None
                    result = fn(self, uow, event)
                    uow.commit()
                    outcome = "handled"
                    return result
            finally:
                metrics.EVENTS_CONSUMED.labels(self.name, event.type, outcome).inc()
        return InboxEventHandler.decorator(source, event_type)(handler)
    return decorator
