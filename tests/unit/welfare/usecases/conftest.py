"""Welfare use cases against a SQLite file: the real tables, tenant sessions and outbox."""
from __future__ import annotations

import pytest

from services.welfare.orm import Base
from services.welfare.plugin import plugin
from shared import contracts, i18n
from shared.db import TenantSessionFactory

from .support import S1, S2, Welfare


@pytest.fixture(scope="session", autouse=True)
def started_like_the_runner():
    contracts.load_all()
    i18n.register(plugin.messages)


@pytest.fixture
def wf(sqlite_schema):
    engine = sqlite_schema(Base.metadata, "welfare.db")
    wf = Welfare(engine, TenantSessionFactory(engine))
    wf.member(S1, 1, "王芳", birth="1986-03-15")
    wf.member(S1, 2, "李明", gender="male", birth="1964-07-01")
    wf.member(S2, 3, "赵强", gender="male")
    return wf
