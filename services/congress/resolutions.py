"""决议登记簿: adopted motions on the register with their documents and enforcement (行政必须执行)."""
from __future__ import annotations

from sqlalchemy import func, select

from services.congress.common import get_or_404, iso
from services.congress.domain import rules
from services.congress.orm import Resolution


def register(uow, school: str, congress_session, poll, adopted_on) -> int:
    """An adopted motion enters the register, numbered within its session (八届五次决议第1号)."""
    count = uow.session.scalar(select(func.count()).select_from(Resolution)
                               .where(Resolution.session_id == congress_session.id)) or 0
    resolution = Resolution(school=school, session_id=congress_session.id, poll_id=poll.id,
                            number=f"{rules.session_label(congress_session.term_no, congress_session.session_no)}"
                                   f"决议第{count + 1}号",
                            title=poll.title, adopted_on=adopted_on, documents=[], enforcement="to_implement")
    uow.session.add(resolution)
    uow.session.flush()
    return resolution.id


def search(session, query: dict) -> dict:
    """决议登记簿, newest first; by session and enforcement (行政执行情况)."""
    stmt = select(Resolution)
    for key in ("session_id", "enforcement"):
        if query.get(key):
            stmt = stmt.where(getattr(Resolution, key) == query[key])
    page, size = query.get("page", 1), query.get("page_size", 50)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Resolution.adopted_on.desc(), Resolution.id.desc())
                           .offset((page - 1) * size).limit(size))
    return {"items": [resolution_view(r) for r in rows], "total": total, "page": page, "page_size": size}


def resolution_view(r: Resolution) -> dict:
    return {"id": r.id, "session_id": r.session_id, "poll_id": r.poll_id, "number": r.number, "title": r.title,
            "adopted_on": iso(r.adopted_on), "documents": r.documents, "enforcement": r.enforcement,
            "enforcement_note": r.enforcement_note}


def update(uow, resolution_id: int, data: dict) -> dict:
    r = get_or_404(uow.session, Resolution, int(resolution_id), "resolution_not_found")
    for key in ("documents", "enforcement", "enforcement_note"):
        if key in data:
            setattr(r, key, data[key])
    uow.commit()
    return resolution_view(r)
