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


def _filter_reads(state):
    schools = _allowed(state.session)
    if schools is None:
        return
    if state.is_select or state.is_update or state.is_delete:
        allowed = tuple(sorted(schools))
        state.statement = state.statement.options(
            with_loader_criteria(TenantMixin, lambda cls: cls.school.in_(allowed), include_aliases=True))
    elif state.is_insert:
        mapper = state.bind_mapper
        if mapper is not None and issubclass(mapper.class_, TenantMixin):
            params = state.parameters
            rows = params if isinstance(params, list) else [params or {}]
            values = getattr(state.statement, "_values", None) or {}
            named = [r.get("school") for r in rows] + [
                getattr(v, "value", None) for k, v in values.items() if getattr(k, "key", k) == "school"]
            for school in named:
                if school not in schools:
                    raise CrossTenantWrite(params={"school": school})


def _guard_writes(session, _flush_context, _instances):
    schools = _allowed(session)
    if schools is None:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantMixin) and obj.school not in schools:
            raise CrossTenantWrite(params={"school": obj.school})
