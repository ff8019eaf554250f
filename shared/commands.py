"""The ``unionhub`` commands other than ``serve``."""
from __future__ import annotations

import importlib

import os
import secrets
import shutil
import subprocess
import sys
import time

from shared import broker, contracts, i18n, plugins as plugin_registry, settings as settings_mod
from shared.db import migrate as migrations


def _say(text: str) -> None:
    print(text, flush=True)


def ensure_broker(settings) -> bool:
    ok, detail = broker.broker_reachable(settings.amqp_uri)
    if ok:
        return True
    _say(f"RabbitMQ is not reachable at {settings.amqp_uri} ({detail}).")
    if shutil.which("rabbitmq-server"):
        _say("Starting it with: rabbitmq-server -detached")
        subprocess.run(["rabbitmq-server", "-detached"], check=False)
        for _ in range(90):
            time.sleep(1)
            if broker.broker_reachable(settings.amqp_uri)[0]:
                _say("RabbitMQ is up.")
                return True
        _say("RabbitMQ did not come up within 90 s; see /var/log/rabbitmq/.")
        return False
    _say("Start RabbitMQ first, for example one of:\n"
         "  sudo apt-get install -y rabbitmq-server && sudo rabbitmq-server -detached\n"
         "  docker compose up -d rabbitmq\n"
         "or point UNIONHUB_AMQP_URI at a running broker.")
    return False


def _setup(only=None):
    settings = settings_mod.load()
    found = plugin_registry.discover(only)
    contracts.load_all()
    for plugin in found.values():
        i18n.register(plugin.messages)
    return settings, found


def _migrate_all(settings, found) -> None:
    for name, plugin in found.items():
        if plugin.migrations:
            migrations.upgrade(plugin, settings.database_for(name))
            _say(f"migrated {name}: {_safe_url(settings.database_for(name))}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def _ensure_admin(settings, found) -> None:
    from services.gateway import accounts
    from shared.runtime import Runtime
    runtime = Runtime(settings, found)
    password = os.environ.get("UNIONHUB_ADMIN_PASSWORD")
    generated = not password
    password = password or secrets.token_urlsafe(12)
    with runtime.session("gateway") as session:
        created = accounts.ensure_admin(session, password)
    runtime.close()
    if created and generated:
        _say("=" * 60 + f"\nDistrict admin created: username 'admin', password '{password}'\n"
             "(shown once; set UNIONHUB_ADMIN_PASSWORD to choose it)\n" + "=" * 60)
    elif created:
        _say("District admin 'admin' created with the password from UNIONHUB_ADMIN_PASSWORD.")


def _seed(settings, found) -> None:
    from shared.runtime import Runtime
    runtime = Runtime(settings, found)
    context: dict = {}
    # membership first (the schools and members every other plugin's demo data refers to), the
    # gateway's accounts last (they need the schools)
    order = sorted(found.values(), key=lambda p: (p.name != "membership", p.name == "gateway"))
    for plugin in order:
        if plugin.seed_demo:
            plugin.seed_demo(runtime, context)
    runtime.close()
    for line in context.get("report", []):
        _say(line)


# The hops every request or every write crosses run as one process per core (at most two), sharing
# their ports (SO_REUSEPORT) and their queues: a single process is one thread of Python, and on a
# busy machine a write queues behind every other write inside it. Membership's second process
# only pays on PostgreSQL: on SQLite two writers take turns at one file lock.
BUSY_SERVICES = ("gateway", "membership")
BUSY_ON_SQLITE = ("gateway",)


def process_count(service: str, database_url: str = "") -> int:
    """``UNIONHUB_<SERVICE>_PROCESSES``, by default min(2, cores) for the busy hops and 1 otherwise."""
    busy = BUSY_ON_SQLITE if database_url.startswith("sqlite") else BUSY_SERVICES
    default = min(2, os.cpu_count() or 1) if service in busy else 1
    return max(1, int(os.environ.get(f"UNIONHUB_{service.upper()}_PROCESSES") or default))


def run(args) -> int:
    settings, found = _setup(args.only)
    if not ensure_broker(settings):
        return 2
    try:
        _migrate_all(settings, found)
    except Exception as exc:
        _say(f"Migrating the databases failed: {exc}")
        return 2
    if "gateway" in found:
        _ensure_admin(settings, found)
    if args.demo:
        _seed(settings, found)
    counts = {n: process_count(n, settings.database_for(n)) for n, p in found.items() if p.service}
    names = [n for n in sorted(counts, key=lambda n: n != "gateway") for _ in range(counts[n])]
    shown = [f"{n} ×{counts[n]}" if counts[n] > 1 else n for n in dict.fromkeys(names)]
    _say(f"Starting {', '.join(shown)} ({len(names)} processes); gateway on http://{settings.host}:{settings.port_for('gateway')} "
         f"(API docs at /api/docs, OpenAPI at /api/v1/openapi.json). Ctrl-C stops everything.")
    from shared.runner import supervise
    return supervise(names, settings.data_dir / "metrics")


def migrate(args) -> int:
    settings, found = _setup(args.plugins or None)
    _migrate_all(settings, found)
    return 0


def seed_demo(args) -> int:
    settings, found = _setup()
    _migrate_all(settings, found)
    _seed(settings, found)
    return 0


def create_admin(args) -> int:
    settings, found = _setup()
    _migrate_all(settings, found)
    _ensure_admin(settings, found)
    return 0


def dlq(args) -> int:
    from shared import dlq as dead_letters
    settings = settings_mod.load()
    if args.dlq_command == "list":
        for name, depth in dead_letters.list_queues(settings.amqp_uri):
            _say(f"{depth:8d}  {name}")
        return 0
    moved = dead_letters.replay(settings.amqp_uri, queue=args.queue, limit=args.limit)
    for name, count in moved.items():
        _say(f"replayed {count} message(s) from {name}")
    if not moved:
        _say("no dead-lettered messages")
    return 0


def outbox(args) -> int:
    from sqlalchemy import func, select
    settings, found = _setup()
    from shared.runtime import Runtime
    runtime = Runtime(settings, found)
    for name, plugin in found.items():
        if not plugin.metadata:
            continue
        table = plugin.metadata().tables.get("outbox")
        with runtime.engine(name).connect() as conn:
            pending = conn.execute(select(func.count()).select_from(table).where(table.c.sent_at.is_(None))).scalar()
            sent = conn.execute(select(func.count()).select_from(table).where(table.c.sent_at.is_not(None))).scalar()
        _say(f"{name}: {pending} pending, {sent} sent")
    runtime.close()
    return 0


def plugin_command(plugin_name: str, argv: list[str]) -> int:
    """``unionhub <plugin> <command> [args]``: an operator command a plugin contributes."""
    from shared.cli import BUILTIN
    from shared.plugins import PluginError
    try:
        settings, found = _setup([plugin_name])
    except PluginError:
        _say(f"unionhub: no such command or plugin: {plugin_name!r} (commands: {', '.join(BUILTIN)})")
        return 2
    plugin = found[plugin_name]
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in plugin.commands:
        if argv and argv[0] not in ("-h", "--help"):
            _say(f"unionhub {plugin_name}: no command {argv[0]!r}")
        listed = ", ".join(sorted(plugin.commands)) or "(none)"
        _say(f"usage: unionhub {plugin_name} <command> [args]; commands: {listed}")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    module, _, name = plugin.commands[argv[0]].partition(":")
    fn = getattr(importlib.import_module(module), name)
    from shared.runtime import Runtime
    runtime = Runtime(settings, found)
    try:
        return int(fn(runtime, argv[1:]) or 0)
    finally:
        runtime.close()
