"""经费规则 (F02): the approval limits and the dues rule of a school, as the district set them.
A school's own value wins over the district's, which wins over the service's settings."""
from __future__ import annotations

from decimal import Decimal

from services.finance.domain.approval import ApprovalLimits
from services.finance.domain.dues import DuesRule
from services.finance.domain.money import fmt
from services.finance.orm import FinancePolicy
from services.finance.settings import FinanceSettings
from shared.db import utcnow
from shared.errors import ValidationFailed

FIELDS = ("officer_limit", "chair_limit", "dues_rate", "dues_base_step", "dues_rounding")
DISTRICT = "district"


def effective(session, school: str | None, defaults: FinanceSettings) -> FinanceSettings:
    rows = [session.get(FinancePolicy, DISTRICT)] + ([session.get(FinancePolicy, school)] if school else [])
    value = {"officer_limit": defaults.limits.finance_officer, "chair_limit": defaults.limits.school_admin,
             "dues_rate": defaults.dues.rate, "dues_base_step": defaults.dues.base_step,
             "dues_rounding": defaults.dues.rounding}
    for row in rows:
        if row is not None:
            value.update({f: getattr(row, f) for f in FIELDS if getattr(row, f) is not None})
    return FinanceSettings(ApprovalLimits(value["officer_limit"], value["chair_limit"]),
                           DuesRule(value["dues_rate"], value["dues_base_step"], value["dues_rounding"]))


def as_dict(settings: FinanceSettings, scope: str, overrides: dict) -> dict:
    return {"scope": scope, "officer_limit": fmt(settings.limits.finance_officer),
            "chair_limit": fmt(settings.limits.school_admin), "dues_rate": str(settings.dues.rate),
            "dues_base_step": fmt(settings.dues.base_step), "dues_rounding": settings.dues.rounding,
            "overrides": overrides}


def _overrides(row) -> dict:
    if row is None:
        return {}
    return {f: (str(getattr(row, f)) if getattr(row, f) is not None else None) for f in FIELDS
            if getattr(row, f) is not None}


def show(session, scope: str, defaults: FinanceSettings) -> dict:
    school = None if scope == DISTRICT else scope
    return as_dict(effective(session, school, defaults), scope, _overrides(session.get(FinancePolicy, scope)))


def set_policy(uow, data: dict, actor: str | None, defaults: FinanceSettings) -> dict:
    session = uow.session
    scope = data.get("school") or DISTRICT
    row = session.get(FinancePolicy, scope)
    if row is None:
        row = FinancePolicy(scope=scope)
        session.add(row)
    for f in FIELDS:
        if f in data:
            value = data[f]
            setattr(row, f, Decimal(value) if f == "dues_rate" and value is not None else value)
    row.updated_at, row.updated_by = utcnow(), actor
    session.flush()
    result = effective(session, None if scope == DISTRICT else scope, defaults)
    if result.limits.school_admin < result.limits.finance_officer:
        raise ValidationFailed("policy_limits_order", fields={"chair_limit": ["policy_limits_order"]})
    return as_dict(result, scope, _overrides(row))
