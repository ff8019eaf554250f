"""A quick yes for contract checks: every event is checked against its contract when it is
published and again by every consumer, and marshmallow's ``validate`` costs more than handling
most events. ``compile_check(schema)`` turns a contract schema into a plain function that answers
True only when the payload is valid in the plain form publishers write it (strings, ints, ISO
dates, nested objects); anything else (a wrong value, or a form it does not know) answers False,
and the caller asks marshmallow, which gives the verdict and the error messages. So the schema
stays the one definition of the contract, and this module can only ever make a check faster,
never let a bad payload through: ``tests/contracts`` holds it to that.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime

from marshmallow import EXCLUDE, RAISE, fields, validate

_UNSET = object()
# the forms marshmallow's ISO parsers accept, narrowed (Python 3.11's fromisoformat takes more)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?\Z")


def _validator(v):
    """A check for one marshmallow validator, or None when it is not one this module knows."""
    if isinstance(v, validate.OneOf):
        choices = frozenset(v.choices) if all(isinstance(c, (str, int)) for c in v.choices) else tuple(v.choices)
        return lambda value: value in choices
    if isinstance(v, validate.Length):
        lo, hi, eq = v.min, v.max, v.equal
        return lambda value: (len(value) == eq) if eq is not None else \
            ((lo is None or len(value) >= lo) and (hi is None or len(value) <= hi))
    if isinstance(v, validate.Range):
        lo, hi, lo_in, hi_in = v.min, v.max, v.min_inclusive, v.max_inclusive

        def in_range(value):
            if lo is not None and (value < lo if lo_in else value <= lo):
                return False
            return hi is None or (value <= hi if hi_in else value < hi)
        return in_range
    if isinstance(v, validate.Regexp):
        regex = v.regex
        return lambda value: regex.match(value) is not None
    return None


def _iso_date(value) -> bool:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _iso_datetime(value) -> bool:
    if not isinstance(value, str) or not _DATETIME.match(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _value_check(field):
    """A check of one field's value (not None), or None when the field is beyond this module."""
    if isinstance(field, fields.Nested):
        inner = compile_check(field.schema)
        if inner is None:
            return None
        if field.many:
            return lambda value: isinstance(value, list) and all(inner(v) for v in value)
        return inner
    if isinstance(field, fields.List):
        inner = _value_check(field.inner)
        if inner is None or field.inner.validators or field.inner.allow_none:
            return None
        return lambda value: isinstance(value, list) and all(v is not None and inner(v) for v in value)
    if isinstance(field, fields.Boolean):
        return lambda value: value is True or value is False
    if isinstance(field, fields.Integer):
        return lambda value: type(value) is int
    if isinstance(field, fields.Float):
        return lambda value: (type(value) is int) or (type(value) is float and math.isfinite(value))
    if type(field) is fields.Date:   # (a subclass of DateTime)
        return _iso_date if field.format in (None, "iso", "iso8601") else None
    if type(field) is fields.DateTime:
        return _iso_datetime if field.format in (None, "iso", "iso8601") else None
    if type(field) is fields.String:
        return lambda value: type(value) is str
    if type(field) is fields.Dict and field.key_field is None and field.value_field is None:
        return lambda value: isinstance(value, dict)
    return None


def compile_check(schema):
    """``check(payload) -> bool`` for a schema instance (its ``unknown`` setting included), or None
    when the schema uses something this module does not know (then marshmallow always decides)."""
    if schema.unknown not in (RAISE, EXCLUDE) or getattr(schema, "_hooks", None) and any(schema._hooks.values()):
        return None
    checks = []
    for name, field in schema.load_fields.items():
        value_check = _value_check(field)
        if value_check is None:
            return None
        validators = [_validator(v) for v in field.validators]
        if any(v is None for v in validators):
            return None
        checks.append((field.data_key or name, field.required, field.allow_none, value_check, tuple(validators)))
    known = frozenset(key for key, *_ in checks)
    strict_keys = schema.unknown == RAISE

    def check(payload) -> bool:
        try:
            return _check(payload)
        except (TypeError, ValueError):   # a value of a type no check expected: marshmallow decides
            return False

    def _check(payload) -> bool:
        if type(payload) is not dict:
            return False
        if strict_keys and not known.issuperset(payload):
            return False
        for key, required, allow_none, value_check, validators in checks:
            value = payload.get(key, _UNSET)
            if value is _UNSET:
                if required:
                    return False
                continue
            if value is None:
                if not allow_none:
                    return False
                continue
            if not value_check(value):
                return False
            for v in validators:
                if not v(value):
                    return False
        return True
    return check
