"""Fixtures shared by every test layer. Integration and e2e tests use the machine's real RabbitMQ
and PostgreSQL; when either is missing they fail with a message, never skip."""
from __future__ import annotations

import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text

from shared import broker, testing


@pytest.fixture(scope="session")
def broker_ready():
    """The local RabbitMQ answers and ``rabbitmqctl`` works; fails (never skips) otherwise."""
    if shutil.which("rabbitmqctl") is None:
        pytest.fail("rabbitmqctl not found: integration tests need the local RabbitMQ (see README)")
    ok, detail = broker.broker_reachable(f"amqp://guest:guest@{testing.AMQP_HOST}/")
    if not ok:
        pytest.fail(f"RabbitMQ is not reachable at {testing.AMQP_HOST}: {detail}")


@pytest.fixture(scope="session")
def amqp_uri(broker_ready):
    """A throwaway vhost on the local RabbitMQ, deleted at the end of the session."""
    name, uri = testing.create_vhost()
    yield uri
    testing.delete_vhost(name)


@pytest.fixture(scope="session")
def pg_available():
    try:
        engine = create_engine(testing.PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        pytest.fail(f"PostgreSQL is not reachable at {testing.PG_ADMIN_URL}: {exc}")
    return testing.pg_server_url()


@pytest.fixture
def db_prefix(pg_available):
    """A unique database-name prefix; every database created under it is dropped afterwards."""
    prefix = f"uht_{uuid.uuid4().hex[:8]}_"
    yield prefix
    testing.drop_databases_with_prefix(prefix)


@pytest.fixture
def sqlite_schema(tmp_path):
    """``sqlite_schema(metadata, name)``: an engine on a fresh SQLite file holding that schema
    (unit tests only; production schemas come from migrations)."""
    from shared.db import make_engine
    engines = []

    def make(metadata, name="test.db"):
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        metadata.create_all(engine)
        engines.append(engine)
        return engine
    yield make
    for engine in engines:
        engine.dispose()


_LAYER_ORDER = {"unit": 0, "contracts": 1, "integration": 2, "e2e": 3}


def pytest_collection_modifyitems(session, config, items):
    """Fast layers first and the e2e suite last: the e2e stack (every service of the platform)
    then never runs beside the integration tests' own services, which keeps the PostgreSQL
    connections and the CPU the whole run needs at its peak down."""
    def layer(item):
        parts = item.nodeid.split("/")
        return _LAYER_ORDER.get(parts[1] if len(parts) > 1 and parts[0] == "tests" else "", 1)
    items.sort(key=layer)   # stable: the order inside a layer is unchanged
