"""Dates in members' lives: birthdays (生日, 逢十生日) and retirement (退休)."""
from __future__ import annotations

from datetime import date

# 法定退休年龄 differs by gender and changes with policy: a setting, these are the defaults
DEFAULT_RETIREMENT_AGE = {"male": 60, "female": 55}


def birthday_in(birth: date, year: int) -> date:
    """The birthday in ``year`` (a 29 February birthday falls on 28 February in other years)."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def age_on_birthday(birth: date, year: int) -> int:
    return year - birth.year


def is_milestone(birth: date, year: int) -> bool:
    """逢十生日: the age reached that year is a multiple of ten."""
    age = age_on_birthday(birth, year)
    return age > 0 and age % 10 == 0


def birthdays_of_month(people: list[dict], month: int, year: int) -> list[dict]:
    """``people`` (dicts with ``birth_date``) born in ``month``, by day, with age and milestone."""
    out = []
    for p in people:
        b = p["birth_date"]
        if b.month != month:
            continue
        out.append({**p, "birthday": birthday_in(b, year), "age": age_on_birthday(b, year),
                    "milestone": is_milestone(b, year)})
    return sorted(out, key=lambda p: (p["birthday"], p.get("name", ""), p.get("member_id", 0)))


def retirement_date(birth: date, gender: str, ages: dict | None = None) -> date:
    age = (ages or DEFAULT_RETIREMENT_AGE).get(gender, DEFAULT_RETIREMENT_AGE["male"])
    return birthday_in(birth, birth.year + age)


def retiring_within(birth: date, gender: str, today: date, years: int, ages: dict | None = None) -> bool:
    """Will retire within ``years`` years from ``today`` (临近退休, 三年内)."""
    retire = retirement_date(birth, gender, ages)
    return today <= retire <= birthday_in(today, today.year + years)
