from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def make_base():
    """A declarative base with its own metadata: one per service database."""
    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING)
    return Base


class TenantMixin:
    """A row that belongs to one school union. Reads are filtered to the unit of work's schools
    and flushing a row of another school is refused (``shared.db.session``)."""

    @declared_attr
    def school(cls) -> Mapped[str]:
        return mapped_column(String(32), index=True, nullable=False)
