"""经费审批 by amount: the finance officer (财务委员) up to one threshold, the union chair
(工会主席) up to a higher one, the union committee (工会委员会集体研究) above it. The thresholds are
settings (``ApprovalLimits``)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

LEVELS = ("finance_officer", "school_admin", "committee")


@dataclass(frozen=True)
class ApprovalLimits:
    finance_officer: Decimal = Decimal("2000.00")
    school_admin: Decimal = Decimal("10000.00")


class ApprovalError(Exception):
    def __init__(self, code: str, params: dict | None = None):
        super().__init__(code)
        self.code, self.params = code, params or {}


def level_for(amount: Decimal, limits: ApprovalLimits) -> str:
    if amount <= limits.finance_officer:
        return "finance_officer"
    if amount <= limits.school_admin:
        return "school_admin"
    return "committee"


def check_approver(amount: Decimal, role: str, limits: ApprovalLimits, committee_resolution: str | None) -> str:
    """The level the approval is recorded at, or ``ApprovalError`` when the approver may not approve it.

    A committee approval is recorded by the chair with the committee's resolution (会议纪要) named."""
    needed = level_for(amount, limits)
    if role == "finance_officer":
        if needed != "finance_officer":
            raise ApprovalError("approval_limit_exceeded", {"limit": str(limits.finance_officer), "needed": needed})
        return "finance_officer"
    if role in ("school_admin", "district_admin"):
        if needed == "committee":
            if not committee_resolution:
                raise ApprovalError("committee_resolution_required", {"limit": str(limits.school_admin)})
            return "committee"
        return "school_admin"
    raise ApprovalError("approval_role_forbidden", {"role": role})
