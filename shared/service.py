"""Nameko building blocks every service uses: storage with the outbox relay, the caller's context,
entrypoint metrics and the operations endpoints (/healthz, /readyz, /metrics).

Domain errors are registered with nameko's exception registry here, so an error raised in a
service reaches its RPC caller as the same class (``shared.errors``), never a ``RemoteError``.
"""
from __future__ import annotations

import contextlib
import os
import time

from nameko.exceptions import get_module_path, registry
from nameko.extensions import DependencyProvider
from sqlalchemy import func, select, text

from shared import broker, errors, metrics
from shared.db import TenantSessionFactory, UnitOfWork, install_kit_tables, make_engine
from shared.db.engine import is_postgres
from shared.outbox import OutboxRelay
from shared.tenancy import CONTEXT_KEYS, CallContext
from shared.web import Response, http, json_response

for _cls in errors.ALL_ERRORS:
    registry[get_module_path(_cls)] = _cls


def register_errors(*classes) -> None:
    for cls in classes:
        registry[get_module_path(cls)] = cls


class Database(DependencyProvider):
    """The service's own database, its tenant-guarded sessions and its outbox relay."""

    def __init__(self, base, relay: bool = True):
        self.base = base
        self.relay_enabled = relay
        self.engine = None

    def setup(self):
        config = self.container.config
        self.service = self.container.service_name
        self.engine = make_engine(config["UNIONHUB_DB_URL"])
        self._direct_engine = None
        self.kit = install_kit_tables(self.base.metadata)
        self.sessions = TenantSessionFactory(self.engine)
        self.relay = OutboxRelay(self.engine, self.kit.outbox, config["AMQP_URI"], service=self.service,
                                 batch=int(config.get("UNIONHUB_RELAY_BATCH", 500)),
                                 poll_seconds=float(config.get("UNIONHUB_RELAY_POLL", 0.5)),
                                 linger_seconds=float(config.get("UNIONHUB_RELAY_LINGER", 0.02)))
        metrics.register_gauge_source(self.service, "unionhub_outbox_backlog", "Outbox rows not yet confirmed by the broker",
                                      ["service"], self._backlog)
        metrics.register_gauge_source(self.service, "unionhub_outbox_oldest_age_seconds",
                                      "Age of the oldest unsent outbox row", ["service"], self._oldest_age)

    def start(self):
        if self.relay_enabled:
            self.container.spawn_managed_thread(self.relay.run, identifier=f"{self.service}.outbox-relay")

    def stop(self):
        self.relay.stop()
        self.engine.dispose()
        if self._direct_engine is not None:
            self._direct_engine.dispose()

    @property
    def direct(self):
        """PostgreSQL: ``direct()`` gives an autocommit connection, where a use case that needs no
        transaction around its reads writes its change, history and outbox rows in one
        statement (one round trip instead of BEGIN, a statement each and COMMIT). None on SQLite."""
        if not is_postgres(self.engine):
            return None
        if self._direct_engine is None:
            # its own small pool: returning an autocommit connection to the main pool costs a
            # round trip to reset it, and every process of every service must fit in PostgreSQL's 100
            self._direct_engine = make_engine(self.container.config["UNIONHUB_DB_URL"], isolation_level="AUTOCOMMIT",
                                              pool_size=int(os.environ.get("UNIONHUB_DB_DIRECT_POOL_SIZE", 4)))
        return self._direct_engine.connect

    def kill(self):
        self.relay.stop()

    def _backlog(self):
        with self.engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(self.kit.outbox)
                             .where(self.kit.outbox.c.sent_at.is_(None))).scalar()
        yield (self.service,), n

    def _oldest_age(self):
        from shared.db.base import utcnow
        with self.engine.connect() as conn:
            oldest = conn.execute(select(func.min(self.kit.outbox.c.created_at))
                                  .where(self.kit.outbox.c.sent_at.is_(None))).scalar()
        yield (self.service,), (utcnow() - oldest).total_seconds() if oldest else 0.0

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def get_dependency(self, worker_ctx):
        return DatabaseAccess(self, CallContext.from_context_data(worker_ctx.data))


class DatabaseAccess:
    """What a worker sees: units of work and read sessions bound to the caller's school."""

    def __init__(self, provider: Database, context: CallContext):
        self._p = provider
        self.context = context

    def _schools(self, school, also, district):
        if district:
            return None
        school = school or self.context.school
        if not school:
            raise errors.Forbidden("school_required")
        caller = self.context.school
        if caller and school != caller and not self.context.is_district:
            # defence in depth: the gateway already refused this; a service never trusts it alone
            raise errors.Forbidden("school_forbidden", params={"school": school})
        return {school, *also}

    def unit_of_work(self, school: str | None = None, *, also=(), district: bool = False,
                     context: CallContext | None = None) -> UnitOfWork:
        return UnitOfWork(self._p.sessions, self._p.kit, schools=self._schools(school, also, district),
                          context=context or self.context, on_commit=self._p.relay.wake, direct=self._p.direct)

    @contextlib.contextmanager
    def read(self, school: str | None = None, *, also=(), district: bool = False):
        session = self._p.sessions(self._schools(school, also, district))
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @property
    def engine(self):
        return self._p.engine

    def ping(self) -> None:
        self._p.ping()


class Context(DependencyProvider):
    """The caller's ``CallContext``; the gateway sets it before calling services."""

    def get_dependency(self, worker_ctx):
        return ContextAccess(worker_ctx)


class ContextAccess:
    def __init__(self, worker_ctx):
        self._worker_ctx = worker_ctx

    @property
    def current(self) -> CallContext:
        return CallContext.from_context_data(self._worker_ctx.data)

    def bind(self, context: CallContext) -> None:
        for key in CONTEXT_KEYS:
            self._worker_ctx.data.pop(key, None)
        self._worker_ctx.data.update(context.to_context_data())


class EntrypointMetrics(DependencyProvider):
    """Times every RPC and event-handler worker and counts errors by their stable code."""

    def __init__(self):
        self._started = {}

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx.call_id] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx.call_id, None)
        entrypoint = worker_ctx.entrypoint
        if started is None or getattr(entrypoint, "url", None) is not None:
            return
        outcome = "ok"
        if exc_info is not None:
            exc = exc_info[1]
            outcome = getattr(exc, "code", None) or type(exc).__name__
            metrics.ERRORS.labels(self.container.service_name, outcome).inc()
        metrics.RPC_DURATION.labels(self.container.service_name, entrypoint.method_name,
                                    "ok" if outcome == "ok" else "error").observe(time.perf_counter() - started)


class OpsEndpoints:
    """Mixin: liveness, readiness (broker and database reachable) and Prometheus metrics."""

    @http("GET", "/healthz")
    def healthz(self, request):
        return json_response({"status": "ok", "service": self.name})

    @http("GET", "/readyz")
    def readyz(self, request):
        checks = {}
        try:
            self.db.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        ok, detail = broker.broker_reachable(self.config["AMQP_URI"])
        checks["broker"] = "ok" if ok else f"error: {detail}"
        ready = all(v == "ok" for v in checks.values())
        return json_response({"status": "ready" if ready else "not_ready", "service": self.name, "checks": checks},
                             status=200 if ready else 503)

    @http("GET", "/metrics")
    def metrics(self, request):
        body, content_type = metrics.exposition()
        return Response(body, status=200, content_type=content_type)
