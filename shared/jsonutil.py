from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


_PLAIN = (str, int, float, bool, type(None))


def json_ready(value):
    """Dates as ISO strings, Decimals as strings: the form that crosses RPC and the bus (what a
    JSON round trip gives, without encoding and decoding the whole value)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else json_ready_key(k)): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    return json_ready(_default(value))


def json_ready_key(key):
    """A dict key as JSON writes it."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (int, float)):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
