"""Test support: throwaway RabbitMQ vhosts and PostgreSQL databases on the machine's real
servers, free ports, and running services as subprocesses (``unionhub serve``)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("UNIONHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_HOST = os.environ.get("UNIONHUB_TEST_AMQP_HOST", "127.0.0.1:5672")


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


def create_vhost() -> tuple[str, str]:
    name = f"unionhub-test-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    return name, f"amqp://guest:guest@{AMQP_HOST}/{name}"


def delete_vhost(name: str) -> None:
    subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True, timeout=60)


def pg_server_url() -> str:
    return make_url(PG_ADMIN_URL)._replace(database=None).render_as_string(hide_password=False)


def create_database(name: str) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def drop_databases_with_prefix(prefix: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                             {"p": prefix + "%"})]
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # not ready yet
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def stack_env(amqp_uri: str, *, data_dir: Path, database_url: str | None = None, db_prefix: str = "unionhub_",
              ports: dict | None = None, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIONHUB_")}
    env.update({"UNIONHUB_AMQP_URI": amqp_uri, "UNIONHUB_DATA_DIR": str(data_dir),
                "UNIONHUB_DB_PREFIX": db_prefix, "UNIONHUB_SECRET_KEY": "test-secret-key-0123456789abcdef",
                "PYTHONWARNINGS": "ignore"})
    if database_url:
        env["UNIONHUB_DATABASE_URL"] = database_url
    for name, port in (ports or {}).items():
        env[f"UNIONHUB_PORT_{name.upper()}"] = str(port)
    env.update(extra or {})
    return env


def stop_process(proc, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it has not gone within ``timeout``."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class FixedClock:
    """A ``utcnow`` stand-in that tests move by hand."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


class ServiceProcess:
    """``unionhub serve <plugin> --migrate`` in a subprocess, ready when /healthz answers."""

    def __init__(self, plugin: str, env: dict, port: int, log_dir: Path):
        self.plugin, self.env, self.port = plugin, env, port
        self.log_path = log_dir / f"{plugin}-{port}.log"
        self.proc = None

    def start(self, timeout: float = 60.0) -> "ServiceProcess":
        env = dict(self.env, **{f"UNIONHUB_PORT_{self.plugin.upper()}": str(self.port)})
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "shared.cli", "serve", self.plugin, "--migrate"],
                                     env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)

        def healthy():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.plugin} exited: {self.log_path.read_text()[-3000:]}")
            return requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200
        try:
            wait_for(healthy, timeout, what=f"{self.plugin} to be ready")
        except AssertionError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        stop_process(self.proc)
        if getattr(self, "_log", None):
            self._log.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
