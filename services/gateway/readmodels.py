"""Hosting the plugins' read models: the document store (``read_docs``) with version-guarded
upserts stamped with their school's generation, the event projections, the serve/absorb hooks
the pipeline calls, and the in-process copy reads are answered from (``readcache``)."""
from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime, timedelta

from services.gateway.orm import ReadSettle
from services.gateway.readcache import Collection, ReadCache, SchoolDocs
from shared.db.base import utcnow
from shared.plugins import MISS, Doc, Settle

log = logging.getLogger(__name__)
SETTLE_LIMIT_SECONDS = 120

_BUMP = ("INSERT INTO read_gens (school, gen) VALUES (:s, 1) "
         "ON CONFLICT (school) DO UPDATE SET gen = read_gens.gen + 1 RETURNING gen")
_SET = ("version = excluded.version, tag1 = excluded.tag1, tag2 = excluded.tag2, tag3 = excluded.tag3, "
        "search = excluded.search, data = excluded.data, gen = excluded.gen WHERE read_docs.version < excluded.version")
_COLS = "collection, school, key, version, tag1, tag2, tag3, search, data"
_ROW = "(:collection, :school, :key, :version, :tag1, :tag2, :tag3, :search, :data)"
# SQLite: the school's generation first (its own statement), then the documents stamped with it
_UPSERT = (f"INSERT INTO read_docs ({_COLS}, gen) VALUES (:collection, :school, :key, :version, :tag1, :tag2, :tag3, "
           f":search, :data, :gen) ON CONFLICT (collection, school, key) DO UPDATE SET {_SET}")
# PostgreSQL: both in one statement, so that a write the gateway answers is one round trip
_UPSERT_PG = ("WITH g AS (INSERT INTO read_gens (school, gen) VALUES (%(school)s, 1) "
              "ON CONFLICT (school) DO UPDATE SET gen = read_gens.gen + 1 RETURNING gen) "
              f"INSERT INTO read_docs ({_COLS}, gen) SELECT v.*, g.gen FROM (VALUES {{rows}}) AS v({_COLS}), g "
              f"ON CONFLICT (collection, school, key) DO UPDATE SET {_SET} RETURNING read_docs.gen")
_VERSIONS = "SELECT key, version FROM read_docs WHERE collection = :c AND school = :s AND key = ANY(:keys)"   # PostgreSQL


def upsert(session, docs: list[Doc], *, skip_stale: bool = False) -> dict[str, int]:
    """Insert or replace documents, keeping the newer version when two writers race; each school's
    documents take the school's next generation. Returns ``{school: generation}`` of what was written.

    Locks: a school's generation row first (schools in name order), then its documents, held to the
    commit, so generations commit in order and two writers never deadlock. ``skip_stale`` (event
    projections) first leaves out, without a lock, the documents already held in this version or a
    newer one: the projection of an event the gateway already absorbed, the usual case, then takes
    no lock at all. Plain DB-API statements: this runs on every write the gateway answers."""
    if not docs:
        return {}
    newest = _newest(docs)
    connection = session.connection()
    return upsert_with(Reader(connection.connection.dbapi_connection, connection.dialect.paramstyle), newest,
                       skip_stale=skip_stale)


def upsert_with(writer: "Reader", newest: dict, *, skip_stale: bool = False) -> dict[str, int]:
    """``upsert`` on a DB-API connection; ``newest``: ``{(collection, school, key): Doc}``. On an
    autocommit connection each school's documents are one statement, so one transaction."""
    if skip_stale:
        for (collection, school), keys in _groups(newest).items():
            for key, version in writer.versions(collection, school, keys):
                if version >= newest[(collection, school, key)].version:
                    del newest[(collection, school, key)]
    written = {}
    for school in sorted({school for _c, school, _k in newest}):
        rows = [{"collection": d.collection, "school": d.school, "key": int(d.key), "version": d.version,
                 "tag1": _tag(d.tags, 0), "tag2": _tag(d.tags, 1), "tag3": _tag(d.tags, 2), "search": d.search,
                 "data": json.dumps(d.data, ensure_ascii=False, default=str)}
                for (_c, s_, _k), d in sorted(newest.items()) if s_ == school]
        if writer.pyformat:
            written[school] = writer.upsert_pg(_UPSERT_PG, _ROW, school, rows)
        else:
            gen = writer.one(_BUMP, {"s": school})[0]
            writer.many(_UPSERT, [dict(row, gen=gen) for row in rows])
            written[school] = gen
    return written


def _newest(docs) -> dict:
    """``{(collection, school, key): Doc}``, each document's newest version only (one statement
    must not touch a row twice)."""
    newest: dict[tuple, Doc] = {}
    for doc in docs:
        key = (doc.collection, doc.school, int(doc.key))
        if key not in newest or newest[key].version < doc.version:
            newest[key] = doc
    return newest


def _groups(newest: dict) -> dict:
    groups: dict[tuple, list] = {}
    for collection, school, key in newest:
        groups.setdefault((collection, school), []).append(key)
    return groups


def _tag(tags, i):
    value = tags[i] if len(tags) > i else None
    return None if value is None else str(value)


class Reader:
    """Plain DB-API reads on one pooled connection: the hot path skips SQLAlchemy's statement
    machinery (about half the client CPU of a query). SQL is written with ``:name`` parameters;
    ``paramstyle`` is the driver's (``pyformat`` for psycopg2, ``named`` for sqlite3)."""

    _NAMED = re.compile(r"(?<!:):(\w+)")
    _prepared: dict[tuple[str, str], str] = {}

    def __init__(self, dbapi_connection, paramstyle: str, info: dict | None = None):
        """``info``: a dict that lives as long as the DB-API connection (the pool's record of it),
        where the server-side prepared statements of this connection are remembered."""
        self._conn = dbapi_connection
        self._paramstyle = paramstyle
        self.pyformat = paramstyle == "pyformat"
        self._info = info

    def one_prepared(self, name: str, sql: str, params: dict):
        """``one`` through a server-side prepared statement on PostgreSQL: planned once per
        connection instead of on every request (the school check runs on every request, and its
        planning cost more than running it)."""
        if not self.pyformat or self._info is None:
            return self.one(sql, params)
        order = list(dict.fromkeys(self._NAMED.findall(sql)))
        prepared = self._info.setdefault("unionhub_prepared", set())
        cur = self._conn.cursor()
        try:
            if name not in prepared:
                positional = self._NAMED.sub(lambda m: f"${order.index(m.group(1)) + 1}", sql)
                cur.execute(f"PREPARE {name} AS {positional}")
                prepared.add(name)
            cur.execute(f"EXECUTE {name} ({', '.join(f'%({p})s' for p in order)})", params)
            return cur.fetchone()
        finally:
            cur.close()

    def _prepare(self, sql: str, params: dict) -> tuple[str, dict]:
        key = (sql, self._paramstyle)
        found = self._prepared.get(key)
        if found is None:
            found = self._NAMED.sub(r"%(\1)s", sql) if self._paramstyle == "pyformat" else sql
            self._prepared[key] = found
        if self._paramstyle != "pyformat":
            # SQLite stores DateTime as text in SQLAlchemy's format: compare like with like
            params = {k: v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v
                      for k, v in params.items()}
        return found, params

    def one(self, sql: str, params: dict):
        cur = self._conn.cursor()
        try:
            cur.execute(*self._prepare(sql, params))
            return cur.fetchone()
        finally:
            cur.close()

    def versions(self, collection: str, school: str, keys: list[int]) -> list[tuple[int, int]]:
        """``(key, version)`` of the documents held among ``keys``, read without a lock."""
        cur = self._conn.cursor()
        try:
            if self.pyformat:
                cur.execute(self._prepare(_VERSIONS, {})[0], {"c": collection, "s": school, "keys": list(keys)})
            else:
                marks = ",".join("?" * len(keys))
                cur.execute(f"SELECT key, version FROM read_docs WHERE collection = ? AND school = ? AND key IN ({marks})",
                            [collection, school, *keys])
            return cur.fetchall()
        finally:
            cur.close()

    def all(self, sql: str, params: dict) -> list:
        cur = self._conn.cursor()
        try:
            cur.execute(*self._prepare(sql, params))
            return cur.fetchall()
        finally:
            cur.close()

    def many(self, sql: str, rows: list[dict]) -> None:
        if not rows:
            return
        cur = self._conn.cursor()
        try:
            statement, _ = self._prepare(sql, {})
            cur.executemany(statement, [self._prepare(sql, row)[1] for row in rows])
        finally:
            cur.close()

    def upsert_pg(self, sql: str, row_template: str, school: str, rows: list[dict]) -> int:
        """Run ``sql`` (with ``{rows}`` where the VALUES rows go) for all rows at once; the
        generation it stamped (0 when no document was newer than the one held)."""
        cur = self._conn.cursor()
        try:
            template = self._NAMED.sub(r"%(\1)s", row_template)
            values = ",".join(cur.mogrify(template, row).decode() for row in rows)
            cur.execute(sql.replace("{rows}", values), {"school": school})
            stamped = cur.fetchone()
            return stamped[0] if stamped else 0
        finally:
            cur.close()


_COLUMNS = "collection, key, version, tag1, tag2, tag3, search, data, gen"
_ALL = f"SELECT {_COLUMNS} FROM read_docs WHERE school = :s"
_SINCE = f"SELECT {_COLUMNS} FROM read_docs WHERE school = :s AND gen > :g"
_SETTLES = "SELECT collection, expected FROM read_settles WHERE school = :s AND until > :now"


def _decoded(rows):
    for collection, key, version, tag1, tag2, tag3, search, data, gen in rows:
        yield collection, key, version, tag1, tag2, tag3, search, json.loads(data), gen


class DocStore:
    """What a plugin's serve function reads: one school's documents, current as of the request."""

    def __init__(self, school: str, docs: SchoolDocs):
        self.school = school
        self._docs = docs

    def _collection(self, collection: str, school: str) -> Collection:
        if school != self.school:
            raise ValueError(f"this store holds school {self.school}, not {school}")
        return self._docs.collections.get(collection) or Collection()

    def get(self, collection: str, school: str, key: int) -> dict | None:
        return self._collection(collection, school).get(int(key))

    def query(self, collection: str, school: str, *, tags: dict | None = None, search: str | None = None,
              offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
        return self._collection(collection, school).query(tags or {}, search, offset, limit)

    def all(self, collection: str, school: str) -> list[dict]:
        return self._collection(collection, school).all()

    def small(self, collection: str, school: str, ttl: float | None = None) -> list[dict]:
        """``all`` for small lookup collections (union groups)."""
        return self.all(collection, school)

    def count(self, collection: str, school: str) -> int:
        return len(self._collection(collection, school))


class ReadModels:
    def __init__(self, plugins: dict, open_session, max_docs: int | None = None, open_autocommit=None):
        """``open_autocommit``: a ``Reader`` on an autocommit connection (PostgreSQL), where a
        write-through of one school's documents is a single statement: no BEGIN and COMMIT round
        trips on the request path."""
        self.open_session = open_session
        self.open_autocommit = open_autocommit
        self.models = [factory() for p in plugins.values() for factory in p.read_models]
        self.serve_fns = {rpc: fn for m in self.models for rpc, fn in m.serve.items()}
        self.absorb_fns = {rpc: fn for m in self.models for rpc, fn in m.absorb.items()}
        self.projections = {etype: fn for m in self.models for etype, fn in m.project.items()}
        self.cache = ReadCache(max_docs or int(os.environ.get("UNIONHUB_READ_CACHE_DOCS", 200_000)))
        self._settled_marks: dict[str, object] = {}
        self.host = None    # HostState: told of every school whose documents this process wrote

    def serve(self, rpc: str, kwargs: dict, scope):
        """Answer from the read model, or MISS. ``scope`` carries the request's reader and what the
        school check learnt: the school's generation and whether a bulk write is still settling."""
        fn = self.serve_fns.get(rpc)
        school = kwargs.get("school")
        if fn is None or not school:
            return MISS
        # held and current: answered without touching the database (no connection taken)
        docs = self.cache.current(school, scope.gen or 0) or self.sync(scope.reader, school, scope.gen or 0)
        if scope.settling and self._settled_marks.get(school) != scope.settling:
            if not self._settled(scope.reader, school, docs):
                return MISS
            self._settled_marks[school] = scope.settling   # settled: no more counting for this bulk write
        return fn(DocStore(school, docs), kwargs)

    def sync(self, reader: Reader, school: str, gen: int) -> SchoolDocs:
        """The school's documents as of at least ``gen``, fetching what this process has not seen."""
        docs = self.cache.current(school, gen)
        if docs is not None:
            return docs
        since = self.cache.since(school)
        if since is not None:
            rows = reader.all(_SINCE, {"s": school, "g": since})
            if self.cache.since(school) is not None:   # still held after the round trip
                return self.cache.advance(school, gen, _decoded(rows))
        return self.cache.load(school, gen, _decoded(reader.all(_ALL, {"s": school})))

    @staticmethod
    def _settled(reader: Reader, school: str, docs: SchoolDocs) -> bool:
        pending = reader.all(_SETTLES, {"s": school, "now": utcnow()})
        return all(len(docs.collections.get(c) or ()) >= expected for c, expected in pending)

    def absorb(self, rpc: str, result) -> None:
        """Write what a service answered into the read model (write-through), so the client reads
        its own write from any gateway process; this process's copy takes it at once."""
        fn = self.absorb_fns.get(rpc)
        if fn is None:
            return
        items = fn(result)
        docs = [i for i in items if isinstance(i, Doc)]
        settles = [i for i in items if isinstance(i, Settle)]
        if not docs and not settles:
            return
        try:
            self._absorb(docs, settles)
        finally:   # written or not: the other processes ask the database rather than miss it
            if self.host is not None:
                self.host.wrote({i.school for i in items if isinstance(i, (Doc, Settle))})

    def _absorb(self, docs: list, settles: list) -> None:
        if not settles and self.open_autocommit is not None:
            with self.open_autocommit() as writer:
                written = upsert_with(writer, _newest(docs)) if writer.pyformat else None
            if written is not None:
                self._take(written, docs)
                return
        with self.open_session() as session:
            written = upsert(session, docs)
            for settle in settles:
                session.merge(ReadSettle(collection=settle.collection, school=settle.school, expected=settle.expected,
                                         until=utcnow() + timedelta(seconds=SETTLE_LIMIT_SECONDS)))
            session.commit()
        self._take(written, docs)

    def _take(self, written: dict, docs: list) -> None:
        for school, gen in written.items():
            if gen:
                self.cache.absorb(school, gen, [d for d in docs if d.school == school])

    def project(self, session, events) -> set[str]:
        """A batch of events in one upsert per school, the schools' generation rows locked in name
        order (no deadlock between gateway processes). Returns the schools it wrote to (uncommitted
        yet: the caller tells the host after the commit)."""
        docs = [doc for event in events for doc in self.projections[event.type](event.payload)]
        # the usual event is one this gateway already absorbed when it answered the write: when
        # this process holds the document in that version (what it holds is committed), the
        # database does too, and asking it again would cost a query per school of the batch
        fresh = [d for d in docs if not self.cache.holds(d.school, d.collection, int(d.key), d.version)]
        if not fresh:
            return set()
        return set(upsert(session, fresh, skip_stale=True))
