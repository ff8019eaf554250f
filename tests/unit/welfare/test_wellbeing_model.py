"""The rules of women's special protection (四期), rights cases, working conditions, programmes
with places, and the anonymous job-happiness index."""
from datetime import date
from decimal import Decimal as D

import pytest

from services.welfare.domain import conditions, happiness, programmes, protection, rights
from shared.errors import Conflict, Forbidden, ValidationFailed

DAYS = {"maternity": 98, "breastfeeding": 365}


# --- 四期 ---------------------------------------------------------------------------------------

def test_only_a_woman_has_four_periods_protection():
    protection.check_woman("female")
    with pytest.raises(ValidationFailed) as exc:
        protection.check_woman("male")
    assert exc.value.fields == {"member_id": ["protection_women_only"]}


def test_menstruation_is_recorded_only_at_the_womans_own_request():
    protection.check_reporter("menstruation", by_officer=False)
    protection.check_reporter("pregnancy", by_officer=True)
    with pytest.raises(Forbidden) as exc:
        protection.check_reporter("menstruation", by_officer=True)
    assert exc.value.code == "protection_self_report_only"


def test_maternity_leave_runs_98_days_unless_an_end_is_given():
    assert protection.expected_end("maternity", date(2026, 3, 1), None, DAYS) == date(2026, 6, 6)
    assert protection.expected_end("maternity", date(2026, 3, 1), date(2026, 7, 1), DAYS) == date(2026, 7, 1)
    assert protection.expected_end("pregnancy", date(2026, 3, 1), None, DAYS) is None


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValidationFailed) as exc:
        protection.expected_end("pregnancy", date(2026, 3, 1), date(2026, 2, 28), DAYS)
    assert exc.value.fields == {"expected_end_on": ["protection_ends_before_start"]}
    with pytest.raises(ValidationFailed):
        protection.end("active", date(2026, 3, 1), date(2026, 2, 1))


def test_one_active_period_of_a_kind_at_a_time_and_an_ended_one_stays_ended():
    protection.check_no_open_period(["pregnancy"], "breastfeeding")
    with pytest.raises(Conflict) as exc:
        protection.check_no_open_period(["pregnancy"], "pregnancy")
    assert exc.value.code == "protection_period_open"
    assert protection.end("active", date(2026, 3, 1), date(2026, 3, 1)) == "ended"
    with pytest.raises(Conflict) as exc:
        protection.end("ended", date(2026, 3, 1), date(2026, 4, 1))
    assert exc.value.code == "protection_period_ended"


def test_a_period_ending_within_two_weeks_is_flagged_for_her_return():
    today = date(2026, 5, 10)
    assert protection.ending_soon("active", date(2026, 5, 24), today)
    assert not protection.ending_soon("active", date(2026, 5, 25), today)
    assert not protection.ending_soon("ended", date(2026, 5, 12), today)
    assert not protection.ending_soon("active", None, today)


def test_maternity_ends_the_pregnancy_the_day_before_it_begins():
    assert protection.ENDED_BY["maternity"] == "pregnancy"
    assert protection.ended_by_next(date(2026, 6, 1), date(2025, 10, 1)) == date(2026, 5, 31)
    assert protection.ended_by_next(date(2026, 6, 1), date(2026, 6, 1)) == date(2026, 6, 1)


# --- 维权个案 -----------------------------------------------------------------------------------

def test_a_case_about_one_persons_post_must_name_the_member_but_a_rights_proposal_need_not():
    rights.check_member("rights_proposal", None)
    rights.check_member("post_setting", None)
    for kind in ("reassignment", "not_rehired", "early_retirement"):
        with pytest.raises(ValidationFailed) as exc:
            rights.check_member(kind, None)
        assert exc.value.fields == {"member_id": ["rights_case_member_required"]}


def test_a_closed_rights_case_takes_no_more_notes():
    rights.check_open("open")
    for status in rights.OUTCOMES:
        with pytest.raises(Conflict) as exc:
            rights.check_open(status)
        assert exc.value.code == "rights_case_closed"


# --- 工作条件 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status,to,ok", [
    ("open", "in_progress", True), ("open", "done", True), ("open", "declined", True),
    ("in_progress", "done", True), ("in_progress", "declined", True), ("in_progress", "in_progress", False),
    ("done", "in_progress", False), ("declined", "done", False), ("open", "open", False),
])
def test_a_working_conditions_item_moves_forward_to_done_or_declined(status, to, ok):
    if ok:
        assert conditions.move(status, to) == to
    else:
        with pytest.raises(Conflict) as exc:
            conditions.move(status, to)
        assert exc.value.code == "condition_step_out_of_order"


# --- 关爱项目 -----------------------------------------------------------------------------------

def test_each_programme_kind_belongs_to_its_row_and_audience():
    assert programmes.area_of("sanatorium") == "sanatorium" and programmes.default_audience("sanatorium") == "in_service"
    assert programmes.area_of("rights_study") == "women" and programmes.default_audience("womens_salon") == "women"
    assert programmes.area_of("pedometer") == "health_promotion"


@pytest.mark.parametrize("audience,status,gender,ok", [
    ("women", "active", "female", True), ("women", "retired", "female", True), ("women", "active", "male", False),
    ("in_service", "active", "male", True), ("in_service", "retired", "male", False),
    ("retirees", "retired", "female", True), ("retirees", "active", "female", False),
    ("all", "retired", "male", True), ("all", "left", "male", False),
])
def test_who_a_programme_is_for(audience, status, gender, ok):
    assert programmes.eligible(audience, status, gender) is ok


def test_places_are_never_overbooked():
    programmes.check_places(10, 8, 2)
    programmes.check_places(None, 500, 500)
    with pytest.raises(Conflict) as exc:
        programmes.check_places(10, 8, 3)
    assert exc.value.code == "programme_full" and exc.value.params == {"places": 10, "taken": 8, "left": 2}


def test_a_womens_activity_has_no_cost_paid_as_welfare_and_a_programme_ends_after_it_starts():
    programmes.check_plan("sanatorium", date(2026, 8, 1), date(2026, 8, 5), D("1200.00"))
    with pytest.raises(ValidationFailed) as exc:
        programmes.check_plan("womens_trip", date(2026, 3, 7), date(2026, 3, 6), D("100.00"))
    assert exc.value.fields == {"ends_on": ["programme_ends_before_start"],
                                "cost_per_person": ["programme_cost_not_allowed"]}


def test_paid_attendance_is_not_taken_back():
    programmes.check_attendance_change(None, False, paid=False)
    programmes.check_attendance_change(True, False, paid=False)
    with pytest.raises(Conflict):
        programmes.check_attendance_change(True, False, paid=True)


# --- 职业幸福指数 -------------------------------------------------------------------------------

def test_the_index_is_the_mean_score_times_ten_once_enough_have_answered():
    assert happiness.index([8, 9, 7, 10, 6], 5) == {
        "responses": 5, "index": "80.0", "too_few_responses": False,
        "distribution": {**{str(s): 0 for s in range(1, 11)}, "6": 1, "7": 1, "8": 1, "9": 1, "10": 1}}
    assert happiness.index([7, 8], 3) == {"responses": 2, "index": None, "too_few_responses": True,
                                          "distribution": None}


def test_a_survey_takes_answers_only_inside_its_window():
    happiness.check_open(date(2026, 5, 1), date(2026, 5, 31), date(2026, 5, 31))
    with pytest.raises(Conflict) as exc:
        happiness.check_open(date(2026, 5, 1), date(2026, 5, 31), date(2026, 6, 1))
    assert exc.value.code == "happiness_survey_closed"
    with pytest.raises(ValidationFailed):
        happiness.check_window(date(2026, 5, 2), date(2026, 5, 1))
