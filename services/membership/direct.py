"""入会与会员信息修改 on PostgreSQL in two round trips: one read, one write.

Admitting and updating members are the platform's busiest writes. Through the ORM each costs
BEGIN, a statement per read and per row, and COMMIT: six round trips, each a wait for the
database under load. Here, on an autocommit connection (``UnitOfWork.direct``):

- one read gathers what the rules need: the school, the union group, the live memberships of
  the ID number and the new member's id (admission), or the member and its group (update);
- one statement writes everything: the member, its status history and the outbox row, as
  data-modifying CTEs. A single statement commits whole or not at all, so nothing is
  half-written, exactly as with the unit of work.

Updates are guarded by the member's ``version`` (optimistic concurrency): when another write
came between the read and the write, nothing is written and the update is worked out again
from the newer row, so two concurrent updates never both announce the same version. The rules
themselves (ID and phone checks, one live membership per person, closed memberships) are the
ones ``members`` applies on SQLite; the race the read cannot see (the same ID number admitted
twice at once) is stopped by the partial unique index and answered with the same conflict.
"""
from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

from services.membership import views
from services.membership.domain import model
from services.membership.domain.person import announced_changes, checked_update, normalise_person
from services.membership.orm import LIVE_STATUSES, Member
from shared.db.base import utcnow
from shared.errors import Conflict, NotFound, ValidationFailed

RETRIES = 5   # a member updated this many times between our read and our write is reported busy
_COLUMNS = [c.name for c in Member.__table__.columns]
_HISTORY = ["school", "member_id", "from_status", "to_status", "effective_on", "reason", "counterpart_school", "actor",
            "recorded_at"]
_OUTBOX = ["event_id", "exchange", "routing_key", "type", "school", "body", "headers", "created_at", "attempts",
           "next_attempt_at"]

# plain DB-API statements (psycopg2's own parameters): on this path SQLAlchemy's statement
# building cost more than the database's work
_ADMIT_PROBE = (
    "SELECT (SELECT active FROM schools WHERE code = %(school)s), "
    "(SELECT name FROM union_groups WHERE id = %(group)s AND school = %(school)s), "
    "ARRAY(SELECT school || ' ' || id FROM members WHERE id_number = %(idn)s AND live), "
    "nextval(pg_get_serial_sequence('members', 'id'))")
_LIVE = "SELECT school, id FROM members WHERE id_number = %(idn)s AND live"
_UPDATE_PROBE = (
    f"SELECT {', '.join('m.' + c for c in _COLUMNS)}, "
    "(SELECT name FROM union_groups g WHERE g.id = m.union_group_id AND g.school = m.school) AS group_name, "
    "(SELECT name FROM union_groups g WHERE g.id = %(group)s AND g.school = %(school)s) AS chosen_group "
    "FROM members m WHERE m.id = %(id)s AND m.school = %(school)s")


def _marks(columns, prefix):
    return ", ".join(f"%({prefix}{c})s::json" if c == "headers" else f"%({prefix}{c})s" for c in columns)


_ANNOUNCE = f"INSERT INTO outbox ({', '.join(_OUTBOX)}) "
_ADMIT = (f"WITH admitted AS (INSERT INTO members ({', '.join(_COLUMNS)}) VALUES ({_marks(_COLUMNS, 'm_')})), "
          f"history AS (INSERT INTO member_status_changes ({', '.join(_HISTORY)}) VALUES ({_marks(_HISTORY, 'h_')})) "
          f"{_ANNOUNCE} VALUES ({_marks(_OUTBOX, 'o_')})")
_UPDATES: dict[tuple, str] = {}


def _update_statement(columns: tuple) -> str:
    """Set ``columns`` where the member still has the version read; announce it only if so."""
    found = _UPDATES.get(columns)
    if found is None:
        unknown = set(columns) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"not member columns: {sorted(unknown)}")
        sets = ", ".join(f"{c} = %(m_{c})s" for c in columns)
        found = _UPDATES[columns] = (
            f"WITH updated AS (UPDATE members SET {sets} WHERE id = %(id)s AND school = %(school)s "
            f"AND version = %(seen)s RETURNING id) {_ANNOUNCE} SELECT {_marks(_OUTBOX, 'o_')} FROM updated RETURNING id")
    return found


def _params(prefix: str, row: dict) -> dict:
    return {f"{prefix}{k}": json.dumps(v) if k == "headers" else v for k, v in row.items()}


class _Db:
    """The DB-API connection under a unit of work's ``direct`` connection."""

    def __init__(self, connection):
        self.raw = connection.connection.dbapi_connection
        self.integrity_error = connection.dialect.dbapi.IntegrityError

    def execute(self, sql: str, params: dict):
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql, params)
            if cursor.description is None:
                return None, []
            return [d[0] for d in cursor.description], cursor.fetchall()
        finally:
            cursor.close()


def _live(db: _Db, id_number: str) -> list[tuple[str, int]]:
    return [(r[0], int(r[1])) for r in db.execute(_LIVE, {"idn": id_number})[1]]


def _constraint(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    return getattr(diag, "constraint_name", None) or str(exc)


def _integrity(db: _Db, exc: Exception, school: str, id_number: str | None, member_id: int | None = None):
    """The race the read could not see, answered as the read would have answered it."""
    name = _constraint(exc)
    if "union_group" in name:
        raise ValidationFailed(fields={"union_group_id": ["group_not_found"]}) from None
    if id_number and "id_number" in name:
        model.check_one_live_membership(_live(db, id_number), school, member_id)
        raise Conflict("id_number_taken", fields={"id_number": ["id_number_taken"]}) from None
    raise exc


def admit(uow, school: str, data: dict, today) -> dict:
    """入会 (direct enrolment or application) as one read and one statement."""
    uow.require_scope(school)
    bad = None
    try:
        data = normalise_person(data)
    except ValidationFailed as exc:
        bad = exc
    group_id = data.get("union_group_id")
    with uow.direct() as conn:
        db = _Db(conn)
        active, group, live, new_id = db.execute(_ADMIT_PROBE, {
            "school": school, "group": group_id, "idn": data["id_number"] if bad is None else ""})[1][0]
        if not active:
            raise NotFound("school_not_found", params={"school": school})
        if bad is not None:
            raise bad
        if group_id is not None and group is None:
            raise ValidationFailed(fields={"union_group_id": ["group_not_found"]})
        model.check_one_live_membership([(s.split(" ")[0], int(s.split(" ")[1])) for s in live], school)
        status = "applicant" if data.pop("admission", "enrolment") == "application" else "active"
        if status == "active":
            data.setdefault("join_date", today)
        now = utcnow()
        values = {"id": int(new_id), "school": school, "person_key": uuid.uuid4().hex, "name": data["name"].strip(),
                  "gender": data["gender"], "birth_date": data["birth_date"], "birth_month": data["birth_date"].month,
                  "category": data["category"], "hire_date": data.get("hire_date"), "position": data.get("position"),
                  "phone": data.get("phone"), "id_number": data["id_number"], "union_group_id": group_id,
                  "join_date": data.get("join_date"), "status": status, "live": status in LIVE_STATUSES,
                  "left_reason": None, "transferred_from_id": None, "transferred_to_school": None, "version": 1,
                  "created_at": now, "updated_at": now}
        row = SimpleNamespace(**values)
        if status == "active":
            envelope, outbox_row = uow.stage("membership.member_admitted", {
                "member": views.snapshot(row, group), "admitted_on": today, "via": "enrolment"})
        else:
            envelope, outbox_row = uow.stage("membership.member_applied", {
                "member": views.snapshot(row, group), "applied_on": today})
        history = {"school": school, "member_id": row.id, "from_status": None, "to_status": status,
                   "effective_on": today, "reason": "enrolment" if status == "active" else "application",
                   "counterpart_school": None, "actor": uow.context.actor, "recorded_at": now}
        try:
            db.execute(_ADMIT, {**_params("m_", values), **_params("h_", history), **_params("o_", outbox_row)})
        except db.integrity_error as exc:
            _integrity(db, exc, school, row.id_number)
    uow.written([envelope])
    return views.member(row, group)


def update(uow, school: str, member_id: int, data: dict) -> dict:
    """会员信息修改 as one read and one statement guarded by the member's version."""
    uow.require_scope(school)
    for _attempt in range(RETRIES):
        with uow.direct() as conn:
            db = _Db(conn)
            names, rows = db.execute(_UPDATE_PROBE, {"id": member_id, "school": school,
                                                     "group": data.get("union_group_id")})
            if not rows:
                raise NotFound("member_not_found", params={"id": member_id})
            found = dict(zip(names, rows[0]))
            row = SimpleNamespace(**{c: found[c] for c in _COLUMNS})
            if row.status in model.TERMINAL_STATUSES:
                raise Conflict("member_closed", params={"status": row.status})
            wanted = checked_update(row.id_number, data, lambda id_number: model.check_one_live_membership(
                _live(db, id_number), school, except_member=row.id))
            group = found["group_name"]
            if "union_group_id" in wanted:
                if wanted["union_group_id"] is not None and found["chosen_group"] is None:
                    raise ValidationFailed(fields={"union_group_id": ["group_not_found"]})
                if wanted["union_group_id"] != row.union_group_id:
                    group = found["chosen_group"]
            changed = [k for k, v in wanted.items() if getattr(row, k) != v]
            if not changed:
                return views.member(row, group)
            values = {k: wanted[k] for k in changed}
            if "birth_date" in changed:
                values["birth_month"] = wanted["birth_date"].month
            seen = row.version
            values.update(version=seen + 1, updated_at=utcnow())
            for key, value in values.items():
                setattr(row, key, value)
            envelope, outbox_row = uow.stage("membership.member_updated", {
                "member": views.snapshot(row, group), "changed": announced_changes(changed)})
            params = {"id": member_id, "school": school, "seen": seen, **_params("m_", values),
                      **_params("o_", outbox_row)}
            try:
                written = db.execute(_update_statement(tuple(values)), params)[1]
            except db.integrity_error as exc:
                _integrity(db, exc, school, values.get("id_number"), member_id)
        if written:
            uow.written([envelope])
            return views.member(row, group)
    raise Conflict("member_busy", params={"id": member_id, "retry_after": 1})
