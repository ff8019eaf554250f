"""Lists as the platform answers them: ``{"items", "total", "page", "page_size"}``."""
from __future__ import annotations

from sqlalchemy import func, select

DEFAULT = {"page": 1, "page_size": 50}


def page(session, stmt, query: dict | None, view, **extra) -> dict:
    """One page of ``stmt`` (an ordered select of ORM rows), each row through ``view``; ``total``
    counts every matching row."""
    query = {**DEFAULT, **{k: v for k, v in (query or {}).items() if v is not None}}
    number, size = query["page"], query["page_size"]
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.offset((number - 1) * size).limit(size))
    return {**extra, "items": [view(r) for r in rows], "total": total, "page": number, "page_size": size}


def page_of(items: list, query: dict | None, **extra) -> dict:
    """One page of a list already built (for lists computed in Python)."""
    query = {**DEFAULT, **{k: v for k, v in (query or {}).items() if v is not None}}
    number, size = query["page"], query["page_size"]
    return {**extra, "items": items[(number - 1) * size: number * size], "total": len(items), "page": number,
            "page_size": size}
