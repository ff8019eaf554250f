"""Finance use cases against a SQLite file: the real tables, tenant sessions and outbox."""
from __future__ import annotations

import pytest

from services.finance.orm import Base
from services.finance.plugin import plugin
from shared import contracts, i18n
from shared.db import TenantSessionFactory

from .support import Finance


@pytest.fixture(scope="session", autouse=True)
def started_like_the_runner():
    contracts.load_all()
    i18n.register(plugin.messages)


@pytest.fixture
def engine(sqlite_schema):
    return sqlite_schema(Base.metadata, "finance.db")


@pytest.fixture
def fin(engine):
    return Finance(engine, TenantSessionFactory(engine))
