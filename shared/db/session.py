"""Tenant-guarded sessions.

A session carries ``info["schools"]``: the school unions it may see and write. Reads of tenant
rows (ORM selects, updates, deletes) get a ``school IN (...)`` criterion added; flushing a new,
changed or deleted row of any other school, or an ORM bulk INSERT naming one, raises
``CrossTenantWrite`` before anything reaches the database. ``schools=None`` is the district view,
used only by code made for cross-school work (statistics, registries).
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker, with_loader_criteria

from shared.db.base import TenantMixin
from shared.errors import CrossTenantWrite


class TenantSessionFactory:
    def __init__(self, engine):
        self.engine = engine
        self._maker = sessionmaker(bind=engine, expire_on_commit=False)
        event.listen(self._maker, "do_orm_execute", _filter_reads)
        event.listen(self._maker, "before_flush", _guard_writes)

    def __call__(self, schools: frozenset[str] | None) -> Session:
        session = self._maker()
        session.info["schools"] = schools
        return session


def _allowed(session) -> frozenset[str] | None:
    return session.info.get("schools")


def _named_schools(statement, parameters, inserting: bool) -> list:
    """Every ``school`` value an INSERT or UPDATE statement would write (None: an insert naming none)."""
    rows = [r for r in (parameters if isinstance(parameters, list) else [parameters] if parameters else [])
            if isinstance(r, dict)]
    from_values = []
    for values in [getattr(statement, "_values", None) or {}] + list(getattr(statement, "_multi_values", None) or []):
        items = values.items() if isinstance(values, dict) else (kv for row in values for kv in row.items())
        from_values += [getattr(v, "value", v) for k, v in items if getattr(k, "key", k) == "school"]
    named = from_values + [r["school"] for r in rows if "school" in r]
    if inserting and not from_values and (not rows or any("school" not in r for r in rows)):
        named.append(None)
    return named


def _filter_reads(state):
    schools = _allowed(state.session)
    if schools is None:
        return
    mapper = state.bind_mapper
    tenant = mapper is not None and issubclass(mapper.class_, TenantMixin)
    if tenant and (state.is_insert or state.is_update):
        for school in _named_schools(state.statement, state.parameters, state.is_insert):
            if school not in schools:
                raise CrossTenantWrite(params={"school": school})
    if tenant and state.is_update and isinstance(state.parameters, list):
        # "bulk UPDATE by primary key" bypasses loader criteria: not allowed in a school session
        raise CrossTenantWrite("bulk_update_by_pk_refused")
    if state.is_select or state.is_update or state.is_delete:
        allowed = tuple(sorted(schools))
        state.statement = state.statement.options(
            with_loader_criteria(TenantMixin, lambda cls: cls.school.in_(allowed), include_aliases=True))


def _guard_writes(session, _flush_context, _instances):
    schools = _allowed(session)
    if schools is None:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantMixin) and obj.school not in schools:
            raise CrossTenantWrite(params={"school": obj.school})
