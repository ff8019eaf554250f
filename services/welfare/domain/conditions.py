"""改善工作条件 (working conditions): a lunch subsidy (午餐补贴), a solution for the noon rest
(午休), better office conditions (办公条件) and the like, followed from the moment they are raised
to done or declined."""
from __future__ import annotations

from services.welfare.domain.errors import WelfareConflict

CATEGORIES = ("lunch_subsidy", "noon_rest", "office", "canteen", "commute", "other")
LABELS = {"lunch_subsidy": "午餐补贴", "noon_rest": "午休", "office": "办公条件", "canteen": "食堂",
          "commute": "交通", "other": "其他"}
STATUSES = ("open", "in_progress", "done", "declined")
MOVES = {"open": ("in_progress", "done", "declined"), "in_progress": ("done", "declined")}


def move(status: str, to: str) -> str:
    if to not in MOVES.get(status, ()):
        raise WelfareConflict("condition_step_out_of_order", params={"status": status, "to": to})
    return to


def is_final(status: str) -> bool:
    return status in ("done", "declined")
