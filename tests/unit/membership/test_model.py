from datetime import date
from decimal import Decimal

import pytest

from services.membership.domain import model
from services.membership.domain.errors import MESSAGES
from shared.errors import Conflict, ValidationFailed
from shared.i18n import KIT_MESSAGES


def test_labels_are_chinese_by_default_and_english_on_request():
    assert model.label("category", "temporary_teacher") == "临时代课教师"
    assert model.label("category", "temporary_teacher", "en") == "Temporary substitute teacher"
    assert model.label("status", "active") == "在册会员"
    assert model.label("portfolio", "funds_review") == "经费审查委员"
    assert model.label("school_kind", "vocational") == "职业学校"
    assert model.label("leave_reason", "deceased") == "去世"
    assert model.label("gender", "female") == "女"


def test_an_unknown_value_is_shown_as_it_is_and_nothing_as_empty():
    assert model.label("category", "volunteer") == "volunteer"
    assert model.label("category", None) == ""


@pytest.mark.parametrize("table", [model.CATEGORIES, model.STATUSES, model.GENDERS, model.SCHOOL_KINDS,
                                   model.COMMITTEE_PORTFOLIOS, model.LEAVE_REASONS, model.FIELD_LABELS])
def test_every_label_has_a_chinese_and_an_english_text(table):
    for texts in table.values():
        assert texts["zh-CN"] and texts["en"]


def test_message_catalogue_is_bilingual_and_does_not_redefine_kit_codes():
    for code, texts in MESSAGES.items():
        assert set(texts) == {"zh-CN", "en"}, code
        assert code not in KIT_MESSAGES or KIT_MESSAGES[code] == texts


@pytest.mark.parametrize("current,new", [
    ("applicant", "active"), ("applicant", "left"), ("active", "retired"),
    ("active", "transferred_out"), ("active", "left"), ("retired", "left"),
])
def test_allowed_status_changes_pass(current, new):
    assert model.check_transition(current, new) is None


@pytest.mark.parametrize("current,new", [
    ("applicant", "retired"), ("active", "applicant"), ("active", "active"), ("retired", "active"),
    ("transferred_out", "active"), ("left", "active"), ("left", "applicant"),
])
def test_forbidden_status_change_is_a_conflict_naming_both_states(current, new):
    with pytest.raises(Conflict) as caught:
        model.check_transition(current, new)
    assert caught.value.code == "invalid_transition"
    assert caught.value.params == {"from": current, "to": new}


def test_transferred_out_and_left_are_terminal():
    assert model.TERMINAL_STATUSES == {"transferred_out", "left"}


def test_changing_to_an_unknown_status_is_a_validation_error():
    with pytest.raises(ValidationFailed) as caught:
        model.check_transition("active", "suspended")
    assert caught.value.fields == {"status": ["invalid_choice"]}


def test_retirement_makes_the_member_a_retiree():
    assert model.category_after("retired", "logistics") == "retiree"
    assert model.category_after("transferred_out", "teacher") == "teacher"


def test_leaving_needs_a_known_reason():
    with pytest.raises(ValidationFailed) as missing:
        model.check_leave_reason("")
    assert missing.value.fields == {"leave_reason": ["leave_reason_required"]}
    with pytest.raises(ValidationFailed) as unknown:
        model.check_leave_reason("bored")
    assert unknown.value.fields == {"leave_reason": ["invalid_choice"]}
    assert model.check_leave_reason("deceased") == "deceased"


def test_membership_rate_is_exact_to_four_places():
    assert model.membership_rate(114, 116) == Decimal("0.9828")
    assert model.membership_rate(2, 3) == Decimal("0.6667")
    assert model.membership_rate(103, 103) == Decimal("1.0000")


def test_membership_rate_without_eligible_staff_is_none():
    assert model.membership_rate(0, 0) is None


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        model.membership_rate(-1, 10)


def test_only_active_members_in_service_count_towards_the_rate():
    assert model.counts_as_in_service("active", "temporary_teacher")
    assert not model.counts_as_in_service("retired", "retiree")
    assert not model.counts_as_in_service("active", "retiree")
    assert not model.counts_as_in_service("applicant", "teacher")


def test_district_rate_pools_the_schools():
    rows = [{"in_service_members": 114, "eligible_staff": 116},
            {"in_service_members": 103, "eligible_staff": 103},
            {"in_service_members": 1, "eligible_staff": 10}]
    assert model.district_rate(rows) == Decimal("0.9520")  # 218 / 229, not the mean of the rates
    assert model.district_rate([]) is None


def test_age_and_milestone_birthdays():
    assert model.age_in_year(date(1976, 12, 31), 2026) == 50
    assert model.is_milestone(date(1976, 12, 31), 2026)
    assert not model.is_milestone(date(1977, 1, 1), 2026)
    assert not model.is_milestone(date(2026, 1, 1), 2026)


def test_birthdays_in_a_month_are_sorted_by_day_then_name_with_age_and_milestone():
    members = [
        {"name": "王芳", "birth_date": date(1986, 3, 15)},
        {"name": "李强", "birth_date": date(1970, 3, 2)},
        {"name": "张伟", "birth_date": "1976-03-15"},
        {"name": "赵敏", "birth_date": date(1990, 4, 1)},
        {"name": "无日期", "birth_date": None},
    ]
    found = model.birthdays_in_month(members, 3, 2026)
    assert [(m["name"], m["age"], m["milestone"]) for m in found] == [
        ("李强", 56, False), ("张伟", 50, True), ("王芳", 40, True)]
    assert "age" not in members[0]


@pytest.mark.parametrize("month", [0, 13, "3", True, None])
def test_a_month_outside_one_to_twelve_is_refused(month):
    with pytest.raises(ValidationFailed) as caught:
        model.birthdays_in_month([], month, 2026)
    assert caught.value.fields == {"month": ["invalid_month"]}


def test_transfer_to_the_same_school_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        model.check_transfer("XQ-SY", "XQ-SY", {"XQ-SY", "XQ-ZX"})
    assert caught.value.fields == {"to_school": ["transfer_same_school"]}


@pytest.mark.parametrize("target", ["NOPE", "", None])
def test_transfer_to_an_unknown_school_is_refused(target):
    with pytest.raises(ValidationFailed) as caught:
        model.check_transfer("XQ-SY", target, {"XQ-SY", "XQ-ZX"})
    assert caught.value.fields == {"to_school": ["transfer_target_missing"]}


def test_transfer_to_another_known_school_passes():
    assert model.check_transfer("XQ-SY", "XQ-ZX", {"XQ-SY", "XQ-ZX"}) is None


def test_one_live_membership_per_person_in_the_whole_district():
    from shared.errors import Conflict
    model.check_one_live_membership([], "S1")
    model.check_one_live_membership([("S1", 7)], "S1", except_member=7)     # the member itself
    with pytest.raises(Conflict) as here:
        model.check_one_live_membership([("S1", 7)], "S1")
    with pytest.raises(Conflict) as elsewhere:
        model.check_one_live_membership([("S1", 7), ("S2", 9)], "S1", except_member=7)
    assert (here.value.code, elsewhere.value.code) == ("id_number_taken", "id_number_active_elsewhere")
    assert elsewhere.value.fields == {"id_number": ["id_number_active_elsewhere"]}
