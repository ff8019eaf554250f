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
That makes the handlers idempotent by themselves: they keep no dedupe record. Every member change
reaches four directories, so they take their events in batches (waiting up to ``LINGER`` seconds
for company): one query reads the batch's members, and one statement writes the new and the
changed ones (on SQLite, one inserts and one updates).
Member ids are unique across the district (a transfer opens a new membership with a new id).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, bindparam, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import TenantMixin, utcnow
from shared.errors import CrossTenantWrite
from shared.inbox import consumes
from shared.tenancy import CallContext

MEMBER_FIELDS = ("person_key", "name", "gender", "birth_date", "category", "status", "union_group_id", "position",
                 "hire_date", "join_date")
LIVE = ("active", "retired")        # members the union serves (an applicant is not yet a member)
IN_SERVICE = ("active",)            # 在职会员
LINGER = 0.2                        # seconds a directory waits to batch member events


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


def apply_members(session, model, items) -> list[tuple]:
    """Upsert a batch of member snapshots in delivery order. ``items``: ``(event, snapshot,
    schools)`` where ``schools`` are the schools the event may write (None: any). Returns
    ``(event, before, snapshot)`` for every snapshot applied (``before`` as ``as_dict`` gives it,
    None for a member new here). Core statements on the district view: the school of each snapshot
    is checked here instead of by the session's guard."""
    if not items:
        return []
    table = model.__table__
    ids = sorted({int(snap["id"]) for _event, snap, _schools in items})
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        current = _current_pg(session, table.name, ids)
    else:
        current = {row["member_id"]: dict(row) for row in
                   session.execute(select(table).where(table.c.member_id.in_(ids))).mappings()}
    inserts, updates, applied = {}, {}, []
    now = utcnow()
    for event, snap, schools in items:
        if schools is not None and snap["school"] not in schools:
            raise CrossTenantWrite(params={"school": snap["school"]})
        member_id, version = int(snap["id"]), int(snap.get("version") or 1)
        before = current.get(member_id)
        if before is not None and before["version"] >= version:
            continue
        row = {"member_id": member_id, "school": snap["school"], "version": version, "updated_at": now,
               **_coerce(snap)}
        if member_id in inserts or before is None:
            inserts[member_id] = row
        else:
            updates[member_id] = row
        applied.append((event, None if before is None else _public(before), snap))
        current[member_id] = row
    if (inserts or updates) and postgres:
        _upsert_pg(session, table.name, [*inserts.values(), *updates.values()])
        return applied
    if inserts:
        session.execute(insert(table), list(inserts.values()))
    if updates:
        columns = ["school", "version", "updated_at", *MEMBER_FIELDS]
        stmt = (update(table).where(table.c.member_id == bindparam("b_member_id"))
                .values({c: bindparam(f"b_{c}") for c in columns}))
        session.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in updates.values()])
    return applied


_UPSERT_COLUMNS = ("member_id", "school", "version", "updated_at", *MEMBER_FIELDS)


def _cursor(session):
    return session.connection().connection.dbapi_connection.cursor()


def _current_pg(session, table: str, ids: list[int]) -> dict[int, dict]:
    """PostgreSQL: the stored rows of a batch's members, read as plain DB-API rows (on this path
    SQLAlchemy's result machinery cost more than the query)."""
    cursor = _cursor(session)
    try:
        cursor.execute(f"SELECT {', '.join(_UPSERT_COLUMNS)} FROM {table} WHERE member_id = ANY(%s)", (ids,))
        return {row[0]: dict(zip(_UPSERT_COLUMNS, row)) for row in cursor.fetchall()}
    finally:
        cursor.close()


def _upsert_pg(session, table: str, rows: list[dict]) -> None:
    """PostgreSQL: the batch's new and changed members in one statement (an executemany is a
    round trip per row); the version guard keeps a newer row a concurrent batch wrote meanwhile."""
    from psycopg2.extras import execute_values
    columns = ", ".join(_UPSERT_COLUMNS)
    changes = ", ".join(f"{c} = excluded.{c}" for c in _UPSERT_COLUMNS[1:])
    cursor = _cursor(session)
    try:
        execute_values(cursor, f"INSERT INTO {table} ({columns}) VALUES %s ON CONFLICT (member_id) DO UPDATE SET "
                               f"{changes} WHERE {table}.version < excluded.version",
                       [tuple(row[c] for c in _UPSERT_COLUMNS) for row in rows], page_size=1000)
    finally:
        cursor.close()


def _public(row: dict) -> dict:
    return {"member_id": row["member_id"], "school": row["school"], **{f: row.get(f) for f in MEMBER_FIELDS},
            "version": row["version"]}


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

    def _directory_apply(self, uow, events, snapshots_of, *, district: bool = False):
        items = [(event, snap, None if district else {event.school}) for event in events for snap in snapshots_of(event)]
        for event, before, after in apply_members(uow.session, self.directory[0], items):
            uow.scope_to(None if district else {event.school}, CallContext(school=event.school, actor=event.actor))
            self.on_member_changed(uow, event, before, after)
        uow.scope_to(None, CallContext())

    @consumes("membership", "member_applied", dedupe=False, batch=True, linger=LINGER)
    def directory_member_applied(self, uow, events):
        self._directory_apply(uow, events, _member)

    @consumes("membership", "member_admitted", dedupe=False, batch=True, linger=LINGER)
    def directory_member_admitted(self, uow, events):
        self._directory_apply(uow, events, _member)

    @consumes("membership", "member_updated", dedupe=False, batch=True, linger=LINGER)
    def directory_member_updated(self, uow, events):
        self._directory_apply(uow, events, _member)

    @consumes("membership", "member_retired", dedupe=False, batch=True, linger=LINGER)
    def directory_member_retired(self, uow, events):
        self._directory_apply(uow, events, _member)

    @consumes("membership", "member_left", dedupe=False, batch=True, linger=LINGER)
    def directory_member_left(self, uow, events):
        self._directory_apply(uow, events, _member)

    @consumes("membership", "member_transferred", scope="district", dedupe=False, batch=True, linger=LINGER)
    def directory_member_transferred(self, uow, events):
        self._directory_apply(uow, events, _transfer_snapshots, district=True)

    @consumes("membership", "union_group_changed", dedupe=False, batch=True, linger=LINGER)
    def directory_group_changed(self, uow, events):
        for event in events:
            uow.scope_to({event.school}, CallContext(school=event.school, actor=event.actor))
            apply_group(uow.session, self.directory[1], event.payload)
        uow.scope_to(None, CallContext())


def _member(event) -> list[dict]:
    return [event.payload["member"]]


def _transfer_snapshots(event) -> list[dict]:
    return [s for s in (event.payload.get("previous_member"), event.payload["member"]) if s]
