"""A membership database on SQLite and the unit of work the service would give each use case."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from services.membership import members, organisation
from services.membership.domain.idcard import make_id_number
from services.membership.orm import KIT, Member, StatusChange
from shared.db import UnitOfWork
from shared.tenancy import CallContext

TODAY = date(2024, 9, 2)
S1, S2, S3 = "S001", "S002", "S003"


def person(seq: int, *, name: str | None = None, born: date = date(1986, 3, 15), gender: str = "female",
           category: str = "teacher", **extra) -> dict:
    """A member's admission data with a valid, distinct ID number (the sequence picks it)."""
    return {"name": name or f"会员{seq:03d}", "id_number": make_id_number("320411", born, seq, gender),
            "category": category, **extra}


class Membership:
    """The use cases as the service calls them, without nameko."""

    def __init__(self, engine, sessions, direct=None):
        self.engine = engine
        self.sessions = sessions
        self.direct = direct

    def uow(self, school: str | None, *, also=(), role="school_admin", actor="t") -> UnitOfWork:
        schools = None if school is None else {school, *also}
        return UnitOfWork(self.sessions, KIT, schools=schools,
                          context=CallContext(school=school, actor=actor, role=role), direct=self.direct)

    def read(self, school: str | None):
        return self.sessions(None if school is None else frozenset({school}))

    def register_school(self, code: str, staff: int = 10, name: str | None = None) -> dict:
        with self.uow(None, role="district_admin", actor="admin") as uow:
            return organisation.create_school(uow, {"code": code, "name": name or f"{code} 学校", "kind": "primary",
                                                    "area": "东区", "staff_headcount": staff})

    def admit(self, school: str, data: dict, today: date = TODAY) -> dict:
        with self.uow(school) as uow:
            return members.admit(uow, school, dict(data), today)

    def approve(self, school, member_id, on=TODAY):
        with self.uow(school) as uow:
            return members.approve(uow, school, member_id, on)

    def update(self, school, member_id, data):
        with self.uow(school) as uow:
            return members.update(uow, school, member_id, dict(data))

    def transfer(self, school, member_id, to_school, on=TODAY, *, also=None):
        with self.uow(school, also=(to_school,) if also is None else also) as uow:
            return members.transfer(uow, school, member_id, to_school, on)

    def retire(self, school, member_id, on=TODAY):
        with self.uow(school) as uow:
            return members.retire(uow, school, member_id, on)

    def leave(self, school, member_id, reason, note=None, on=TODAY):
        with self.uow(school) as uow:
            return members.leave(uow, school, member_id, reason, note, on)

    def search(self, school, **query):
        with self.read(school) as session:
            return members.search(session, school, query)

    def history(self, school, member_id):
        with self.read(school) as session:
            return members.history(session, member_id)["items"]

    # what the database holds, as the district sees it
    def members(self, **where) -> list[Member]:
        with self.read(None) as session:
            q = select(Member).order_by(Member.id)
            for key, value in where.items():
                q = q.where(getattr(Member, key) == value)
            return session.scalars(q).all()

    def status_changes(self, member_id: int) -> list[tuple]:
        with self.read(None) as session:
            return session.execute(select(StatusChange.school, StatusChange.from_status, StatusChange.to_status,
                                          StatusChange.counterpart_school)
                                   .where(StatusChange.member_id == member_id).order_by(StatusChange.id)).all()

    def events(self) -> list[dict]:
        """Outbox rows as envelopes, oldest first."""
        with self.engine.connect() as conn:
            return [json.loads(body) for body in conn.execute(select(KIT.outbox.c.body).order_by(KIT.outbox.c.id))
                    .scalars()]

    def event_types(self) -> list[str]:
        return [e["type"] for e in self.events()]
