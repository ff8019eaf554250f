"""A tiny consumer of membership events used only by the integration tests.

Every handled event is recorded in the probe's own PostgreSQL table (``probe_handled``) in the
same unit of work as the kit's dedupe record, so the tests can count handlings per event_id.
A switch row in ``probe_flags`` (name ``poison``) names a member name that makes the handler
raise: such an event is redelivered until the delivery limit and then dead-lettered. Every
attempt on a poisoned event is written to ``probe_attempts`` on its own connection, so it
survives the rollback of the failing unit of work.
"""
from __future__ import annotations

from datetime import datetime

from nameko.dependency_providers import Config
from sqlalchemy import DateTime, Integer, String, insert
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import TenantMixin, install_kit_tables, make_base, utcnow
from shared.inbox import consumes
from shared.service import Database, EntrypointMetrics, OpsEndpoints

Base = make_base()
KIT = install_kit_tables(Base.metadata)


class Handled(TenantMixin, Base):
    __tablename__ = "probe_handled"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(128), nullable=False)
    handler: Mapped[str] = mapped_column(String(64), nullable=False)
    member_name: Mapped[str | None] = mapped_column(String(60))
    handled_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Flag(Base):
    __tablename__ = "probe_flags"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str | None] = mapped_column(String(60))


class Attempt(Base):
    __tablename__ = "probe_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class PoisonError(RuntimeError):
    """The probe was told to fail on this member."""


def _member_name(event) -> str | None:
    member = event.payload.get("member")
    if isinstance(member, dict):
        return member.get("name")
    return event.payload.get("name")


class ProbeService(OpsEndpoints):
    name = "probe"  # the runner renames the class per test run (unique queue names)

    config = Config()
    db = Database(Base, relay=False)
    timing = EntrypointMetrics()

    def _record(self, uow, event, handler: str) -> None:
        name = _member_name(event)
        poison = uow.session.get(Flag, "poison")
        if poison is not None and poison.value and name == poison.value:
            with self.db.engine.begin() as conn:  # outside the failing unit of work
                conn.execute(insert(Attempt.__table__).values(event_id=event.event_id, at=utcnow()))
            raise PoisonError(f"probe told to fail on {name!r}")
        uow.session.add(Handled(school=event.school, event_id=event.event_id, type=event.type, handler=handler,
                                member_name=name))

    @consumes("membership", "member_admitted")
    def on_member_admitted(self, uow, event):
        self._record(uow, event, "on_member_admitted")

    @consumes("membership", "member_updated")
    def on_member_updated(self, uow, event):
        self._record(uow, event, "on_member_updated")

    @consumes("membership", "member_retired")
    def on_member_retired(self, uow, event):
        self._record(uow, event, "on_member_retired")

    @consumes("membership", "school_registered", scope="district")
    def on_school_registered(self, uow, event):
        self._record(uow, event, "on_school_registered")


HANDLERS = ("on_member_admitted", "on_member_updated", "on_member_retired", "on_school_registered")
EVENT_OF = {"on_member_admitted": "member_admitted", "on_member_updated": "member_updated",
            "on_member_retired": "member_retired", "on_school_registered": "school_registered"}


def queue_name(service_name: str, handler: str) -> str:
    """The consumer queue ``shared.inbox`` declares for one of the probe's handlers."""
    return f"evt-membership-{EVENT_OF[handler]}--{service_name}.{handler}"
