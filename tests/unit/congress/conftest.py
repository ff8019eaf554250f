"""Congress use cases against a SQLite file: the real tables, tenant sessions and outbox."""
from __future__ import annotations

import pytest

from services.congress.orm import Base
from services.congress.plugin import plugin
from shared import contracts, i18n
from shared.db import TenantSessionFactory

from .support import Congress


@pytest.fixture(scope="session", autouse=True)
def started_like_the_runner():
    contracts.load_all()
    i18n.register(plugin.messages)


@pytest.fixture
def engine(sqlite_schema):
    return sqlite_schema(Base.metadata, "congress.db")


@pytest.fixture
def cg(engine):
    return Congress(engine, TenantSessionFactory(engine))
