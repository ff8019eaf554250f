"""Approval by amount, budget reservation and member dues, as pure rules."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from services.finance.domain import approval as A
from services.finance.domain.budget import available, fits
from services.finance.domain.dues import DuesRule, arrears, monthly_dues

LIMITS = A.ApprovalLimits(finance_officer=D("2000.00"), school_admin=D("10000.00"))


@pytest.mark.parametrize("amount,level", [("0.01", "finance_officer"), ("2000.00", "finance_officer"),
                                          ("2000.01", "school_admin"), ("10000.00", "school_admin"),
                                          ("10000.01", "committee")])
def test_the_amount_decides_who_approves(amount, level):
    assert A.level_for(D(amount), LIMITS) == level


def test_a_finance_officer_approves_up_to_the_limit():
    assert A.check_approver(D("2000.00"), "finance_officer", LIMITS, None) == "finance_officer"


def test_a_finance_officer_cannot_approve_above_the_limit():
    with pytest.raises(A.ApprovalError) as exc:
        A.check_approver(D("2000.01"), "finance_officer", LIMITS, None)
    assert exc.value.code == "approval_limit_exceeded" and exc.value.params["needed"] == "school_admin"


def test_the_chair_approves_small_and_middle_amounts():
    assert A.check_approver(D("50.00"), "school_admin", LIMITS, None) == "school_admin"
    assert A.check_approver(D("9000.00"), "school_admin", LIMITS, None) == "school_admin"


def test_above_the_chair_limit_the_committee_resolution_is_required():
    with pytest.raises(A.ApprovalError) as exc:
        A.check_approver(D("10000.01"), "school_admin", LIMITS, None)
    assert exc.value.code == "committee_resolution_required"
    assert A.check_approver(D("10000.01"), "school_admin", LIMITS, "工会委员会 2025 第3次会议") == "committee"


def test_other_roles_never_approve():
    for role in ("welfare_officer", "auditor", "member"):
        with pytest.raises(A.ApprovalError) as exc:
            A.check_approver(D("1.00"), role, LIMITS, None)
        assert exc.value.code == "approval_role_forbidden"


def test_a_request_fits_while_the_budget_left_covers_it():
    assert fits(D("100.00"), D("1000.00"), D("900.00"))
    assert not fits(D("100.01"), D("1000.00"), D("900.00"))
    assert not fits(D("0.01"), None, D("0.00"))
    assert available(D("1000.00"), D("250.50")) == D("749.50")


def test_dues_are_half_a_percent_of_the_base_with_the_remainder_under_ten_yuan_ignored():
    assert monthly_dues(D("6789.00")) == D("33.90")      # base 6780
    assert monthly_dues(D("5000.00")) == D("25.00")
    assert monthly_dues(D("9.99")) == D("0.00")


def test_the_dues_rounding_is_a_setting():
    assert monthly_dues(D("1237.00"), DuesRule(base_step=D("1"))) == D("6.19")       # 6.185 half up
    assert monthly_dues(D("1237.00"), DuesRule(base_step=D("1"), rounding="down")) == D("6.18")
    assert monthly_dues(D("6000.00"), DuesRule(rate=D("0.01"))) == D("60.00")


def test_arrears_count_only_unpaid_months_up_to_the_given_one():
    charges = [("2025-01", D("30.00"), D("30.00")), ("2025-02", D("30.00"), D("10.00")),
               ("2025-03", D("30.00"), D("0.00")), ("2025-04", D("30.00"), D("0.00"))]
    assert arrears(charges, "2025-03") == D("50.00")


def test_a_schools_policy_wins_over_the_districts_which_wins_over_the_settings(fin):
    from services.finance import policy
    from services.finance.settings import FinanceSettings
    defaults = FinanceSettings()
    with fin.read(None) as session:
        assert policy.effective(session, "S001", defaults).limits == defaults.limits
    fin.run(None, lambda uow, s: policy.set_policy(uow, {"officer_limit": D("500.00"), "dues_rate": "0.01"}, "admin",
                                                   defaults))
    fin.run(None, lambda uow, s: policy.set_policy(uow, {"school": "S001", "officer_limit": D("800.00")}, "admin",
                                                   defaults))
    with fin.read(None) as session:
        s1, s2 = policy.effective(session, "S001", defaults), policy.effective(session, "S002", defaults)
        shown = policy.show(session, "S001", defaults)
    assert (s1.limits.finance_officer, s2.limits.finance_officer) == (D("800.00"), D("500.00"))
    assert s1.limits.school_admin == defaults.limits.school_admin and s1.dues.rate == D("0.01")
    assert shown["overrides"] == {"officer_limit": "800.00"} and shown["officer_limit"] == "800.00"
    fin.run(None, lambda uow, s: policy.set_policy(uow, {"school": "S001", "officer_limit": None}, "admin", defaults))
    with fin.read(None) as session:
        assert policy.effective(session, "S001", defaults).limits.finance_officer == D("500.00")


def test_a_chair_limit_below_the_officer_limit_is_refused(fin):
    from services.finance import policy
    from services.finance.settings import FinanceSettings
    from shared.errors import ValidationFailed
    with pytest.raises(ValidationFailed) as exc:
        fin.run(None, lambda uow, s: policy.set_policy(uow, {"chair_limit": D("100.00")}, "admin", FinanceSettings()))
    assert exc.value.fields == {"chair_limit": ["policy_limits_order"]}
