"""The congress rules as sentences: quorum, majority bases and fractions, ties, runoffs, grades."""
from datetime import date

import pytest

from services.congress.domain import rules
from services.congress.domain.rules import Rule


def test_two_thirds_of_nine_is_six():
    assert Rule("all_delegates", 2, 3, strict=False).threshold(9) == 6


def test_more_than_half_of_nine_is_five_and_of_ten_is_six():
    assert rules.DEFAULT_PASS.threshold(9) == 5
    assert rules.DEFAULT_PASS.threshold(10) == 6


@pytest.mark.parametrize("present,total,quorate", [(6, 9, True), (5, 9, False), (20, 30, True), (19, 30, False),
                                                   (0, 0, False)])
def test_a_session_needs_two_thirds_of_all_delegates_present(present, total, quorate):
    assert rules.quorum(present, total)["quorate"] is quorate


def test_a_motion_fails_without_a_majority_of_all_delegates_even_when_most_voters_agree():
    result = rules.motion_outcome({"yes": 10, "no": 2, "abstain": 3}, rules.DEFAULT_PASS, eligible=30, present=20)
    assert result["required"] == 16 and result["adopted"] is False


def test_a_motion_passes_with_more_than_half_of_all_delegates():
    result = rules.motion_outcome({"yes": 16, "no": 4, "abstain": 0}, rules.DEFAULT_PASS, eligible=30, present=20)
    assert result["adopted"] is True and result["cast"] == 20


def test_the_base_can_be_the_delegates_present_or_the_votes_cast():
    present_rule = Rule("present", 1, 2, True)
    cast_rule = Rule("votes_cast", 2, 3, False)
    counts = {"yes": 11, "no": 5, "abstain": 0}
    assert rules.motion_outcome(counts, present_rule, eligible=30, present=20)["adopted"] is True   # 11 > 10
    assert rules.motion_outcome(counts, cast_rule, eligible=30, present=20)["required"] == 11        # 2/3 of 16


def test_exactly_half_is_not_more_than_half():
    assert rules.motion_outcome({"yes": 5, "no": 5}, Rule("votes_cast", 1, 2, True), eligible=10,
                                present=10)["adopted"] is False


def test_abstentions_never_count_as_yes():
    result = rules.motion_outcome({"yes": 4, "abstain": 6}, Rule("votes_cast", 1, 2, True), eligible=10, present=10)
    assert result["adopted"] is False


def test_no_ballots_adopts_nothing():
    assert rules.motion_outcome({}, Rule("votes_cast", 1, 2, True), eligible=0, present=0)["adopted"] is False


def test_an_election_elects_candidates_with_more_than_half_of_ballots_by_most_votes():
    result = rules.election_outcome({1: 8, 2: 7, 3: 6, 4: 2}, seats=2, cast=10)
    assert result["winners"] == [1, 2] and result["decided"] and result["unfilled"] == 0


def test_a_candidate_with_half_of_the_ballots_or_less_is_not_elected_and_the_seat_stays_open():
    result = rules.election_outcome({1: 8, 2: 5, 3: 4}, seats=2, cast=10)
    assert result["winners"] == [1] and result["unfilled"] == 1 and result["runoff"] is None


def test_a_tie_for_the_last_seat_goes_to_a_runoff_between_the_tied():
    result = rules.election_outcome({1: 9, 2: 7, 3: 7, 4: 1}, seats=2, cast=10)
    assert result["winners"] == [1]
    assert result["runoff"] == {"candidates": [2, 3], "seats": 1}
    assert result["decided"] is False and result["unfilled"] == 0


def test_a_tie_that_fits_the_seats_elects_all_the_tied():
    result = rules.election_outcome({1: 7, 2: 7, 3: 2}, seats=2, cast=10)
    assert result["winners"] == [1, 2] and result["runoff"] is None


def test_a_three_way_tie_for_two_seats_is_a_runoff_for_two():
    result = rules.election_outcome({1: 6, 2: 6, 3: 6}, seats=2, cast=10)
    assert result["winners"] == [] and result["runoff"] == {"candidates": [1, 2, 3], "seats": 2}


def test_an_approval_ballot_may_not_choose_more_than_allowed_or_unknown_or_twice():
    assert rules.validate_approval_choice([1, 2], {1, 2, 3}, 2) is None
    assert rules.validate_approval_choice([], {1, 2, 3}, 2) is None
    assert rules.validate_approval_choice([1, 2, 3], {1, 2, 3}, 2) == "too_many_choices"
    assert rules.validate_approval_choice([1, 1], {1, 2, 3}, 2) == "invalid_choice"
    assert rules.validate_approval_choice([9], {1, 2, 3}, 2) == "invalid_choice"
    assert rules.validate_approval_choice("1", {1, 2, 3}, 2) == "invalid_choice"


def test_a_rating_ballot_grades_every_person_with_one_of_four_grades():
    assert rules.validate_grades({"1": "excellent", "2": "incompetent"}, {1, 2}) is None
    assert rules.validate_grades({"1": "excellent"}, {1, 2}) == "every_subject_required"
    assert rules.validate_grades({"1": "great", "2": "competent"}, {1, 2}) == "invalid_grade"


def test_the_grade_distribution_gives_counts_and_the_satisfaction_rate():
    dist = rules.grade_distribution(["excellent"] * 5 + ["competent"] * 3 + ["basically_competent", "incompetent"])
    assert dist["counts"] == {"excellent": 5, "competent": 3, "basically_competent": 1, "incompetent": 1}
    assert dist["satisfaction_rate"] == 80.0 and dist["excellent_rate"] == 50.0 and dist["total"] == 10


def test_percentages_round_half_up_to_one_decimal_and_none_for_nothing():
    assert rules.percent(2, 3) == 66.7
    assert rules.percent(1, 8) == 12.5
    assert rules.percent(0, 0) is None


def test_breakdowns_merge_groups_smaller_than_the_minimum_into_other():
    groups = {"语文组": {"n": 6, "yes": 4}, "数学组": {"n": 7, "yes": 7}, "后勤": {"n": 2, "yes": 0},
              "行政": {"n": 3, "yes": 3}}
    out = rules.breakdown(groups, 5)
    assert set(out) == {"语文组", "数学组", "other"}
    assert out["other"] == {"n": 5, "yes": 3}


def test_a_single_small_group_cannot_be_worked_out_by_subtraction():
    groups = {"A": {"n": 10, "yes": 5}, "B": {"n": 9, "yes": 9}, "C": {"n": 2, "yes": 0}}
    out = rules.breakdown(groups, 5)
    assert all(v["n"] >= 5 for v in out.values())
    assert "C" not in out and out["other"]["n"] >= 5


def test_no_breakdown_when_everything_would_fall_into_one_group_or_too_few_voted():
    assert rules.breakdown({"A": {"n": 3}, "B": {"n": 1}}, 5) == {}
    assert rules.breakdown({"A": {"n": 9}, "B": {"n": 1}}, 5) == {}


def test_teacher_share_below_sixty_percent_is_a_warning():
    assert rules.teacher_share(["teacher"] * 6 + ["staff"] * 4)["warning"] is None
    low = rules.teacher_share(["teacher"] * 5 + ["logistics"] * 5)
    assert low["warning"] == "teacher_share_low" and low["teacher_share"] == 50.0


def test_sessions_are_numbered_by_term_and_session_in_chinese():
    assert rules.session_label(8, 5) == "八届五次"
    assert rules.session_label(10, 1) == "十届一次"
    assert rules.session_label(21, 12) == "二十一届十二次"


def test_the_school_year_starts_in_september():
    assert rules.school_year_of(date(2026, 9, 1)) == 2026
    assert rules.school_year_of(date(2027, 6, 30)) == 2026


def test_proposals_follow_their_flow():
    assert rules.proposal_allows("submitted", "register")
    assert not rules.proposal_allows("declined", "answer")
    assert not rules.proposal_allows("submitted", "answer")
    assert rules.proposal_allows("reopened", "answer")


def test_a_proposal_is_overdue_only_while_unanswered_past_its_due_date():
    assert rules.is_overdue("assigned", date(2026, 3, 1), date(2026, 3, 2))
    assert not rules.is_overdue("assigned", date(2026, 3, 1), date(2026, 3, 1))
    assert not rules.is_overdue("answered", date(2026, 3, 1), date(2026, 3, 9))


def test_reply_and_implementation_rates_count_only_registered_proposals():
    rates = rules.proposal_rates(["implemented", "answered", "assigned", "declined", "opinion", "reopened"],
                                 [True, True, False, False, False, True])
    assert rates["proposals"] == 4 and rates["replied"] == 2 and rates["reply_rate"] == 50.0
    assert rates["implemented"] == 1 and rates["implementation_rate"] == 25.0


def test_months_that_ended_without_a_disclosure_are_flagged_and_the_current_one_is_only_due():
    assert rules.disclosure_gaps({"2026-01", "2026-03"}, 2026, date(2026, 4, 15)) == ["2026-02"]
    assert rules.disclosure_pending({"2026-01", "2026-03"}, 2026, date(2026, 4, 15)) == "2026-04"
    assert rules.disclosure_pending({"2026-04"}, 2026, date(2026, 4, 15)) is None
    assert rules.disclosure_gaps({"2025-05"}, 2025, date(2026, 4, 15)) == [f"2025-{m:02d}" for m in range(1, 13)
                                                                          if m != 5]
    assert rules.disclosure_gaps(set(), 2027, date(2026, 4, 15)) == []


def test_a_vote_belongs_to_the_latest_sitting_held_by_today_or_else_the_first():
    sittings = [(11, date(2026, 3, 31)), (12, date(2026, 4, 7))]
    assert rules.sitting_for_vote(sittings, date(2026, 3, 31)) == 11
    assert rules.sitting_for_vote(sittings, date(2026, 4, 3)) == 11
    assert rules.sitting_for_vote(sittings, date(2026, 4, 7)) == 12
    assert rules.sitting_for_vote(sittings, date(2026, 3, 1)) == 11


def test_delegates_are_elected_for_this_term_or_the_next_only():
    assert rules.delegate_term_allowed(8, 8) and rules.delegate_term_allowed(8, 9)
    assert not rules.delegate_term_allowed(8, 7) and not rules.delegate_term_allowed(8, 10)


def test_each_new_delegate_fills_the_oldest_open_vacancy_of_their_constituency():
    vacancies = [(1, 10), (2, 20), (3, 10)]
    assert rules.fill_vacancies(vacancies, [(7, 10), (8, 10), (9, 10), (5, 30)]) == {1: 7, 3: 8}
    assert rules.fill_vacancies(vacancies, [(6, None)]) == {}
    assert rules.fill_vacancies([(4, None)], [(6, None)]) == {4: 6}


def test_the_proposal_window_may_be_open_ended():
    assert rules.in_window(date(2026, 6, 1), None, None)
    assert not rules.in_window(date(2026, 6, 1), date(2026, 6, 2), None)
    assert not rules.in_window(date(2026, 6, 3), None, date(2026, 6, 2))
