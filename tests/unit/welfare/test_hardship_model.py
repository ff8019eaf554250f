"""The hardship file's state machine: the steps in order, a notice that must run its term with
every objection answered, one open file per household, and the yearly re-check."""
from datetime import date

import pytest

from services.welfare.domain import hardship as h
from shared.errors import Conflict


def test_the_steps_run_apply_visit_verify_notice_approve():
    status = "applied"
    for step, expected in [("home_visit", "visited"), ("verify", "verified"), ("start_notice", "notice"),
                           ("approve", "approved")]:
        status = h.next_status(status, step)
        assert status == expected


@pytest.mark.parametrize("status,step", [("applied", "verify"), ("applied", "approve"), ("visited", "start_notice"),
                                         ("verified", "approve"), ("approved", "reject"), ("closed", "recheck"),
                                         ("rejected", "close")])
def test_a_step_out_of_order_is_refused(status, step):
    with pytest.raises(Conflict) as exc:
        h.next_status(status, step)
    assert exc.value.code == "hardship_step_out_of_order"


def test_a_notice_of_five_days_started_on_the_first_ends_on_the_fifth():
    assert h.notice_ends_on(date(2026, 3, 1), 5) == date(2026, 3, 5)


def test_approval_waits_for_the_notice_to_end():
    with pytest.raises(Conflict) as exc:
        h.check_notice_completed(date(2026, 3, 1), 5, 0, date(2026, 3, 5))
    assert exc.value.code == "hardship_notice_not_completed" and exc.value.params == {"ends_on": "2026-03-05"}
    h.check_notice_completed(date(2026, 3, 1), 5, 0, date(2026, 3, 6))


def test_approval_waits_for_every_objection_to_be_answered():
    with pytest.raises(Conflict):
        h.check_notice_completed(date(2026, 3, 1), 5, 1, date(2026, 4, 1))


def test_approval_without_any_notice_is_refused():
    with pytest.raises(Conflict):
        h.check_notice_completed(None, None, 0, date(2026, 4, 1))


def test_one_open_file_per_household():
    assert h.household_conflict({1, 2}, [{3}, {2, 5}])
    assert not h.household_conflict({1}, [{3}, {2, 5}])


def test_a_file_is_due_for_its_recheck_a_year_after_approval_or_the_last_check():
    assert not h.recheck_due(date(2025, 6, 1), None, date(2026, 5, 31))
    assert h.recheck_due(date(2025, 6, 1), None, date(2026, 6, 1))
    assert not h.recheck_due(date(2024, 6, 1), date(2026, 1, 1), date(2026, 6, 1))
