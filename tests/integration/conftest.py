"""Fixtures of the integration layer: the real RabbitMQ (a vhost per session, from tests/conftest.py)
and the real PostgreSQL (databases under a unique prefix, dropped afterwards). Services run as
subprocesses; when a test fails, the tails of their logs are printed."""
from __future__ import annotations

import uuid

import pytest

from shared import testing

from . import support


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when in ("setup", "call") and report.failed:
        item.integration_failed = True
    return report


@pytest.fixture(autouse=True)
def _print_service_logs_on_failure(request):
    live, first = set(support.LIVE_LOGS), len(support.STARTED_LOGS)
    yield
    if getattr(request.node, "integration_failed", False):
        for path in dict.fromkeys([*sorted(live), *support.STARTED_LOGS[first:]]):
            print(f"\n----- tail of {path} -----\n{support.tail(path)}")


@pytest.fixture(scope="module")
def amqp_uri(broker_ready):
    """A vhost per test module: the services a module starts share queue names with another
    module's (the queue is named after the consumer), and must not receive that module's events
    (its member ids, its payment ids) left in them."""
    name, uri = testing.create_vhost()
    yield uri
    testing.delete_vhost(name)


@pytest.fixture(scope="module")
def module_db_prefix(pg_available):
    """Like ``db_prefix``, for stacks shared by the tests of one module."""
    prefix = f"uht_{uuid.uuid4().hex[:8]}_"
    yield prefix
    testing.drop_databases_with_prefix(prefix)


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("integration")
