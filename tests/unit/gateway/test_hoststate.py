"""The gateway processes of one host share write counters (shared/hoststate.py): a process answers
a school's state from memory while no process of the host wrote anything it depends on, and asks
the database again as soon as one did, or once the state is older than the TTL."""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from sqlalchemy import event, update

from services.gateway import accounts, auth
from services.gateway.orm import KnownSchool
from services.gateway.pipeline import Pipeline
from services.gateway.readmodels import ReadModels
from shared import hoststate
from shared.hoststate import HostState
from shared.plugins import Doc, Plugin, ReadModel, Settle

from .support import SETTINGS, send, token

ADMIN = auth.Principal("admin", "district_admin", None, None)


@pytest.fixture
def processes(host_file):
    first, second = HostState(host_file, 0), HostState(host_file, 1)
    yield first, second
    first.close()
    second.close()


def test_a_write_by_one_process_changes_what_the_other_sees_for_that_school(processes):
    first, second = processes
    before_a, before_b = second.stamp("A"), second.stamp("B")
    first.wrote({"A"})
    assert second.stamp("A") != before_a
    assert HostState.slot("A") == HostState.slot("B") or second.stamp("B") == before_b


def test_a_write_to_anything_changes_every_school(processes):
    first, second = processes
    before = {s: second.stamp(s) for s in ("A", "B", "C")}
    first.wrote()
    assert all(second.stamp(s) != before[s] for s in before)


def test_a_state_is_remembered_until_a_write_or_the_ttl(processes, monkeypatch):
    first, second = processes
    stamp = second.stamp("A")
    second.remember("A", "chair_a", stamp, (True, None, None, 7))
    assert second.remembered("A", "chair_a", second.stamp("A")) == (True, None, None, 7)
    assert second.remembered("A", "someone_else", second.stamp("A")) is None
    first.wrote({"A"})
    assert second.remembered("A", "chair_a", second.stamp("A")) is None

    second.remember("A", "chair_a", second.stamp("A"), (True, None, None, 8))
    later = time.monotonic() + second.ttl + 0.01
    monkeypatch.setattr(hoststate.time, "monotonic", lambda: later)
    assert second.remembered("A", "chair_a", second.stamp("A")) is None


def test_a_ttl_of_zero_remembers_nothing(processes):
    _first, second = processes
    second.ttl = 0
    second.remember("A", "chair_a", second.stamp("A"), (True, None, None, 7))
    assert second.remembered("A", "chair_a", second.stamp("A")) is None


def test_the_file_holds_one_zeroed_row_per_process_and_a_missing_row_is_refused(host_file, tmp_path):
    with open(host_file, "rb") as f:
        assert f.read() == bytes(2 * hoststate.ROW_BYTES)
    with pytest.raises(ValueError):
        HostState(host_file, 2)
    assert HostState.from_env({}) is None
    assert HostState.from_env({"UNIONHUB_GATEWAY_STATE": host_file}) is None
    found = HostState.from_env({"UNIONHUB_GATEWAY_STATE": host_file, "UNIONHUB_GATEWAY_STATE_ROW": "1",
                                "UNIONHUB_GATEWAY_STATE_TTL": "0.5"})
    assert found.ttl == 0.5
    found.close()


# --- two gateway processes of one host, through the pipeline ---------------------------------------
@pytest.fixture
def two(plugins, open_session, known_schools, processes, engine):
    """Two pipelines sharing the counters, and a count of the school-state queries they send."""
    asked = []

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, *args):
        if "known_schools" in statement:
            asked.append(statement)
    first = Pipeline(plugins, dict(SETTINGS), open_session, host=processes[0])
    second = Pipeline(plugins, dict(SETTINGS), open_session, host=processes[1])
    yield SimpleNamespace(first=first, second=second, asked=asked)
    event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def chair(open_session):
    with open_session() as session:
        return accounts.create(session, ADMIN, {"username": "chair_a", "password": "correct horse",
                                                "role": "school_admin", "school": "A"})


def login(pipeline, rpc):
    reply = send(pipeline, rpc, "POST", "/api/v1/auth/token",
                 json_body={"username": "chair_a", "password": "correct horse"})
    assert reply.status == 200, reply.json
    return reply.json["access_token"]


def test_a_second_request_of_a_school_asks_the_database_nothing_while_nobody_wrote(two, rpc, chair):
    chair_token = login(two.first, rpc)
    assert send(two.second, rpc, "GET", "/api/v1/schools/A/accounts", auth_token=chair_token).status == 200
    asked = len(two.asked)
    assert send(two.second, rpc, "GET", "/api/v1/schools/A/accounts", auth_token=chair_token).status == 200
    assert len(two.asked) == asked


def test_an_account_deactivated_through_one_process_is_refused_by_the_other_at_once(two, rpc, chair):
    chair_token = login(two.first, rpc)
    assert send(two.second, rpc, "GET", "/api/v1/schools/A/accounts", auth_token=chair_token).status == 200
    admin = token("district_admin", None, username="admin")
    reply = send(two.first, rpc, "PATCH", f"/api/v1/district/accounts/{chair['id']}", auth_token=admin,
                 json_body={"active": False})
    assert reply.status == 200
    denied = send(two.second, rpc, "GET", "/api/v1/schools/A/accounts", auth_token=chair_token)
    assert (denied.status, denied.code) == (401, "token_revoked")


def test_a_change_made_outside_the_gateways_is_seen_once_the_ttl_is_over(two, rpc, chair, open_session, processes):
    chair_token = login(two.first, rpc)
    assert send(two.second, rpc, "GET", "/api/v1/schools/A/accounts", auth_token=chair_token).status == 200
    with open_session() as session:   # e.g. a command run beside the platform
        session.execute(update(KnownSchool).where(KnownSchool.code == "A").values(active=False))
        session.commit()
    processes[1].ttl = 0.05
    time.sleep(0.06)
    gone = send(two.second, rpc, "GET", "/api/v1/schools/A/accounts", auth_token=chair_token)
    assert (gone.status, gone.code) == (404, "school_not_found")


def test_an_unknown_school_is_asked_every_time(two, rpc):
    admin = token("district_admin", None, username="admin")
    for _ in range(2):
        assert send(two.second, rpc, "GET", "/api/v1/schools/NEW/members", auth_token=admin).status == 404
    asked = len(two.asked)
    with two.first.open_session() as session:
        session.add(KnownSchool(code="NEW", name="新学校", active=True))
        session.commit()
    send(two.second, rpc, "GET", "/api/v1/schools/NEW/members", auth_token=admin)
    assert len(two.asked) == asked + 1


# --- the read models tell the host what they wrote --------------------------------------------------
class Told:
    def __init__(self):
        self.schools = []

    def wrote(self, schools=None):
        self.schools.append(schools)


def _model():
    return ReadModel(name="t", project={"m.changed": lambda p: [Doc("members", p["school"], p["id"], p["version"], p)]},
                     absorb={"m.write": lambda r: [Doc("members", r["school"], r["id"], r["version"], r)],
                             "m.bulk": lambda r: [Settle("members", r["school"], 3)]})


def test_a_write_through_tells_the_host_which_schools_it_wrote(open_session):
    models = ReadModels({"t": Plugin(name="t", read_models=[_model])}, open_session)
    models.host = Told()
    models.absorb("m.write", {"school": "A", "id": 1, "version": 1})
    models.absorb("m.bulk", {"school": "B"})
    assert models.host.schools == [{"A"}, {"B"}]


def test_a_projection_names_the_schools_it_wrote_for_after_the_commit(open_session):
    models = ReadModels({"t": Plugin(name="t", read_models=[_model])}, open_session)
    events = [SimpleNamespace(type="m.changed", payload={"school": s, "id": i, "version": 1})
              for i, s in enumerate(("A", "B", "A"))]
    with open_session() as session:
        assert models.project(session, events) == {"A", "B"}
        session.commit()
    with open_session() as session:   # the same again: already held, nothing written
        assert models.project(session, events) == set()
