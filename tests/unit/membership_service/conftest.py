"""Membership use cases against a SQLite file: the real tables, tenant sessions and outbox."""
from __future__ import annotations

import pytest

from services.membership.orm import Base
from services.membership.plugin import plugin
from shared import contracts, i18n
from shared.db import TenantSessionFactory

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


@pytest.fixture
def ms(engine):
    """The membership service's use cases with schools S001 (10 staff) and S002 (20 staff) registered."""
    ms = Membership(engine, TenantSessionFactory(engine))
    ms.register_school(S1, staff=10)
    ms.register_school(S2, staff=20)
    return ms
