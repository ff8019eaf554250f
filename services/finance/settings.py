"""Finance settings, read from the environment when the service first needs them (never at import).

=================================  =========  =================================================
``UNIONHUB_FINANCE_OFFICER_LIMIT``  2000.00    finance officer (财务委员) approves up to this
``UNIONHUB_FINANCE_CHAIR_LIMIT``    10000.00   union chair (工会主席) up to this; above: the committee
``UNIONHUB_FINANCE_DUES_RATE``      0.005      会费 = 0.5% of the wage base a month
``UNIONHUB_FINANCE_DUES_BASE_STEP`` 10         remainder of the base under this is ignored
``UNIONHUB_FINANCE_DUES_ROUNDING``  half_up    rounding of dues to the cent: half_up or down
=================================  =========  =================================================
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

from services.finance.domain.approval import ApprovalLimits
from services.finance.domain.dues import DuesRule


@dataclass(frozen=True)
class FinanceSettings:
    limits: ApprovalLimits = field(default_factory=ApprovalLimits)
    dues: DuesRule = field(default_factory=DuesRule)


def load(env=None) -> FinanceSettings:
    env = os.environ if env is None else env
    d = ApprovalLimits()
    r = DuesRule()
    return FinanceSettings(
        limits=ApprovalLimits(Decimal(env.get("UNIONHUB_FINANCE_OFFICER_LIMIT", d.finance_officer)),
                              Decimal(env.get("UNIONHUB_FINANCE_CHAIR_LIMIT", d.school_admin))),
        dues=DuesRule(Decimal(env.get("UNIONHUB_FINANCE_DUES_RATE", r.rate)),
                      Decimal(env.get("UNIONHUB_FINANCE_DUES_BASE_STEP", r.base_step)),
                      env.get("UNIONHUB_FINANCE_DUES_ROUNDING", r.rounding)))
