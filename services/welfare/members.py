"""Members as this service knows them: its own directory (会员名录), fed by membership events."""
from __future__ import annotations

from shared.directory import LIVE

from services.welfare.domain.errors import WelfareForbidden, WelfareInvalid, WelfareNotFound
from services.welfare.orm import DirectoryMember

OFFICERS = frozenset({"welfare_officer", "school_admin"})
PAYMENT_READERS = OFFICERS | {"finance_officer", "auditor"}   # payments are finance's records too


def member(session, member_id: int, *, field: str | None = "member_id", live: bool = True,
           lock: bool = False) -> DirectoryMember:
    """The member of this school union, or a field error naming ``field`` (a member of another
    school is as unknown here as one who never existed); ``field=None``: the member named in the
    path, so 404."""
    if lock:
        from sqlalchemy import select
        row = session.scalars(select(DirectoryMember).where(DirectoryMember.member_id == int(member_id))
                              .with_for_update()).first()
    else:
        row = session.get(DirectoryMember, int(member_id))
    if row is None or row.school not in (session.info.get("schools") or {row.school}):
        if field is None:
            raise WelfareNotFound("welfare_member_unknown")
        raise WelfareInvalid("welfare_member_unknown", fields={field: ["welfare_member_unknown"]})
    if live and row.status not in LIVE:
        raise WelfareInvalid("welfare_member_not_live", fields={field: ["welfare_member_not_live"]})
    return row


def lock(session, member_ids) -> None:
    """Lock the directory rows of ``member_ids`` in id order (serialises checks that span them)."""
    from sqlalchemy import select
    ids = sorted({int(i) for i in member_ids})
    if ids:
        session.scalars(select(DirectoryMember.member_id).where(DirectoryMember.member_id.in_(ids))
                        .order_by(DirectoryMember.member_id).with_for_update()).all()


def require_self_or_officer(context, member_id: int, officers=OFFICERS) -> None:
    """Officers (welfare officer, union chair) act for anyone; a member only for themself."""
    if context.role in officers:
        return
    if context.member_id is None or int(context.member_id) != int(member_id):
        raise WelfareForbidden("welfare_own_records_only")


def is_officer(context) -> bool:
    return context.role in OFFICERS
