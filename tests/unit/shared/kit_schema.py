"""A tiny tenant schema of its own, so the platform kit is tested without any service's tables."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import TenantMixin, install_kit_tables, make_base

Base = make_base()
KIT = install_kit_tables(Base.metadata)


class Note(TenantMixin, Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(60), nullable=False)


class Comment(TenantMixin, Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id"), nullable=False)
    text: Mapped[str] = mapped_column(String(60), nullable=False)


class Region(Base):
    """Not a tenant row: every school sees it."""
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)


def everything(sessions, model=Note, column="title"):
    """Every row of ``model`` as the district sees it: (school, value) pairs."""
    with sessions(None) as district:
        return sorted(district.execute(select(model.school, getattr(model, column))).all())
