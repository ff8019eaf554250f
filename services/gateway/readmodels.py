"""Hosting the plugins' read models: a document store with version-guarded upserts, the event
projections and the serve/absorb hooks the pipeline calls."""
from __future__ import annotations

import functools
import json
import logging
import time

from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from services.gateway.orm import ReadDoc, ReadSettle
from shared.db.base import utcnow
from shared.plugins import MISS, Doc, Settle

log = logging.getLogger(__name__)
SETTLE_LIMIT_SECONDS = 120


def upsert(session, docs: list[Doc]) -> None:
    """Insert or replace documents, keeping the newer version when two writers race."""
    if not docs:
        return
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [{"collection": d.collection, "school": d.school, "key": d.key, "version": d.version,
             "tag1": _tag(d.tags, 0), "tag2": _tag(d.tags, 1), "tag3": _tag(d.tags, 2),
             "search": d.search, "data": json.dumps(d.data, ensure_ascii=False, default=str)} for d in docs]
    stmt = insert(ReadDoc)
    stmt = stmt.on_conflict_do_update(
        index_elements=["collection", "school", "key"],
        set_={c: getattr(stmt.excluded, c) for c in ("version", "tag1", "tag2", "tag3", "search", "data")},
        where=ReadDoc.version < stmt.excluded.version)
    for start in range(0, len(rows), 500):
        session.execute(stmt, rows[start:start + 500])


def _tag(tags, i):
    value = tags[i] if len(tags) > i else None
    return None if value is None else str(value)


_GET = text("SELECT data FROM read_docs WHERE collection = :c AND school = :s AND key = :k")
_TAGS = ("tag1", "tag2", "tag3")


@functools.lru_cache(maxsize=64)
def _statements(tags: tuple, search: bool):
    """Prepared text statements per filter combination: the hot path skips SQL compilation."""
    where = "collection = :c AND school = :s" + "".join(f" AND {t} = :{t}" for t in tags if t in _TAGS)
    if search:
        where += " AND search LIKE :q ESCAPE '\\'"
    # a page, then a count only when the page is full: a window count(*) OVER () would read
    # every matching document (data included) to count them
    return (text(f"SELECT count(*) FROM read_docs WHERE {where}"),
            text(f"SELECT data FROM read_docs WHERE {where} ORDER BY key LIMIT :lim OFFSET :off"))


class DocStore:
    """Read access for serve functions; every call names the school the gateway authorised.
    Core statements, not ORM queries: this is the gateway's hottest path."""

    table = ReadDoc.__table__

    def __init__(self, conn, small_cache: dict | None = None):
        self.conn = conn
        self._small = small_cache if small_cache is not None else {}

    def get(self, collection: str, school: str, key: int) -> dict | None:
        data = self.conn.execute(_GET, {"c": collection, "s": school, "k": key}).scalar()
        return None if data is None else json.loads(data)

    def query(self, collection: str, school: str, *, tags: dict | None = None, search: str | None = None,
              offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
        params = {"c": collection, "s": school, "off": offset, "lim": limit}
        present = tuple(sorted(name for name, value in (tags or {}).items() if value is not None))
        for name in present:
            params[name] = str(tags[name])
        if search:
            params["q"] = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        count_sql, page_sql = _statements(present, bool(search))
        rows = self.conn.execute(page_sql, params).scalars().all()
        if 0 < len(rows) < limit or (not rows and not offset):
            total = offset + len(rows)      # the last page: no count needed
        else:
            total = self.conn.execute(count_sql, params).scalar_one()
        return [json.loads(r) for r in rows], total

    def all(self, collection: str, school: str) -> list[dict]:
        t = self.table
        rows = self.conn.execute(select(t.c.data).where(t.c.collection == collection, t.c.school == school)).scalars()
        return [json.loads(r) for r in rows]

    def small(self, collection: str, school: str, ttl: float = 2.0) -> list[dict]:
        """``all`` for small lookup collections (union groups), cached in the process for ``ttl``
        seconds: a rename shows in lists after at most that long."""
        now = time.monotonic()
        hit = self._small.get((collection, school))
        if hit and hit[0] > now:
            return hit[1]
        docs = self.all(collection, school)
        self._small[(collection, school)] = (now + ttl, docs)
        return docs

    def count(self, collection: str, school: str) -> int:
        t = self.table
        return self.conn.execute(select(func.count()).select_from(t).where(
            t.c.collection == collection, t.c.school == school)).scalar_one()


class ReadModels:
    def __init__(self, plugins: dict, open_session):
        self.open_session = open_session
        self.models = [factory() for p in plugins.values() for factory in p.read_models]
        self.serve_fns = {rpc: fn for m in self.models for rpc, fn in m.serve.items()}
        self.absorb_fns = {rpc: fn for m in self.models for rpc, fn in m.absorb.items()}
        self.projections = {etype: fn for m in self.models for etype, fn in m.project.items()}
        self._small_cache: dict = {}

    def serve(self, rpc: str, kwargs: dict, conn, settling: bool = False):
        """Answer from the read model on ``conn``, or MISS. ``settling``: a bulk write for this
        school is still being projected."""
        fn = self.serve_fns.get(rpc)
        if fn is None:
            return MISS
        store = DocStore(conn, self._small_cache)
        if settling and not self._settled(store, kwargs.get("school")):
            return MISS
        return fn(store, kwargs)

    def _settled(self, store: DocStore, school: str | None) -> bool:
        """A settle row only expires (the next bulk write replaces it): no write, and no second
        connection, on the read path."""
        t = ReadSettle.__table__
        pending = store.conn.execute(select(t.c.collection, t.c.expected).where(
            t.c.school == school, t.c.until > utcnow())).all()
        return all(store.count(collection, school) >= expected for collection, expected in pending)

    def absorb(self, rpc: str, result) -> None:
        fn = self.absorb_fns.get(rpc)
        if fn is None:
            return
        items = fn(result)
        docs = [i for i in items if isinstance(i, Doc)]
        settles = [i for i in items if isinstance(i, Settle)]
        if not docs and not settles:
            return
        with self.open_session() as session:
            upsert(session, docs)
            for settle in settles:
                session.merge(ReadSettle(collection=settle.collection, school=settle.school, expected=settle.expected,
                                         until=utcnow() + timedelta(seconds=SETTLE_LIMIT_SECONDS)))
            session.commit()

    def project(self, session, event_type: str, payload: dict) -> None:
        upsert(session, self.projections[event_type](payload))
