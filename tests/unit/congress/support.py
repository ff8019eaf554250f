"""A congress database on SQLite and the unit of work the service would give each use case."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.congress import delegates as delegates_, polls, sessions
from services.congress.orm import KIT, DirectoryMember
from services.congress import schemas as s
from shared.db import UnitOfWork
from shared.validation import load
from shared.directory import apply_member
from shared.tenancy import CallContext

S1, S2 = "S001", "S002"
TODAY = date(2026, 11, 20)


def snapshot(member_id: int, school: str = S1, *, name: str | None = None, category: str = "teacher",
             status: str = "active", group: int | None = None, version: int = 1) -> dict:
    return {"id": member_id, "school": school, "person_key": f"pk{member_id:030d}", "name": name or f"代表{member_id}",
            "gender": "female", "birth_date": "1980-05-01", "category": category, "status": status,
            "union_group_id": group, "position": None, "hire_date": None, "join_date": "2010-09-01",
            "version": version}


class Congress:
    """The use cases as the service calls them, without nameko."""

    def __init__(self, engine, sessions_factory):
        self.engine = engine
        self.sessions = sessions_factory
        self.published: list[dict] = []

    def uow(self, school=S1, *, role="congress_officer", member_id=None, actor="secretary") -> UnitOfWork:
        uow = UnitOfWork(self.sessions, KIT, schools=None if school is None else {school},
                         context=CallContext(school=school, actor=actor, role=role, member_id=member_id))
        self._last = uow
        return uow

    def run(self, fn, *args, school=S1, **kw):
        with self.uow(school, **{k: kw.pop(k) for k in ("role", "member_id", "actor") if k in kw}) as uow:
            result = fn(uow, *args, **kw)
            self.published.extend(uow.published)
            return result

    def read(self, school=S1):
        return self.sessions(None if school is None else frozenset({school}))

    def members(self, ids, school=S1, **kw):
        with self.uow(school) as uow:
            for m in ids:
                apply_member(uow.session, DirectoryMember, snapshot(m, school, **kw))
            uow.commit()

    def delegates(self, ids, school=S1, term_no=8, **kw):
        self.members(ids, school, **kw)
        for m in ids:
            self.run(delegates_.add_delegate, school, {"member_id": m, "term_no": term_no}, school=school)

    def session(self, school=S1, **overrides) -> dict:
        data = {"term_no": 8, "session_no": 5, "mode": "delegate_congress", "sitting_dates": [TODAY],
                "agenda": [{"title": "审议《奖励性绩效工资分配方案》", "power": "deliberate_approve"}]}
        data.update(overrides)
        data["sitting_dates"] = [str(d) for d in data["sitting_dates"]]
        return self.run(sessions.create_session, school, load(s.SessionCreateSchema, data), school=school)

    def convened_with(self, present_ids, school=S1, **overrides) -> dict:
        s = self.session(school, **overrides)
        self.run(sessions.convene, s["id"], school=school)
        sitting = s["sittings"][0]["id"]
        for m in present_ids:
            self.run(sessions.check_in, school, s["id"], sitting, {"member_id": m}, None_ctx(), school=school)
        return s

    def motion(self, session, school=S1, **data) -> dict:
        data.setdefault("title", "审议《奖励性绩效工资分配方案》")
        data.setdefault("agenda_item_id", session["agenda"][0]["id"] if session["agenda"] else None)
        return self.run(polls.create_motion, school, session["id"], load(s.MotionCreateSchema, data), school=school)

    def open(self, poll, school=S1) -> dict:
        return self.run(polls.open_poll, school, poll["id"], {}, school=school)

    def cast(self, poll, member_id, choice, school=S1) -> dict:
        return self.run(polls.cast, school, poll["id"], member_id, choice, school=school, role="delegate",
                        member_id=member_id, actor=f"d{member_id}")

    def close(self, poll, school=S1) -> dict:
        return self.run(polls.close_poll, school, poll["id"], school=school)

    def events(self, type_: str) -> list[dict]:
        return [e["payload"] for e in self.published if e["type"] == type_]

    def all(self, model, school=None):
        with self.read(school) as session:
            return list(session.scalars(select(model)))


class None_ctx:
    """The secretary's context for a check-in on a delegate's behalf."""
    role = "congress_officer"
    member_id = None
