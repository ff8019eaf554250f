"""The events database (文体活动与工作计划服务). Every table of a school union's data carries
TenantMixin; the district's own records (competitions, annual tasks) do not."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import install_kit_tables, make_base
from shared.db.base import TenantMixin, utcnow
from shared.directory import directory_models

Base = make_base()
KIT = install_kit_tables(Base.metadata)
DirectoryMember, DirectoryGroup = directory_models(Base)

MONEY = Numeric(12, 2)


class Activity(TenantMixin, Base):
    """活动: a sport, culture, festival, trip ... with its schedule, seats and registration window.
    ``seats_taken`` counts registrations holding a seat; ``seq`` numbers arrivals (the waiting list
    order); both change only under this row's lock, and the database itself refuses overbooking."""
    __tablename__ = "activities"
    __table_args__ = (CheckConstraint("capacity IS NULL OR seats_taken <= capacity", name="no_overbooking"),
                      CheckConstraint("seats_taken >= 0", name="seats_not_negative"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    edition: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(120))
    capacity: Mapped[int | None] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_seated: Mapped[bool | None] = mapped_column(Boolean)   # did the last arrival get a seat
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    requires_approval: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    fee_per_person: Mapped[Decimal | None] = mapped_column(MONEY)
    subsidy_per_person: Mapped[Decimal | None] = mapped_column(MONEY)
    offer_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=48)
    compulsory: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    compulsory_group_ids: Mapped[list | None] = mapped_column(JSON)
    survey_open: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Registration(TenantMixin, Base):
    """报名: one member's place in one activity (one row per member and activity)."""
    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("activity_id", "member_id"),
                      Index("ix_registrations_activity_status_seq", "activity_id", "status", "seq"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), nullable=False)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    group_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    route_id: Mapped[int | None] = mapped_column(Integer)
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    registered_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    registered_by: Mapped[str | None] = mapped_column(String(64))


class TripRoute(TenantMixin, Base):
    """出游线路: one of several routes of a trip, led by a union committee member (带队委员)."""
    __tablename__ = "trip_routes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    leader_member_id: Mapped[int | None] = mapped_column(Integer)
    leader_name: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str | None] = mapped_column(Text)


class TripIntention(TenantMixin, Base):
    """意向征询: a member's answer to a trip's intention survey."""
    __tablename__ = "trip_intentions"
    __table_args__ = (UniqueConstraint("activity_id", "member_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), nullable=False)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    joining: Mapped[bool] = mapped_column(Boolean, nullable=False)
    route_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Expense(TenantMixin, Base):
    """活动经费: an expense or a per-person subsidy of an activity, requested from finance; its
    status follows finance's answers (received, approved, rejected, paid)."""
    __tablename__ = "expenses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    purpose: Mapped[str] = mapped_column(String(200), nullable=False)
    budget_category: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="requested")
    reason: Mapped[str | None] = mapped_column(String(300))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    entry_id: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    requested_on: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Tournament(TenantMixin, Base):
    """赛事: prelims by union group (round robin) or a final (knockout), of members or teams."""
    __tablename__ = "tournaments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    format: Mapped[str] = mapped_column(String(16), nullable=False)
    unit: Mapped[str] = mapped_column(String(16), nullable=False, default="member")
    points_win: Mapped[int] = mapped_column(Integer, nullable=False, default=2)
    points_draw: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    points_loss: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    allow_draw: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    draw_seed: Mapped[int | None] = mapped_column(Integer)   # 抽签: the lot's seed, so the draw can be checked
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class Entrant(TenantMixin, Base):
    """参赛者: a member or a team (a union group's, or a school's in a friendly) in one tournament."""
    __tablename__ = "entrants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    member_id: Mapped[int | None] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(Integer)
    pool: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    seed: Mapped[int | None] = mapped_column(Integer)
    roster: Mapped[list | None] = mapped_column(JSON)      # a team's players: [{member_id, name}]


class Match(TenantMixin, Base):
    """对阵: one match of the draw; in a knockout the winner moves to ``next_match_id``."""
    __tablename__ = "matches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tournament_id: Mapped[int] = mapped_column(ForeignKey("tournaments.id"), nullable=False)
    pool: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    slot: Mapped[int] = mapped_column(Integer, nullable=False)
    a_id: Mapped[int | None] = mapped_column(Integer)
    b_id: Mapped[int | None] = mapped_column(Integer)
    score_a: Mapped[int | None] = mapped_column(Integer)
    score_b: Mapped[int | None] = mapped_column(Integer)
    winner_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="scheduled")
    next_match_id: Mapped[int | None] = mapped_column(Integer)
    next_side: Mapped[str | None] = mapped_column(String(1))


class Award(TenantMixin, Base):
    """奖项: a prize of a tournament or an activity (一等奖, 冠军 ...)."""
    __tablename__ = "awards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tournament_id: Mapped[int | None] = mapped_column(ForeignKey("tournaments.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    title: Mapped[str] = mapped_column(String(60), nullable=False)
    rank: Mapped[int | None] = mapped_column(Integer)
    entrant_id: Mapped[int | None] = mapped_column(Integer)
    member_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    awarded_on: Mapped[date] = mapped_column(Date, nullable=False)


class Competition(Base):
    """区级比赛: a competition the district runs (全区教职工乒乓球赛, 校长杯 ...); not a tenant row."""
    __tablename__ = "competitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    held_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(120))
    entries_close_on: Mapped[date | None] = mapped_column(Date)
    max_athletes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class CompetitionEntry(TenantMixin, Base):
    """参赛报名: a school's team and athletes in a district competition, and its result."""
    __tablename__ = "competition_entries"
    __table_args__ = (UniqueConstraint("competition_id", "school", "team_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"), nullable=False)
    team_name: Mapped[str] = mapped_column(String(120), nullable=False)
    athletes: Mapped[list] = mapped_column(JSON, nullable=False)
    rank: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    award: Mapped[str | None] = mapped_column(String(60))
    entered_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class DistrictTask(Base):
    """区教育工会年度任务: a task the district sets for a year that every school plan must include."""
    __tablename__ = "district_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    month: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class WorkPlan(TenantMixin, Base):
    """年度工作计划: one per school and year."""
    __tablename__ = "work_plans"
    __table_args__ = (UniqueConstraint("school", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    guiding_idea: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class PlanItem(TenantMixin, Base):
    """具体工作安排: one month's item of the plan, with its owner, status and the record fulfilling
    it in any service (``link_service``/``link_kind``/``link_id``)."""
    __tablename__ = "plan_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("work_plans.id"), nullable=False, index=True)
    month: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    owner: Mapped[str | None] = mapped_column(String(60))
    category: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    district_task_id: Mapped[int | None] = mapped_column(Integer)
    link_service: Mapped[str | None] = mapped_column(String(32))
    link_kind: Mapped[str | None] = mapped_column(String(40))
    link_id: Mapped[str | None] = mapped_column(String(64))


class CommitteeSeat(TenantMixin, Base):
    """工会委员会委员分工 as membership last announced it (``membership.committee_changed``): who
    may lead a trip route (带队委员). A position that ended stays ended."""
    __tablename__ = "committee_positions"
    __table_args__ = (Index("ix_committee_positions_school_member", "school", "member_id"),)
    position_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    portfolio: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str | None] = mapped_column(String(60))
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)


class KnownSchool(Base):
    """学校工会 as membership announced them: the district's list of schools (for plan compliance)."""
    __tablename__ = "known_schools"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
