"""The welfare database (职工福利与关爱服务). Every table of a school union's data carries
TenantMixin; the district's policy rows do not (every school reads them, only district_admin
writes them)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import TenantMixin, install_kit_tables, make_base, utcnow
from shared.directory import directory_models

Base = make_base()
KIT = install_kit_tables(Base.metadata)
DirectoryMember, DirectoryGroup = directory_models(Base)

MONEY = Numeric(12, 2)


# --- 福利政策 -----------------------------------------------------------------------------------

class DistrictPolicyRule(Base):
    """区教育工会标准: one cap row per kind."""
    __tablename__ = "district_policy_rules"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    per_event: Mapped[Decimal | None] = mapped_column(MONEY)
    per_member_year: Mapped[Decimal | None] = mapped_column(MONEY)
    times_per_year: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class DistrictPolicy(Base):
    """The district's forbidden payment forms (one row, id 1); absent: the defaults apply."""
    __tablename__ = "district_policy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    forbidden_forms: Mapped[list] = mapped_column(JSON, nullable=False)
    settings: Mapped[dict | None] = mapped_column(JSON)   # retirement ages, student-aid tiers, notice days
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class SchoolPolicyRule(TenantMixin, Base):
    """学校标准: narrows the district's cap of one kind."""
    __tablename__ = "school_policy_rules"
    __table_args__ = (UniqueConstraint("school", "kind", name="uq_school_policy_rules_school_kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    per_event: Mapped[Decimal | None] = mapped_column(MONEY)
    per_member_year: Mapped[Decimal | None] = mapped_column(MONEY)
    times_per_year: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class SchoolPolicy(TenantMixin, Base):
    """Forms a school forbids on top of the district's."""
    __tablename__ = "school_policy"
    __table_args__ = (UniqueConstraint("school", name="uq_school_policy_school"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    forbidden_forms: Mapped[list] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


# --- 慰问 --------------------------------------------------------------------------------------

class CareKind(TenantMixin, Base):
    """A care-case kind a school adds to the five must-visits (e.g. 病休)."""
    __tablename__ = "care_kinds"
    __table_args__ = (UniqueConstraint("school", "code", name="uq_care_kinds_school_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    label: Mapped[str] = mapped_column(String(60), nullable=False)
    must_visit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    payment_kind: Mapped[str] = mapped_column(String(32), nullable=False, default="other")


class CareCase(TenantMixin, Base):
    """慰问记录: a life event of one member that calls for a visit."""
    __tablename__ = "care_cases"
    __table_args__ = (Index("ix_care_cases_school_status", "school", "status"),
                      Index("ix_care_cases_school_member", "school", "member_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    must_visit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    reported_by: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    visits: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    closed_on: Mapped[date | None] = mapped_column(Date)
    source_event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class CareVisit(TenantMixin, Base):
    """走访慰问: who went (with school leaders), what was brought, and notes."""
    __tablename__ = "care_visits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("care_cases.id"), nullable=False, index=True)
    visited_on: Mapped[date] = mapped_column(Date, nullable=False)
    visitors: Mapped[list] = mapped_column(JSON, nullable=False)
    leaders: Mapped[list] = mapped_column(JSON, nullable=False)
    gifts: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    payment_id: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class CareRead(TenantMixin, Base):
    """查阅留痕: every read by an officer of a confidential record (``record``: care_case,
    protection (四期), rights_case (维权个案)); ``case_id`` is that record's id."""
    __tablename__ = "case_reads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record: Mapped[str] = mapped_column(String(16), nullable=False, default="care_case", server_default="care_case")
    case_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    via: Mapped[str] = mapped_column(String(16), nullable=False)
    read_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


# --- 支付申请 ----------------------------------------------------------------------------------

class Payment(TenantMixin, Base):
    """慰问金、慰问品、生日蛋糕…: checked against the policy, asked of finance, following its answer."""
    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_cap", "school", "member_id", "kind", "year"),
                      Index("ix_payments_school_status", "school", "status"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    form: Mapped[str] = mapped_column(String(16), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    purpose: Mapped[str] = mapped_column(String(200), nullable=False)
    budget_category: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    reason: Mapped[str | None] = mapped_column(String(300))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    entry_id: Mapped[int | None] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(Integer)
    hardship_file_id: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(32))      # care_visit, birthday, outreach, mutual_aid, student_aid
    source_id: Mapped[int | None] = mapped_column(Integer)
    requested_on: Mapped[date] = mapped_column(Date, nullable=False)
    requested_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


# --- 困难职工档案 -------------------------------------------------------------------------------

class HardshipFile(TenantMixin, Base):
    """困难职工档案: one per household, from application to approval, re-checked every year."""
    __tablename__ = "hardship_files"
    __table_args__ = (Index("ix_hardship_files_school_status", "school", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    household: Mapped[list] = mapped_column(JSON, nullable=False)   # member ids of the household
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    situation: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="applied")
    applied_on: Mapped[date] = mapped_column(Date, nullable=False)
    visited_on: Mapped[date | None] = mapped_column(Date)
    visit_notes: Mapped[str | None] = mapped_column(Text)
    verified_on: Mapped[date | None] = mapped_column(Date)
    verify_notes: Mapped[str | None] = mapped_column(Text)
    notice_starts_on: Mapped[date | None] = mapped_column(Date)
    notice_days: Mapped[int | None] = mapped_column(Integer)
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    leader_name: Mapped[str | None] = mapped_column(String(60))
    leader_member_id: Mapped[int | None] = mapped_column(Integer)
    last_checked_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(16))
    rejected_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class HardshipObjection(TenantMixin, Base):
    """公示期异议 and how it was answered."""
    __tablename__ = "hardship_objections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("hardship_files.id"), nullable=False, index=True)
    received_on: Mapped[date] = mapped_column(Date, nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    resolution: Mapped[str | None] = mapped_column(Text)
    upheld: Mapped[bool | None] = mapped_column(Boolean)
    resolved_on: Mapped[date | None] = mapped_column(Date)


class HardshipCheck(TenantMixin, Base):
    """年度复核 of an approved file."""
    __tablename__ = "hardship_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("hardship_files.id"), nullable=False, index=True)
    checked_on: Mapped[date] = mapped_column(Date, nullable=False)
    still_eligible: Mapped[bool] = mapped_column(Boolean, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str | None] = mapped_column(String(64))


# --- 生日 --------------------------------------------------------------------------------------

class BirthdayDelivery(TenantMixin, Base):
    """生日蛋糕和贺卡 delivery log: one per member per year."""
    __tablename__ = "birthday_deliveries"
    __table_args__ = (UniqueConstraint("school", "member_id", "year", name="uq_birthday_deliveries_member_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    delivered_on: Mapped[date] = mapped_column(Date, nullable=False)
    items: Mapped[list] = mapped_column(JSON, nullable=False)
    milestone: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    payment_id: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str | None] = mapped_column(String(64))


# --- 健康 --------------------------------------------------------------------------------------

class HealthCampaign(TenantMixin, Base):
    """体检活动: annual (在职), retirees (退休), women (妇检)."""
    __tablename__ = "health_campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    check_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(100))


class HealthBooking(TenantMixin, Base):
    __tablename__ = "health_bookings"
    __table_args__ = (UniqueConstraint("campaign_id", "member_id", name="uq_health_bookings_campaign_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("health_campaigns.id"), nullable=False, index=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    slot_on: Mapped[date | None] = mapped_column(Date)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    follow_up: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    follow_up_note: Mapped[str | None] = mapped_column(String(300))


# --- 互助保障 ----------------------------------------------------------------------------------

class MutualAidEnrolment(TenantMixin, Base):
    __tablename__ = "mutual_aid_enrolments"
    __table_args__ = (UniqueConstraint("school", "member_id", "year", name="uq_mutual_aid_member_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    plan: Mapped[str] = mapped_column(String(32), nullable=False)
    enrolled_on: Mapped[date] = mapped_column(Date, nullable=False)


class MutualAidClaim(TenantMixin, Base):
    __tablename__ = "mutual_aid_claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("mutual_aid_enrolments.id"), nullable=False)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    documents: Mapped[list] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="submitted")
    decision_note: Mapped[str | None] = mapped_column(String(300))
    payment_id: Mapped[int | None] = mapped_column(Integer)
    submitted_on: Mapped[date] = mapped_column(Date, nullable=False)


# --- 送温暖 ------------------------------------------------------------------------------------

class OutreachCampaign(TenantMixin, Base):
    __tablename__ = "outreach_campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    festival: Mapped[str] = mapped_column(String(24), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    gift: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    form: Mapped[str] = mapped_column(String(16), nullable=False)
    payment_kind: Mapped[str] = mapped_column(String(32), nullable=False)


class OutreachRecipient(TenantMixin, Base):
    __tablename__ = "outreach_recipients"
    __table_args__ = (UniqueConstraint("campaign_id", "member_id", name="uq_outreach_recipients_campaign_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("outreach_campaigns.id"), nullable=False, index=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    reason: Mapped[str] = mapped_column(String(16), nullable=False)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    payment_id: Mapped[int | None] = mapped_column(Integer)


# --- 退休职工 / 金秋助学 -------------------------------------------------------------------------

class RetireeCareRecord(TenantMixin, Base):
    """退管 records and pre-retirement home visits (临退休家访)."""
    __tablename__ = "retiree_care_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    happened_on: Mapped[date] = mapped_column(Date, nullable=False)
    leaders: Mapped[list] = mapped_column(JSON, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)


class StudentAid(TenantMixin, Base):
    """金秋助学: one award per student per year."""
    __tablename__ = "student_aid"
    __table_args__ = (UniqueConstraint("school", "member_id", "student_name", "year", name="uq_student_aid_student_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    student_name: Mapped[str] = mapped_column(String(60), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    stage: Mapped[str] = mapped_column(String(24), nullable=False)
    tier: Mapped[str] = mapped_column(String(16), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    hardship_file_id: Mapped[int] = mapped_column(Integer, nullable=False)
    payment_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


# --- 女职工“四期”特殊保护 (W13) ------------------------------------------------------------------

class ProtectionPeriod(TenantMixin, Base):
    """女职工“四期”保护: a period of special protection of one woman member (经期, 孕期, 产期,
    哺乳期) with the measures the school grants; seen by welfare officers, the chair and herself."""
    __tablename__ = "protection_periods"
    __table_args__ = (Index("ix_protection_periods_school_member", "school", "member_id"),
                      Index("ix_protection_periods_school_status", "school", "status"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    expected_end_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    measures: Mapped[list] = mapped_column(JSON, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    reported_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


# --- 维权个案 (W22) ------------------------------------------------------------------------------

class RightsCase(TenantMixin, Base):
    """维权个案: post setting, hiring, reassignment, not re-hired, early retirement, a dispute or a
    rights proposal to the administration; one member's, or collective (no member)."""
    __tablename__ = "rights_cases"
    __table_args__ = (Index("ix_rights_cases_school_status", "school", "status"),
                      Index("ix_rights_cases_school_member", "school", "member_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int | None] = mapped_column(Integer)
    member_name: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    notes_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    reported_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class RightsNote(TenantMixin, Base):
    """个案记录: counselling, mediation, a proposal put to the administration, a follow-up."""
    __tablename__ = "rights_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("rights_cases.id"), nullable=False, index=True)
    written_on: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    author: Mapped[str | None] = mapped_column(String(64))


# --- 工作条件 (W21) -----------------------------------------------------------------------------

class ConditionItem(TenantMixin, Base):
    """改善工作条件: lunch subsidy (午餐补贴), the noon rest (午休), office conditions (办公条件)…"""
    __tablename__ = "condition_items"
    __table_args__ = (Index("ix_condition_items_school_year", "school", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    raised_from: Mapped[str | None] = mapped_column(String(100))
    raised_on: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    beneficiaries: Mapped[int | None] = mapped_column(Integer)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    log: Mapped[list] = mapped_column(JSON, nullable=False)


# --- 关爱项目: 暑期疗养 (W21), 女职工工作 (W23), 健康促进 (W24) ------------------------------------

class Programme(TenantMixin, Base):
    """A programme with dates, a place and places (名额): a summer sanatorium stay, a women's
    activity of the ledger (女职工活动台帐), a health-promotion activity."""
    __tablename__ = "programmes"
    __table_args__ = (Index("ix_programmes_school_area_year", "school", "area", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(24), nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    places: Mapped[int | None] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(16), nullable=False)
    cost_per_person: Mapped[Decimal | None] = mapped_column(MONEY)
    form: Mapped[str] = mapped_column(String(16), nullable=False, default="service")
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=utcnow)


class ProgrammeParticipant(TenantMixin, Base):
    __tablename__ = "programme_participants"
    __table_args__ = (UniqueConstraint("programme_id", "member_id", name="uq_programme_participants_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), nullable=False, index=True)
    member_id: Mapped[int] = mapped_column(Integer, nullable=False)
    member_name: Mapped[str] = mapped_column(String(60), nullable=False)
    enrolled_on: Mapped[date] = mapped_column(Date, nullable=False)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    payment_id: Mapped[int | None] = mapped_column(Integer)


# --- 职业幸福指数 (W24) --------------------------------------------------------------------------

class HappinessSurvey(TenantMixin, Base):
    """职业幸福指数调查: anonymous scores; who answered and what was answered are kept apart."""
    __tablename__ = "happiness_surveys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    opens_on: Mapped[date] = mapped_column(Date, nullable=False)
    closes_on: Mapped[date] = mapped_column(Date, nullable=False)


class HappinessResponder(TenantMixin, Base):
    """已填答: who has answered, and nothing else (the primary key is the one-answer rule)."""
    __tablename__ = "happiness_responders"
    survey_id: Mapped[int] = mapped_column(ForeignKey("happiness_surveys.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class HappinessScore(TenantMixin, Base):
    """An answer under a random token: no member, no time, no sequence."""
    __tablename__ = "happiness_scores"
    survey_id: Mapped[int] = mapped_column(ForeignKey("happiness_surveys.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(24), primary_key=True)
    score: Mapped[int] = mapped_column(Integer, nullable=False)
