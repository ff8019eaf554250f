"""Lists are pages: ``{"items", "total", "page", "page_size"}`` from ``?page=&page_size=``."""
from __future__ import annotations

from sqlalchemy import func, select

DEFAULT_SIZE = 50


def page(session, stmt, query: dict | None, view, default_size: int = DEFAULT_SIZE) -> dict:
    """One page of an ordered ORM select, each row shown through ``view``."""
    query = query or {}
    number, size = query.get("page", 1), query.get("page_size", default_size)
    total = session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = session.execute(stmt.offset((number - 1) * size).limit(size)).scalars().all()
    return {"items": [view(r) for r in rows], "total": total, "page": number, "page_size": size}
