"""RPC on the bus, with nameko's wire format and less work per call.

Services declare ``@rpc`` methods as with nameko (same queue ``rpc-<service>``, same
``nameko-rpc`` exchange, same ``{"args", "kwargs"}`` body and ``{"result", "error"}`` reply,
``nameko.<key>`` context headers), so nameko's own proxies still call them. What differs is the
transport of each message:

* nameko publishes every request and every reply through a pooled producer, as a persistent
  message, and waits for the broker to confirm it. An RPC is synchronous: its caller waits for
  the reply and gives up after a timeout, and the state it changes is in the service's database,
  not in the message. So here requests and replies are transient (nothing to write to disk), go
  out on one long-lived channel per process, and are not confirmed: a message lost with a broker
  restart ends as the caller's timeout, exactly as a lost confirm would.
* A request to a service with no queue is returned by the broker (``mandatory``) and fails at
  once with ``UnknownService``, as with nameko.

``RpcClient`` is the caller's side (the gateway), ``rpc`` the services' entry point.
"""
from __future__ import annotations

import itertools
import json
import logging
import socket
import uuid

import eventlet
import eventlet.semaphore
from amqp.basic_message import Message
from eventlet.event import Event
from kombu import Connection
from nameko.exceptions import UnknownService, deserialize, serialize
from nameko.rpc import Rpc, RpcConsumer

from shared.jsonutil import dumps

log = logging.getLogger(__name__)
EXCHANGE = "nameko-rpc"


class _Channel:
    """One connection and channel for publishing; frames of two messages never interleave."""

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self._lock = eventlet.semaphore.Semaphore()
        self._conn = None
        self._channel = None

    def publish(self, body: bytes, routing_key: str, **properties) -> None:
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._channel is None:
                        self._conn = Connection(self.amqp_uri, connect_timeout=5, heartbeat=0)
                        self._conn.connect()
                        self._channel = self._conn.channel()
                    self._channel.basic_publish(Message(body, content_type="application/json", content_encoding="utf-8",
                                                        delivery_mode=1, **properties),
                                                exchange=EXCHANGE, routing_key=routing_key)
                    return
                except Exception as exc:   # broker gone: reconnect once
                    self.close()
                    if attempt == 2:
                        raise
                    log.warning("rpc: publishing failed (%s); reconnecting", exc)

    def close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # already broken
                pass


class LeanRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, answering on the process's reply channel (transient, unconfirmed)."""

    _replies: dict[str, _Channel] = {}

    def handle_result(self, message, result, exc_info):
        amqp_uri = self.container.config["AMQP_URI"]
        channel = self._replies.get(amqp_uri)
        if channel is None:
            channel = self._replies[amqp_uri] = _Channel(amqp_uri)
        error = serialize(exc_info[1]) if exc_info is not None else None
        try:
            body = dumps({"result": result, "error": error})
        except Exception:
            body = dumps({"result": None, "error": serialize(TypeError(f"unserialisable reply: {type(result).__name__}"))})
        reply_to = message.properties.get("reply_to")
        if reply_to:
            try:
                channel.publish(body.encode(), reply_to, correlation_id=message.properties.get("correlation_id"))
            except Exception as exc:   # the caller times out; the work itself is committed or not
                log.error("rpc: could not send a reply (%s)", exc)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class LeanRpc(Rpc):
    rpc_consumer = LeanRpcConsumer()


rpc = LeanRpc.decorator


class RpcClient:
    """Calls services from one process: one connection, an exclusive reply queue, one green thread
    reading replies (and requests the broker returns as unroutable)."""

    def __init__(self, amqp_uri: str, name: str = "gateway"):
        self.amqp_uri = amqp_uri
        self.reply_key = f"{name}-{uuid.uuid4().hex}"
        self._pending: dict[str, Event] = {}
        self._lock = eventlet.semaphore.Semaphore()
        self._conn = None
        self._channel = None
        self._ready = Event()
        self._stopped = False
        self._gt = None
        self._ids = itertools.count()

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "RpcClient":
        self._gt = eventlet.spawn(self._run)
        with eventlet.Timeout(30):
            self._ready.wait()
        return self

    def stop(self) -> None:
        self._stopped = True
        if self._gt is not None:
            self._gt.kill()
        self._close()

    def _close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:  # already broken
                pass

    def _connect(self) -> None:
        conn = Connection(self.amqp_uri, connect_timeout=5, heartbeat=0)
        conn.connect()
        channel = conn.channel()
        channel.exchange_declare(EXCHANGE, "topic", durable=True, auto_delete=False)
        queue = f"rpc.reply-{self.reply_key}"
        channel.queue_declare(queue, exclusive=True, auto_delete=True)
        channel.queue_bind(queue, EXCHANGE, routing_key=self.reply_key)
        channel.basic_consume(queue, no_ack=True, callback=self._on_reply)
        channel.events["basic_return"].add(self._on_return)
        self._conn, self._channel = conn, channel

    def _run(self) -> None:
        delay = 0.2
        while not self._stopped:
            try:
                self._connect()
                delay = 0.2
                if not self._ready.ready():
                    self._ready.send(None)
                while not self._stopped:
                    try:
                        self._conn.drain_events(timeout=5)
                    except socket.timeout:
                        continue
            except Exception as exc:
                if self._stopped:
                    return
                log.warning("rpc: connection to the broker lost (%s); reconnecting in %.1fs", exc, delay)
                self._close()
                self._fail_pending(ConnectionError("broker connection lost"))
                eventlet.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _fail_pending(self, exc: Exception) -> None:
        pending, self._pending = self._pending, {}
        for event in pending.values():
            if not event.ready():
                event.send_exception(exc)

    def _on_reply(self, message) -> None:
        event = self._pending.pop(message.properties.get("correlation_id"), None)
        if event is None or event.ready():
            return   # a reply after its caller gave up
        try:
            payload = json.loads(message.body)
        except ValueError as exc:
            event.send_exception(exc)
            return
        event.send(payload)

    def _on_return(self, exc, exchange, routing_key, message) -> None:
        event = self._pending.pop(message.properties.get("correlation_id"), None)
        if event is not None and not event.ready():
            event.send_exception(UnknownService(routing_key.split(".", 1)[0]))

    # --- calls ---------------------------------------------------------------------------------
    def call(self, service: str, method: str, kwargs: dict, context: dict, timeout: float):
        """Call ``service.method(**kwargs)`` with ``context`` as ``nameko.<key>`` headers; the
        service's result, or its error raised here. ``eventlet.Timeout`` after ``timeout`` s."""
        correlation_id = uuid.uuid4().hex
        event = Event()
        self._pending[correlation_id] = event
        headers = {f"nameko.{k}": v for k, v in context.items() if v is not None}
        body = dumps({"args": [], "kwargs": kwargs}).encode()
        try:
            with self._lock:
                if self._channel is None:
                    raise ConnectionError("not connected to the broker")
                self._channel.basic_publish(
                    Message(body, content_type="application/json", content_encoding="utf-8", delivery_mode=1,
                            reply_to=self.reply_key, correlation_id=correlation_id, application_headers=headers),
                    exchange=EXCHANGE, routing_key=f"{service}.{method}", mandatory=True)
            with eventlet.Timeout(timeout):
                reply = event.wait()
        finally:
            self._pending.pop(correlation_id, None)
        if reply.get("error"):
            raise deserialize(reply["error"])
        return reply.get("result")
