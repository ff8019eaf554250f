"""Contract tests for the events on the bus: both the publisher and the consumer side.

Every registered contract round-trips a sample payload through the envelope and JSON; membership's
contracts each have a realistic, handwritten sample (a new contract without one fails here). The
publisher side builds snapshots from real ``Member`` rows; the consumer side feeds the samples to the
gateway's consumers and to every read model that projects them.
"""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from marshmallow import fields, validate

from services.membership import views
from services.membership.domain.idcard import make_id_number
from services.membership.orm import Member
from shared import contracts
from shared.contracts.membership import MemberSnapshotV1, SchoolRegisteredV1, SchoolUpdatedV1
from shared.jsonutil import dumps, json_ready
from shared.plugins import Doc, discover

contracts.load_all()

WANG_ID = make_id_number("320411", date(1986, 3, 15), 10, "female")

WANG = {
    "id": 1024, "school": "S001", "person_key": "5f0c2b8e9a7d4c3b8e1f2a3b4c5d6e7f", "name": "王芳",
    "gender": "female", "birth_date": "1986-03-15", "category": "teacher", "status": "active",
    "union_group_id": 3, "position": "语文教研组长", "hire_date": "2008-09-01", "join_date": "2008-10-08",
    "version": 4, "union_group": "语文组", "id_number_masked": "320***********" + WANG_ID[-4:],
    "phone_masked": "138****5678", "left_reason": None, "transferred_to_school": None,
}
LI_APPLICANT = {
    "id": 1025, "school": "S001", "person_key": "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "name": "李明",
    "gender": "male", "birth_date": "1999-07-01", "category": "temporary_teacher", "status": "applicant",
    "union_group_id": None, "position": None, "hire_date": None, "join_date": None,
}
WANG_CLOSED_AT_S001 = {**WANG, "status": "transferred_out", "transferred_to_school": "S002", "version": 5}
WANG_AT_S002 = {**WANG, "id": 2048, "school": "S002", "union_group_id": None, "union_group": None, "version": 1,
                "join_date": "2008-10-08", "position": "语文教师"}

SAMPLES = {
    ("membership.school_registered", 1): {"code": "S001", "name": "区实验小学", "kind": "primary", "area": "东城街道",
                                          "staff_headcount": 116},
    ("membership.school_updated", 1): {"code": "S001", "name": "区实验小学（本部）", "kind": "primary", "area": None,
                                       "staff_headcount": 120, "active": True},
    ("membership.member_applied", 1): {"member": LI_APPLICANT, "applied_on": "2024-09-02"},
    ("membership.member_admitted", 1): {"member": WANG, "admitted_on": "2008-10-08", "via": "enrolment"},
    ("membership.member_updated", 1): {"member": WANG, "changed": ["position", "union_group_id"]},
    ("membership.member_transferred", 1): {"member": WANG_AT_S002, "previous_member": WANG_CLOSED_AT_S001,
                                           "previous_member_id": 1024, "from_school": "S001", "to_school": "S002",
                                           "transferred_on": "2024-09-20"},
    ("membership.member_retired", 1): {"member": {**WANG, "status": "retired", "category": "retiree"},
                                       "retired_on": "2046-03-31"},
    ("membership.member_left", 1): {"member": {**WANG, "status": "left", "left_reason": "resigned: 调往外省"},
                                    "reason": "resigned", "left_on": "2024-10-01"},
    ("membership.union_group_changed", 1): {"id": 3, "school": "S001", "name": "语文组", "leader_member_id": 1024,
                                            "version": 2},
    ("membership.committee_changed", 1): {"position_id": 12, "school": "S001", "member_id": 1024, "member_name": "王芳",
                                          "portfolio": "culture_sports", "title": "文体委员", "started_on": "2024-01-01",
                                          "ended_on": None},
}


def generated_sample(schema) -> dict:
    """A payload for a contract of another service that has no handwritten sample here."""
    return {name: _value(field) for name, field in schema.fields.items()}


PATTERN_SAMPLES = {contracts.MONEY_PATTERN: "1200.00", r"^\d{4}-\d{2}$": "2024-09"}


def _value(field):
    for v in field.validators:
        if isinstance(v, validate.OneOf):
            return list(v.choices)[0]
        if isinstance(v, validate.Regexp):
            return PATTERN_SAMPLES[v.regex.pattern]
    if isinstance(field, fields.Nested):
        return generated_sample(field.schema)
    if isinstance(field, fields.List):
        return [_value(field.inner)]
    for kind, value in ((fields.Boolean, True), (fields.Date, "2024-09-01"), (fields.DateTime, "2024-09-01T08:00:00"),
                        (fields.Email, "wang@example.cn"), (fields.Integer, 1), (fields.Decimal, "1.00"),
                        (fields.Float, 1.5), (fields.Dict, {}), (fields.String, "x")):
        if isinstance(field, kind):
            return value
    pytest.fail(f"no sample value for {type(field).__name__}: write a sample for this contract")


def sample_for(key):
    return SAMPLES.get(key) or generated_sample(contracts.registered()[key]())


# ---- the registry ---------------------------------------------------------------------------------

def test_every_membership_contract_has_a_realistic_sample():
    membership = {key for key in contracts.registered() if key[0].startswith("membership.")}
    assert membership == set(SAMPLES)


def test_every_event_a_plugin_publishes_has_a_contract_named_after_the_plugin():
    registered = contracts.registered()
    for name, plugin in discover().items():
        for event_type in plugin.publishes:
            assert (event_type, 1) in registered, event_type
            assert event_type.split(".", 1)[0] == name
    membership_types = {t for t, _ in registered if t.startswith("membership.")}
    assert membership_types == set(discover()["membership"].publishes)


def test_event_types_are_named_service_dot_noun_past_verb():
    for event_type, version in contracts.registered():
        source, name = event_type.split(".", 1)
        assert source.isidentifier() and "_" in name and version >= 1, event_type


# ---- round trips ---------------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(contracts.registered()), ids=lambda k: f"{k[0]}.v{k[1]}")
def test_every_contract_round_trips_its_sample_through_envelope_and_json(key):
    type_, version = key
    payload = sample_for(key)
    envelope = contracts.make_envelope(type_, payload, school="S001", actor="chair_s001", version=version)
    received = json.loads(dumps(envelope))
    for lenient in (False, True):
        event = contracts.parse(received, lenient_payload=lenient)
        assert (event.type, event.version, event.event_id) == (type_, version, envelope["event_id"])
        assert event.payload == payload
    schema = contracts.registered()[key]()
    assert schema.dump(schema.load(payload)) == payload


@pytest.mark.parametrize("key", sorted(SAMPLES), ids=lambda k: k[0])
def test_a_sample_missing_a_required_field_breaks_its_contract(key):
    schema = contracts.registered()[key]()
    required = [name for name, field in schema.fields.items() if field.required]
    assert required, key
    for name in required:
        broken = {k: v for k, v in SAMPLES[key].items() if k != name}
        with pytest.raises(contracts.ContractViolation):
            contracts.check_payload(key[0], key[1], broken)


# ---- the publisher side -----------------------------------------------------------------------------

def member_row(**overrides) -> Member:
    row = Member(id=7, school="S001", person_key="ab" * 16, name="王芳", gender="female",
                 birth_date=date(1986, 3, 15), birth_month=3, category="teacher", hire_date=date(2008, 9, 1),
                 position="语文教师", phone="13812345678", id_number=WANG_ID, union_group_id=3,
                 join_date=date(2008, 10, 8), version=2, left_reason=None, transferred_to_school=None)
    row.set_status("active")
    for key, value in overrides.items():
        setattr(row, key, value)
    return row


@pytest.mark.parametrize("overrides", [
    {},
    {"status": "applicant", "join_date": None, "hire_date": None, "position": None, "union_group_id": None,
     "phone": None},
    {"status": "retired", "category": "retiree"},
    {"status": "left", "left_reason": "deceased"},
    {"status": "transferred_out", "transferred_to_school": "S002"},
])
def test_a_snapshot_of_a_member_row_is_accepted_by_the_snapshot_contract(overrides):
    snapshot = json_ready(views.snapshot(member_row(**overrides), "语文组"))
    assert MemberSnapshotV1().validate(snapshot) == {}
    assert snapshot["birth_date"] == "1986-03-15" and snapshot["id"] == 7


def test_a_snapshot_carries_neither_the_id_number_nor_the_phone_number():
    snapshot = dumps(views.snapshot(member_row(), None))
    assert WANG_ID not in snapshot and "13812345678" not in snapshot
    assert "id_number" not in json.loads(snapshot) and "phone" not in json.loads(snapshot)


def test_a_member_admitted_payload_built_from_a_row_passes_its_contract():
    payload = json_ready({"member": views.snapshot(member_row(), "语文组"), "admitted_on": date(2024, 9, 2),
                          "via": "enrolment"})
    assert contracts.check_payload("membership.member_admitted", 1, payload) is payload


def test_json_ready_turns_dates_and_decimals_into_strings():
    assert json_ready({"on": date(2024, 9, 2), "rate": Decimal("0.9828")}) == {"on": "2024-09-02", "rate": "0.9828"}


# ---- the consumer side ------------------------------------------------------------------------------

def test_the_fields_the_gateway_reads_from_school_events_are_required_by_their_contracts():
    assert SchoolRegisteredV1().fields["code"].required and SchoolRegisteredV1().fields["name"].required
    assert SchoolUpdatedV1().fields["active"].required


def read_model_projections():
    return [(plugin.name, event_type, fn) for plugin in discover().values() for factory in plugin.read_models
            for event_type, fn in factory().project.items()]


def test_every_projected_event_type_has_a_contract():
    for plugin, event_type, _ in read_model_projections():
        assert (event_type, 1) in contracts.registered(), (plugin, event_type)


def test_every_read_model_projects_the_sample_of_each_event_it_consumes_into_documents_of_its_school():
    projections = read_model_projections()
    assert projections
    for plugin, event_type, project in projections:
        payload = contracts.parse(json.loads(dumps(contracts.make_envelope(
            event_type, sample_for((event_type, 1)), school="S001", actor="t")))).payload
        docs = project(payload)
        assert docs and all(isinstance(d, Doc) for d in docs), event_type
        assert {d.school for d in docs} <= {"S001", "S002"}, event_type
        json.dumps([d.data for d in docs], ensure_ascii=False, default=str)
