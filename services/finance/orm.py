"""The finance database (工会经费服务). Every table of a school union's data carries TenantMixin.

Posted entries (``Entry``, ``EntryLine``) are write-once: any session that tries to change or
delete one (by the ORM or by an UPDATE/DELETE statement) is refused before anything reaches the
database; a mistake is corrected by a reversal entry.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint,
                        event)
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import TenantMixin, install_kit_tables, make_base, utcnow
from shared.directory import directory_models

Base = make_base()
KIT = install_kit_tables(Base.metadata)
DirectoryMember, DirectoryGroup = directory_models(Base)
Amount = Numeric(14, 2)


class KnownSchool(Base):
    """学校工会 as membership announced them (the district's filing roll needs every school)."""
    __tablename__ = "known_schools"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)


class ChartAccount(Base):
    """A district change to the default chart of accounts (an added or renamed account)."""
    __tablename__ = "chart_accounts"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str | None] = mapped_column(String(32), unique=True)


class FinancePolicy(Base):
    """经费规则 set by the district: ``scope`` is ``district`` (for every school) or a school code
    (that school only); an empty value inherits (school -> district -> the service's settings)."""
    __tablename__ = "finance_policies"
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    officer_limit: Mapped[Decimal | None] = mapped_column(Amount)
    chair_limit: Mapped[Decimal | None] = mapped_column(Amount)
    dues_rate: Mapped[Decimal | None] = mapped_column(Numeric(6, 5))
    dues_base_step: Mapped[Decimal | None] = mapped_column(Amount)
    dues_rounding: Mapped[str | None] = mapped_column(String(12))
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class Period(TenantMixin, Base):
    """会计期间 (a month) and its state: open, adjusting or closed."""
    __tablename__ = "periods"
    __table_args__ = (UniqueConstraint("school", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(7), nullable=False)
    state: Mapped[str] = mapped_column(String(12), nullable=False, default="open")
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(String(64))


class ChainHead(TenantMixin, Base):
    """The newest link of a school's hash chain; locked while an entry is posted, so that entries
    of one school are chained one after another even with many posters."""
    __tablename__ = "chain_heads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    __table_args__ = (UniqueConstraint("school"),)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    head: Mapped[str] = mapped_column(String(64), nullable=False)


class Entry(TenantMixin, Base):
    """记账凭证, posted: never updated or deleted."""
    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("school", "seq"), UniqueConstraint("reverses_id"),
                      Index("ix_entries_school_period", "school", "period"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    period: Mapped[str] = mapped_column(String(7), nullable=False)
    entry_date: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    memo: Mapped[str] = mapped_column(String(200), nullable=False)
    source: Mapped[str | None] = mapped_column(String(80))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    posted_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    posted_by: Mapped[str | None] = mapped_column(String(64))


class EntryLine(TenantMixin, Base):
    """A debit or credit of an entry (分录); ``period`` is copied from the entry for the reports."""
    __tablename__ = "entry_lines"
    __table_args__ = (Index("ix_entry_lines_school_period_account", "school", "period", "account",
                            postgresql_include=["debit", "credit"]),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), nullable=False, index=True)
    period: Mapped[str] = mapped_column(String(7), nullable=False)
    account: Mapped[str] = mapped_column(String(16), nullable=False)
    debit: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    credit: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    memo: Mapped[str | None] = mapped_column(String(200))


class Budget(TenantMixin, Base):
    """预算: the amount of one category in one year."""
    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("school", "year", "category"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class SpendingRequest(TenantMixin, Base):
    """经费申请: from welfare, events or a finance officer; recorded once per ``request_id``."""
    __tablename__ = "spending_requests"
    __table_args__ = (UniqueConstraint("school", "request_id"), Index("ix_spending_requests_status", "school", "status"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(String(80), nullable=False)
    origin: Mapped[str] = mapped_column(String(12), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    purpose: Mapped[str] = mapped_column(String(200), nullable=False)
    member_id: Mapped[int | None] = mapped_column(Integer)
    requested_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    level_needed: Mapped[str] = mapped_column(String(16), nullable=False)
    approval_level: Mapped[str | None] = mapped_column(String(16))
    committee_resolution: Mapped[str | None] = mapped_column(String(200))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str | None] = mapped_column(String(200))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    entry_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class DuesBase(TenantMixin, Base):
    """会费基数: a member's wage base of a year and the monthly dues it gives."""
    __tablename__ = "dues_bases"
    __table_args__ = (UniqueConstraint("school", "member_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    wage_base: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    monthly: Mapped[Decimal] = mapped_column(Amount, nullable=False)


class DuesCharge(TenantMixin, Base):
    """应缴会费 of one member in one month, and what was collected (收缴)."""
    __tablename__ = "dues_charges"
    __table_args__ = (UniqueConstraint("school", "member_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    period: Mapped[str] = mapped_column(String(7), nullable=False)
    due: Mapped[Decimal] = mapped_column(Amount, nullable=False)
    paid: Mapped[Decimal] = mapped_column(Amount, nullable=False, default=Decimal("0.00"))
    paid_on: Mapped[date | None] = mapped_column(Date)
    entry_id: Mapped[int | None] = mapped_column(Integer)


class Audit(TenantMixin, Base):
    """经审会审查: an audit of a year by the funds review committee, its report and its path:
    draft -> submitted (to the congress) -> approved | rejected -> filed (备案, approved only)."""
    __tablename__ = "audits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="annual")
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    scope: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="draft")
    summary: Mapped[str | None] = mapped_column(Text)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    votes: Mapped[str | None] = mapped_column(String(40))
    filed_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str | None] = mapped_column(String(64))


class AuditFinding(TenantMixin, Base):
    """审查发现 and, when it needed one, its adjusting entry (调整分录)."""
    __tablename__ = "audit_findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), nullable=False, index=True)
    severity: Mapped[str] = mapped_column(String(12), nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    entry_id: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class PostedEntryImmutable(Exception):
    """A session tried to change or delete a posted entry."""


_WRITE_ONCE = (Entry, EntryLine)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_posted_entries(session, _ctx, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, _WRITE_ONCE) and (obj in session.deleted or session.is_modified(obj)):
            raise PostedEntryImmutable(type(obj).__name__)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes_to_posted_entries(state):
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in _WRITE_ONCE:
        raise PostedEntryImmutable(state.bind_mapper.class_.__name__)
