import re
from collections import Counter
from decimal import Decimal

import pytest

from services.membership.demo import AS_OF, RETIREE_GROUP, demo_district
from services.membership.domain import model
from services.membership.domain.idcard import id_birth_date, id_gender, validate_id_number, validate_phone
from services.membership.exporting import members_to_xlsx
from services.membership.importing import parse_members_file


@pytest.fixture(scope="module")
def district():
    return demo_district()


def all_members(district):
    return [m for members in district["members"].values() for m in members]


def test_the_same_seed_gives_the_same_district(district):
    assert demo_district() == district
    assert demo_district(seed=7) != district


def test_three_schools_of_different_kinds_with_about_300_members(district):
    schools = district["schools"]
    assert [s["kind"] for s in schools] == ["primary", "secondary", "vocational"]
    assert schools[0]["code"] == "XQ-SY" and schools[0]["name"] == "新桥实验小学"
    assert {code: len(m) for code, m in district["members"].items()} == {"XQ-SY": 120, "XQ-ZX": 110, "XB-ZJ": 70}


def test_every_id_number_is_valid_unique_and_agrees_with_birth_date_and_gender(district):
    members = all_members(district)
    for m in members:
        assert validate_id_number(m["id_number"]) == m["id_number"]
        assert id_birth_date(m["id_number"]) == m["birth_date"]
        assert id_gender(m["id_number"]) == m["gender"]
        assert validate_phone(m["phone"]) == m["phone"]
    assert len({m["id_number"] for m in members}) == len(members)
    assert len({m["phone"] for m in members}) == len(members)


def test_names_are_chinese_and_unique(district):
    names = [m["name"] for m in all_members(district)]
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n) for n in names)
    assert len(set(names)) == len(names)


def test_categories_are_mostly_teachers_with_every_kind_present(district):
    counts = Counter(m["category"] for m in all_members(district))
    assert set(counts) == set(model.CATEGORIES)
    assert counts["teacher"] > sum(counts.values()) * 0.7
    assert 0 < counts["retiree"] < 30


def test_about_sixty_percent_are_women(district):
    members = all_members(district)
    share = sum(m["gender"] == "female" for m in members) / len(members)
    assert 0.55 <= share <= 0.65


def test_retirees_are_retired_members_in_the_retiree_group(district):
    for m in all_members(district):
        assert (m["category"] == "retiree") == (m["status"] == "retired")
        assert (m["union_group"] == RETIREE_GROUP) == (m["category"] == "retiree")


def test_dates_are_consistent(district):
    for m in all_members(district):
        assert m["hire_date"] <= AS_OF
        assert m["hire_date"].year - m["birth_date"].year >= 20
        if m["status"] == "applicant":
            assert m["join_date"] is None
        else:
            assert m["hire_date"] <= m["join_date"] <= AS_OF
        if m["category"] != "retiree":
            limit = 55 if m["gender"] == "female" else 60
            assert model.age_in_year(m["birth_date"], AS_OF.year) <= limit


def test_membership_rate_is_full_at_one_school_and_just_under_at_another(district):
    rates = {}
    for school in district["schools"]:
        members = district["members"][school["code"]]
        in_service = sum(model.counts_as_in_service(m["status"], m["category"]) for m in members)
        rates[school["code"]] = model.membership_rate(in_service, school["staff_headcount"])
    assert rates["XQ-ZX"] == Decimal("1.0000")
    assert Decimal("0.95") < rates["XQ-SY"] < 1
    assert all(rate <= 1 for rate in rates.values())


def test_groups_fit_the_school_kind_and_leaders_belong_to_their_group(district):
    for code, groups in district["groups"].items():
        members = district["members"][code]
        for group in groups:
            leader = members[group["leader_index"]]
            assert leader["union_group"] == group["name"]
            assert leader["status"] in ("active", "retired")
        assert {m["union_group"] for m in members} == {g["name"] for g in groups}
    assert "语文组" in {g["name"] for g in district["groups"]["XQ-SY"]}
    assert any(g["name"].endswith("专业部") for g in district["groups"]["XB-ZJ"])


def test_committees_have_a_chair_and_distinct_in_service_members(district):
    for code, seats in district["committee"].items():
        members = district["members"][code]
        indexes = [s["member_index"] for s in seats]
        assert len(set(indexes)) == len(indexes)
        assert {"chair", "women", "funds_review"} <= {s["portfolio"] for s in seats}
        assert all(s["portfolio"] in model.COMMITTEE_PORTFOLIOS for s in seats)
        for seat in seats:
            member = members[seat["member_index"]]
            assert model.counts_as_in_service(member["status"], member["category"])
            if seat["portfolio"] == "women":
                assert member["gender"] == "female"


def test_demo_members_survive_an_export_and_import(district):
    members = district["members"]["XQ-SY"]
    parsed = parse_members_file(members_to_xlsx(members), "xlsx")
    assert parsed.errors == []
    assert [row.data["id_number"] for row in parsed.rows] == [m["id_number"] for m in members]
