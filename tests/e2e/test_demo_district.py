"""The demo district seeded by ``unionhub run --demo``: three school unions whose chairs log in
and see only their own school."""
import pytest

from .conftest import DEMO_PASSWORD, DEMO_SCHOOLS
from .support import Client, assert_problem

pytestmark = pytest.mark.e2e


def test_the_demo_district_has_three_schools_and_about_300_members(admin):
    schools = {s["code"] for s in admin.ok("GET", "/api/v1/district/schools", params={"page_size": 500})["items"]}
    assert set(DEMO_SCHOOLS) <= schools
    totals = {code: admin.member_total(code) for code in DEMO_SCHOOLS}
    assert sum(totals.values()) >= 300 and all(t > 50 for t in totals.values())


@pytest.mark.parametrize("code", DEMO_SCHOOLS)
def test_each_demo_chair_logs_in_and_lists_their_own_school(stack, code):
    chair = Client.login(stack.url, f"{code.lower()}-chair", DEMO_PASSWORD)
    me = chair.ok("GET", "/api/v1/auth/me")
    assert me["role"] == "school_admin" and me["school"] == code and me["member_id"]
    members = chair.ok("GET", f"/api/v1/schools/{code}/members", params={"page_size": 500})
    assert members["total"] > 50 and all(m["school"] == code for m in members["items"])
    assert me["member_id"] in {m["id"] for m in members["items"]}  # the chair is a member of that union


@pytest.mark.parametrize("own, other", [("XQ-SY", "XQ-ZX"), ("XQ-ZX", "XB-ZJ"), ("XB-ZJ", "XQ-SY")])
def test_a_demo_chair_cannot_see_another_schools_members(demo_chair, own, other, admin):
    chair = demo_chair(own)
    someone = admin.ok("GET", f"/api/v1/schools/{other}/members", params={"page_size": 1})["items"][0]
    for resp in (chair.get(f"/api/v1/schools/{other}/members"),
                 chair.get(f"/api/v1/schools/{other}/members/{someone['id']}"),
                 chair.get(f"/api/v1/schools/{other}/members/export"),
                 chair.get(f"/api/v1/schools/{other}/birthdays", params={"month": 1})):
        assert resp.status_code in (403, 404), resp.text
        assert_problem(resp, resp.status_code, resp.json()["code"])
        assert someone["name"] not in resp.text
    # a member of another school is not reachable through one's own school either
    assert_problem(chair.get(f"/api/v1/schools/{own}/members/{someone['id']}"), 404, "member_not_found")


def test_a_demo_chair_gets_the_same_404_for_another_school_and_a_school_that_does_not_exist(demo_chair):
    chair = demo_chair("XQ-SY")
    real = chair.get("/api/v1/schools/XQ-ZX/members")
    fake = chair.get("/api/v1/schools/NO-SUCH/members")
    assert real.status_code == fake.status_code
    assert real.json()["code"] == fake.json()["code"]
