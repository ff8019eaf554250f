"""Serving one service, and supervising all of them (``unionhub run``)."""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


def serve(plugin_name: str, *, migrate: bool = False, port: int | None = None) -> int:
    import eventlet
    import eventlet.hubs
    if not os.environ.get("EVENTLET_HUB"):
        # poll(2), not epoll: eventlet's epoll hub adds and removes a descriptor with a system call
        # of its own each time a green thread waits on it (every database round trip, every read
        # of a keep-alive connection), and on this kind of machine a system call costs more than
        # scanning the few dozen descriptors a process holds. EVENTLET_HUB=epolls restores it
        eventlet.hubs.use_hub("poll")
    eventlet.monkey_patch()
    from psycogreen.eventlet import patch_psycopg
    patch_psycopg()

    from nameko.runners import ServiceRunner

    from shared import contracts, i18n, plugins, settings as settings_mod
    from shared.db import migrate as migrations

    logging.basicConfig(level=os.environ.get("UNIONHUB_LOG_LEVEL", "INFO"),
                        format=f"%(asctime)s {plugin_name} %(levelname)s %(name)s: %(message)s")
    if port:
        os.environ[f"UNIONHUB_PORT_{plugin_name.upper()}"] = str(port)
    settings = settings_mod.load()
    found = plugins.discover()
    if plugin_name not in found:
        print(f"unionhub: no plugin named {plugin_name!r} (installed: {', '.join(found)})", file=sys.stderr)
        return 2
    plugin = found[plugin_name]
    contracts.load_all()
    for p in found.values():
        i18n.register(p.messages)
    if migrate:
        migrations.upgrade(plugin, settings.database_for(plugin_name))
    service_cls = plugin.service_class() if plugin.service else None
    if service_cls is None:
        print(f"unionhub: plugin {plugin_name} has no service to run", file=sys.stderr)
        return 2
    config = settings_mod.nameko_config(settings, plugin_name)
    # every installed service's queues, not only ours: whichever starts first makes sure no event
    # is published before its consumers' queues exist
    from shared.inbox import declare_topology
    declare_topology(settings.amqp_uri, [p.service_class() for p in found.values() if p.service], config)
    runner = ServiceRunner(config)
    runner.add_service(service_cls)

    def shutdown(signum, frame):
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    logging.getLogger("unionhub").info("%s listening on %s:%s", plugin_name, settings.host, settings.port_for(plugin_name))
    runner.wait()
    return 0


def _metrics_dirs(names: list[str], root: Path) -> dict[str, str]:
    """Several processes of one service share its port, and a scrape reaches any one of them: they
    keep their metrics in one directory under ``root`` (prometheus-client's multiprocess mode),
    emptied here before they start, and every process answers ``/metrics`` with the sum of all."""
    dirs = {}
    for name in sorted({n for n in names if names.count(n) > 1}):
        folder = (root / name).resolve()
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        dirs[name] = str(folder)
    return dirs


def _gateway_state(names: list[str], data_dir: Path) -> str | None:
    """Every gateway process started here runs on this host: they share one counters file
    (``shared.hoststate``), one row each, zeroed here before they start."""
    if "gateway" not in names:
        return None
    from shared.hoststate import create
    path = (data_dir / "gateway-state").resolve()
    create(path, names.count("gateway"))
    return str(path)


def supervise(names: list[str], metrics_root: Path, env: dict | None = None) -> int:
    """Start ``unionhub serve`` for each plugin (a name given twice: two processes) and stop them
    all when one dies or on Ctrl-C."""
    procs: dict[str, subprocess.Popen] = {}
    base = dict(os.environ if env is None else env)
    shared_metrics = _metrics_dirs(names, metrics_root)
    gateway_state = _gateway_state(names, metrics_root.parent)
    for i, name in enumerate(names):
        child = {k: v for k, v in base.items()
                 if k not in ("PROMETHEUS_MULTIPROC_DIR", "UNIONHUB_GATEWAY_STATE", "UNIONHUB_GATEWAY_STATE_ROW")}
        if name in shared_metrics:
            child["PROMETHEUS_MULTIPROC_DIR"] = shared_metrics[name]
        if name == "gateway" and gateway_state is not None:
            child["UNIONHUB_GATEWAY_STATE"] = gateway_state
            child["UNIONHUB_GATEWAY_STATE_ROW"] = str(names[:i].count("gateway"))
        procs[f"{name}#{i}"] = subprocess.Popen([sys.executable, "-m", "shared.cli", "serve", name], env=child)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"unionhub: service {name} exited with code {proc.returncode}; stopping the others",
                          file=sys.stderr)
                    code = proc.returncode or 1
                    stopping = True
                    break
            time.sleep(0.3)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.time() + 15
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                proc.kill()
    return code
