"""The gateway without nameko: its SQLite database, the real discovered plugins, a fake RPC."""
from __future__ import annotations

import contextlib

import pytest
from argon2 import PasswordHasher

from services.gateway import auth
from services.gateway.orm import Base, KnownSchool
from services.gateway.pipeline import Pipeline
from shared import hoststate, i18n, plugins as registry
from shared.db import TenantSessionFactory

from .support import SETTINGS, FakeRpc


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2 with the smallest cost: the same algorithm and checks, without a second per login."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", hasher)
    monkeypatch.setattr(auth, "_DUMMY", hasher.hash("unionhub-timing-equaliser"))


@pytest.fixture(scope="session")
def plugins():
    found = registry.discover()
    for plugin in found.values():
        i18n.register(plugin.messages)
    return found


@pytest.fixture
def engine(sqlite_schema):
    return sqlite_schema(Base.metadata, "gateway.db")


@pytest.fixture
def open_session(engine):
    factory = TenantSessionFactory(engine)

    @contextlib.contextmanager
    def open_session():
        session = factory(None)
        try:
            yield session
        finally:
            session.close()
    return open_session


@pytest.fixture
def known_schools(open_session):
    with open_session() as session:
        session.add_all([KnownSchool(code="A", name="实验小学", active=True),
                         KnownSchool(code="B", name="第一中学", active=True),
                         KnownSchool(code="OLD", name="已撤并学校", active=False)])
        session.commit()
    return {"A", "B"}


@pytest.fixture
def rpc():
    return FakeRpc()


@pytest.fixture
def host_file(tmp_path):
    """A counters file for two gateway processes of one host (``shared.hoststate``)."""
    path = tmp_path / "gateway-state"
    hoststate.create(path, 2)
    return str(path)


@pytest.fixture(params=["alone", "on_a_host"])
def pipeline(request, plugins, open_session, known_schools, host_file):
    """Every pipeline test runs as a gateway on its own (each request asks the database for its
    school's state) and as one of the host's gateway processes (remembered between writes)."""
    host = hoststate.HostState(host_file, 0) if request.param == "on_a_host" else None
    yield Pipeline(plugins, dict(SETTINGS), open_session, host=host)
    if host is not None:
        host.close()
