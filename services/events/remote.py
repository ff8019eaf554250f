"""Queries to the other services by RPC (the kit's ``RpcClient``: one connection and reply
queue per process, opened on first use), always with a timeout. Used only where asking is
right: checking that a record a plan item links to exists, and the year-end summary's
``annual_summary`` of every plugin. State never travels this way."""
from __future__ import annotations

import eventlet
import eventlet.semaphore
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider

from shared.errors import Unavailable
from shared.rpc import RpcClient


class Remote(DependencyProvider):
    def setup(self):
        self.amqp_uri = self.container.config["AMQP_URI"]
        self.timeout = float(self.container.config.get("UNIONHUB_RPC_TIMEOUT", 10))
        self._client = None
        self._lock = eventlet.semaphore.Semaphore()

    def _started(self) -> RpcClient:
        with self._lock:
            if self._client is None:
                client = RpcClient(self.amqp_uri, name="events")
                try:
                    client.start()
                except BaseException:   # the broker is not there: no reconnecting client is left behind
                    client.stop()
                    raise
                self._client = client
        return self._client

    def stop(self):
        client, self._client = self._client, None
        if client is not None:
            client.stop()

    kill = stop

    def call(self, service: str, method: str, kwargs: dict, context: dict, timeout: float | None = None):
        """``service.method(**kwargs)``; a service that is not running, does not answer in time or
        cannot be reached is ``Unavailable`` (503) naming it."""
        try:
            return self._started().call(service, method, kwargs, context, timeout or self.timeout)
        except (UnknownService, eventlet.Timeout, ConnectionError):
            raise Unavailable("remote_service_unavailable", params={"service": service}) from None

    def get_dependency(self, worker_ctx):
        return self.call
