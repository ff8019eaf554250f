"""Membership use cases against a SQLite file: the real tables, tenant sessions and outbox."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from services.membership.orm import Base
from services.membership.plugin import plugin
from shared import contracts, i18n, plugins, testing
from shared.db import TenantSessionFactory, make_engine, migrate

from .support import S1, S2, Membership


@pytest.fixture(scope="session", autouse=True)
def started_like_the_runner():
    """What the runner does at start: load every event contract and register the plugin's messages."""
    contracts.load_all()
    i18n.register(plugin.messages)


@pytest.fixture(autouse=True)
def nothing_remembered():
    """Each test starts with a process that remembers no school and no group (members.py)."""
    from services.membership import members
    members._open_schools.clear()
    members._group_names.clear()
    yield


@pytest.fixture
def engine(sqlite_schema):
    return sqlite_schema(Base.metadata, "membership.db")


def _registered(ms):
    ms.register_school(S1, staff=10)
    ms.register_school(S2, staff=20)
    return ms


@pytest.fixture
def ms(engine):
    """The membership service's use cases with schools S001 (10 staff) and S002 (20 staff) registered."""
    return _registered(Membership(engine, TenantSessionFactory(engine)))


@pytest.fixture
def ms_sqlite(ms):
    return ms


@pytest.fixture(scope="session")
def membership_postgres(pg_available):
    """A migrated membership database on the machine's PostgreSQL, and an autocommit engine beside
    it: what the service gives a unit of work there (``UnitOfWork.direct``)."""
    name = f"uht_{uuid.uuid4().hex[:8]}_membership_uc"
    url = testing.create_database(name)
    migrate.upgrade(plugins.discover()["membership"], url)
    engine, direct = make_engine(url), make_engine(url, isolation_level="AUTOCOMMIT")
    yield engine, direct
    engine.dispose()
    direct.dispose()
    testing.drop_database(name)


@pytest.fixture
def ms_postgres(membership_postgres):
    """``ms`` on PostgreSQL, emptied first: admission and update take the one-statement path."""
    engine, direct = membership_postgres
    with engine.begin() as conn:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name != "alembic_version")
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return _registered(Membership(engine, TenantSessionFactory(engine), direct=direct.connect))
