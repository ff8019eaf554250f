"""The plugin contract: what a service contributes to the platform.

Each service registers one ``Plugin`` under the entry-point group ``unionhub.plugins``. The
gateway and the runner discover plugins and never name a service: adding a sixth service edits
neither. A duplicate route, an unknown role or a route whose RPC target is not the plugin's own
service fails loudly at start.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Callable

from shared.tenancy import ROLES

GROUP = "unionhub.plugins"
PRODUCES = ("json", "xlsx", "csv", "docx", "pdf", "file")
_PARAM = re.compile(r"\{(\w+)\}")


class PluginError(RuntimeError):
    """The plugin set is inconsistent; the platform refuses to start."""


@dataclass(frozen=True)
class Route:
    """One HTTP endpoint: the gateway authenticates, checks ``roles`` and the school, validates
    with the schemas, then calls ``rpc`` (``service.method``) with the path parameters and
    ``query=`` / ``data=``, or a local ``handler`` of the gateway itself."""
    method: str
    path: str
    summary: str
    summary_en: str = ""
    rpc: str | None = None
    handler: str | None = None
    after: str | None = None      # gateway hook run with the RPC result (keeps gateway read models current)
    roles: frozenset = frozenset()
    self_roles: frozenset = frozenset()
    request: type | None = None
    query: type | None = None
    response: type | None = None
    status: int = 200
    body: str = "json"           # json | upload | none
    produces: str = "json"       # json | xlsx | csv | docx | pdf | file (the service names the format)
    public: bool = False
    tags: tuple = ()
    timeout: float | None = None  # seconds the gateway waits for the RPC (default: settings)
    replay: bool = True           # False: never store the body for Idempotency-Key replays (secret ballots)

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    @property
    def scope(self) -> str:
        if self.path.startswith("/api/v1/schools/{school}"):
            return "school"
        if self.path.startswith("/api/v1/district"):
            return "district"
        return "platform"

    @property
    def key(self) -> tuple[str, str]:
        return self.method.upper(), _PARAM.sub("{}", self.path)


@dataclass(frozen=True)
class Doc:
    """One document of a gateway-hosted read model; ``tags`` are up to three filterable values
    and ``search`` a text to match; a document only replaces one with a lower ``version``."""
    collection: str
    school: str
    key: int
    version: int
    data: dict
    tags: tuple = (None, None, None)
    search: str | None = None


@dataclass(frozen=True)
class Settle:
    """Answer of a bulk write: serve ``collection`` of ``school`` through RPC until the read model
    holds ``expected`` documents for it (the events are still on their way)."""
    collection: str
    school: str
    expected: int


MISS = object()   # a read model cannot answer: call the service


@dataclass
class ReadModel:
    """A projection of a plugin's events that the gateway hosts, so that hot GET routes are
    answered without an RPC (the service stays the source of truth).

    ``project``: event type -> fn(payload) -> [Doc]; ``absorb``: rpc -> fn(result) -> [Doc | Settle]
    (write-through, so a client reads its own writes); ``serve``: rpc -> fn(store, kwargs) -> result
    or ``MISS`` to fall back to the RPC."""
    name: str
    project: dict = field(default_factory=dict)
    absorb: dict = field(default_factory=dict)
    serve: dict = field(default_factory=dict)


@dataclass
class Plugin:
    name: str
    service: str | None = None            # "package.module:Class" of the nameko service
    routes: list[Route] = field(default_factory=list)
    publishes: list[str] = field(default_factory=list)
    messages: dict = field(default_factory=dict)
    migrations: str | None = None         # package holding alembic.ini-less migrations (env.py + versions/)
    metadata: Callable | None = None      # () -> MetaData of the service database
    seed_demo: Callable | None = None     # (runtime, context) -> None; context["schools"], context["members"][school]: snapshots
    annual_summary: bool = False          # the service answers rpc annual_summary(school, year)
    read_models: list = field(default_factory=list)   # ReadModel factories: () -> ReadModel
    # operator commands, ``unionhub <plugin> <command> [args]``: name -> "module:function" taking
    # (runtime, argv) and returning an exit code (imported only when run)
    commands: dict = field(default_factory=dict)

    def service_class(self):
        """The nameko service class; ``service`` may name a class or a zero-argument factory."""
        if not self.service:
            return None
        module, _, name = self.service.partition(":")
        target = getattr(importlib.import_module(module), name)
        return target if isinstance(target, type) else target()


def validate(plugins: dict[str, Plugin]) -> None:
    seen: dict[tuple, str] = {}
    for plugin in plugins.values():
        for command, target in plugin.commands.items():
            if not re.fullmatch(r"[a-z][a-z0-9-]*", command) or not re.fullmatch(r"[\w.]+:\w+", str(target)):
                raise PluginError(f"{plugin.name}: command {command!r} -> {target!r} is not name -> 'module:function'")
        for route in plugin.routes:
            if route.key in seen:
                raise PluginError(f"duplicate route {route.method} {route.path}: {seen[route.key]} and {plugin.name}")
            seen[route.key] = plugin.name
            unknown = (set(route.roles) | set(route.self_roles)) - set(ROLES)
            if unknown:
                raise PluginError(f"{route.method} {route.path}: unknown roles {sorted(unknown)}")
            if bool(route.rpc) == bool(route.handler):
                raise PluginError(f"{route.method} {route.path}: give exactly one of rpc or handler")
            if route.rpc and route.rpc.split(".", 1)[0] != plugin.name:
                raise PluginError(f"{route.method} {route.path}: rpc {route.rpc} is not {plugin.name}'s own")
            if route.produces not in PRODUCES:
                raise PluginError(f"{route.method} {route.path}: produces {route.produces!r} is not one of {PRODUCES}")
            if not route.public and not route.roles:
                raise PluginError(f"{route.method} {route.path}: no roles allowed and not public")
            if route.path.startswith("/api/v1/schools/") and route.scope != "school":
                raise PluginError(f"{route.method} {route.path}: school routes start with /api/v1/schools/{{school}}")


def discover(only: list[str] | None = None) -> dict[str, Plugin]:
    plugins: dict[str, Plugin] = {}
    for ep in entry_points(group=GROUP):
        if only and ep.name not in only:
            continue
        plugin = ep.load()
        if not isinstance(plugin, Plugin):
            raise PluginError(f"entry point {ep.name} is not a shared.plugins.Plugin")
        if plugin.name != ep.name:
            raise PluginError(f"entry point {ep.name} exposes plugin named {plugin.name}")
        plugins[ep.name] = plugin
    if only:
        missing = set(only) - set(plugins)
        if missing:
            raise PluginError(f"no such plugin: {', '.join(sorted(missing))}")
    validate(plugins)
    return dict(sorted(plugins.items(), key=lambda kv: (kv[0] != "gateway", kv[0])))
