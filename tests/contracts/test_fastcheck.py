"""The quick contract check (``shared.contracts.fastcheck``) only ever says yes when marshmallow
would: checked on every contract's sample and on random damage done to it."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings, strategies as st
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from shared import contracts
from shared.contracts.fastcheck import compile_check
from tests.contracts.test_membership_contracts import sample_for

contracts.load_all()
KEYS = sorted(contracts.registered())


def _schemas(key, lenient: bool):
    schema = contracts.registered()[key](unknown=RAISE)
    if lenient:
        contracts._exclude_unknown(schema)
    return schema


@pytest.mark.parametrize("key", KEYS, ids=lambda k: f"{k[0]}.v{k[1]}")
def test_every_contract_compiles_and_passes_its_own_sample_quickly(key):
    for lenient in (False, True):
        schema = _schemas(key, lenient)
        check = compile_check(schema)
        assert check is not None, f"{key} falls back to marshmallow for every event"
        assert check(sample_for(key)) is True
        assert schema.validate(sample_for(key)) == {}


ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10 ** 12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["2026-12-05", "2026-W49-6", "20261205", "2026-12-05T08:00:00",
                                           "2026-12-05T08:00:00.1234567", "2026-13-40", "2026-12-05\n", "1200.00",
                                           "1200.001", "active", "teacher", "2026-12-05T08:00:00+08:00"]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _paths(value, prefix=()):
    """Every place in a payload a value can be changed or removed."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


def _damage(payload, path, action, value):
    out = copy.deepcopy(payload)
    target = out
    for step in path[:-1]:
        target = target[step]
    if action == "drop" and isinstance(target, dict):
        del target[path[-1]]
    elif action == "extra" and isinstance(target, dict):
        target["unexpected_field"] = value
    else:
        target[path[-1]] = value
    return out


@settings(max_examples=600, deadline=None)
@given(key=st.sampled_from(KEYS), lenient=st.booleans(), pick=st.integers(0, 10 ** 6),
       action=st.sampled_from(["replace", "drop", "extra"]), value=ODD_VALUES)
def test_a_damaged_payload_is_never_waved_through(key, lenient, pick, action, value):
    sample = sample_for(key)
    paths = list(_paths(sample))
    if not paths:
        return
    damaged = _damage(sample, paths[pick % len(paths)], action, value)
    schema = _schemas(key, lenient)
    if compile_check(schema)(damaged):
        assert schema.validate(damaged) == {}, (key, damaged)


class _Shapes(Schema):
    class Meta:
        unknown = RAISE
    n = fields.Integer(required=True, strict=True)
    on = fields.Date(allow_none=True)
    at = fields.DateTime()
    tags = fields.List(fields.String())
    kind = fields.String(validate=validate.OneOf(["a", "b"]))


@pytest.mark.parametrize("payload, quick", [
    ({"n": 1, "on": "2026-12-05", "at": "2026-12-05T08:00:00Z", "tags": ["x"], "kind": "a"}, True),
    ({"n": True}, False),                          # a bool is not an integer
    ({"n": 1, "on": "2026-W49-6"}, False),         # Python takes ISO week dates; marshmallow does not
    ({"n": 1, "at": "2026-12-05T08:00:00.1234567"}, False),
    ({"n": 1, "on": None}, True),
    ({"n": 1, "kind": "c"}, False),
    ({"n": 1, "other": 1}, False),                 # unknown fields are refused under RAISE
    ({"on": "2026-12-05"}, False),                 # a required field is missing
])
def test_shapes_the_quick_check_knows(payload, quick):
    schema = _Shapes()
    assert compile_check(schema)(payload) is quick
    if quick:
        assert schema.validate(payload) == {}


def test_unknown_fields_pass_quickly_when_the_schema_excludes_them():
    assert compile_check(_Shapes(unknown=EXCLUDE))({"n": 1, "other": 1}) is True


def test_a_field_it_does_not_know_leaves_every_check_to_marshmallow():
    class WithDecimal(Schema):
        amount = fields.Decimal()
    assert compile_check(WithDecimal()) is None
