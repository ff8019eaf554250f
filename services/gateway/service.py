"""The HTTP gateway (网关): one nameko service that serves every plugin's routes under /api/v1,
the OpenAPI document and its docs page, and calls the services over RPC with the caller's
context (school, actor, role) in the message headers."""
from __future__ import annotations

import contextlib
import json
import logging
import mimetypes
from pathlib import Path

import eventlet
import eventlet.semaphore
from nameko.dependency_providers import Config
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider

from services.gateway import accounts
from services.gateway.openapi import DOCS_HTML, build_spec
from services.gateway.orm import Base
from services.gateway.pipeline import Pipeline, engine_reads, problem
from services.gateway.readmodels import ReadModels
from shared import i18n, plugins as plugin_registry
from shared.errors import InternalError, NotFound, Unavailable
from shared.hoststate import HostState
from shared.db import make_engine
from shared.inbox import consumes
from shared.rpc import RpcClient
from shared.service import Database, EntrypointMetrics, OpsEndpoints
from shared.web import InlineHttpEntrypoint, Response, http

log = logging.getLogger(__name__)


class Api(DependencyProvider):
    """Builds the route table once per container and calls the services over one RPC client; the
    caller's context travels as headers of each call."""

    def setup(self):
        config = self.container.config
        self.plugins = plugin_registry.discover()
        for plugin in self.plugins.values():
            i18n.register(plugin.messages)
        self.settings = {"secret": config["UNIONHUB_SECRET_KEY"], "token_ttl": int(config.get("UNIONHUB_TOKEN_TTL", 28800)),
                         "max_body": int(config.get("UNIONHUB_MAX_BODY", 1 << 20)),
                         "max_upload": int(config.get("UNIONHUB_MAX_UPLOAD", 20 << 20)),
                         "login_max_failures": int(config.get("UNIONHUB_LOGIN_MAX_FAILURES", 5)),
                         "login_lock_seconds": int(config.get("UNIONHUB_LOGIN_LOCK_SECONDS", 60))}
        self.timeout = float(config.get("UNIONHUB_RPC_TIMEOUT", 10))
        self.database = next(d for d in self.container.dependencies if isinstance(d, Database))
        self.read_engine = make_engine(config["UNIONHUB_DB_URL"], isolation_level="AUTOCOMMIT")
        self.host = HostState.from_env()
        self.read_models = ReadModels(self.plugins, self.open_session, open_autocommit=engine_reads(self.read_engine))
        self.read_models.host = self.host
        self.pipeline = Pipeline(self.plugins, self.settings, self.open_session, self.read_models,
                                 open_read=engine_reads(self.read_engine), host=self.host)
        self.spec = json.dumps(build_spec(self.plugins), ensure_ascii=False)
        self.rpc = RpcClient(config["AMQP_URI"], name=self.container.service_name)
        self.bound = _BoundApi(self, self.rpc_call)

    def start(self):
        self.rpc.start()

    def stop(self):
        self.rpc.stop()
        self.read_engine.dispose()
        if self.host is not None:
            self.host.close()

    def kill(self):
        self.rpc.stop()

    @contextlib.contextmanager
    def open_session(self):
        session = self.database.sessions(None)
        try:
            yield session
        finally:
            session.close()

    def rpc_call(self, service, method, context, kwargs, timeout=None):
        try:
            return self.rpc.call(service, method, kwargs, context.to_context_data(), timeout or self.timeout)
        except UnknownService:
            raise Unavailable("service_not_running", params={"service": service}) from None
        except eventlet.Timeout:
            raise Unavailable("rpc_timeout", params={"service": service}) from None
        except ConnectionError:
            raise Unavailable("broker_unavailable") from None

    def get_dependency(self, worker_ctx):
        return self.bound


class _BoundApi:
    def __init__(self, provider: Api, rpc_call):
        self.provider = provider
        self.rpc_call = rpc_call

    def handle(self, request):
        return self.provider.pipeline.handle(request, self.rpc_call)

    def project(self, uow, events):
        schools = self.provider.read_models.project(uow.session, events)
        if schools:
            uow.after_commit(lambda: self.wrote(schools))

    def wrote(self, schools=None) -> None:
        """Tell the host's other gateway processes (``shared.hoststate``) that this one committed a write
        to these schools' state (None: to anything)."""
        if self.provider.host is not None:
            self.provider.host.wrote(schools)

    @property
    def spec(self) -> str:
        return self.provider.spec


class InlineApiHandler(InlineHttpEntrypoint):
    """The /api/ entrypoint, answered in the connection's own green thread instead of a nameko worker.

    A nameko worker per request (context, dependency injection, lifecycle hooks, a second green
    thread) costs about as much CPU as answering a read from a read model; the pipeline needs
    none of it, only a worker context to carry the caller's identity on RPCs. At most
    ``UNIONHUB_GATEWAY_CONCURRENCY`` requests run at once (the rest wait their turn)."""

    def setup(self):
        super().setup()
        self._slots = eventlet.semaphore.Semaphore(int(self.container.config.get("UNIONHUB_GATEWAY_CONCURRENCY", 32)))
        self._api = None

    def answer(self, request):
        if self._api is None:
            self._api = next(d for d in self.container.dependencies if isinstance(d, Api))
        try:
            with self._slots:
                return self._api.bound.handle(request)
        except Exception:   # the pipeline answers every error itself; this is a last resort
            log.exception("gateway: request %s %s failed outside the pipeline", request.method, request.path)
            return problem(InternalError(), i18n.DEFAULT_LANGUAGE, request.path, "-")


inline_http = InlineApiHandler.decorator


class GatewayService(OpsEndpoints):
    name = "gateway"

    config = Config()
    db = Database(Base)
    api = Api()
    timing = EntrypointMetrics()

    @inline_http("GET,POST,PUT,PATCH,DELETE", "/api/", prefix=True)
    def serve_api(self, request):   # the InlineApiHandler answers without calling this
        return self.api.handle(request)

    @http("GET", "/api/v1/openapi.json")
    def openapi(self, request):
        return Response(self.api.spec, status=200, content_type="application/json")

    @http("GET", "/api/docs")
    def docs(self, request):
        return Response(DOCS_HTML, status=200, content_type="text/html; charset=utf-8")

    @http("GET", "/api/docs/static/", prefix=True)
    def docs_static(self, request):
        import swagger_ui_bundle
        name = request.path[len("/api/docs/static/"):]
        root = Path(swagger_ui_bundle.swagger_ui_path)
        path = (root / name).resolve()
        if not name or root.resolve() not in path.parents or not path.is_file():
            return problem(NotFound("not_found"), i18n.DEFAULT_LANGUAGE, request.path, "-")
        return Response(path.read_bytes(), status=200,
                        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")

    @http("GET", "/")
    def root(self, request):
        return Response("", status=302, content_type=None, headers={"Location": "/api/docs"})

    @consumes("membership", "school_registered", scope="district")
    def on_school_registered(self, uow, event):
        accounts.upsert_school(uow.session, event.payload["code"], event.payload["name"], True)
        uow.after_commit(self.api.wrote)

    @consumes("membership", "school_updated", scope="district")
    def on_school_updated(self, uow, event):
        accounts.upsert_school(uow.session, event.payload["code"], event.payload["name"], event.payload["active"])
        uow.after_commit(self.api.wrote)


def _projection(event_type: str):
    source, name = event_type.split(".", 1)

    def project(self, uow, events):
        self.api.project(uow, events)
    project.__name__ = f"rm_{source}_{name}"
    # read-model documents only replace older versions: replaying an event changes nothing. The
    # gateway answers its own writes from what it absorbed, so the projection may lag a little
    return consumes(source, name, scope="district", dedupe=False, batch=True, linger=0.25)(project)


def build_service():
    """The gateway service class, with one idempotent consumer per event type that a plugin's
    read model projects (so a new plugin's read model needs no gateway edit)."""
    found = plugin_registry.discover()
    types = sorted({etype for p in found.values() for factory in p.read_models for etype in factory().project})
    attrs = {f"rm_{t.replace('.', '_')}": _projection(t) for t in types}
    return type("GatewayService", (GatewayService,), attrs)
