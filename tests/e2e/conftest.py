"""The e2e stack: the README's own run command (``./unionhub run --demo``) started once per
session on a throwaway RabbitMQ vhost and throwaway PostgreSQL databases, driven over HTTP.

Fixtures from tests/conftest.py: ``amqp_uri`` (fresh vhost) and ``pg_available`` (PG server URL).
"""
from __future__ import annotations

import os
import signal
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from shared import testing
from shared.settings import SERVICE_PORTS

from .support import Client, School, create_school

ROOT = testing.ROOT
ADMIN_PASSWORD = "e2e-admin-pass-2026"
DEMO_PASSWORD = "e2e-demo-pass-2026"
DEMO_SCHOOLS = ("XQ-SY", "XQ-ZX", "XB-ZJ")
START_TIMEOUT = 120.0

_log_path: Path | None = None


@dataclass
class Stack:
    url: str
    membership_url: str
    env: dict
    log_path: Path
    proc: subprocess.Popen
    service_urls: dict   # service name -> its own base URL (/healthz, /readyz, /metrics)

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


def _tail(path: Path | None, chars: int = 6000) -> str:
    if path is None or not path.exists():
        return "(no log)"
    return path.read_text(errors="replace")[-chars:]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="session")
def e2e_amqp_uri(amqp_uri):
    """A vhost of the stack's own: the stack lives for the whole session, and its services must not
    compete for RPC and event messages with the integration tests' services."""
    name, uri = testing.create_vhost()
    yield uri
    testing.delete_vhost(name)


@pytest.fixture(scope="session")
def stack(e2e_amqp_uri, pg_available, tmp_path_factory):
    amqp_uri = e2e_amqp_uri
    global _log_path
    data_dir = tmp_path_factory.mktemp("unionhub-e2e")
    db_prefix = f"uhe2e_{uuid.uuid4().hex[:8]}_"
    gateway_port = testing.free_port()
    # every service of the stack on a free port of its own (a developer's stack may hold the defaults)
    service_ports = {name: testing.free_port() for name in SERVICE_PORTS if name != "gateway"}
    membership_port = service_ports["membership"]
    env = testing.stack_env(amqp_uri, data_dir=data_dir, database_url=pg_available, db_prefix=db_prefix,
                            ports=service_ports,
                            extra={"UNIONHUB_ADMIN_PASSWORD": ADMIN_PASSWORD, "UNIONHUB_DEMO_PASSWORD": DEMO_PASSWORD})
    _log_path = data_dir / "unionhub-run.log"
    log = open(_log_path, "ab")
    proc = subprocess.Popen([str(ROOT / "unionhub"), "run", "--demo", "--port", str(gateway_port)], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url, membership_url = f"http://127.0.0.1:{gateway_port}", f"http://127.0.0.1:{membership_port}"

    def ready():
        if proc.poll() is not None:
            return "exited"  # truthy: stop waiting (wait_for swallows exceptions)
        for base in (url, *(f"http://127.0.0.1:{port}" for port in service_ports.values())):
            if requests.get(f"{base}/readyz", timeout=2).status_code != 200:
                return False
        return requests.post(f"{url}/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD},
                             timeout=5).status_code == 200

    try:
        testing.wait_for(ready, START_TIMEOUT, interval=0.5, what="the gateway to be ready and admin login to work")
        if proc.poll() is not None:
            raise AssertionError(f"`unionhub run --demo` exited with code {proc.returncode} before it was ready")
    except AssertionError as exc:
        _stop(proc)
        log.close()
        testing.drop_databases_with_prefix(db_prefix)
        pytest.fail(f"{exc}\n--- unionhub run log (tail) ---\n{_tail(_log_path)}", pytrace=False)
    try:
        yield Stack(url, membership_url, env, _log_path, proc,
                    {n: f"http://127.0.0.1:{p}" for n, p in service_ports.items()})
    finally:
        _stop(proc)
        log.close()
        testing.drop_databases_with_prefix(db_prefix)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _log_path is not None:
        report.sections.append(("unionhub run log (tail)", _tail(_log_path, 4000)))


@pytest.fixture(scope="session")
def admin(stack) -> Client:
    return Client.login(stack.url, "admin", ADMIN_PASSWORD)


@pytest.fixture(scope="session")
def anonymous(stack) -> Client:
    return Client(stack.url)


@pytest.fixture(scope="session")
def demo_chair(stack):
    """``demo_chair("XQ-SY")``: a client logged in as that demo school's union chair."""
    cache: dict[str, Client] = {}

    def login(school: str) -> Client:
        if school not in cache:
            cache[school] = Client.login(stack.url, f"{school.lower()}-chair", DEMO_PASSWORD)
        return cache[school]
    return login


@pytest.fixture(scope="module")
def school(admin) -> School:
    """A school union of this module's own, with its chair logged in."""
    return create_school(admin)


@pytest.fixture(scope="module")
def other_school(admin) -> School:
    return create_school(admin)
