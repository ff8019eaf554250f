"""Alembic, driven from code: each plugin keeps ``migrations/`` (env.py + versions/) and the
runner upgrades every plugin's database to head before starting it. Never ``create_all``."""
from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def ensure_database(url: str) -> None:
    """Create the service's PostgreSQL database when the server lacks it (SQLite creates itself)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def _config(plugin, url: str) -> Config:
    package = importlib.import_module(plugin.migrations)
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(package.__file__).parent))
    cfg.attributes["url"] = url
    cfg.attributes["metadata"] = plugin.metadata()
    return cfg


def upgrade(plugin, url: str) -> None:
    if not plugin.migrations:
        return
    ensure_database(url)
    command.upgrade(_config(plugin, url), "head")


def revision(plugin, url: str, message: str) -> None:
    """Developer aid: autogenerate a revision against an up-to-date database."""
    command.revision(_config(plugin, url), message=message, autogenerate=True)


def run_env() -> None:
    """Body of every plugin's migrations/env.py."""
    from alembic import context
    config = context.config
    url = config.attributes["url"]
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=config.attributes["metadata"],
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


# Migrations of the kit's own tables (every service database carries them): each service's revision
# calls these, so the change is written once.

def outbox_unsent_index_upgrade() -> None:
    """The relay's index holds unsent outbox rows only (replaces ``ix_outbox_pending``)."""
    from alembic import op
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.create_index("ix_outbox_unsent", ["id"], unique=False, postgresql_where=text("sent_at IS NULL"),
                              sqlite_where=text("sent_at IS NULL"))


def outbox_unsent_index_downgrade() -> None:
    from alembic import op
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsent", postgresql_where=text("sent_at IS NULL"),
                            sqlite_where=text("sent_at IS NULL"))
        batch_op.create_index("ix_outbox_pending", ["sent_at", "next_attempt_at", "id"], unique=False)
