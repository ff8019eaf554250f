"""Bad input: every refusal is application/problem+json with a stable code, names every bad
field, and writes nothing."""
import json

import pytest

from .support import assert_problem, bad_checksum, field_codes, member_body, new_id_number

pytestmark = pytest.mark.e2e


def members(school):
    return f"/api/v1/schools/{school}/members"


@pytest.fixture
def unchanged(school, other_school):
    """Asserts after the test that neither school gained or lost a member."""
    before = school.chair.member_total(school.code), other_school.chair.member_total(other_school.code)
    yield
    after = school.chair.member_total(school.code), other_school.chair.member_total(other_school.code)
    assert after == before, "a refused request wrote members"


@pytest.fixture(scope="module", autouse=True)
def seeded(school):
    school.chair.admit(school.code)  # the school is not empty, so 'unchanged' has something to count


def test_malformed_json_is_400_malformed_json(school, unchanged):
    resp = school.chair.post(members(school.code), data='{"name": "王", "id_number": ',
                             headers={"Content-Type": "application/json"})
    assert_problem(resp, 400, "malformed_json")


def test_a_json_array_body_is_400(school, unchanged):
    resp = school.chair.post(members(school.code), json=[member_body()])
    assert_problem(resp, 400, "json_object_expected")


def test_wrong_types_an_unknown_field_and_a_missing_field_are_all_named_in_one_422(school, unchanged):
    resp = school.chair.post(members(school.code), json={"name": 12345, "category": "teacher", "nickname": "小王"})
    problem = assert_problem(resp, 422, "validation_failed", fields={"name", "nickname", "id_number"})
    codes = field_codes(problem)
    assert codes["name"] == {"invalid_type"}
    assert codes["nickname"] == {"unknown_field"}
    assert codes["id_number"] == {"required"}


def test_several_bad_values_are_reported_together(school, unchanged):
    resp = school.chair.post(members(school.code), json={"name": "", "id_number": new_id_number(),
                                                         "category": "janitor", "birth_date": "1990-13-45",
                                                         "union_group_id": "7"})
    problem = assert_problem(resp, 422, "validation_failed",
                             fields={"name", "category", "birth_date", "union_group_id"})
    assert field_codes(problem)["category"] == {"invalid_choice"}
    assert field_codes(problem)["birth_date"] == {"invalid_date"}


def test_a_body_over_one_mebibyte_is_413(school, unchanged):
    body = json.dumps(member_body(position="长" * (1 << 20)))
    assert len(body.encode()) > 1 << 20
    resp = school.chair.post(members(school.code), data=body, headers={"Content-Type": "application/json"})
    assert_problem(resp, 413, "payload_too_large")


def test_an_unknown_school_as_district_admin_is_404_school_not_found(admin, unchanged):
    resp = admin.post(members("NO-SUCH-SCHOOL"), json=member_body())
    body = assert_problem(resp, 404, "school_not_found")
    assert body["params"]["school"] == "NO-SUCH-SCHOOL"
    assert_problem(admin.get(members("NO-SUCH-SCHOOL")), 404, "school_not_found")


def test_the_same_id_number_twice_in_one_school_is_409_id_number_taken(school):
    idn = new_id_number()
    before = school.chair.member_total(school.code)
    school.chair.admit(school.code, id_number=idn)
    resp = school.chair.post(members(school.code), json=member_body(id_number=idn, name="另一个人"))
    problem = assert_problem(resp, 409, "id_number_taken", fields={"id_number"})
    assert field_codes(problem)["id_number"] == {"id_number_taken"}
    assert school.chair.member_total(school.code) == before + 1
    lowercase = school.chair.post(members(school.code), json=member_body(id_number=idn.lower()))
    assert lowercase.status_code == 409  # the same number however it is written


def test_an_id_number_active_in_another_school_is_409_id_number_active_elsewhere(school, other_school):
    idn = new_id_number()
    other_school.chair.admit(other_school.code, id_number=idn)
    before = school.chair.member_total(school.code), other_school.chair.member_total(other_school.code)
    resp = school.chair.post(members(school.code), json=member_body(id_number=idn))
    problem = assert_problem(resp, 409, "id_number_active_elsewhere", fields={"id_number"})
    assert field_codes(problem)["id_number"] == {"id_number_active_elsewhere"}
    assert (school.chair.member_total(school.code), other_school.chair.member_total(other_school.code)) == before


def test_an_id_number_with_a_wrong_check_digit_is_422_on_id_number(school, unchanged):
    resp = school.chair.post(members(school.code), json=member_body(id_number=bad_checksum(new_id_number())))
    problem = assert_problem(resp, 422, "validation_failed", fields={"id_number"})
    assert field_codes(problem)["id_number"] == {"id_checksum"}
    assert "校验位" in problem["errors"][0]["message"]


def test_accept_language_en_gives_english_titles_and_messages(school, unchanged):
    resp = school.chair.post(members(school.code), json=member_body(id_number=bad_checksum(new_id_number())),
                             headers={"Accept-Language": "en-US,en;q=0.9"})
    problem = assert_problem(resp, 422, "validation_failed", fields={"id_number"})
    assert problem["title"] == "Some fields are invalid"
    assert problem["errors"][0]["message"] == "The ID number's check digit is wrong"
    chinese = school.chair.post(members(school.code), json=member_body(id_number=bad_checksum(new_id_number())))
    assert assert_problem(chinese, 422, "validation_failed")["title"] == "提交的数据有误，请检查标出的字段"


def test_an_unsupported_content_type_is_415(school, unchanged):
    resp = school.chair.post(members(school.code), data="name=王", headers={"Content-Type": "text/plain"})
    assert_problem(resp, 415, "unsupported_media_type")


def test_an_unknown_route_is_404_route_not_found(school):
    assert_problem(school.chair.get("/api/v1/nothing-here"), 404, "route_not_found")


def test_a_method_the_route_does_not_have_is_405_method_not_allowed(school, unchanged):
    resp = school.chair.request("DELETE", members(school.code))
    assert_problem(resp, 405, "method_not_allowed")
    assert {"GET", "POST"} <= {m.strip() for m in resp.headers.get("Allow", "").split(",")}
