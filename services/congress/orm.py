"""The congress database (教代会服务). Every table of a school union's data carries TenantMixin.

Secret ballots (无记名投票) live in two tables with nothing in common but the poll: ``poll_voters``
says who has voted (its primary key is the one-ballot-per-delegate constraint) and ``ballots``
holds the choices under random receipt codes. Neither has a time, a sequence or an autoincrement
id; at close the poll's ballots are rewritten in receipt order so that even the physical row
order carries no trace of when a ballot was cast.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, true, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import install_kit_tables, make_base
from shared.db.base import TenantMixin, utcnow
from shared.directory import directory_models

Base = make_base()
KIT = install_kit_tables(Base.metadata)
DirectoryMember, DirectoryGroup = directory_models(Base)


class KnownSchool(Base):
    """学校工会 as membership announced them (for the district's "no session this year" view)."""
    __tablename__ = "known_schools"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class CongressSession(TenantMixin, Base):
    """教代会会议: 八届五次, in one mode, with its rules in force."""
    __tablename__ = "congress_sessions"
    __table_args__ = (UniqueConstraint("school", "term_no", "session_no", name="uq_congress_sessions_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term_no: Mapped[int] = mapped_column(Integer, nullable=False)
    session_no: Mapped[int] = mapped_column(Integer, nullable=False)
    mode: Mapped[str] = mapped_column(String(24), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    central_topic: Mapped[str | None] = mapped_column(Text)
    school_year: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    quorum_rule: Mapped[dict] = mapped_column(JSON, nullable=False)
    pass_rule: Mapped[dict] = mapped_column(JSON, nullable=False)
    election_rule: Mapped[dict] = mapped_column(JSON, nullable=False)
    min_cosigners: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    min_group_size: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    proposals_open_on: Mapped[date | None] = mapped_column(Date)
    proposals_close_on: Mapped[date | None] = mapped_column(Date)
    convened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Sitting(TenantMixin, Base):
    """会期: one day of a session (九届一次 sat on 3月31日 and 4月7日)."""
    __tablename__ = "sittings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_sessions.id"), nullable=False, index=True)
    sitting_date: Mapped[date] = mapped_column(Date, nullable=False)
    checkin_code: Mapped[str] = mapped_column(String(12), nullable=False)


class AgendaItem(TenantMixin, Base):
    """议程: typed by the congress power it uses (听取报告, 审议通过, 评议监督, 建议, 决定)."""
    __tablename__ = "agenda_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_sessions.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    power: Mapped[str] = mapped_column(String(24), nullable=False)
    presenter: Mapped[str | None] = mapped_column(String(60))
    audit_id: Mapped[int | None] = mapped_column(Integer)


class Delegate(TenantMixin, Base):
    """教代会代表 of one term, elected from the members; a vacancy when the member leaves."""
    __tablename__ = "delegates"
    __table_args__ = (UniqueConstraint("school", "term_no", "member_id", name="uq_delegates_term_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    term_no: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    category: Mapped[str] = mapped_column(String(24), nullable=False)
    constituency_group_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    elected_on: Mapped[date | None] = mapped_column(Date)
    vacated_on: Mapped[date | None] = mapped_column(Date)
    vacancy_reason: Mapped[str | None] = mapped_column(String(40))
    poll_id: Mapped[int | None] = mapped_column(Integer)                 # the election that elected them, if any
    filled_by: Mapped[int | None] = mapped_column(Integer)               # a vacancy: the delegate elected to fill it


class Attendance(TenantMixin, Base):
    """签到: one row per delegate present at a sitting."""
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("sitting_id", "member_id", name="uq_attendance_sitting_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("sittings.id"), nullable=False, index=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    checked_in_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Poll(TenantMixin, Base):
    """表决 / 选举 / 测评: a secret poll on an agenda item."""
    __tablename__ = "polls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_sessions.id"), nullable=False, index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    kind: Mapped[str] = mapped_column(String(16), nullable=False)        # motion | election | evaluation
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    options: Mapped[list] = mapped_column(JSON, nullable=False)          # candidates or subjects
    seats: Mapped[int | None] = mapped_column(Integer)
    max_choices: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str | None] = mapped_column(String(40))              # election: delegates, union_committee…
    term_no: Mapped[int | None] = mapped_column(Integer)                 # delegate election: the term elected for
    constituency_group_id: Mapped[int | None] = mapped_column(Integer)   # delegate election: its 选区 (union group)
    rule: Mapped[dict] = mapped_column(JSON, nullable=False)
    breakdown: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    secret: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    hands: Mapped[dict | None] = mapped_column(JSON)                     # 举手表决: counts by the tellers
    sitting_id: Mapped[int | None] = mapped_column(ForeignKey("sittings.id"))
    eligible: Mapped[int | None] = mapped_column(Integer)
    present: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict | None] = mapped_column(JSON)
    runoff_of: Mapped[int | None] = mapped_column(Integer)
    audit_id: Mapped[int | None] = mapped_column(Integer)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class PollRoll(TenantMixin, Base):
    """选民名册: who may vote in a poll, fixed when it opens (with the breakdown bucket)."""
    __tablename__ = "poll_roll"
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket: Mapped[str | None] = mapped_column(String(40))


class PollVoter(TenantMixin, Base):
    """已投票: who has voted, and nothing else. The primary key is the one-ballot rule."""
    __tablename__ = "poll_voters"
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class Ballot(TenantMixin, Base):
    """选票: a choice under a random receipt code; no voter, no time, no sequence."""
    __tablename__ = "ballots"
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), primary_key=True)
    receipt: Mapped[str] = mapped_column(String(20), primary_key=True)
    choice: Mapped[str] = mapped_column(Text, nullable=False)            # JSON text
    bucket: Mapped[str | None] = mapped_column(String(40))


class Resolution(TenantMixin, Base):
    """决议: an adopted motion on the register, with its documents and enforcement (行政必须执行)."""
    __tablename__ = "resolutions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_sessions.id"), nullable=False, index=True)
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"))
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    adopted_on: Mapped[date] = mapped_column(Date, nullable=False)
    documents: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    enforcement: Mapped[str] = mapped_column(String(24), nullable=False, default="to_implement")
    enforcement_note: Mapped[str | None] = mapped_column(Text)


class Proposal(TenantMixin, Base):
    """提案: submitted by a delegate with co-signers, reviewed, assigned, answered and tracked."""
    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_school_status", "school", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("congress_sessions.id"), nullable=False, index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[str | None] = mapped_column(String(40))
    submitter_member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    submitter_name: Mapped[str] = mapped_column(String(60), nullable=False)
    cosigners: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(24), nullable=False, default="submitted")
    decline_reason: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(60))
    responsible: Mapped[str | None] = mapped_column(String(60))
    due_on: Mapped[date | None] = mapped_column(Date)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None] = mapped_column(Date)
    track_note: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    reminded_on: Mapped[date | None] = mapped_column(Date)
    submitted_on: Mapped[date] = mapped_column(Date, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class ProposalEntry(TenantMixin, Base):
    """提案办理记录: every step and milestone of a proposal, in order."""
    __tablename__ = "proposal_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    on: Mapped[date] = mapped_column(Date, nullable=False)
    actor: Mapped[str | None] = mapped_column(String(80))


class Notice(TenantMixin, Base):
    """校务公开: a notice by category, published to all members and filed with the district (备案)."""
    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_school_month", "school", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    channels: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    published_on: Mapped[date] = mapped_column(Date, nullable=False)
    month: Mapped[str] = mapped_column(String(7), nullable=False)
    filed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(80))


class Suggestion(TenantMixin, Base):
    """意见箱: a staff suggestion and the union's reply."""
    __tablename__ = "suggestions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    submitted_on: Mapped[date] = mapped_column(Date, nullable=False)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None] = mapped_column(Date)


class AuditItem(TenantMixin, Base):
    """经审会审查报告 received from finance, waiting for the congress to approve it."""
    __tablename__ = "audit_items"
    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    summary: Mapped[str] = mapped_column(Text, nullable=False)
    findings: Mapped[int] = mapped_column(Integer, nullable=False)
    submitted_on: Mapped[date] = mapped_column(Date, nullable=False)
    session_id: Mapped[int | None] = mapped_column(Integer)
    poll_id: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str | None] = mapped_column(String(16))


class Meeting(TenantMixin, Base):
    """会议与培训记录: the union's own congress-related meetings besides the sessions: preparation
    (筹备会), delegate training (代表培训), the joint party-administration-union meeting (党政工联席会),
    symposia (教职工/党外人士/退休教职工座谈会), the performance-pay supervision group (绩效工资监督小组)
    and the disclosure groups (校务公开领导/监督小组), with who attended, the minutes and the points
    raised with their follow-up."""
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_school_held_on", "school", "held_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    place: Mapped[str | None] = mapped_column(String(200))
    host: Mapped[str | None] = mapped_column(String(80))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("congress_sessions.id"))
    attendee_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    headcount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    minutes: Mapped[str | None] = mapped_column(Text)
    points: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    actor: Mapped[str | None] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class ArchiveFiling(TenantMixin, Base):
    """教代会档案报送 (C30): a school year's congress archive as submitted to the district, the
    compiled contents kept as they were at submission; a later submission is a new revision."""
    __tablename__ = "archive_filings"
    __table_args__ = (UniqueConstraint("school", "school_year", name="uq_archive_filings_school_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_year: Mapped[int] = mapped_column(Integer, nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    submitted_on: Mapped[date] = mapped_column(Date, nullable=False)
    actor: Mapped[str | None] = mapped_column(String(80))
    contents: Mapped[dict] = mapped_column(JSON, nullable=False)
