"""女职工“四期”特殊保护 (special protection of women members in their four periods).

The seeds name the four periods without listing them; they are commonly read as 经期
(menstruation), 孕期 (pregnancy), 产期 (childbirth, maternity leave) and 哺乳期 (breastfeeding),
the periods of 《女职工劳动保护特别规定》 (external). A period is recorded for one woman member,
with the measures the school grants; it is sensitive and seen only by welfare officers, the chair
and the woman herself.

经期 is recorded only when the woman asks for it herself (an adjustment she wants): an officer
never records it for her, and it carries no dates beyond the adjustment asked for.
"""
from __future__ import annotations

from datetime import date, timedelta

from services.welfare.domain.errors import WelfareConflict, WelfareForbidden, WelfareInvalid

KINDS = ("menstruation", "pregnancy", "maternity", "breastfeeding")
LABELS = {"menstruation": "经期", "pregnancy": "孕期", "maternity": "产期", "breastfeeding": "哺乳期"}
SELF_REPORTED_ONLY = frozenset({"menstruation"})
STATUSES = ("active", "ended")
# measures commonly granted (《女职工劳动保护特别规定》, external); a school records its own
SUGGESTED_MEASURES = {
    "menstruation": ["不安排高处、低温、冷水作业", "临时调整课务"],
    "pregnancy": ["不延长劳动时间", "怀孕7个月以上不安排夜班", "产前检查计入劳动时间"],
    "maternity": ["产假98天", "产假期间工资照发"],
    "breastfeeding": ["每天1小时哺乳时间", "不延长劳动时间、不安排夜班"],
}
ENDING_SOON_DAYS = 14
# a period that ends when another begins: 产期 follows 孕期
ENDED_BY = {"maternity": "pregnancy"}


def check_woman(gender: str) -> None:
    if gender != "female":
        raise WelfareInvalid("protection_women_only", fields={"member_id": ["protection_women_only"]})


def check_reporter(kind: str, by_officer: bool) -> None:
    """经期 is hers to tell: an officer may not record it for her."""
    if kind in SELF_REPORTED_ONLY and by_officer:
        raise WelfareForbidden("protection_self_report_only", params={"kind": kind})


def expected_end(kind: str, starts_on: date, given: date | None, days: dict) -> date | None:
    """The end given, or the usual length of the period (a district setting: 产假 98 days, 哺乳期
    one year); ``None`` when neither is known (a pregnancy ends at the birth)."""
    end = given
    if end is None and days.get(kind):
        end = starts_on + timedelta(days=int(days[kind]) - 1)
    if end is not None and end < starts_on:
        raise WelfareInvalid("protection_ends_before_start", fields={"expected_end_on": ["protection_ends_before_start"]})
    return end


def check_no_open_period(open_kinds: list[str], kind: str) -> None:
    """One active period of a kind at a time for a woman."""
    if kind in open_kinds:
        raise WelfareConflict("protection_period_open", fields={"kind": ["protection_period_open"]},
                              params={"kind": kind})


def ended_by_next(next_starts_on: date, starts_on: date) -> date:
    """The day a period ends because the next one began (the day before, never before its start)."""
    return max(starts_on, next_starts_on - timedelta(days=1))


def end(status: str, starts_on: date, ended_on: date) -> str:
    if status != "active":
        raise WelfareConflict("protection_period_ended")
    if ended_on < starts_on:
        raise WelfareInvalid("protection_ends_before_start", fields={"ended_on": ["protection_ends_before_start"]})
    return "ended"


def ending_window(today: date) -> date:
    return today + timedelta(days=ENDING_SOON_DAYS)


def ending_soon(status: str, expected_end_on: date | None, today: date) -> bool:
    """Active and due to end within two weeks: time to plan her return (返岗安排)."""
    return status == "active" and expected_end_on is not None and today <= expected_end_on <= ending_window(today)
