"""Unit of work (shared/db/uow.py): the state change, its outbox rows and the dedupe record commit together."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime

import pytest
from marshmallow import Schema, fields
from sqlalchemy import func, select

from kit_schema import KIT, Note, everything
from shared import contracts
from shared.db import UnitOfWork
from shared.db.uow import AlreadyProcessed
from shared.errors import CrossTenantWrite
from shared.tenancy import CallContext

CHAIR = CallContext(school="A", actor="chair_a", role="school_admin", request_id="req-1", language="en")


class NoteWrittenV1(Schema):
    note_id = fields.Integer(required=True, strict=True)
    title = fields.String(required=True)
    written_on = fields.Date(required=True)


@pytest.fixture(autouse=True)
def note_written_contract(monkeypatch):
    """A contract of this test only; the global registry is left as it was."""
    monkeypatch.setattr(contracts, "_REGISTRY", {**contracts._REGISTRY, ("kit.note_written", 1): NoteWrittenV1})


class Bell:
    """Counts on_commit calls (what wakes the outbox relay)."""

    def __init__(self):
        self.rings = 0

    def __call__(self):
        self.rings += 1


@pytest.fixture
def bell():
    return Bell()


@pytest.fixture
def uow_for(sessions, bell):
    def make(schools=("A",), context=CHAIR):
        return UnitOfWork(sessions, KIT, schools=schools, context=context, on_commit=bell)
    return make


def outbox_rows(engine):
    with engine.connect() as conn:
        return conn.execute(select(KIT.outbox).order_by(KIT.outbox.c.id)).mappings().all()


def write_note(uow, title="A9", on=date(2024, 5, 4)):
    note = Note(school="A", title=title)
    uow.session.add(note)
    uow.flush()
    return uow.publish("kit.note_written", {"note_id": note.id, "title": title, "written_on": on})


def test_published_event_reaches_the_outbox_only_when_the_unit_of_work_commits(engine, uow_for):
    with uow_for() as uow:
        write_note(uow)
        assert outbox_rows(engine) == []
        uow.commit()
    assert [row["type"] for row in outbox_rows(engine)] == ["kit.note_written"]


def test_leaving_without_commit_keeps_neither_the_change_nor_its_event(engine, sessions, uow_for):
    with uow_for() as uow:
        write_note(uow)
    assert outbox_rows(engine) == []
    assert ("A", "A9") not in everything(sessions)


def test_an_error_inside_the_unit_of_work_rolls_back_the_change_and_its_event(engine, sessions, uow_for):
    with pytest.raises(RuntimeError):
        with uow_for() as uow:
            write_note(uow)
            raise RuntimeError("handler failed")
    assert outbox_rows(engine) == []
    assert ("A", "A9") not in everything(sessions)


def test_event_envelope_carries_id_type_version_time_school_actor_and_payload(engine, uow_for):
    with uow_for() as uow:
        envelope = write_note(uow)
        uow.commit()
    row = outbox_rows(engine)[0]
    body = json.loads(row["body"])
    assert body == envelope
    assert set(body) == {"event_id", "type", "version", "occurred_at", "school", "actor", "payload"}
    assert str(uuid.UUID(body["event_id"])) == body["event_id"]
    assert body["type"] == "kit.note_written" and body["version"] == 1
    assert datetime.fromisoformat(body["occurred_at"]).tzinfo is not None
    assert body["school"] == "A" and body["actor"] == "chair_a"
    assert body["payload"] == {"note_id": 1, "title": "A9", "written_on": "2024-05-04"}


def test_outbox_row_is_addressed_to_the_publishers_exchange_with_the_callers_context_headers(engine, uow_for):
    with uow_for() as uow:
        envelope = write_note(uow)
        uow.commit()
    row = outbox_rows(engine)[0]
    assert (row["event_id"], row["exchange"], row["routing_key"], row["school"]) == (
        envelope["event_id"], "kit.events", "note_written", "A")
    assert row["headers"] == {"nameko.school": "A", "nameko.actor": "chair_a", "nameko.role": "school_admin",
                              "nameko.request_id": "req-1", "nameko.language": "en"}
    assert row["sent_at"] is None and row["attempts"] == 0


def test_an_event_published_for_another_school_names_that_school(engine, uow_for):
    district = CallContext(actor="admin", role="district_admin")
    with uow_for(schools=None, context=district) as uow:
        envelope = uow.publish("kit.note_written", {"note_id": 7, "title": "t", "written_on": "2024-01-01"},
                               school="S7")
        uow.commit()
    row = outbox_rows(engine)[0]
    assert envelope["school"] == "S7" and row["school"] == "S7" and row["headers"]["nameko.school"] == "S7"
    assert "nameko.role" in row["headers"] and "nameko.member_id" not in row["headers"]


def test_publish_many_writes_one_row_per_payload_with_distinct_event_ids(engine, uow_for):
    payloads = [{"note_id": i, "title": f"n{i}", "written_on": date(2024, 1, i)} for i in (1, 2, 3)]
    with uow_for() as uow:
        envelopes = uow.publish_many("kit.note_written", payloads)
        uow.commit()
    rows = outbox_rows(engine)
    assert [json.loads(r["body"])["payload"]["title"] for r in rows] == ["n1", "n2", "n3"]
    assert len({r["event_id"] for r in rows}) == 3
    assert [e["event_id"] for e in envelopes] == [r["event_id"] for r in rows]


def test_payload_that_breaks_its_contract_is_refused_and_no_outbox_row_is_written(engine, uow_for):
    with uow_for() as uow:
        with pytest.raises(contracts.ContractViolation):
            uow.publish("kit.note_written", {"note_id": "seven", "title": "t"})
        uow.commit()
    assert outbox_rows(engine) == []


def test_event_type_without_a_contract_is_refused(uow_for):
    with uow_for() as uow:
        with pytest.raises(contracts.ContractViolation):
            uow.publish("kit.note_vanished", {"note_id": 1})
        with pytest.raises(contracts.ContractViolation):
            uow.publish("kit.note_written", {"note_id": 1, "title": "t", "written_on": "2024-01-01"}, version=2)


# ---- claim (idempotent consumers) ----------------------------------------------------------------

def claims(engine):
    with engine.connect() as conn:
        return conn.execute(select(KIT.processed.c.consumer, KIT.processed.c.event_id)).all()


def test_second_claim_of_the_same_event_by_the_same_consumer_is_already_processed(engine, uow_for):
    with uow_for() as uow:
        uow.claim("congress.on_member_admitted", "e-1")
        uow.commit()
    with uow_for() as uow:
        with pytest.raises(AlreadyProcessed):
            uow.claim("congress.on_member_admitted", "e-1")
    assert claims(engine) == [("congress.on_member_admitted", "e-1")]


def test_same_event_may_be_claimed_by_another_consumer_and_another_event_by_the_same(engine, uow_for):
    with uow_for() as uow:
        uow.claim("congress.on_member_admitted", "e-1")
        uow.claim("welfare.on_member_admitted", "e-1")
        uow.claim("congress.on_member_admitted", "e-2")
        uow.commit()
    assert len(claims(engine)) == 3


def test_a_claim_rolled_back_with_its_effects_may_be_claimed_again(engine, uow_for):
    with uow_for() as uow:
        uow.claim("congress.on_member_admitted", "e-1")
    with uow_for() as uow:
        uow.claim("congress.on_member_admitted", "e-1")
        uow.commit()
    assert claims(engine) == [("congress.on_member_admitted", "e-1")]


def test_claim_inside_one_unit_of_work_twice_is_already_processed(uow_for):
    with uow_for() as uow:
        uow.claim("c", "e-1")
        with pytest.raises(AlreadyProcessed):
            uow.claim("c", "e-1")


# ---- on_commit ---------------------------------------------------------------------------------

def test_on_commit_is_called_once_when_events_were_published(uow_for, bell):
    with uow_for() as uow:
        write_note(uow)
        uow.commit()
    assert bell.rings == 1


def test_on_commit_is_not_called_when_nothing_was_published(uow_for, bell, sessions):
    with uow_for() as uow:
        uow.session.add(Note(school="A", title="quiet"))
        uow.commit()
    assert bell.rings == 0
    assert ("A", "quiet") in everything(sessions)


def test_on_commit_is_not_called_when_the_unit_of_work_rolls_back(uow_for, bell):
    with uow_for() as uow:
        write_note(uow)
    assert bell.rings == 0


def test_unit_of_work_session_is_tenant_guarded(uow_for):
    with uow_for(schools=("A",)) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Note)) == 0
        uow.session.add(Note(school="B", title="B9"))
        with pytest.raises(CrossTenantWrite):
            uow.flush()


def test_after_commit_runs_once_the_change_is_committed_and_not_at_all_on_rollback(engine, sessions, uow_for):
    seen = []
    with uow_for() as uow:
        write_note(uow)
        uow.after_commit(lambda: seen.append(("A", "A9") in everything(sessions)))
        assert seen == []
        uow.commit()
    assert seen == [True]
    with uow_for() as uow:
        write_note(uow, title="A8")
        uow.after_commit(lambda: seen.append("rolled back"))
    assert seen == [True]
