"""Direct access to plugin databases for commands that run outside a service (migrate, seed the
demo district, create the admin). Writes still go through units of work, so events land in the
outbox and the service relays them when it starts."""
from __future__ import annotations

import contextlib

from shared.db import TenantSessionFactory, UnitOfWork, install_kit_tables, make_engine
from shared.tenancy import CallContext


class Runtime:
    def __init__(self, settings, plugins: dict):
        self.settings = settings
        self.plugins = plugins
        self._engines = {}

    def engine(self, plugin: str):
        if plugin not in self._engines:
            self._engines[plugin] = make_engine(self.settings.database_for(plugin))
        return self._engines[plugin]

    def unit_of_work(self, plugin: str, *, school: str | None = None, actor: str = "system") -> UnitOfWork:
        metadata = self.plugins[plugin].metadata()
        kit = install_kit_tables(metadata)
        sessions = TenantSessionFactory(self.engine(plugin))
        context = CallContext(school=school, actor=actor, role="district_admin")
        return UnitOfWork(sessions, kit, schools=None if school is None else {school}, context=context)

    @contextlib.contextmanager
    def session(self, plugin: str):
        session = TenantSessionFactory(self.engine(plugin))(None)
        try:
            yield session
        finally:
            session.close()

    def close(self):
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
