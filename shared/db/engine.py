from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for a service database. SQLite (the embedded default) gets WAL, a busy timeout
    and foreign keys; PostgreSQL a pre-pinged pool sized for one service process."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
        return engine
    # a pool holds a fixed set of connections and callers wait their turn for one: an overflow
    # connection is closed on return, and under load that means a PostgreSQL fork (and an
    # authentication) per request, which cost more CPU than the requests themselves. Every process
    # of every service must fit in PostgreSQL's default of 100
    kwargs.setdefault("pool_size", int(os.environ.get("UNIONHUB_DB_POOL_SIZE", 8)))
    kwargs.setdefault("max_overflow", int(os.environ.get("UNIONHUB_DB_POOL_OVERFLOW", 0)))
    # no ping before each checkout: on this hot path it is one more round trip per request. A
    # connection that died with the server fails one statement, which invalidates the pool (event
    # handlers retry transient errors), and connections are recycled every half hour
    kwargs.setdefault("pool_pre_ping", os.environ.get("UNIONHUB_DB_PRE_PING") == "1")
    kwargs.setdefault("pool_recycle", 1800)
    return create_engine(url, **kwargs)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
