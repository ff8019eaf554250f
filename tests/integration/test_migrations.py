"""Migrations on fresh PostgreSQL: every plugin's alembic history upgrades an empty database to
head, running it again changes nothing, and the schema it builds is exactly the ORM metadata
(alembic's autogenerate comparison finds no difference)."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from shared import plugins as plugin_registry
from shared.db import migrate

from .support import pg_url

pytestmark = pytest.mark.integration

PLUGINS = {name: p for name, p in plugin_registry.discover().items() if p.migrations}


def _url(db_prefix, name):
    return pg_url(f"{db_prefix}{name}")


def _state(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            insp = inspect(conn)
            tables = {t: (sorted(c["name"] for c in insp.get_columns(t)),
                          sorted(i["name"] for i in insp.get_indexes(t)))
                      for t in insp.get_table_names()}
        return versions, tables
    finally:
        engine.dispose()


def test_every_plugin_with_a_database_ships_migrations():
    assert {"gateway", "membership"} <= set(PLUGINS)
    for name, plugin in plugin_registry.discover().items():
        if plugin.metadata:
            assert plugin.migrations, f"{name} has a database but no migrations"


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_upgrading_a_fresh_database_to_head_works_and_running_it_again_changes_nothing(name, db_prefix):
    plugin = PLUGINS[name]
    url = _url(db_prefix, name)
    migrate.upgrade(plugin, url)  # also creates the database
    first = _state(url)
    heads = ScriptDirectory.from_config(migrate._config(plugin, url)).get_heads()
    assert len(heads) == 1, f"{name} has several migration heads: {heads}"
    assert first[0] == heads

    migrate.upgrade(plugin, url)

    assert _state(url) == first
    assert set(plugin.metadata().tables) <= set(first[1])


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_the_migrated_schema_matches_the_orm_metadata(name, db_prefix):
    plugin = PLUGINS[name]
    url = _url(db_prefix, name)
    migrate.upgrade(plugin, url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            diff = compare_metadata(context, plugin.metadata())
    finally:
        engine.dispose()
    assert diff == []


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_downgrading_to_base_drops_every_table_and_upgrading_again_rebuilds_the_same_schema(name, db_prefix):
    from alembic import command
    plugin = PLUGINS[name]
    url = _url(db_prefix, name)
    migrate.upgrade(plugin, url)
    built = _state(url)

    command.downgrade(migrate._config(plugin, url), "base")
    versions, tables = _state(url)
    assert versions == [] and set(tables) == {"alembic_version"}

    migrate.upgrade(plugin, url)
    assert _state(url) == built
