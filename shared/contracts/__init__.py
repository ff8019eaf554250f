"""Integration-event contracts: the versioned envelope and the registry of payload schemas.

Every event on the bus is ``EnvelopeV1`` with a ``payload`` described by the schema registered
for ``(type, version)``. Types are ``<service>.<noun>_<past verb>``; the exchange is
``<service>.events`` and the routing key the part after the dot, so nameko event handlers
(``@event_handler("membership", "member_admitted")``) receive them unchanged. Publishers validate
before writing to the outbox; consumers validate on receipt. ``tests/contracts`` checks both sides.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from shared.contracts.fastcheck import compile_check


class ContractViolation(ValueError):
    """A message that does not match its contract: a bug in the publisher, or a poison message."""


class EnvelopeV1(Schema):
    class Meta:
        unknown = RAISE

    event_id = fields.String(required=True, validate=validate.Length(equal=36))
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+\.[a-z_]+$"))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.String(required=True)
    school = fields.String(required=True, allow_none=True)
    actor = fields.String(required=True, allow_none=True)
    payload = fields.Dict(required=True)


@dataclass(frozen=True)
class Envelope:
    event_id: str
    type: str
    version: int
    occurred_at: str
    school: str | None
    actor: str | None
    payload: dict

    @property
    def source(self) -> str:
        return self.type.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.type.split(".", 1)[1]


_REGISTRY: dict[tuple[str, int], type[Schema]] = {}


def contract(type_: str, version: int = 1):
    """Register a payload schema as the contract of ``type_`` at ``version``."""
    def deco(schema_cls: type[Schema]) -> type[Schema]:
        key = (type_, version)
        if key in _REGISTRY and _REGISTRY[key] is not schema_cls:
            raise ValueError(f"contract {type_} v{version} registered twice")
        _REGISTRY[key] = schema_cls
        return schema_cls
    return deco


def load_all() -> None:
    """Import every contract module so the registry is complete."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


def registered() -> dict[tuple[str, int], type[Schema]]:
    return dict(_REGISTRY)


def schema_for(type_: str, version: int) -> Schema:
    try:
        return _REGISTRY[(type_, version)](unknown=RAISE)
    except KeyError:
        raise ContractViolation(f"no contract for {type_} v{version}") from None


_strict_schemas: dict[type, Schema] = {}


def check_payload(type_: str, version: int, payload: dict) -> dict:
    errors = _errors(check_schema(type_, version), payload)
    if errors:
        raise ContractViolation(f"{type_} v{version} payload does not match its contract: {errors}")
    return payload


def make_envelope(type_: str, payload: dict, *, school: str | None, actor: str | None,
                  version: int = 1, validate: bool = True) -> dict:
    if validate:
        check_payload(type_, version, payload)
    return {
        "event_id": str(uuid.uuid4()),
        "type": type_,
        "version": version,
        "occurred_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "school": school,
        "actor": actor,
        "payload": payload,
    }


def _exclude_unknown(schema: Schema) -> None:
    schema.unknown = EXCLUDE
    for field in schema.fields.values():
        inner = getattr(field, "inner", None)
        nested = field if isinstance(field, fields.Nested) else inner if isinstance(inner, fields.Nested) else None
        if nested is not None:
            _exclude_unknown(nested.schema)


_ENVELOPE = EnvelopeV1()
_ENVELOPE_KEYS = frozenset(EnvelopeV1().fields)
_TYPE = re.compile(r"^[a-z_]+\.[a-z_]+$")
_lenient_schemas: dict[type, Schema] = {}
_fast: dict[int, object] = {}


def _payload_schema(type_: str, version: int, lenient: bool) -> Schema:
    """One reusable schema per contract and strictness: building a schema (and its nested ones)
    costs more than validating a payload with it."""
    if not lenient:
        return check_schema(type_, version)
    cls = _REGISTRY.get((type_, version))
    schema = _lenient_schemas.get(cls)
    if schema is None:
        schema = schema_for(type_, version)
        _exclude_unknown(schema)
        _lenient_schemas[cls] = schema
    return schema


def check_schema(type_: str, version: int) -> Schema:
    cls = _REGISTRY.get((type_, version))
    schema = _strict_schemas.get(cls)
    if schema is None:
        schema = _strict_schemas[cls] = schema_for(type_, version)
    return schema


def _errors(schema: Schema, payload) -> dict:
    """marshmallow's errors for ``payload``; a quick yes first (``fastcheck``) when it can give one."""
    fast = _fast.get(id(schema), _fast)
    if fast is _fast:
        fast = _fast[id(schema)] = compile_check(schema)
    if fast is not None and fast(payload):
        return {}
    return schema.validate(payload)


def _envelope(body: dict) -> dict:
    """The envelope's fields, checked: the plain form every publisher writes is checked here, any
    other goes through ``EnvelopeV1``."""
    if (_ENVELOPE_KEYS.issuperset(body) and len(body) == len(_ENVELOPE_KEYS)
            and type(body["event_id"]) is str and len(body["event_id"]) == 36
            and type(body["type"]) is str and _TYPE.match(body["type"])
            and type(body["version"]) is int and body["version"] >= 1
            and type(body["occurred_at"]) is str
            and (body["school"] is None or type(body["school"]) is str)
            and (body["actor"] is None or type(body["actor"]) is str)
            and type(body["payload"]) is dict):
        return body
    try:
        return _ENVELOPE.load(body)
    except ValidationError as exc:
        raise ContractViolation(f"bad envelope: {exc.messages}") from None


def parse(body: dict, *, lenient_payload: bool = False) -> Envelope:
    """Validate a received message; unknown payload fields are tolerated when ``lenient_payload``
    so that a consumer keeps working when a publisher adds an optional field."""
    if not isinstance(body, dict):
        raise ContractViolation("event body is not an object")
    data = _envelope(body)
    schema = _payload_schema(data["type"], data["version"], lenient_payload)
    errors = _errors(schema, data["payload"])
    if errors:
        raise ContractViolation(f"{data['type']} v{data['version']} payload: {errors}")
    return Envelope(**data)


MONEY_PATTERN = r"^(0|[1-9]\d{0,11})\.\d{2}$"


def money(**kw):
    """An amount of yuan on the bus: a string with exactly two decimals ("1200.00"), never a float."""
    from marshmallow import fields as _f, validate as _v
    return _f.String(validate=_v.Regexp(MONEY_PATTERN), metadata={"description": "yuan, exactly two decimals"}, **kw)
