"""Broker topology owned by the kit: the dead-letter exchange and one DLQ per consumer queue.

Consumer queues are durable **classic** queues by default: on a single broker (the machine's own
RabbitMQ, the compose file's one container) a quorum queue replicates to nobody yet writes every
message to its Raft log, several times the broker CPU per event fanned out to the services.
``UNIONHUB_QUEUE_TYPE=quorum`` is for a RabbitMQ cluster. Either way the kit counts failed
deliveries itself (``shared.inbox``), so the dead-letter rule is the same on both.
"""
from __future__ import annotations

import contextlib
import logging

from amqp.exceptions import PreconditionFailed
from kombu import Connection, Exchange, Queue

log = logging.getLogger(__name__)

DLX = "unionhub.dlx"


def dead_letter_exchange() -> Exchange:
    return Exchange(DLX, type="direct", durable=True, auto_delete=False)


def dlq_name(queue_name: str) -> str:
    return f"{queue_name}.dlq"


def consumer_queue_arguments(queue_name: str, delivery_limit: int, queue_type: str = "classic") -> dict:
    """A consumer queue dead-lettering to its DLQ. A quorum queue also has the broker's own
    delivery limit, a backstop for deliveries lost with a crashed consumer (the kit counts failed
    handlings in a header, which a crash cannot update)."""
    args = {"x-queue-type": queue_type, "x-dead-letter-exchange": DLX, "x-dead-letter-routing-key": queue_name}
    if queue_type == "quorum":
        args["x-delivery-limit"] = int(delivery_limit) + 1
    return args


def declare_queue_replacing_empty(channel_factory, queue: Queue) -> None:
    """Declare ``queue``; when a queue of that name exists with other arguments (its type changed
    with ``UNIONHUB_QUEUE_TYPE``), replace it if it is empty, else refuse with what to do."""
    try:
        queue(channel_factory()).declare()
        return
    except PreconditionFailed:
        pass
    channel = channel_factory()
    _name, depth, _consumers = channel.queue_declare(queue=queue.name, passive=True)
    if depth:
        raise RuntimeError(f"queue {queue.name} exists with other arguments (a different UNIONHUB_QUEUE_TYPE?) "
                           f"and holds {depth} message(s): drain it, or keep the old queue type")
    log.warning("replacing empty queue %s: its arguments changed", queue.name)
    channel.queue_delete(queue=queue.name)
    queue(channel_factory()).declare()


def declare_dead_letter_queue(amqp_uri: str, queue_name: str, queue_type: str = "classic") -> None:
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        exchange = dead_letter_exchange()(channel)
        exchange.declare()
        declare_queue_replacing_empty(conn.channel, Queue(
            dlq_name(queue_name), exchange=dead_letter_exchange(), routing_key=queue_name, durable=True,
            queue_arguments={"x-queue-type": queue_type}))


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


@contextlib.contextmanager
def one_write(transport):
    """Inside, the frames py-amqp writes on ``transport``'s connection are gathered and go to the
    socket in one write when the block ends, instead of one write (a system call) per message:
    the relay's publishes of a batch, a consumer's acks of a batch. Only for methods that await
    no reply: one awaiting its reply inside would wait for ever."""
    send = getattr(transport, "__dict__", {}).get("_write")
    if send is None:            # not py-amqp's socket transport: write as we go
        yield
        return
    pending = bytearray()
    transport._write = pending.extend     # frames arrive as views of a reused buffer: copied here
    try:
        yield
    finally:
        transport._write = send
        if pending:
            send(bytes(pending))
