"""关爱项目: programmes with dates, a place and a number of places (名额), and the members who take
part: the summer sanatorium (暑期疗养, W21), the women's programme and its activity ledger
(女职工活动台帐, W23: 三八活动, 沙龙, 外出, 体育, 保健宣传, 《妇女权益保障法》《婚姻法》学习, 双学双比,
巾帼示范岗, 女职工之家) and staff health promotion (W24: 计步器, 岗位健身, 心理健康)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.welfare.domain.errors import WelfareConflict, WelfareInvalid

# kind -> (area, label, audience)
KINDS = {
    "sanatorium": ("sanatorium", "暑期疗养", "in_service"),
    "womens_day": ("women", "三八节活动", "women"),
    "womens_salon": ("women", "女职工沙龙", "women"),
    "womens_trip": ("women", "女职工外出活动", "women"),
    "womens_sport": ("women", "女职工体育活动", "women"),
    "health_leaflet": ("women", "妇女保健知识宣传", "women"),
    "rights_study": ("women", "《妇女权益保障法》《婚姻法》学习", "women"),
    "double_learning": ("women", "双学双比", "women"),
    "model_post": ("women", "巾帼示范岗", "women"),
    "womens_home": ("women", "女职工之家建设", "women"),
    "pedometer": ("health_promotion", "计步器发放", "in_service"),
    "workplace_exercise": ("health_promotion", "岗位健身（每天锻炼一小时）", "in_service"),
    "mental_health": ("health_promotion", "心理健康讲座与辅导", "in_service"),
}
AREAS = ("sanatorium", "women", "health_promotion")
AUDIENCES = ("in_service", "women", "all", "retirees")
# the payment kind (policy table) of a programme's cost per person; the women's programme has none
PAYMENT_KIND = {"sanatorium": "sanatorium", "health_promotion": "health_promotion"}


def area_of(kind: str) -> str:
    return KINDS[kind][0]


def default_audience(kind: str) -> str:
    return KINDS[kind][2]


def eligible(audience: str, status: str, gender: str) -> bool:
    """Who a programme is for: in-service staff, women members (in service or retired), every
    member, or retirees."""
    if audience == "in_service":
        return status == "active"
    if audience == "women":
        return status in ("active", "retired") and gender == "female"
    if audience == "retirees":
        return status == "retired"
    return status in ("active", "retired")


def check_plan(kind: str, starts_on: date, ends_on: date | None, cost: Decimal | None) -> None:
    bad = {}
    if ends_on is not None and ends_on < starts_on:
        bad["ends_on"] = ["programme_ends_before_start"]
    if cost is not None and area_of(kind) not in PAYMENT_KIND:
        bad["cost_per_person"] = ["programme_cost_not_allowed"]
    if bad:
        raise WelfareInvalid(next(iter(bad.values()))[0], fields=bad)


def check_places(places: int | None, taken: int, adding: int) -> None:
    if places is not None and taken + adding > places:
        raise WelfareConflict("programme_full", params={"places": places, "taken": taken,
                                                        "left": max(places - taken, 0)})


def check_attendance_change(attended_before: bool | None, attended: bool, paid: bool) -> None:
    """Attendance whose cost was asked of finance is not taken back here (finance rejects it)."""
    if paid and attended_before and not attended:
        raise WelfareConflict("programme_attendance_paid")
