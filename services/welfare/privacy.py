"""个人隐私: the confidential records of this service (慰问记录, 女职工“四期”保护, 维权个案) are
seen by welfare officers and the union chair, and by the member concerned; every read of one by
an officer, in a list or alone, is recorded (查阅留痕) and shown to the union chair."""
from __future__ import annotations

from sqlalchemy import select

from services.welfare import members
from services.welfare.orm import CareRead
from services.welfare.paging import page
from shared.db.base import utcnow

RECORDS = ("care_case", "protection", "rights_case")


def audit(session, school: str, context, record: str, ids: list[int], via: str) -> None:
    """Record that an officer read the confidential records ``ids`` of kind ``record``."""
    if not members.is_officer(context) or not ids:
        return
    now = utcnow()
    session.add_all([CareRead(school=school, record=record, case_id=i, actor=context.actor or "?", role=context.role,
                              via=via, read_at=now) for i in ids])


def reads(session, query: dict) -> dict:
    stmt = select(CareRead)
    if query.get("record"):
        stmt = stmt.where(CareRead.record == query["record"])
    if query.get("actor"):
        stmt = stmt.where(CareRead.actor == query["actor"])
    return page(session, stmt.order_by(CareRead.id.desc()), query, lambda r: {
        "record": r.record, "record_id": r.case_id, "case_id": r.case_id, "actor": r.actor, "role": r.role,
        "via": r.via, "read_at": r.read_at})


def own_only(context) -> int | None:
    """The member a non-officer is limited to (-1: an account with no member sees nothing)."""
    if members.is_officer(context):
        return None
    return int(context.member_id) if context.member_id is not None else -1
