"""A welfare database on SQLite and the unit of work the service would give each use case."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from services.welfare.orm import KIT, DirectoryMember
from shared.db import UnitOfWork
from shared.directory import apply_member
from shared.tenancy import CallContext

TODAY = date(2026, 5, 10)
S1, S2 = "S001", "S002"
OFFICER = CallContext(school=S1, actor="welfare1", role="welfare_officer")
CHAIR = CallContext(school=S1, actor="chair1", role="school_admin")


def snapshot(school, member_id, name, *, gender="female", birth="1980-05-01", status="active", version=1):
    return {"id": member_id, "school": school, "person_key": f"pk{member_id:030d}", "name": name, "gender": gender,
            "birth_date": birth, "category": "teacher", "status": status, "union_group_id": None, "position": None,
            "hire_date": None, "join_date": "2010-09-01", "version": version}


def as_member(member_id, school=S1):
    return CallContext(school=school, actor=f"m{member_id}", role="member", member_id=member_id)


class Welfare:
    def __init__(self, engine, sessions):
        self.engine, self.sessions = engine, sessions

    def uow(self, school, context: CallContext | None = None) -> UnitOfWork:
        schools = None if school is None else {school}
        return UnitOfWork(self.sessions, KIT, schools=schools,
                          context=context or CallContext(school=school, actor="t", role="welfare_officer"))

    def read(self, school):
        return self.sessions(None if school is None else frozenset({school}))

    def member(self, school, member_id, name, **kw):
        with self.uow(school) as uow:
            apply_member(uow.session, DirectoryMember, snapshot(school, member_id, name, **kw))
            uow.commit()

    def outbox(self, type_=None) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(KIT.outbox.c.type, KIT.outbox.c.body).order_by(KIT.outbox.c.id)).all()
        return [json.loads(r.body) for r in rows if type_ is None or r.type == type_]


def money(text: str) -> Decimal:
    return Decimal(text)
