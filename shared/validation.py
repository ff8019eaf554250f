"""Schema loading that turns marshmallow's messages into stable field codes.

Every bad field is named: ``ValidationFailed(fields={"birth_date": ["invalid_date"], "foo": ["unknown_field"]})``.
A custom validator may raise ``ValidationError("id_checksum")`` with a catalogue code directly.
"""
from __future__ import annotations

from marshmallow import Schema, ValidationError

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


def load(schema: Schema | type[Schema], data, *, partial=False) -> dict:
    schema = schema() if isinstance(schema, type) else schema
    if data is None:
        data = {}
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        raise ValidationFailed(fields=field_errors(exc)) from None
