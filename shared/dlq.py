"""Dead-letter queues: which exist (derived from the installed services' handlers) and replaying
their messages onto the consumer queue they came from."""
from __future__ import annotations

from amqp.basic_message import Message
from kombu import Connection

from shared import broker, plugins as plugin_registry


def consumer_queues() -> list[str]:
    """Every idempotent-handler queue of the installed services."""
    from shared.inbox import handler_queues
    names = []
    for plugin in plugin_registry.discover().values():
        cls = plugin.service_class() if plugin.service else None
        if cls is not None:
            names.extend(name for name, _source, _type in handler_queues(cls))
    return sorted(names)


def list_queues(amqp_uri: str) -> list[tuple[str, int]]:
    out = []
    for queue in consumer_queues():
        depth = broker.queue_depth(amqp_uri, broker.dlq_name(queue))
        if depth is not None:
            out.append((broker.dlq_name(queue), depth))
    return out


def replay_queue(amqp_uri: str, queue: str, limit: int = 0) -> int:
    """Move messages from ``queue``'s DLQ back onto ``queue`` (publisher-confirmed before each
    dead letter is acked, so a crash duplicates at worst; consumers dedupe)."""
    moved = 0
    with Connection(amqp_uri, connect_timeout=5, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        while not limit or moved < limit:
            message = channel.basic_get(broker.dlq_name(queue), no_ack=False)
            if message is None:
                break
            headers = dict(message.properties.get("application_headers") or {})
            headers.pop("x-death", None)
            headers.pop("x-first-death-exchange", None)
            headers.pop("x-first-death-queue", None)
            headers.pop("x-first-death-reason", None)
            headers.pop("x-unionhub-failures", None)   # a replayed event gets its full deliveries again
            props = {k: v for k, v in message.properties.items() if k != "application_headers"}
            channel.basic_publish(Message(message.body, application_headers=headers, **props), exchange="",
                                  routing_key=queue)
            channel.basic_ack(message.delivery_tag)
            moved += 1
    return moved


def replay(amqp_uri: str, queue: str | None = None, limit: int = 0) -> dict[str, int]:
    queues = [queue] if queue else consumer_queues()
    result = {}
    for name in queues:
        name = name[:-4] if name.endswith(".dlq") else name
        if broker.queue_depth(amqp_uri, broker.dlq_name(name)) in (None, 0):
            continue
        result[name] = replay_queue(amqp_uri, name, limit)
    return result
