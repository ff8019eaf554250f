"""Broker topology owned by the kit: the dead-letter exchange and one DLQ per consumer queue."""
from __future__ import annotations

from kombu import Connection, Exchange, Queue

DLX = "unionhub.dlx"


def dead_letter_exchange() -> Exchange:
    return Exchange(DLX, type="direct", durable=True, auto_delete=False)


def dlq_name(queue_name: str) -> str:
    return f"{queue_name}.dlq"


def consumer_queue_arguments(queue_name: str, delivery_limit: int) -> dict:
    """Quorum queue whose messages go to its DLQ after ``delivery_limit`` redeliveries."""
    return {
        "x-queue-type": "quorum",
        "x-delivery-limit": int(delivery_limit),
        "x-dead-letter-exchange": DLX,
        "x-dead-letter-routing-key": queue_name,
    }


def declare_dead_letter_queue(amqp_uri: str, queue_name: str) -> None:
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        exchange = dead_letter_exchange()(channel)
        exchange.declare()
        Queue(dlq_name(queue_name), exchange=dead_letter_exchange(), routing_key=queue_name,
              durable=True, queue_arguments={"x-queue-type": "quorum"})(channel).declare()


def queue_depth(amqp_uri: str, queue_name: str) -> int | None:
    """Messages ready in a queue, or None when it does not exist."""
    with Connection(amqp_uri, connect_timeout=3) as conn:
        channel = conn.channel()
        try:
            _name, count, _consumers = channel.queue_declare(queue=queue_name, passive=True)
        except Exception:
            return None
        return count


def broker_reachable(amqp_uri: str, timeout: float = 2.0) -> tuple[bool, str]:
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as conn:
            conn.connect()
        return True, "ok"
    except Exception as exc:
        return False, str(exc) or type(exc).__name__
