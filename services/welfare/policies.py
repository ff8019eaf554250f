"""福利政策 use cases: the district's table, a school's narrowing, and the effective policy."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from services.welfare.domain import policy as model
from services.welfare.orm import DistrictPolicy, DistrictPolicyRule, SchoolPolicy, SchoolPolicyRule
from shared.db.base import utcnow
from shared.jsonutil import json_ready


def _rule(row) -> model.Rule:
    return model.Rule(row.kind, row.per_event, row.per_member_year, row.times_per_year)


def district(session) -> model.Policy:
    settings = session.get(DistrictPolicy, 1)
    if settings is None:     # the district has never set its table: the defaults
        return model.district_policy(None, None)
    rows = [_rule(r) for r in session.scalars(select(DistrictPolicyRule))]
    return model.district_policy(rows, frozenset(settings.forbidden_forms))


def settings(session) -> dict:
    """The district's settings (retirement ages, student-aid tiers, notice days) over the defaults."""
    row = session.get(DistrictPolicy, 1)
    return model.merged_settings(row.settings if row is not None else None)


def effective(session) -> model.Policy:
    """The school's policy: the district's narrowed by the school's rows (session of one school)."""
    rows = [_rule(r) for r in session.scalars(select(SchoolPolicyRule))]
    settings = session.scalars(select(SchoolPolicy)).first()
    return model.school_policy(district(session), rows, frozenset(settings.forbidden_forms) if settings else frozenset())


def view(policy: model.Policy) -> dict:
    def money(v):
        return None if v is None else str(Decimal(v).quantize(Decimal("0.01")))
    rules = [{"kind": k, "per_event": money(r.per_event), "per_member_year": money(r.per_member_year),
              "times_per_year": r.times_per_year, "source": policy.sources.get(k, "default"),
              "budget_category": model.KINDS.get(k)} for k, r in sorted(policy.rules.items())]
    return {"rules": rules, "forbidden_forms": sorted(policy.forbidden_forms), "kinds": sorted(model.KINDS),
            "forms": sorted(model.FORMS)}


def district_view(session) -> dict:
    return {**view(district(session)), "settings": settings(session)}


def set_district(uow, data: dict, actor: str) -> dict:
    """区教育工会 replaces its policy table (the rows given are the whole table)."""
    session = uow.session
    for kind in [r["kind"] for r in data["rules"]]:
        model.validate_kind(kind)
    for old in session.scalars(select(DistrictPolicyRule)):
        session.delete(old)
    session.flush()
    for r in data["rules"]:
        session.add(DistrictPolicyRule(kind=r["kind"], per_event=r.get("per_event"),
                                       per_member_year=r.get("per_member_year"),
                                       times_per_year=r.get("times_per_year"), updated_by=actor, updated_at=utcnow()))
    row = session.get(DistrictPolicy, 1)
    if row is None:
        row = DistrictPolicy(id=1, forbidden_forms=[])
        session.add(row)
    row.forbidden_forms, row.updated_by, row.updated_at = sorted(set(data["forbidden_forms"])), actor, utcnow()
    if data.get("settings") is not None:
        row.settings = json_ready(model.merged_settings({**(row.settings or {}), **data["settings"]}))
    session.flush()
    result = district_view(session)
    uow.commit()
    return result


def set_school(uow, school: str, data: dict, actor: str) -> dict:
    """A school narrows the district's caps and may forbid more forms; never widens."""
    session = uow.session
    base = district(session)
    for r in data["rules"]:
        model.validate_kind(r["kind"])
        model.check_narrowing(base, model.Rule(r["kind"], r.get("per_event"), r.get("per_member_year"),
                                               r.get("times_per_year")))
    for old in session.scalars(select(SchoolPolicyRule)):
        session.delete(old)
    session.flush()
    for r in data["rules"]:
        session.add(SchoolPolicyRule(school=school, kind=r["kind"], per_event=r.get("per_event"),
                                     per_member_year=r.get("per_member_year"), times_per_year=r.get("times_per_year"),
                                     updated_by=actor, updated_at=utcnow()))
    settings = session.scalars(select(SchoolPolicy)).first()
    if settings is None:
        settings = SchoolPolicy(school=school, forbidden_forms=[])
        session.add(settings)
    settings.forbidden_forms, settings.updated_at = sorted(set(data["forbidden_forms"])), utcnow()
    session.flush()
    result = view(effective(session))
    uow.commit()
    return result
