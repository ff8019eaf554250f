"""慰问 (care cases): a life event that calls for a visit, and the visits made.

The five must-visits (五必访) are built in; a school may add its own kinds. A case of a must-visit
kind that has no visit yet is "owed" (应访未访)."""
from __future__ import annotations

MUST_VISIT = ("hospitalisation", "wedding", "funeral", "childbirth", "retirement", "major_hardship")
BUILTIN_LABELS = {
    "hospitalisation": "生病住院", "wedding": "结婚", "funeral": "丧事", "childbirth": "生育",
    "retirement": "退休", "major_hardship": "重大困难",
}
# the policy kind a visit's money is counted against, unless the visit names another
PAYMENT_KIND = {
    "hospitalisation": "hospitalisation", "wedding": "wedding", "funeral": "death_of_relative",
    "childbirth": "childbirth", "retirement": "retirement", "major_hardship": "hardship",
}
STATUSES = ("open", "visited", "closed")
SOURCES = ("officer", "member", "membership")   # who opened it: an officer, the member, a membership event


def is_builtin(kind: str) -> bool:
    return kind in BUILTIN_LABELS


def status_after_visit(status: str) -> str:
    return "visited" if status == "open" else status


def owes_visit(kind_must_visit: bool, status: str, visits: int) -> bool:
    return kind_must_visit and status != "closed" and visits == 0


def payment_kind_for(case_kind: str, custom_payment_kind: str | None = None) -> str:
    return PAYMENT_KIND.get(case_kind) or custom_payment_kind or "other"
