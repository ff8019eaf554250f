"""Membership database (会员管理库): schools registry, members with status history, union groups,
committee positions, and the audit of personal-data reads."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import TenantMixin, install_kit_tables, make_base, utcnow

Base = make_base()
KIT = install_kit_tables(Base.metadata)

LIVE_STATUSES = ("applicant", "active", "retired")


class School(Base):
    """学校工会: a tenant. Not tenant-scoped itself: the district keeps the registry."""
    __tablename__ = "schools"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    area: Mapped[str | None] = mapped_column(String(100))
    staff_headcount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class UnionGroup(TenantMixin, Base):
    """工会小组, with its leader (工会小组长)."""
    __tablename__ = "union_groups"
    __table_args__ = (UniqueConstraint("school", "name", name="uq_union_groups_school_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    leader_member_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Member(TenantMixin, Base):
    """会员: one membership at one school. A transfer closes this row and opens another at the new
    school with the same ``person_key``; history is never overwritten."""
    __tablename__ = "members"
    __table_args__ = (
        # one live membership per person in the whole district (ID number = person)
        Index("uq_members_live_id_number", "id_number", unique=True,
              postgresql_where=text("live"), sqlite_where=text("live = 1")),
        Index("ix_members_school_status", "school", "status"),
        Index("ix_members_school_birth_month", "school", "birth_month"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_key: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    gender: Mapped[str] = mapped_column(String(8), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    birth_month: Mapped[int] = mapped_column(Integer, nullable=False)
    category: Mapped[str] = mapped_column(String(24), nullable=False)
    hire_date: Mapped[date | None] = mapped_column(Date)
    position: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(18), nullable=False)
    union_group_id: Mapped[int | None] = mapped_column(ForeignKey("union_groups.id"))
    join_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    live: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    left_reason: Mapped[str | None] = mapped_column(String(200))
    transferred_from_id: Mapped[int | None] = mapped_column(Integer)
    transferred_to_school: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    def set_status(self, status: str) -> None:
        self.status = status
        self.live = status in LIVE_STATUSES


class StatusChange(TenantMixin, Base):
    """会员状态变更记录: every status a member ever had, with who changed it and why."""
    __tablename__ = "member_status_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), nullable=False, index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    effective_on: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(200))
    counterpart_school: Mapped[str | None] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class CommitteePosition(TenantMixin, Base):
    """工会委员会委员分工: a member holding a portfolio for a term."""
    __tablename__ = "committee_positions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), nullable=False)
    portfolio: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str | None] = mapped_column(String(60))
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)


class PiiRead(TenantMixin, Base):
    """个人信息查阅记录: every unmasked read of an ID or phone number by an officer."""
    __tablename__ = "pii_reads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    fields: Mapped[str] = mapped_column(String(60), nullable=False)
    actor: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    read_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
