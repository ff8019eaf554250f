"""Schema loading with stable field codes (shared/validation.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared import i18n
from shared.errors import ValidationFailed
from shared.validation import Money, field_errors, load, message_code


class Leader(Schema):
    member_id = fields.Integer(required=True, strict=True)
    since = fields.Date(required=True)


class GroupSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(max=6))
    kind = fields.String(validate=validate.OneOf(("teaching", "logistics")))
    size = fields.Integer(strict=True, validate=validate.Range(min=1, max=99))
    founded = fields.Date()
    reviewed_at = fields.DateTime()
    active = fields.Boolean()
    note = fields.String(allow_none=False)
    leader = fields.Nested(Leader)
    deputies = fields.List(fields.Nested(Leader))
    tags = fields.List(fields.String())


def errors_of(data, schema=GroupSchema):
    with pytest.raises(ValidationFailed) as failed:
        load(schema, data)
    assert failed.value.status == 422 and failed.value.code == "validation_failed"
    return failed.value.fields


@pytest.mark.parametrize("data,field,code", [
    ({}, "name", "required"),
    ({"name": "x", "colour": "red"}, "colour", "unknown_field"),
    ({"name": 5}, "name", "invalid_type"),
    ({"name": "x", "size": "5"}, "size", "invalid_type"),
    ({"name": "x", "active": "perhaps"}, "active", "invalid_type"),
    ({"name": "x", "founded": "2024-13-01"}, "founded", "invalid_date"),
    ({"name": "x", "founded": "yesterday"}, "founded", "invalid_date"),
    ({"name": "x", "reviewed_at": "noon"}, "reviewed_at", "invalid_date"),
    ({"name": "x", "kind": "sports"}, "kind", "invalid_choice"),
    ({"name": "much too long"}, "name", "too_long"),
    ({"name": "x", "size": 0}, "size", "out_of_range"),
    ({"name": "x", "size": 100}, "size", "out_of_range"),
    ({"name": "x", "note": None}, "note", "null"),
    ({"name": "x", "leader": "wang"}, "leader", "invalid_type"),
])
def test_each_marshmallow_message_maps_to_its_stable_code(data, field, code):
    assert errors_of(data)[field] == [code]


def test_every_code_a_field_can_get_has_a_message_in_both_languages():
    for code in ("required", "unknown_field", "invalid_type", "invalid_date", "invalid_choice", "too_long",
                 "out_of_range", "null", "invalid"):
        assert i18n.render(code, "zh-CN") != code and i18n.render(code, "en") != code


def test_nested_fields_are_named_with_dots():
    bad = errors_of({"name": "x", "leader": {"member_id": "3"},
                     "deputies": [{"member_id": 1, "since": "2024-01-01"}, {"since": "never"}],
                     "tags": ["ok", 7]})
    assert bad == {"leader.member_id": ["invalid_type"], "leader.since": ["required"],
                   "deputies.1.member_id": ["required"], "deputies.1.since": ["invalid_date"],
                   "tags.1": ["invalid_type"]}


def test_every_bad_field_is_reported_at_once():
    bad = errors_of({"name": 5, "kind": "sports", "size": 0, "founded": "x", "colour": "red", "note": None})
    assert bad == {"name": ["invalid_type"], "kind": ["invalid_choice"], "size": ["out_of_range"],
                   "founded": ["invalid_date"], "colour": ["unknown_field"], "note": ["null"]}


def test_a_good_document_loads_into_python_values():
    loaded = load(GroupSchema, {"name": "语文组", "size": 12, "founded": "2019-09-01",
                                "leader": {"member_id": 3, "since": "2020-01-01"}})
    assert loaded == {"name": "语文组", "size": 12, "founded": date(2019, 9, 1),
                      "leader": {"member_id": 3, "since": date(2020, 1, 1)}}


def test_no_data_is_loaded_as_an_empty_document():
    assert errors_of(None) == {"name": ["required"]}


def test_partial_load_skips_required_fields():
    assert load(GroupSchema(), {"size": 3}, partial=True) == {"size": 3}


def test_a_catalogue_code_raised_by_a_validator_is_kept_as_it_is(monkeypatch):
    monkeypatch.setattr(i18n, "_catalogue", {**i18n._catalogue,
                                             "group_name_taken": {"zh-CN": "同名", "en": "Name taken"}})

    def not_taken(value):
        if value == "语文组":
            raise ValidationError("group_name_taken")

    class Named(Schema):
        name = fields.String(validate=not_taken)

    assert errors_of({"name": "语文组"}, Named) == {"name": ["group_name_taken"]}


def test_schema_level_errors_are_reported_on_the_body():
    class Period(Schema):
        start = fields.Date(required=True)
        end = fields.Date(required=True)

        @validates_schema
        def end_after_start(self, data, **_):
            if data["end"] < data["start"]:
                raise ValidationError("Invalid value: end before start")

    assert errors_of({"start": "2024-02-01", "end": "2024-01-01"}, Period) == {"body": ["invalid"]}


def test_field_errors_flattens_a_marshmallow_error():
    with pytest.raises(ValidationError) as caught:
        GroupSchema().load({"leader": {"since": "x"}})
    assert field_errors(caught.value) == {"name": ["required"], "leader.member_id": ["required"],
                                          "leader.since": ["invalid_date"]}


def test_an_unrecognised_message_becomes_invalid():
    assert message_code("Something odd happened.") == "invalid"


@pytest.mark.parametrize("validator,value", [(validate.Length(min=3), "ab"),
                                             (validate.Length(min=1, max=60), "")])
def test_a_value_that_is_too_short_is_not_reported_as_too_long(validator, value):
    class Named(Schema):
        name = fields.String(validate=validator)

    code = errors_of({"name": value}, Named)["name"][0]
    assert code != "too_long" and i18n.known(code)


# ---- Money ---------------------------------------------------------------------------------------


class _Pay(Schema):
    amount = Money(required=True)
    adjustment = Money(allow_negative=True, allow_zero=True)


@pytest.mark.parametrize("raw, expected", [("1200", Decimal("1200.00")), ("0.5", Decimal("0.50")),
                                           ("300.25", Decimal("300.25")), (" 12.30 ", Decimal("12.30"))])
def test_money_loads_strings_as_exact_decimals(raw, expected):
    loaded = load(_Pay, {"amount": raw})["amount"]
    assert loaded == expected and loaded.as_tuple().exponent == -2


@pytest.mark.parametrize("raw, code", [(12.5, "money_not_string"), (100, "money_not_string"), (True, "money_not_string"),
                                       ("1.005", "money_decimals"), ("-3.00", "money_negative"), ("0", "money_zero"),
                                       ("1e3", "money_format"), ("abc", "money_format"), ("", "money_format")])
def test_money_refuses_floats_extra_decimals_negatives_and_zero_naming_the_field(raw, code):
    with pytest.raises(ValidationFailed) as err:
        load(_Pay, {"amount": raw})
    assert err.value.fields == {"amount": [code]}


def test_money_may_allow_negative_and_zero_and_dumps_two_places():
    data = load(_Pay, {"amount": "1", "adjustment": "-0.5"})
    assert data["adjustment"] == Decimal("-0.50")
    assert _Pay().dump({"amount": Decimal("7"), "adjustment": Decimal("0")}) == {"amount": "7.00", "adjustment": "0.00"}
