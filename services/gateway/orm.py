"""Gateway database: accounts, login throttling, idempotency records and the schools read model
(kept from membership events, so every route can 404 an unknown school without a call)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import install_kit_tables, make_base, utcnow

Base = make_base()
KIT = install_kit_tables(Base.metadata)


class Account(Base):
    """登录账号 with one role; school is empty only for district roles."""
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    school: Mapped[str | None] = mapped_column(String(32), index=True)
    member_id: Mapped[int | None] = mapped_column(Integer)
    display_name: Mapped[str | None] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class LoginThrottle(Base):
    """Consecutive failed logins per username; kept in the database so that every gateway
    instance slows the same attacker down."""
    __tablename__ = "login_throttle"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime)


class TokenRevocation(Base):
    """令牌作废: tokens of ``username`` issued before ``not_before_ms`` are refused (deactivation,
    password change). Only accounts that ever had tokens revoked have a row."""
    __tablename__ = "token_revocations"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    not_before_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class IdempotencyRecord(Base):
    """The answer to a POST sent with an ``Idempotency-Key``, replayed when the key comes again.
    ``status`` 0 marks a request still running: a concurrent repeat gets 409, not a second run."""
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("account", "key", name="uq_idempotency_account_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(64), nullable=False)
    key: Mapped[str] = mapped_column(String(128), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class KnownSchool(Base):
    """Schools read model, from ``membership.school_registered`` / ``school_updated``."""
    __tablename__ = "known_schools"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class ReadDoc(Base):
    """Documents of the read models that plugins ask the gateway to host (``shared.plugins.ReadModel``),
    kept current from their events and from the gateway's own writes."""
    __tablename__ = "read_docs"
    __table_args__ = (
        Index("ix_read_docs_tag1", "collection", "school", "tag1"),
        Index("ix_read_docs_tag2", "collection", "school", "tag2"),
        Index("ix_read_docs_tag3", "collection", "school", "tag3"),
        Index("ix_read_docs_school_gen", "school", "gen"),
    )
    collection: Mapped[str] = mapped_column(String(40), primary_key=True)
    school: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    tag1: Mapped[str | None] = mapped_column(String(40))
    tag2: Mapped[str | None] = mapped_column(String(40))
    tag3: Mapped[str | None] = mapped_column(String(40))
    search: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(Text, nullable=False)
    gen: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")


class ReadGen(Base):
    """读模型版本号: the school's read-model generation, taken (and its row locked) by every write of
    the school's documents; each gateway process compares it with the copy it holds in memory."""
    __tablename__ = "read_gens"
    school: Mapped[str] = mapped_column(String(32), primary_key=True)
    gen: Mapped[int] = mapped_column(BigInteger, nullable=False)


class ReadSettle(Base):
    """A bulk write whose events are still arriving: reads of ``collection`` for ``school`` go to the
    service until the read model holds ``expected`` documents (or ``until`` passes)."""
    __tablename__ = "read_settles"
    collection: Mapped[str] = mapped_column(String(40), primary_key=True)
    school: Mapped[str] = mapped_column(String(32), primary_key=True)
    expected: Mapped[int] = mapped_column(Integer, nullable=False)
    until: Mapped[datetime] = mapped_column(DateTime, nullable=False)
