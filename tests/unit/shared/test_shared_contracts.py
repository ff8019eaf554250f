"""Integration-event envelopes and the contract registry (shared/contracts)."""
from __future__ import annotations

import json

import pytest
from marshmallow import Schema, fields

from shared import contracts
from shared.contracts import ContractViolation, Envelope, make_envelope, parse
from shared.contracts import finance as finance_contract
from shared.jsonutil import dumps


class AuthorV1(Schema):
    id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True)


class NoteWrittenV1(Schema):
    note_id = fields.Integer(required=True, strict=True)
    title = fields.String(required=True)
    author = fields.Nested(AuthorV1, required=True)


PAYLOAD = {"note_id": 7, "title": "年度工作计划", "author": {"id": 3, "name": "王芳"}}


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    registry = {**contracts._REGISTRY, ("kit.note_written", 1): NoteWrittenV1}
    monkeypatch.setattr(contracts, "_REGISTRY", registry)
    return registry


def wire(**overrides) -> dict:
    """An envelope as a consumer receives it: made by the publisher side, through JSON."""
    body = json.loads(dumps(make_envelope("kit.note_written", PAYLOAD, school="A", actor="chair")))
    body.update(overrides)
    return body


def test_a_well_formed_event_parses_into_an_envelope():
    body = wire()
    event = parse(body)
    assert isinstance(event, Envelope)
    assert (event.event_id, event.type, event.version, event.school, event.actor, event.payload) == (
        body["event_id"], "kit.note_written", 1, "A", "chair", PAYLOAD)
    assert (event.source, event.name) == ("kit", "note_written")


def test_an_event_without_school_or_actor_parses():
    event = parse(wire(school=None, actor=None))
    assert event.school is None and event.actor is None


def test_a_body_that_is_not_an_object_is_a_contract_violation():
    for body in ([], "event", None, 42):
        with pytest.raises(ContractViolation):
            parse(body)


@pytest.mark.parametrize("missing", ["event_id", "type", "version", "occurred_at", "school", "actor", "payload"])
def test_an_envelope_missing_a_field_is_a_contract_violation(missing):
    body = wire()
    del body[missing]
    with pytest.raises(ContractViolation, match=missing):
        parse(body)


@pytest.mark.parametrize("field,value", [
    ("event_id", "not-a-uuid"),
    ("type", "note_written"),
    ("type", "Kit.NoteWritten"),
    ("version", "1"),
    ("version", 0),
    ("payload", ["not", "an", "object"]),
])
def test_an_envelope_with_a_malformed_field_is_a_contract_violation(field, value):
    with pytest.raises(ContractViolation, match="bad envelope"):
        parse(wire(**{field: value}))


def test_an_envelope_with_an_unknown_field_is_a_contract_violation():
    with pytest.raises(ContractViolation, match="trace"):
        parse(wire(trace="x"))


def test_an_event_of_an_unknown_type_is_a_contract_violation():
    with pytest.raises(ContractViolation, match="no contract"):
        parse(wire(type="kit.note_burned"))


def test_an_event_of_an_unknown_version_is_a_contract_violation():
    with pytest.raises(ContractViolation, match="no contract"):
        parse(wire(version=2))


@pytest.mark.parametrize("payload", [
    {"title": "t", "author": {"id": 3, "name": "王芳"}},
    {**PAYLOAD, "note_id": "7"},
    {**PAYLOAD, "author": {"id": 3}},
])
def test_a_payload_that_does_not_match_its_contract_is_refused_strict_or_lenient(payload):
    body = wire()
    body["payload"] = payload
    with pytest.raises(ContractViolation):
        parse(body)
    with pytest.raises(ContractViolation):
        parse(body, lenient_payload=True)


def test_an_extra_payload_field_is_refused_unless_the_consumer_is_lenient():
    body = wire()
    body["payload"]["summary"] = "a field a newer publisher added"
    with pytest.raises(ContractViolation):
        parse(body)
    assert parse(body, lenient_payload=True).payload["note_id"] == 7


def test_a_lenient_parse_does_not_make_later_strict_parses_lenient():
    body = wire()
    body["payload"]["summary"] = "extra"
    parse(body, lenient_payload=True)
    with pytest.raises(ContractViolation):
        parse(body)


def test_a_lenient_consumer_tolerates_a_field_added_to_a_nested_part_of_the_payload():
    body = wire()
    body["payload"]["author"]["email"] = "wang@example.cn"
    assert parse(body, lenient_payload=True).payload["author"]["id"] == 3


def test_making_an_envelope_checks_the_payload_against_its_contract():
    with pytest.raises(ContractViolation):
        make_envelope("kit.note_written", {"note_id": 7}, school="A", actor="chair")
    with pytest.raises(ContractViolation, match="no contract"):
        make_envelope("kit.note_burned", PAYLOAD, school="A", actor="chair")


def test_every_envelope_gets_its_own_event_id():
    ids = {make_envelope("kit.note_written", PAYLOAD, school="A", actor="c")["event_id"] for _ in range(20)}
    assert len(ids) == 20


def test_registering_another_schema_for_the_same_type_and_version_fails_loudly():
    class Impostor(Schema):
        note_id = fields.Integer()

    with pytest.raises(ValueError, match="registered twice"):
        contracts.contract("kit.note_written", 1)(Impostor)


def test_registering_the_same_schema_again_is_harmless(registry):
    assert contracts.contract("kit.note_written", 1)(NoteWrittenV1) is NoteWrittenV1
    assert contracts.contract("kit.note_written", 2)(NoteWrittenV1) is NoteWrittenV1
    assert registry[("kit.note_written", 2)] is NoteWrittenV1


# ---- finance's answer protocol, shared by every requester (welfare, events) -------------------------


@pytest.mark.parametrize("current, answer, moves", [
    ("pending", "received", True), ("requested", "approved", True), ("received", "approved", True),
    ("approved", "paid", True), ("received", "rejected", True),
    ("approved", "received", False), ("received", "received", False), ("approved", "rejected", False),
    ("rejected", "approved", False), ("paid", "rejected", False), ("rejected", "paid", False)])
def test_a_finance_answer_only_moves_a_request_forward(current, answer, moves):
    assert finance_contract.answer_moves_forward(current, answer) is moves


def test_request_ids_name_their_origin():
    assert finance_contract.request_id("events", 7) == "events:7"
    assert finance_contract.request_key("events", "events:7") == 7
    assert finance_contract.request_key("welfare", "events:7") is None
    assert finance_contract.request_key("events", "events:x") is None
    assert finance_contract.statuses_moved_by("approved", ("pending", "received", "approved", "paid")) == (
        "pending", "received")
