"""The gateway's read models: the in-process copy (indexes, pages, versions) and its generations,
which let any gateway process read what another one just wrote."""
from __future__ import annotations

import contextlib
from types import SimpleNamespace

import pytest

from services.gateway.orm import Base, ReadDoc, ReadGen
from services.gateway.readcache import Collection, Entry, ReadCache
from services.gateway.readmodels import ReadModels, Reader, upsert
from shared.plugins import MISS, Doc, Plugin, ReadModel


def entry(version, status="active", category="teacher", group=None, name="王芳"):
    return Entry(version, (status, category, None if group is None else str(group)), name.casefold(),
                 {"name": name, "status": status, "category": category, "v": version})


def test_a_collection_keeps_the_newest_version_and_moves_a_document_between_tag_indexes():
    c = Collection()
    assert c.put(3, entry(1, status="applicant"))
    assert c.put(3, entry(2, status="active"))
    assert not c.put(3, entry(1, status="left"))        # an older snapshot never wins
    assert c.get(3)["status"] == "active"
    assert c.query({"tag1": "applicant"}, None, 0, 10) == ([], 0)
    assert c.query({"tag1": "active"}, None, 0, 10)[1] == 1


def test_pages_are_ordered_by_key_and_count_every_match():
    c = Collection()
    for key in (9, 2, 7, 4, 1):
        c.put(key, entry(1, category="teacher" if key % 2 else "staff", name=f"张{key}"))
    items, total = c.query({}, None, 1, 2)
    assert [i["name"] for i in items] == ["张2", "张4"] and total == 5
    items, total = c.query({"tag2": "teacher"}, None, 0, 2)
    assert [i["name"] for i in items] == ["张1", "张7"] and total == 3
    items, total = c.query({"tag2": "teacher", "tag1": "active"}, "张9", 0, 10)
    assert [i["name"] for i in items] == ["张9"] and total == 1
    assert c.query({"tag3": "42"}, None, 0, 10) == ([], 0)


def test_answers_are_copies_that_a_serve_function_may_change():
    c = Collection()
    c.put(1, entry(1))
    c.get(1)["union_group"] = "语文组"
    c.query({}, None, 0, 10)[0][0]["x"] = 1
    assert c.get(1) == {"name": "王芳", "status": "active", "category": "teacher", "v": 1}


def test_the_cache_drops_the_least_recently_used_school_past_its_size():
    cache = ReadCache(max_docs=3)
    rows = lambda n: [("members", k, 1, "active", "teacher", None, "x", {"k": k}, 1) for k in range(n)]  # noqa: E731
    cache.load("A", 1, rows(2))
    cache.load("B", 1, rows(1))
    assert cache.current("A", 1) is not None     # A is now the most recently used
    cache.load("C", 1, rows(1))
    assert cache.since("B") is None and cache.since("A") == 1 and cache.since("C") == 1


# --- generations, through the store ------------------------------------------------------------
def _members_model():
    def serve_get(store, kwargs):
        doc = store.get("members", kwargs["school"], kwargs["member_id"])
        return doc if doc is not None else MISS
    def serve_list(store, kwargs):
        items, total = store.query("members", kwargs["school"], tags={"tag1": kwargs.get("status")})
        return {"items": items, "total": total}
    return ReadModel(name="t", project={"m.changed": lambda p: [Doc("members", p["school"], p["id"], p["version"],
                                                                    p, tags=(p["status"], None, None))]},
                     serve={"m.get": serve_get, "m.list": serve_list})


@pytest.fixture
def store(sqlite_schema):
    engine = sqlite_schema(Base.metadata)
    from sqlalchemy.orm import sessionmaker
    maker = sessionmaker(bind=engine)

    @contextlib.contextmanager
    def open_session():
        with maker() as session:
            yield session
    plugins = {"t": Plugin(name="t", read_models=[_members_model])}

    def process():
        """One gateway process: its own ReadModels (so its own in-memory copy)."""
        return ReadModels(plugins, open_session)

    def write(*docs, projection=False):
        with open_session() as session:
            upsert(session, list(docs), skip_stale=projection)
            session.commit()

    def ask(models, rpc, **kwargs):
        with engine.connect() as conn:
            reader = Reader(conn.connection.dbapi_connection, engine.dialect.paramstyle)
            gen = reader.one("SELECT gen FROM read_gens WHERE school = :s", {"s": kwargs["school"]})
            scope = SimpleNamespace(reader=reader, gen=gen[0] if gen else 0, settling=False)
            return models.serve(rpc, kwargs, scope)
    return SimpleNamespace(process=process, write=write, ask=ask, open_session=open_session)


def doc(key, version, status="active", school="A"):
    return Doc("members", school, key, version, {"id": key, "status": status, "v": version}, tags=(status, None, None))


def test_every_write_takes_the_next_generation_of_its_school(store):
    store.write(doc(1, 1), doc(2, 1), doc(9, 1, school="B"))
    store.write(doc(1, 2))
    with store.open_session() as session:
        gens = {g.school: g.gen for g in session.query(ReadGen)}
        stamped = {(d.school, d.key): d.gen for d in session.query(ReadDoc)}
    assert gens == {"A": 2, "B": 1}
    assert stamped == {("A", 1): 2, ("A", 2): 1, ("B", 9): 1}


def test_a_process_reads_what_another_process_just_wrote(store):
    first, second = store.process(), store.process()
    store.write(doc(1, 1, status="applicant"))
    assert store.ask(first, "m.get", school="A", member_id=1)["status"] == "applicant"
    assert store.ask(second, "m.get", school="A", member_id=1)["status"] == "applicant"
    store.write(doc(1, 2, status="active"), doc(2, 1))    # "written by the first process"
    assert store.ask(second, "m.get", school="A", member_id=1)["status"] == "active"
    assert store.ask(second, "m.list", school="A", status="active")["total"] == 2


def test_an_older_version_written_late_does_not_replace_a_newer_one(store):
    models = store.process()
    store.write(doc(1, 3, status="retired"))
    store.write(doc(1, 2, status="active"))
    assert store.ask(models, "m.get", school="A", member_id=1)["status"] == "retired"


def test_a_batch_naming_one_document_twice_keeps_its_newest_version(store):
    models = store.process()
    store.write(doc(1, 1, status="applicant"), doc(1, 2, status="active"))
    assert store.ask(models, "m.get", school="A", member_id=1)["status"] == "active"


def test_schools_are_answered_from_their_own_documents_only(store):
    models = store.process()
    store.write(doc(1, 1, school="A"), doc(2, 1, school="B"))
    assert store.ask(models, "m.list", school="A")["items"] == [{"id": 1, "status": "active", "v": 1}]
    assert store.ask(models, "m.get", school="A", member_id=2) is MISS


def test_projecting_documents_already_held_takes_no_generation(store):
    store.write(doc(1, 2))
    store.write(doc(1, 2), doc(1, 1), projection=True)   # an event the gateway absorbed, and an older one
    with store.open_session() as session:
        assert {g.school: g.gen for g in session.query(ReadGen)} == {"A": 1}


def test_a_process_takes_its_own_write_into_its_copy_without_asking_the_database(store):
    models = store.process()
    store.write(doc(1, 1))
    assert store.ask(models, "m.get", school="A", member_id=1)["v"] == 1      # the copy holds generation 1
    with store.open_session() as session:
        written = upsert(session, [doc(1, 2, status="retired")])
        session.commit()
    models.cache.absorb("A", written["A"], [doc(1, 2, status="retired")])
    assert models.cache.current("A", 2).collections["members"].get(1)["status"] == "retired"


def test_an_absorbed_write_with_a_gap_before_it_is_left_for_the_next_read(store):
    models = store.process()
    store.write(doc(1, 1))
    store.ask(models, "m.get", school="A", member_id=1)                      # copy at generation 1
    store.write(doc(2, 1))                                                    # another process: generation 2
    models.cache.absorb("A", 3, [doc(1, 2, status="retired")])                # ours came third
    assert models.cache.current("A", 3) is None                              # not taken: 2 is missing
    assert store.ask(models, "m.list", school="A")["total"] == 2


def _event(key, version, status="active", school="A"):
    return SimpleNamespace(type="m.changed", payload={"id": key, "school": school, "version": version,
                                                       "status": status})


def test_a_projected_event_this_process_already_holds_is_not_asked_of_the_database(store):
    models = store.process()
    store.write(doc(1, 2))
    store.ask(models, "m.get", school="A", member_id=1)                       # the copy holds version 2

    class Untouchable:
        def connection(self):
            raise AssertionError("the database was asked")
    models.project(Untouchable(), [_event(1, 2), _event(1, 1, status="applicant")])   # held, and older


def test_a_projected_event_newer_than_the_copy_or_unknown_to_it_is_written(store):
    models = store.process()
    store.write(doc(1, 1))
    store.ask(models, "m.get", school="A", member_id=1)                       # the copy holds version 1
    with store.open_session() as session:
        models.project(session, [_event(1, 2, status="retired"), _event(5, 1, school="B")])
        session.commit()
    other = store.process()
    assert store.ask(other, "m.get", school="A", member_id=1)["status"] == "retired"
    assert store.ask(other, "m.get", school="B", member_id=5)["version"] == 1
