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
import logging

from kombu import Queue
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
        name = f"evt-{self.source_service}-{self.event_type}--{self.container.service_name}.{self.method_name}"
        limit = int(config.get("UNIONHUB_DELIVERY_LIMIT", 5))
        broker.declare_dead_letter_queue(config["AMQP_URI"], name)
        self.queue = Queue(name, exchange=get_event_exchange(self.source_service, config),
                           routing_key=self.event_type, durable=True,
                           queue_arguments=broker.consumer_queue_arguments(name, limit))
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
