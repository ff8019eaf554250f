"""困难职工档案 (hardship files): apply, home visit (入户走访), verification (核实), public notice
(公示) with objections, approval; one open file per household; re-checked every year; closed on
recovery, retirement, transfer or death. Help is given only against an approved file."""
from __future__ import annotations

from datetime import date, timedelta

from services.welfare.domain.errors import WelfareConflict, WelfareInvalid

CATEGORIES = ("extreme", "ordinary", "sudden")          # 特困, 一般困难, 突发困难
CLOSE_REASONS = ("recovery", "retirement", "transfer", "death", "left")   # left: resigned, withdrew…
OPEN = ("applied", "visited", "verified", "notice", "approved")
# step -> statuses it may be taken from, and the status it leads to
STEPS = {
    "home_visit": (("applied",), "visited"),
    "verify": (("visited",), "verified"),
    "start_notice": (("verified",), "notice"),
    "approve": (("notice",), "approved"),
    "reject": (("applied", "visited", "verified", "notice"), "rejected"),
    "close": (("approved",), "closed"),
    "recheck": (("approved",), "approved"),
}
RECHECK_EVERY_DAYS = 365


def next_status(status: str, step: str) -> str:
    allowed, target = STEPS[step]
    if status not in allowed:
        raise WelfareConflict("hardship_step_out_of_order", params={"status": status, "step": step})
    return target


def check_step_date(on: date, previous: date | None, today: date, field: str = "on",
                    future_allowed: bool = False) -> None:
    """A step is dated no earlier than the step before it, and not in the future (a notice may be
    scheduled ahead): a back-dated notice cannot make a file look as if it had been on display."""
    if not future_allowed and on > today:
        raise WelfareInvalid("hardship_date_in_future", fields={field: ["hardship_date_in_future"]})
    if previous is not None and on < previous:
        raise WelfareInvalid("hardship_date_before_previous_step", fields={field: ["hardship_date_before_previous_step"]},
                             params={"previous": previous.isoformat()})


def notice_ends_on(starts_on: date, days: int) -> date:
    """The last day of the notice: a notice of 5 days started on the 1st runs to the 5th."""
    return starts_on + timedelta(days=days - 1)


def check_notice_completed(starts_on: date | None, days: int | None, unresolved_objections: int, today: date) -> None:
    """Approval needs a notice that has run its full term with every objection answered."""
    if starts_on is None or days is None:
        raise WelfareConflict("hardship_notice_not_completed", params={"ends_on": "-"})
    ends = notice_ends_on(starts_on, days)
    if today <= ends or unresolved_objections:
        raise WelfareConflict("hardship_notice_not_completed", params={"ends_on": ends.isoformat()})


def household_conflict(household: set[int], open_households: list[set[int]]) -> bool:
    """One open file per household (每户一档): no member may be in two open files."""
    return any(household & other for other in open_households)


def recheck_due(approved_on: date | None, last_checked_on: date | None, today: date) -> bool:
    base = last_checked_on or approved_on
    return base is not None and today >= base + timedelta(days=RECHECK_EVERY_DAYS)


def validate_close_reason(reason: str) -> None:
    if reason not in CLOSE_REASONS:
        raise WelfareInvalid(fields={"reason": ["invalid_choice"]})
