"""Schema loading that turns marshmallow's messages into stable field codes.

Every bad field is named: ``ValidationFailed(fields={"birth_date": ["invalid_date"], "foo": ["unknown_field"]})``.
A custom validator may raise ``ValidationError("id_checksum")`` with a catalogue code directly.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields

from shared import i18n
from shared.errors import ValidationFailed

_PATTERNS = (
    ("Missing data for required field", "required"),
    ("Unknown field", "unknown_field"),
    ("Field may not be null", "null"),
    ("Not a valid date", "invalid_date"),
    ("Not a valid datetime", "invalid_date"),
    ("Not a valid", "invalid_type"),
    ("Invalid input type", "invalid_type"),
    ("Must be one of", "invalid_choice"),
    ("Longer than", "too_long"),
    ("Length must be", "invalid_length"),
    ("Shorter than", "too_short"),
    ("Must be greater", "out_of_range"),
    ("Must be less", "out_of_range"),
    ("Must be at least", "out_of_range"),
    ("String does not match", "invalid"),
    ("Invalid value", "invalid"),
)


def message_code(message: str) -> str:
    if i18n.known(message):
        return message
    for prefix, code in _PATTERNS:
        if message.startswith(prefix):
            return code
    return "invalid"


def _flatten(messages, prefix="") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "body"
            for field, codes in _flatten(value, name).items():
                out.setdefault(field, []).extend(codes)
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            if isinstance(item, (dict, list)):
                for field, codes in _flatten(item, prefix).items():
                    out.setdefault(field, []).extend(codes)
            else:
                out.setdefault(prefix or "body", []).append(message_code(str(item)))
    else:
        out.setdefault(prefix or "body", []).append(message_code(str(messages)))
    return out


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    return _flatten(exc.messages)


_instances: dict[type, Schema] = {}


def load(schema: Schema | type[Schema], data, *, partial=False) -> dict:
    """Load ``data`` with ``schema`` (a class or an instance); every bad field named in one
    ``ValidationFailed``. A schema class is instantiated once and reused: building one costs more
    than loading a small body with it."""
    if isinstance(schema, type):
        instance = _instances.get(schema)
        if instance is None:
            instance = _instances[schema] = schema()
        schema = instance
    if data is None:
        data = {}
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        raise ValidationFailed(fields=field_errors(exc)) from None


_MONEY = re.compile(r"^-?\d{1,12}(\.\d+)?$")


class Money(fields.Field):
    """An amount of yuan (元): a JSON string such as ``"1200.00"``, loaded as an exact ``Decimal``
    with two places and dumped as such a string. A JSON number (float or int), more than two
    decimals, a negative amount (unless ``allow_negative``) or zero (unless ``allow_zero``) is a
    field error with its own code."""

    def __init__(self, *, allow_negative: bool = False, allow_zero: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.allow_negative, self.allow_zero = allow_negative, allow_zero

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, Decimal):
            value = str(value)
        if not isinstance(value, str):
            raise ValidationError("money_not_string")
        text = value.strip()
        if not _MONEY.match(text):
            raise ValidationError("money_format")
        if "." in text and len(text.split(".", 1)[1]) > 2:
            raise ValidationError("money_decimals")
        try:
            amount = Decimal(text).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValidationError("money_format") from None
        if amount < 0 and not self.allow_negative:
            raise ValidationError("money_negative")
        if amount == 0 and not self.allow_zero:
            raise ValidationError("money_zero")
        return amount

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return str(Decimal(value).quantize(Decimal("0.01")))
