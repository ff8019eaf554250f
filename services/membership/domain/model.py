"""Membership rules (会员管理): categories, the status machine, 入会率, birthdays and transfers.

Pure functions over plain values; the service loads, calls one of these, and commits.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping

from shared.errors import Conflict, ValidationFailed

CATEGORIES = {
    "teacher": {"zh-CN": "教师", "en": "Teacher"},
    "staff": {"zh-CN": "职员", "en": "Administrative staff"},
    "temporary_teacher": {"zh-CN": "临时代课教师", "en": "Temporary substitute teacher"},
    "logistics": {"zh-CN": "后勤人员", "en": "Logistics staff"},
    "retiree": {"zh-CN": "退休教职工", "en": "Retired staff"},
}
STATUSES = {
    "applicant": {"zh-CN": "申请入会", "en": "Applicant"},
    "active": {"zh-CN": "在册会员", "en": "Active member"},
    "retired": {"zh-CN": "退休会员", "en": "Retired member"},
    "transferred_out": {"zh-CN": "已转出", "en": "Transferred out"},
    "left": {"zh-CN": "已退会", "en": "Left"},
}
GENDERS = {
    "male": {"zh-CN": "男", "en": "Male"},
    "female": {"zh-CN": "女", "en": "Female"},
}
SCHOOL_KINDS = {
    "primary": {"zh-CN": "小学", "en": "Primary school"},
    "secondary": {"zh-CN": "中学", "en": "Secondary school"},
    "vocational": {"zh-CN": "职业学校", "en": "Vocational school"},
    "other": {"zh-CN": "其他", "en": "Other"},
}
COMMITTEE_PORTFOLIOS = {
    "chair": {"zh-CN": "工会主席", "en": "Chair"},
    "vice_chair": {"zh-CN": "副主席", "en": "Vice-chair"},
    "women": {"zh-CN": "女工委员", "en": "Women's work"},
    "funds_review": {"zh-CN": "经费审查委员", "en": "Funds review"},
    "organisation": {"zh-CN": "组织委员", "en": "Organisation"},
    "publicity": {"zh-CN": "宣传委员", "en": "Publicity"},
    "culture_sports": {"zh-CN": "文体委员", "en": "Culture and sports"},
    "welfare": {"zh-CN": "生活福利委员", "en": "Welfare"},
    "other": {"zh-CN": "其他", "en": "Other"},
}
LEAVE_REASONS = {
    "resigned": {"zh-CN": "离职", "en": "Resigned"},
    "deceased": {"zh-CN": "去世", "en": "Deceased"},
    "expelled": {"zh-CN": "除名", "en": "Expelled"},
    "withdrawn": {"zh-CN": "自愿退会", "en": "Withdrew"},
    "application_rejected": {"zh-CN": "入会申请未通过", "en": "Application rejected"},
    "other": {"zh-CN": "其他", "en": "Other"},
}
# Column headers of the member roster (会员名册), shared by import and export.
FIELD_LABELS = {
    "name": {"zh-CN": "姓名", "en": "Name"},
    "gender": {"zh-CN": "性别", "en": "Gender"},
    "birth_date": {"zh-CN": "出生日期", "en": "Birth date"},
    "id_number": {"zh-CN": "身份证号", "en": "ID number"},
    "phone": {"zh-CN": "手机号码", "en": "Phone"},
    "category": {"zh-CN": "人员类别", "en": "Category"},
    "hire_date": {"zh-CN": "入职日期", "en": "Hire date"},
    "position": {"zh-CN": "职务岗位", "en": "Position"},
    "union_group": {"zh-CN": "工会小组", "en": "Union group"},
    "join_date": {"zh-CN": "入会日期", "en": "Join date"},
    "status": {"zh-CN": "会员状态", "en": "Status"},
}

_LABEL_TABLES = {
    "category": CATEGORIES,
    "status": STATUSES,
    "gender": GENDERS,
    "school_kind": SCHOOL_KINDS,
    "portfolio": COMMITTEE_PORTFOLIOS,
    "leave_reason": LEAVE_REASONS,
    "field": FIELD_LABELS,
}


def label(kind: str, value: str | None, language: str = "zh-CN") -> str:
    """The user-facing label of a code: ``label("category", "teacher")`` -> ``教师``.

    ``kind`` is one of category, status, gender, school_kind, portfolio, leave_reason, field.
    An unknown value is shown as it is rather than hidden.
    """
    if value is None:
        return ""
    texts = _LABEL_TABLES[kind].get(value)
    if texts is None:
        return str(value)
    return texts.get(language) or texts["zh-CN"]


# ---- status machine -------------------------------------------------------------------------

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "applicant": frozenset({"active", "left"}),  # admission approved / rejected or withdrawn
    "active": frozenset({"retired", "transferred_out", "left"}),
    "retired": frozenset({"left"}),  # e.g. deceased (去世)
    "transferred_out": frozenset(),  # the new school opens a new membership; this one stays as history
    "left": frozenset(),
}
TERMINAL_STATUSES = frozenset(s for s, targets in ALLOWED_TRANSITIONS.items() if not targets)


def check_transition(current: str, new: str) -> None:
    """Refuse a status change the machine does not allow (``Conflict invalid_transition``)."""
    if new not in STATUSES:
        raise ValidationFailed("validation_failed", fields={"status": ["invalid_choice"]})
    if new not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        raise Conflict("invalid_transition", params={"from": current, "to": new})


def category_after(new_status: str, category: str) -> str:
    """The category a member has after moving to ``new_status``.

    Retirement (退休) makes the member a retiree (退休教职工) whatever they were before: they
    stay in the union as 退休会员 but leave the in-service count of the membership rate.
    """
    return "retiree" if new_status == "retired" else category


def check_leave_reason(reason: str | None) -> str:
    """Closing a membership (退会) needs one of ``LEAVE_REASONS``."""
    if not reason:
        raise ValidationFailed("validation_failed", fields={"leave_reason": ["leave_reason_required"]})
    if reason not in LEAVE_REASONS:
        raise ValidationFailed("validation_failed", fields={"leave_reason": ["invalid_choice"]})
    return reason


# ---- membership rate (入会率) ---------------------------------------------------------------

RATE_QUANTUM = Decimal("0.0001")


def counts_as_in_service(status: str, category: str) -> bool:
    """Whether a member counts in the 入会率 numerator: an active member still at work.

    Retirees are union members but not in-service staff, so they are in neither the numerator
    nor the eligible-staff denominator; applicants are not members yet.
    """
    return status == "active" and category != "retiree"


def membership_rate(in_service_members: int, eligible_staff: int) -> Decimal | None:
    """入会率 = in-service members / eligible in-service staff, e.g. ``Decimal("0.9828")``.

    ``None`` when the school reports no eligible staff: there is no rate, not a rate of zero.
    A value above 1 is returned as it is: it means the school's headcount is out of date.
    """
    if in_service_members < 0 or eligible_staff < 0:
        raise ValueError("counts cannot be negative")
    if eligible_staff == 0:
        return None
    return (Decimal(in_service_members) / Decimal(eligible_staff)).quantize(RATE_QUANTUM, ROUND_HALF_UP)


def district_rate(rows: Iterable[Mapping[str, int]]) -> Decimal | None:
    """The district's 入会率 over school rows ``{"in_service_members": m, "eligible_staff": e}``.

    Pooled (sum of members over sum of staff), so a large school weighs more than a small one.
    """
    members = staff = 0
    for row in rows:
        members += row["in_service_members"]
        staff += row["eligible_staff"]
    return membership_rate(members, staff)


# ---- birthdays (生日慰问, 逢十生日) -----------------------------------------------------------


def age_in_year(birth_date: date, year: int) -> int:
    """The age a member turns on their birthday in ``year``."""
    return year - birth_date.year


def is_milestone(birth_date: date, year: int) -> bool:
    """逢十生日: the member turns 10, 20, 30 ... in ``year``."""
    age = age_in_year(birth_date, year)
    return age > 0 and age % 10 == 0


def _as_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def check_month(month) -> int:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationFailed("validation_failed", fields={"month": ["invalid_month"]})
    return month


def birthdays_in_month(members: Iterable[Mapping], month: int, year: int) -> list[dict]:
    """Members whose birthday falls in ``month`` of ``year``, by day then name.

    Each is a copy with ``age`` (turned that year) and ``milestone`` (逢十) added. Members
    without a birth date are left out; a 29 February birthday stays in February.
    """
    check_month(month)
    found = []
    for member in members:
        birth = _as_date(member.get("birth_date"))
        if birth is None or birth.month != month:
            continue
        found.append({**member, "age": age_in_year(birth, year), "milestone": is_milestone(birth, year)})
    found.sort(key=lambda m: (_as_date(m["birth_date"]).day, m.get("name") or ""))
    return found


# ---- transfer (会员转移) --------------------------------------------------------------------


def check_transfer(from_school: str, to_school: str | None, known_schools: set) -> None:
    """A transfer (转会) closes the membership at ``from_school`` and opens one at ``to_school``.

    The target must be another school union the district knows.
    """
    if to_school and to_school == from_school:
        raise ValidationFailed("validation_failed", fields={"to_school": ["transfer_same_school"]})
    if not to_school or to_school not in known_schools:
        raise ValidationFailed("validation_failed", fields={"to_school": ["transfer_target_missing"]})


def check_one_live_membership(live: Iterable[tuple[str, int]], school: str, except_member: int | None = None) -> None:
    """One live membership (applicant, active or retired) per person, i.e. per ID number, in the
    whole district. ``live``: ``(school, member_id)`` of the ID number's live memberships."""
    for other_school, other_id in live:
        if other_id == except_member:
            continue
        if other_school == school:
            raise Conflict("id_number_taken", fields={"id_number": ["id_number_taken"]})
        raise Conflict("id_number_active_elsewhere", fields={"id_number": ["id_number_active_elsewhere"]})
