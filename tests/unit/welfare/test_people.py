"""Birthdays (逢十 milestones, 29 February) and retirement within three years."""
from datetime import date

from services.welfare.domain import people


def test_every_tenth_birthday_is_a_milestone():
    assert people.is_milestone(date(1986, 3, 15), 2026)
    assert not people.is_milestone(date(1987, 3, 15), 2026)


def test_a_leap_day_birthday_falls_on_the_28th_in_other_years():
    assert people.birthday_in(date(1988, 2, 29), 2026) == date(2026, 2, 28)


def test_the_month_list_is_by_day_with_ages():
    folks = [{"member_id": 1, "name": "甲", "birth_date": date(1980, 5, 20)},
             {"member_id": 2, "name": "乙", "birth_date": date(1996, 5, 2)},
             {"member_id": 3, "name": "丙", "birth_date": date(1990, 6, 1)}]
    items = people.birthdays_of_month(folks, 5, 2026)
    assert [(i["member_id"], i["age"], i["milestone"]) for i in items] == [(2, 30, True), (1, 46, False)]


def test_retirement_age_differs_by_gender_and_is_a_setting():
    assert people.retirement_date(date(1966, 8, 10), "male") == date(2026, 8, 10)
    assert people.retirement_date(date(1971, 8, 10), "female") == date(2026, 8, 10)
    assert people.retirement_date(date(1971, 8, 10), "female", {"female": 60}) == date(2031, 8, 10)


def test_retiring_within_three_years():
    today = date(2026, 8, 1)
    assert people.retiring_within(date(1968, 1, 1), "male", today, 3)      # 2028
    assert not people.retiring_within(date(1970, 1, 1), "male", today, 3)  # 2030
    assert not people.retiring_within(date(1960, 1, 1), "male", today, 3)  # already retired
