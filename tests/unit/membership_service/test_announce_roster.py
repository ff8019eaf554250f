"""``unionhub membership announce-roster``: every group and membership published again as it
stands, for a directory that starts late; a directory that already holds them changes nothing."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from services.membership import announce
from services.membership.orm import KIT
from shared.db import TenantSessionFactory, UnitOfWork, utcnow
from shared.tenancy import CallContext

from .support import S1, S2, person


class _Runtime:
    """What ``shared.runtime.Runtime`` gives a command, on the test's SQLite file."""

    def __init__(self, engine):
        self.sessions = TenantSessionFactory(engine)

    def unit_of_work(self, plugin, *, school=None, actor="system"):
        return UnitOfWork(self.sessions, KIT, schools=None if school is None else {school},
                          context=CallContext(school=school, actor=actor, role="district_admin"))

    def session(self, plugin):
        return self.sessions(None)


def _announced(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(KIT.outbox.c.type, KIT.outbox.c.body).where(
            KIT.outbox.c.body.like('%roster_announced%') | (KIT.outbox.c.type == "membership.union_group_changed")
        ).order_by(KIT.outbox.c.id)).all()
    return [(t, json.loads(b)) for t, b in rows]


def test_every_member_of_every_school_is_announced_again_as_it_stands(ms, engine):
    first = ms.admit(S1, person(1))
    ms.admit(S1, person(2))
    ms.admit(S2, person(3))
    ms.update(S1, first["id"], {"position": "班主任"})
    with engine.begin() as conn:
        conn.execute(KIT.outbox.update().values(sent_at=utcnow()))     # what came before was relayed
    counts = announce.announce(_Runtime(engine))
    assert {code: c["members"] for code, c in counts.items()} == {S1: 2, S2: 1}
    members = [body["payload"]["member"] for t, body in _announced(engine) if t == "membership.member_updated"]
    by_id = {m["id"]: m for m in members}
    assert by_id[first["id"]]["version"] == 2 and by_id[first["id"]]["position"] == "班主任"
    assert all("id_number" not in m and "phone" not in m for m in members)      # masked, as every event


def test_one_school_can_be_announced_alone_and_an_unknown_one_is_refused(ms, engine):
    ms.admit(S1, person(1))
    ms.admit(S2, person(2))
    assert set(announce.announce(_Runtime(engine), [S2])) == {S2}
    with pytest.raises(SystemExit):
        announce.announce(_Runtime(engine), ["NO-SUCH"])


def test_a_directory_that_holds_a_member_keeps_it_and_one_that_lacks_it_takes_it(ms, engine, sqlite_schema):
    from shared.db import make_base, install_kit_tables
    from shared.directory import apply_members, directory_models
    base = make_base()
    install_kit_tables(base.metadata)
    member_model, _group = directory_models(base)
    directory = TenantSessionFactory(sqlite_schema(base.metadata, "directory.db"))
    admitted = ms.admit(S1, person(1))
    ms.admit(S1, person(2))
    announce.announce(_Runtime(engine))
    snapshots = [body["payload"]["member"] for t, body in _announced(engine) if t == "membership.member_updated"]
    event = SimpleNamespace(school=S1)
    with directory(None) as session:
        assert len(apply_members(session, member_model, [(event, s, {S1}) for s in snapshots])) == 2
        session.commit()
        again = apply_members(session, member_model, [(event, s, {S1}) for s in snapshots])
        assert again == [] and session.get(member_model, admitted["id"]).name == snapshots[0]["name"]
