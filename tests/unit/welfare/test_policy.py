"""The policy table: caps per event, per member per year, times per year, forbidden forms, and a
school that may only narrow the district's caps."""
from decimal import Decimal as D

import pytest

from services.welfare.domain import policy as p
from shared.errors import ValidationFailed


def district(**rules):
    return p.district_policy([p.Rule(k, *v) for k, v in rules.items()] or None, None)


def refused(policy, kind, form, amount, spent=p.Spent()):
    with pytest.raises(ValidationFailed) as exc:
        p.check_payment(policy, kind, form, D(amount), spent)
    return exc.value


def test_a_district_without_rows_starts_from_the_published_example_caps():
    policy = p.district_policy(None, None)
    assert policy.rule("birthday").per_member_year == D("300.00")
    assert policy.rule("hospitalisation").per_event == D("1000.00")
    assert policy.rule("death_of_member").per_event == D("2000.00")
    assert policy.forbidden_forms == {"shopping_card"}
    assert policy.sources["holiday_gift"] == "default"


def test_a_payment_above_the_per_event_cap_is_refused_naming_the_rule():
    error = refused(district(hospitalisation=(D("1000"),)), "hospitalisation", "cash", "1000.01")
    assert error.code == "payment_over_cap_per_event"
    assert error.fields == {"amount": ["payment_over_cap_per_event"]}
    assert error.params["cap"] == "1000" and error.params["source"] == "district"


def test_a_payment_at_the_cap_is_allowed():
    assert p.check_payment(district(hospitalisation=(D("1000"),)), "hospitalisation", "cash", D("1000.00"), p.Spent()) is None


def test_the_yearly_cap_counts_what_the_member_already_has_and_says_what_remains():
    policy = district(holiday_gift=(None, D("1500")))
    p.check_payment(policy, "holiday_gift", "goods", D("500"), p.Spent(D("1000"), 2))
    error = refused(policy, "holiday_gift", "goods", "500.01", p.Spent(D("1000"), 2))
    assert error.code == "payment_over_cap_per_member_year" and error.params["remaining"] == "500"


def test_a_second_birthday_payment_in_a_year_is_refused():
    policy = p.district_policy(None, None)
    p.check_payment(policy, "birthday", "goods", D("200"), p.Spent())
    error = refused(policy, "birthday", "goods", "50", p.Spent(D("200"), 1))
    assert error.code == "payment_over_times_per_year" and error.fields == {"kind": ["payment_over_times_per_year"]}


@pytest.mark.parametrize("form", ["cash", "shopping_card"])
def test_a_forbidden_form_is_refused_before_any_amount_is_looked_at(form):
    policy = p.district_policy([p.Rule("holiday_gift", None, D("1500"))], frozenset({"cash", "shopping_card"}))
    error = refused(policy, "holiday_gift", form, "1.00")
    assert error.code == "payment_form_forbidden" and error.params == {"form": form}


def test_a_kind_without_caps_is_allowed_any_amount():
    assert p.check_payment(district(), "other", "transfer", D("99999.99"), p.Spent()) is None


def test_a_school_narrows_the_district_and_adds_forbidden_forms():
    base = district(holiday_gift=(None, D("1500")), wedding=(D("600"),))
    school = p.school_policy(base, [p.Rule("holiday_gift", None, D("1000"))], frozenset({"cash"}))
    assert school.rule("holiday_gift").per_member_year == D("1000")
    assert school.rule("wedding").per_event == D("600")
    assert school.sources == {"holiday_gift": "school", "wedding": "district", "birthday": "default"}
    assert "cash" in school.forbidden_forms
    error = refused(school, "holiday_gift", "goods", "1000.01")
    assert error.params["source"] == "school"


def test_a_school_may_not_widen_or_drop_a_district_cap():
    base = district(holiday_gift=(None, D("1500")))
    with pytest.raises(ValidationFailed) as exc:
        p.check_narrowing(base, p.Rule("holiday_gift", None, D("2000")))
    assert exc.value.fields == {"per_member_year": ["policy_above_district_cap"]}
    with pytest.raises(ValidationFailed):
        p.check_narrowing(base, p.Rule("holiday_gift", None, None))
    p.check_narrowing(base, p.Rule("holiday_gift", D("100"), D("1500")))


def test_a_school_may_cap_a_kind_the_district_left_open():
    base = district()
    p.check_narrowing(base, p.Rule("other", D("200")))
    assert p.school_policy(base, [p.Rule("other", D("200"))], frozenset()).rule("other").per_event == D("200")


def test_every_kind_maps_to_a_finance_spending_category():
    assert p.budget_category("birthday") == "staff_activities"
    assert p.budget_category("holiday_gift") == "staff_activities"
    assert p.budget_category("hospitalisation") == "rights_welfare"
    assert p.budget_category("hardship") == "rights_welfare"
    assert {p.contract_form(f) for f in p.FORMS} == {"money", "goods", "service"}


def test_two_payments_for_one_life_event_share_its_per_event_cap():
    policy = district(hospitalisation=(D("1000"),))
    assert p.check_payment(policy, "hospitalisation", "transfer", D("400"), p.Spent(D("600"), 1),
                           event_spent=D("600")) is None
    with pytest.raises(ValidationFailed) as exc:
        p.check_payment(policy, "hospitalisation", "transfer", D("400.01"), p.Spent(D("600"), 1), event_spent=D("600"))
    assert exc.value.code == "payment_over_cap_per_event" and exc.value.params["remaining"] == "400"


def test_a_birthday_is_paid_once_a_year_even_when_the_district_table_leaves_it_out():
    policy = p.district_policy([p.Rule("holiday_gift", None, D("1500"))], frozenset())
    assert policy.rule("birthday").times_per_year == 1 and policy.rule("birthday").per_event is None
    error = refused(policy, "birthday", "goods", "50", p.Spent(D("100"), 1))
    assert error.code == "payment_over_times_per_year"


def test_a_district_that_sets_an_empty_table_caps_nothing_but_the_once_a_year_birthday():
    policy = p.district_policy([], frozenset())
    assert policy.rule("hospitalisation") == p.Rule("hospitalisation")
    assert p.check_payment(policy, "hospitalisation", "transfer", D("5000"), p.Spent()) is None
    assert set(policy.rules) == {"birthday"}


def test_a_school_narrowing_the_birthday_amount_need_not_repeat_once_a_year():
    base = p.district_policy(None, None)
    p.check_narrowing(base, p.Rule("birthday", D("200"), D("200"), None))
    school = p.school_policy(base, [p.Rule("birthday", D("200"), D("200"), None)], frozenset())
    assert school.rule("birthday") == p.Rule("birthday", D("200"), D("200"), 1)
