"""会员名录 (member directory): a service's own copy of the member roster and union groups, kept
current from membership events, so that congress (delegates), welfare (birthdays, retirements)
and events (participants, compulsory participation by union group) never call the membership
service per request.

Use it in a service in three steps::

    # orm.py
    Base = make_base()
    DirectoryMember, DirectoryGroup = directory_models(Base)

    # service.py
    class CongressService(MemberDirectoryMixin, OpsEndpoints):
        directory = (DirectoryMember, DirectoryGroup)

        def on_member_changed(self, uow, event, before, after):   # optional hook
            ...

A snapshot replaces the stored one only when its ``version`` is higher, so events arriving out of
order or twice never move a member backwards; the hook runs only when a snapshot was applied.
That makes the handlers idempotent by themselves: they keep no dedupe record (two statements
fewer per event, and every member change reaches four directories).
Member ids are unique across the district (a transfer opens a new membership with a new id).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import TenantMixin, utcnow
from shared.inbox import consumes

MEMBER_FIELDS = ("person_key", "name", "gender", "birth_date", "category", "status", "union_group_id", "position",
                 "hire_date", "join_date")
LIVE = ("active", "retired")        # members the union serves (an applicant is not yet a member)
IN_SERVICE = ("active",)            # 在职会员


def directory_models(Base):
    """The two directory tables on a service's own declarative base (they migrate with it)."""

    class DirectoryMember(TenantMixin, Base):
        """会员名录: the newest snapshot of one membership, from membership events."""
        __tablename__ = "directory_members"
        __table_args__ = (Index("ix_directory_members_school_status", "school", "status"),)
        member_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
        person_key: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
        name: Mapped[str] = mapped_column(String(60), nullable=False)
        gender: Mapped[str] = mapped_column(String(8), nullable=False)
        birth_date: Mapped[date] = mapped_column(Date, nullable=False)
        category: Mapped[str] = mapped_column(String(24), nullable=False)
        status: Mapped[str] = mapped_column(String(24), nullable=False)
        union_group_id: Mapped[int | None] = mapped_column(Integer)
        position: Mapped[str | None] = mapped_column(String(60))
        hire_date: Mapped[date | None] = mapped_column(Date)
        join_date: Mapped[date | None] = mapped_column(Date)
        version: Mapped[int] = mapped_column(Integer, nullable=False)
        updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)

        def as_dict(self) -> dict:
            return {"member_id": self.member_id, "school": self.school,
                    **{f: getattr(self, f) for f in MEMBER_FIELDS}, "version": self.version}

    class DirectoryGroup(TenantMixin, Base):
        """工会小组 as membership last announced it."""
        __tablename__ = "directory_groups"
        group_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
        name: Mapped[str] = mapped_column(String(60), nullable=False)
        leader_member_id: Mapped[int | None] = mapped_column(Integer)
        version: Mapped[int] = mapped_column(Integer, nullable=False)

        def as_dict(self) -> dict:
            return {"group_id": self.group_id, "school": self.school, "name": self.name,
                    "leader_member_id": self.leader_member_id, "version": self.version}

    return DirectoryMember, DirectoryGroup


def _coerce(snapshot: dict) -> dict:
    out = {f: snapshot.get(f) for f in MEMBER_FIELDS}
    for f in ("birth_date", "hire_date", "join_date"):
        if isinstance(out[f], str):
            out[f] = date.fromisoformat(out[f])
    return out


def apply_member(session, model, snapshot: dict) -> tuple[dict | None, bool]:
    """Upsert one member snapshot; returns ``(before, applied)`` where ``before`` is the stored
    row as a dict (None when new) and ``applied`` says whether the snapshot was newer."""
    version = int(snapshot.get("version") or 1)
    row = session.get(model, int(snapshot["id"]))
    if row is None:
        session.add(model(member_id=int(snapshot["id"]), school=snapshot["school"], version=version,
                          updated_at=utcnow(), **_coerce(snapshot)))
        session.flush()
        return None, True
    if row.version >= version:
        return row.as_dict(), False
    before = row.as_dict()
    for key, value in _coerce(snapshot).items():
        setattr(row, key, value)
    row.school, row.version, row.updated_at = snapshot["school"], version, utcnow()
    session.flush()
    return before, True


def apply_group(session, model, payload: dict) -> bool:
    version = int(payload.get("version") or 1)
    row = session.get(model, int(payload["id"]))
    if row is None:
        session.add(model(group_id=int(payload["id"]), school=payload["school"], name=payload["name"],
                          leader_member_id=payload.get("leader_member_id"), version=version))
        session.flush()
        return True
    if row.version >= version:
        return False
    row.name, row.leader_member_id, row.version = payload["name"], payload.get("leader_member_id"), version
    session.flush()
    return True


def members_of(session, model, *, statuses=LIVE, group_id: int | None = None):
    """The directory's members of the session's school(s), by name."""
    stmt = select(model).where(model.status.in_(statuses)).order_by(model.name, model.member_id)
    if group_id is not None:
        stmt = stmt.where(model.union_group_id == group_id)
    return list(session.scalars(stmt))


class MemberDirectoryMixin:
    """Event handlers that keep ``directory = (DirectoryMember, DirectoryGroup)`` current. The
    service class also needs ``db = Database(Base)`` with those models on ``Base``."""

    directory: tuple = ()

    def on_member_changed(self, uow, event, before: dict | None, after: dict) -> None:
        """Hook: a member snapshot was applied (``before`` is None for a member new to this service)."""

    def _directory_apply(self, uow, event, snapshots):
        model = self.directory[0]
        for snap in snapshots:
            before, applied = apply_member(uow.session, model, snap)
            if applied:
                self.on_member_changed(uow, event, before, snap)

    @consumes("membership", "member_applied", dedupe=False)
    def directory_member_applied(self, uow, event):
        self._directory_apply(uow, event, [event.payload["member"]])

    @consumes("membership", "member_admitted", dedupe=False)
    def directory_member_admitted(self, uow, event):
        self._directory_apply(uow, event, [event.payload["member"]])

    @consumes("membership", "member_updated", dedupe=False)
    def directory_member_updated(self, uow, event):
        self._directory_apply(uow, event, [event.payload["member"]])

    @consumes("membership", "member_retired", dedupe=False)
    def directory_member_retired(self, uow, event):
        self._directory_apply(uow, event, [event.payload["member"]])

    @consumes("membership", "member_left", dedupe=False)
    def directory_member_left(self, uow, event):
        self._directory_apply(uow, event, [event.payload["member"]])

    @consumes("membership", "member_transferred", scope="district", dedupe=False)
    def directory_member_transferred(self, uow, event):
        snaps = [s for s in (event.payload.get("previous_member"), event.payload["member"]) if s]
        self._directory_apply(uow, event, snaps)

    @consumes("membership", "union_group_changed", dedupe=False)
    def directory_group_changed(self, uow, event):
        apply_group(uow.session, self.directory[1], event.payload)
