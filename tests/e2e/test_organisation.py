"""The school union's organisation: union groups (工会小组), the committee (工会委员会) and
birthdays (生日名单)."""
from datetime import date

import pytest

from .support import assert_problem, create_school, field_codes, new_id_number, unique

pytestmark = pytest.mark.e2e


def path(school, tail):
    return f"/api/v1/schools/{school}/{tail}"


def test_a_union_group_is_created_given_a_leader_and_listed(school):
    chair = school.chair
    name = unique("语文组")
    group = chair.ok("POST", path(school.code, "groups"), 201, json={"name": name})
    assert group["name"] == name and group["leader_member_id"] is None and group["members"] == 0
    leader = chair.admit(school.code, name="陈组长", union_group_id=group["id"])
    chair.admit(school.code, name="林组员", union_group_id=group["id"])
    updated = chair.ok("PATCH", path(school.code, f"groups/{group['id']}"), json={"leader_member_id": leader["id"]})
    assert updated["leader_member_id"] == leader["id"] and updated["leader_name"] == "陈组长"
    assert updated["members"] == 2
    listed = {g["id"]: g for g in chair.ok("GET", path(school.code, "groups"))["items"]}
    assert listed[group["id"]]["leader_name"] == "陈组长" and listed[group["id"]]["members"] == 2
    duplicate = chair.post(path(school.code, "groups"), json={"name": name})
    assert_problem(duplicate, 409, "group_name_taken", fields={"name"})
    assert chair.ok("GET", path(school.code, "groups"))["total"] == len(listed)
    nobody = chair.patch(path(school.code, f"groups/{group['id']}"), json={"leader_member_id": 99_999_999})
    assert_problem(nobody, 422, "validation_failed", fields={"leader_member_id"})


def test_a_group_leader_must_be_a_member_of_that_group(school):
    chair = school.chair
    first = chair.ok("POST", path(school.code, "groups"), 201, json={"name": unique("数学组")})
    second = chair.ok("POST", path(school.code, "groups"), 201, json={"name": unique("英语组")})
    outsider = chair.admit(school.code, name="外组人", union_group_id=first["id"])
    refused = chair.patch(path(school.code, f"groups/{second['id']}"), json={"leader_member_id": outsider["id"]})
    problem = assert_problem(refused, 422, "validation_failed", fields={"leader_member_id"})
    assert field_codes(problem)["leader_member_id"] == {"group_leader_not_in_group"}
    listed = {g["id"]: g for g in chair.ok("GET", path(school.code, "groups"))["items"]}
    assert listed[second["id"]]["leader_member_id"] is None


def test_groups_of_one_school_are_invisible_to_another(school, other_school):
    name = unique("后勤组")
    school.chair.ok("POST", path(school.code, "groups"), 201, json={"name": name})
    theirs = other_school.chair.ok("GET", path(other_school.code, "groups"))["items"]
    assert name not in {g["name"] for g in theirs}
    # the same name is free in another school union
    other_school.chair.ok("POST", path(other_school.code, "groups"), 201, json={"name": name})


def test_the_committee_gets_a_chair_and_a_womens_committee_member_and_refuses_a_second_chair(school):
    chair = school.chair
    head = chair.admit(school.code, name="黄主席")
    women = chair.admit(school.code, name="何女工", id_number=new_id_number(gender="female"))
    seat = chair.ok("POST", path(school.code, "committee"), 201, json={"member_id": head["id"], "portfolio": "chair"})
    assert seat["portfolio"] == "chair" and seat["portfolio_label"] == "工会主席" and seat["member_name"] == "黄主席"
    assert seat["ended_on"] is None and seat["started_on"] == date.today().isoformat()
    women_seat = chair.ok("POST", path(school.code, "committee"), 201,
                          json={"member_id": women["id"], "portfolio": "women", "title": "女工委员"})
    assert women_seat["portfolio_label"] == "女工委员"
    second = chair.admit(school.code, name="罗副手")
    refused = chair.post(path(school.code, "committee"), json={"member_id": second["id"], "portfolio": "chair"})
    assert field_codes(assert_problem(refused, 409, "chair_taken", fields={"portfolio"}))["portfolio"] == {"chair_taken"}
    committee = chair.ok("GET", path(school.code, "committee"))
    assert committee["total"] == 2
    assert {(p["member_id"], p["portfolio"]) for p in committee["items"]} == {
        (head["id"], "chair"), (women["id"], "women")}
    # once the chair's term ends, a new chair can be appointed
    chair.ok("POST", path(school.code, f"committee/{seat['id']}/end"), json={})
    chair.ok("POST", path(school.code, "committee"), 201, json={"member_id": second["id"], "portfolio": "chair"})


def test_a_demo_school_that_has_a_chair_refuses_a_second_one(demo_chair):
    chair = demo_chair("XQ-SY")
    committee = chair.ok("GET", path("XQ-SY", "committee"))["items"]
    assert [p["portfolio"] for p in committee].count("chair") == 1
    sitting = {p["member_id"] for p in committee}
    candidate = next(m for m in chair.all_members("XQ-SY", status="active") if m["id"] not in sitting)
    refused = chair.post(path("XQ-SY", "committee"), json={"member_id": candidate["id"], "portfolio": "chair"})
    assert_problem(refused, 409, "chair_taken", fields={"portfolio"})
    assert chair.ok("GET", path("XQ-SY", "committee"))["items"] == committee


def test_the_birthday_list_gives_the_members_born_in_a_month_with_age_and_milestone(demo_chair):
    chair = demo_chair("XQ-SY")
    everyone = chair.all_members("XQ-SY")
    year = date.today().year
    for month in (1, 6, 11):
        expected = {m["id"]: m for m in everyone
                    if int(m["birth_date"][5:7]) == month and m["status"] in ("active", "retired")}
        body = chair.ok("GET", path("XQ-SY", "birthdays"), params={"month": month})
        assert body["total"] == len(body["items"]) == len(expected) > 0
        assert {i["member_id"] for i in body["items"]} == set(expected)
        for item in body["items"]:
            born = date.fromisoformat(item["birth_date"])
            assert born.month == month and item["birth_date"] == expected[item["member_id"]]["birth_date"]
            assert item["name"] == expected[item["member_id"]]["name"]
            assert item["age"] == year - born.year
            assert item["milestone"] is (item["age"] % 10 == 0)
        assert [date.fromisoformat(i["birth_date"]).day for i in body["items"]] == sorted(
            date.fromisoformat(i["birth_date"]).day for i in body["items"])


def test_milestone_birthdays_are_flagged_and_applicants_are_left_out(admin):
    school = create_school(admin)  # a school of its own: nobody else born in May
    chair = school.chair
    month, year = 5, 2030
    forty = chair.admit(school.code, name="整十岁", id_number=new_id_number(birth=date(1990, 5, 20)))
    other = chair.admit(school.code, name="非整十", id_number=new_id_number(birth=date(1991, 5, 3)))
    chair.admit(school.code, name="申请中", id_number=new_id_number(birth=date(1992, 5, 9)), admission="application")
    chair.admit(school.code, name="六月生", id_number=new_id_number(birth=date(1990, 6, 1)))
    body = chair.ok("GET", path(school.code, "birthdays"), params={"month": month, "year": year})
    found = {i["member_id"]: i for i in body["items"]}
    assert set(found) == {forty["id"], other["id"]}
    assert (found[forty["id"]]["age"], found[forty["id"]]["milestone"]) == (40, True)
    assert (found[other["id"]]["age"], found[other["id"]]["milestone"]) == (39, False)
    assert [i["name"] for i in body["items"]] == ["非整十", "整十岁"]  # by day of the month
    only = chair.ok("GET", path(school.code, "birthdays"), params={"month": month, "year": year, "milestone": "true"})
    assert [i["member_id"] for i in only["items"]] == [forty["id"]]


@pytest.mark.parametrize("params", [{"month": 13}, {"month": 0}, {"month": "may"}, {}])
def test_a_month_outside_1_to_12_is_422_on_month(demo_chair, params):
    resp = demo_chair("XQ-SY").get(path("XQ-SY", "birthdays"), params=params)
    assert_problem(resp, 422, "validation_failed", fields={"month"})
