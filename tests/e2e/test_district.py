"""The district admin's work: registering school unions, statistics, and accounts."""
from decimal import ROUND_HALF_UP, Decimal

import pytest

from .conftest import DEMO_SCHOOLS
from .support import Client, assert_problem, field_codes, register_school, unique

pytestmark = pytest.mark.e2e


def school_body(code, **kw):
    return {"code": code, "name": f"新北区测试学校{code}", "kind": "secondary", "area": "三井街道",
            "staff_headcount": 80, **kw}


def test_the_district_admin_registers_a_school_union(admin):
    code = unique("S")
    body = register_school(admin, school_body(code))
    assert body["code"] == code and body["kind"] == "secondary" and body["kind_label"] == "中学"
    assert body["staff_headcount"] == 80 and body["active"] is True
    codes = [s["code"] for s in admin.ok("GET", "/api/v1/district/schools", params={"page_size": 500})["items"]]
    assert code in codes


def test_registering_a_taken_school_code_is_409_and_changes_nothing(admin):
    code = unique("S")
    register_school(admin, school_body(code))
    before = admin.ok("GET", "/api/v1/district/schools")["total"]
    resp = admin.post("/api/v1/district/schools", json=school_body(code, name="另一个名字"))
    problem = assert_problem(resp, 409, "school_code_taken", fields={"code"})
    assert field_codes(problem)["code"] == {"school_code_taken"}
    assert admin.ok("GET", "/api/v1/district/schools")["total"] == before
    listed = {s["code"]: s for s in admin.ok("GET", "/api/v1/district/schools", params={"page_size": 500})["items"]}
    assert listed[code]["name"] == f"新北区测试学校{code}"


def test_the_school_list_is_paginated_with_items_and_total(admin):
    for _ in range(2):
        register_school(admin, school_body(unique("S")))
    everything = admin.ok("GET", "/api/v1/district/schools", params={"page_size": 500})
    assert everything["total"] == len(everything["items"]) >= 5
    assert set(DEMO_SCHOOLS) <= {s["code"] for s in everything["items"]}
    first = admin.ok("GET", "/api/v1/district/schools", params={"page": 1, "page_size": 2})
    second = admin.ok("GET", "/api/v1/district/schools", params={"page": 2, "page_size": 2})
    assert len(first["items"]) == len(second["items"]) == 2
    assert first["total"] == second["total"] == everything["total"]
    paged = [s["code"] for s in first["items"] + second["items"]]
    assert paged == [s["code"] for s in everything["items"][:4]]
    beyond = admin.ok("GET", "/api/v1/district/schools", params={"page": 1000, "page_size": 2})
    assert beyond["items"] == [] and beyond["total"] == everything["total"]
    assert_problem(admin.get("/api/v1/district/schools", params={"page_size": 0}), 422, "validation_failed",
                   fields={"page_size"})


def test_the_district_admin_updates_a_school_with_patch(admin):
    code = unique("S")
    register_school(admin, school_body(code))
    body = admin.ok("PATCH", f"/api/v1/district/schools/{code}", json={"name": "新北区实验中学", "staff_headcount": 91})
    assert body["name"] == "新北区实验中学" and body["staff_headcount"] == 91 and body["kind"] == "secondary"
    listed = {s["code"]: s for s in admin.ok("GET", "/api/v1/district/schools", params={"page_size": 500})["items"]}
    assert listed[code]["name"] == "新北区实验中学" and listed[code]["staff_headcount"] == 91
    assert_problem(admin.patch(f"/api/v1/district/schools/{code}", json={"staff_headcount": "many"}), 422,
                   "validation_failed", fields={"staff_headcount"})
    assert_problem(admin.patch("/api/v1/district/schools/NO-SUCH-SCHOOL", json={"name": "x"}), 404,
                   "school_not_found")


def test_a_school_chair_may_not_use_district_routes(demo_chair):
    chair = demo_chair("XQ-SY")
    assert_problem(chair.get("/api/v1/district/schools"), 403, "role_forbidden")
    assert_problem(chair.post("/api/v1/district/schools", json=school_body(unique("S"))), 403, "role_forbidden")
    assert_problem(chair.get("/api/v1/district/stats/membership"), 403, "role_forbidden")


def test_membership_stats_give_every_demo_school_its_members_staff_and_rate_and_a_district_total(admin):
    stats = admin.ok("GET", "/api/v1/district/stats/membership")
    rows = {r["school"]: r for r in stats["schools"]}
    assert set(DEMO_SCHOOLS) <= set(rows)
    schools = {s["code"]: s for s in admin.ok("GET", "/api/v1/district/schools", params={"page_size": 500})["items"]}
    for code in DEMO_SCHOOLS:
        row = rows[code]
        active = admin.all_members(code, status="active")
        in_service = sum(1 for m in active if m["category"] != "retiree")
        assert row["members"] == in_service > 0
        assert row["retirees"] == admin.member_total(code, status="retired") > 0
        assert row["eligible_staff"] == schools[code]["staff_headcount"] >= row["members"]
        expected = (Decimal(row["members"]) / Decimal(row["eligible_staff"])).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        assert Decimal(row["rate"]) == expected
        assert Decimal("0.9") < Decimal(row["rate"]) <= 1
    total = stats["total"]
    assert total["members"] == sum(r["members"] for r in stats["schools"])
    assert total["eligible_staff"] == sum(r["eligible_staff"] for r in stats["schools"])
    assert total["retirees"] == sum(r["retirees"] for r in stats["schools"])
    assert Decimal(total["rate"]) == (Decimal(total["members"]) / Decimal(total["eligible_staff"])).quantize(
        Decimal("0.0001"), ROUND_HALF_UP)


def test_a_school_admin_created_by_the_district_creates_officers_only_in_their_own_school(admin, stack):
    code = unique("S")
    register_school(admin, school_body(code))
    chair_name = f"{code.lower()}-chair"
    created = admin.ok("POST", "/api/v1/district/accounts", 201,
                       json={"username": chair_name, "password": "chair-pass-2026", "role": "school_admin",
                             "school": code, "display_name": "工会主席"})
    assert created["role"] == "school_admin" and created["school"] == code and created["active"] is True
    assert "password" not in created
    chair = Client.login(stack.url, chair_name, "chair-pass-2026")

    officer = chair.ok("POST", f"/api/v1/schools/{code}/accounts", 201,
                       json={"username": f"{code.lower()}-welfare", "password": "welfare-pass-1",
                             "role": "welfare_officer"})
    assert officer["role"] == "welfare_officer" and officer["school"] == code
    welfare = Client.login(stack.url, f"{code.lower()}-welfare", "welfare-pass-1")
    assert welfare.ok("GET", "/api/v1/auth/me")["school"] == code
    assert welfare.ok("GET", f"/api/v1/schools/{code}/members")["total"] == 0

    other = chair.post("/api/v1/schools/XQ-SY/accounts",
                       json={"username": unique("sneaky").lower(), "password": "sneaky-pass-1", "role": "auditor"})
    assert other.status_code in (403, 404), other.text
    assert_problem(other, other.status_code, other.json()["code"])
    escalate = chair.post(f"/api/v1/schools/{code}/accounts",
                          json={"username": unique("boss").lower(), "password": "boss-pass-123",
                                "role": "district_admin"})
    assert_problem(escalate, 403, "role_grant_forbidden", fields={"role"})
    accounts = chair.ok("GET", f"/api/v1/schools/{code}/accounts")
    assert sorted(a["username"] for a in accounts["items"]) == sorted([chair_name, f"{code.lower()}-welfare"])
    everyone = admin.ok("GET", "/api/v1/district/accounts", params={"page_size": 500})["items"]
    assert not any(a["username"].startswith(("sneaky", "boss")) for a in everyone)

    dup = admin.post("/api/v1/district/accounts",
                     json={"username": chair_name.upper(), "password": "chair-pass-2026", "role": "auditor",
                           "school": code})
    assert_problem(dup, 409, "username_taken", fields={"username"})
    short = admin.post("/api/v1/district/accounts",
                       json={"username": unique("short").lower(), "password": "short", "role": "auditor",
                             "school": code})
    assert_problem(short, 422, "validation_failed", fields={"password"})


def test_registering_many_school_unions_in_a_row_always_answers_201(admin):
    for _ in range(150):  # each registration loses the race now and then; 150 make a loss near certain
        code = unique("R")
        resp = admin.post("/api/v1/district/schools", json=school_body(code, staff_headcount=0))
        assert resp.status_code == 201, f"{code}: {resp.status_code} {resp.text}"


def test_a_deactivated_school_is_closed_to_school_routes_at_once(admin):
    from .support import create_school
    school = create_school(admin)
    school.chair.admit(school.code)
    assert school.chair.member_total(school.code) == 1
    closed = admin.ok("PATCH", f"/api/v1/district/schools/{school.code}", json={"active": False})
    assert closed["active"] is False
    assert school.code not in {r["school"] for r in admin.ok("GET", "/api/v1/district/stats/membership")["schools"]}
    assert_problem(admin.post(f"/api/v1/schools/{school.code}/members", json={}), 404, "school_not_found")
    assert_problem(admin.get(f"/api/v1/schools/{school.code}/members"), 404, "school_not_found")
    assert_problem(school.chair.get(f"/api/v1/schools/{school.code}/members"), 404, "school_not_found")


def test_a_page_number_beyond_any_offset_is_refused_as_422_not_a_server_error(admin):
    resp = admin.get("/api/v1/district/schools", params={"page": "99999999999999999999"})
    assert resp.status_code < 500, resp.text
    assert resp.json()["status"] == resp.status_code
    assert_problem(resp, 422, "validation_failed", fields={"page"})
