"""Helpers every congress use case shares: loading rows of the caller's school or 404, dates."""
from __future__ import annotations

from datetime import date, datetime, timezone

from services.congress.domain.rules import Rule
from shared.errors import NotFound


def today() -> date:
    return datetime.now(timezone.utc).date()


def get_or_404(session, model, key, code: str):
    row = session.get(model, key)
    if row is None:
        raise NotFound(code, params={"id": key})
    return row


def rule_of(data: dict) -> Rule:
    return Rule(data["base"], int(data["num"]), int(data["den"]), bool(data["strict"]))


def iso(value):
    return value.isoformat() if value is not None else None
