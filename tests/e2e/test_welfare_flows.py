"""Welfare through the gateway as a client would use it: care cases with visits and money checked
against the policy caps, payments waiting for finance, hardship files behind their public notice,
birthdays, privacy of cases, bad input, roles and school isolation."""
from __future__ import annotations

from datetime import date

import pytest

from shared import testing

from .support import Client, assert_problem, field_codes, new_id_number, unique

pytestmark = pytest.mark.e2e
PASSWORD = "welfare-pass-2026"


def w(school, tail=""):
    return f"/api/v1/schools/{school}/welfare{tail}"


def account(school, role, member_id=None) -> Client:
    username = unique(role.replace("_", "")).lower()
    body = {"username": username, "password": PASSWORD, "role": role}
    if member_id is not None:
        body["member_id"] = member_id
    school.chair.ok("POST", f"/api/v1/schools/{school.code}/accounts", 201, json=body)
    return Client.login(school.chair.base_url, username, PASSWORD)


def admit_known(school, **overrides) -> dict:
    """Admit a member through membership and wait until welfare's directory has them."""
    member = school.chair.admit(school.code, **overrides)
    testing.wait_for(lambda: school.chair.get(w(school.code, f"/members/{member['id']}/caps")).status_code == 200,
                     30, interval=0.2, what="the member to reach welfare's directory")
    return member


@pytest.fixture(scope="module")
def people(school):
    # a budget, so finance approves rather than rejects (a rejection releases the amount from the caps)
    school.chair.ok("PUT", f"/api/v1/schools/{school.code}/finance/budgets/{date.today().year}", json={"items": [
        {"category": "staff_activities", "amount": "100000.00"}, {"category": "rights_welfare", "amount": "100000.00"}]})
    officer = account(school, "welfare_officer")
    wang = admit_known(school, name="王芳", id_number=new_id_number(birth=date(1986, 3, 15), gender="female"))
    li = admit_known(school, name="李明", id_number=new_id_number(birth=date(1975, 7, 1), gender="male"))
    return {"officer": officer, "wang": wang, "li": li, "wang_client": account(school, "member", wang["id"])}


def test_a_visit_with_money_under_the_cap_waits_for_finance_and_one_over_it_is_refused(school, people):
    officer, wang = people["officer"], people["wang"]
    case = officer.ok("POST", w(school.code, "/cases"), 201,
                      json={"member_id": wang["id"], "kind": "hospitalisation", "description": "住院手术"})
    assert case["status"] == "open" and case["source"] == "officer"
    owed = officer.ok("GET", w(school.code, "/cases"), params={"owed": "true"})
    assert case["id"] in [c["id"] for c in owed["items"]]

    over = officer.post(w(school.code, f"/cases/{case['id']}/visits"),
                        json={"visitors": ["工会主席"], "payment": {"amount": "1000.01", "form": "transfer"}})
    problem = assert_problem(over, 422, "payment_over_cap_per_event", fields={"amount"})
    assert problem["params"]["cap"] == "1000.00" and problem["params"]["kind"] == "hospitalisation"
    assert officer.ok("GET", w(school.code, f"/cases/{case['id']}"))["visits"] == 0

    visited = officer.ok("POST", w(school.code, f"/cases/{case['id']}/visits"), 201,
                         json={"visitors": ["工会主席"], "leaders": ["张校长"], "gifts": "营养品",
                               "payment": {"amount": "800.00", "form": "transfer"}})
    payment = visited["visit_log"][0]["payment"]
    assert visited["status"] == "visited" and payment["amount"] == "800.00"
    assert payment["request_id"] == f"welfare:{payment['id']}" and payment["budget_category"] == "rights_welfare"
    # nobody from finance has decided it: it stays visible as awaiting finance
    listed = officer.ok("GET", w(school.code, "/payments"), params={"member_id": wang["id"]})["items"]
    (mine,) = [p for p in listed if p["id"] == payment["id"]]
    assert mine["status"] in ("pending", "received") and mine["awaiting_finance"] is True


def test_bad_amounts_are_refused_naming_every_bad_field(school, people):
    officer, li = people["officer"], people["li"]
    resp = officer.post(w(school.code, "/payments"), json={"member_id": li["id"], "kind": "wedding", "form": "coins",
                                                            "amount": "12.345", "purpose": "", "extra": 1})
    codes = field_codes(assert_problem(resp, 422, "validation_failed", fields={"amount", "form", "purpose", "extra"}))
    assert codes["amount"] == {"money_decimals"} and codes["extra"] == {"unknown_field"}
    for amount, code in (("-5.00", "money_negative"), (600, "money_not_string"), (12.5, "money_not_string")):
        resp = officer.post(w(school.code, "/payments"), json={"member_id": li["id"], "kind": "wedding",
                                                                "form": "transfer", "amount": amount, "purpose": "结婚"})
        assert field_codes(assert_problem(resp, 422, "validation_failed", fields={"amount"}))["amount"] == {code}
    assert officer.ok("GET", w(school.code, "/payments"), params={"member_id": li["id"]})["total"] == 0


def test_a_forbidden_form_and_a_payment_for_another_schools_member_are_refused(school, other_school, people):
    officer = people["officer"]
    card = officer.post(w(school.code, "/payments"), json={"member_id": people["li"]["id"], "kind": "holiday_gift",
                                                            "form": "shopping_card", "amount": "200.00", "purpose": "中秋"})
    assert_problem(card, 422, "payment_form_forbidden", fields={"form"})
    stranger = admit_known(other_school, name="外校老师")
    resp = officer.post(w(school.code, "/payments"), json={"member_id": stranger["id"], "kind": "wedding",
                                                            "form": "transfer", "amount": "100.00", "purpose": "结婚"})
    assert_problem(resp, 422, "welfare_member_unknown", fields={"member_id"})


def test_a_second_birthday_in_a_year_is_refused_and_the_list_shows_the_delivery(school, people):
    officer, wang = people["officer"], people["wang"]
    today = date.today()
    first = officer.ok("POST", w(school.code, "/birthdays/deliveries"), 201,
                       json={"member_id": wang["id"], "amount": "150.00", "delivered_on": today.isoformat()})
    assert first["payment_id"]
    again = officer.post(w(school.code, "/birthdays/deliveries"), json={"member_id": wang["id"], "amount": "100.00"})
    assert_problem(again, 409, "birthday_already_delivered", fields={"member_id"})
    second_payment = officer.post(w(school.code, "/payments"), json={"member_id": wang["id"], "kind": "birthday",
                                                                      "form": "goods", "amount": "50.00",
                                                                      "purpose": "第二个蛋糕"})
    assert_problem(second_payment, 422, "payment_over_times_per_year", fields={"kind"})
    march = officer.ok("GET", w(school.code, "/birthdays"), params={"month": 3, "year": today.year})
    (row,) = [i for i in march["items"] if i["member_id"] == wang["id"]]
    assert row["age"] == today.year - 1986 and row["delivered_on"] == today.isoformat()
    bad = officer.get(w(school.code, "/birthdays"), params={"month": 13})
    assert_problem(bad, 422, "validation_failed", fields={"month"})


def test_a_hardship_file_is_not_approved_before_its_notice_has_run(school, people):
    officer, li = people["officer"], people["li"]
    f = officer.ok("POST", w(school.code, "/hardship-files"), 201,
                   json={"member_id": li["id"], "category": "extreme", "situation": "配偶重病"})
    premature = school.chair.post(w(school.code, f"/hardship-files/{f['id']}/approve"), json={})
    assert_problem(premature, 409, "hardship_step_out_of_order")
    officer.ok("POST", w(school.code, f"/hardship-files/{f['id']}/home-visit"), json={"notes": "情况属实"})
    officer.ok("POST", w(school.code, f"/hardship-files/{f['id']}/verify"), json={})
    noticed = officer.ok("POST", w(school.code, f"/hardship-files/{f['id']}/notice"), json={"days": 5})
    assert noticed["status"] == "notice" and noticed["notice_days"] == 5
    officer.ok("POST", w(school.code, f"/hardship-files/{f['id']}/objections"), 201, json={"content": "收入不实"})
    refused = school.chair.post(w(school.code, f"/hardship-files/{f['id']}/approve"), json={})
    assert_problem(refused, 409, "hardship_notice_not_completed")
    assert officer.ok("GET", w(school.code, f"/hardship-files/{f['id']}"))["status"] == "notice"
    only_chair = officer.post(w(school.code, f"/hardship-files/{f['id']}/approve"), json={})
    assert_problem(only_chair, 403, "role_forbidden")
    twice = officer.post(w(school.code, "/hardship-files"),
                         json={"member_id": li["id"], "category": "ordinary", "situation": "再次申请"})
    assert_problem(twice, 409, "hardship_household_has_file", fields={"member_id"})
    help_ = officer.post(w(school.code, "/payments"), json={"member_id": li["id"], "kind": "hardship",
                                                             "form": "transfer", "amount": "500.00", "purpose": "帮扶"})
    assert_problem(help_, 422, "hardship_file_required", fields={"hardship_file_id"})


def test_a_member_sees_only_their_own_cases_and_officer_reads_are_audited(school, people):
    officer, wang, li, member = people["officer"], people["wang"], people["li"], people["wang_client"]
    own = member.ok("POST", w(school.code, "/cases"), 201, json={"member_id": wang["id"], "kind": "childbirth"})
    assert own["source"] == "member"
    other = officer.ok("POST", w(school.code, "/cases"), 201, json={"member_id": li["id"], "kind": "wedding"})
    assert {c["member_id"] for c in member.ok("GET", w(school.code, "/cases"))["items"]} == {wang["id"]}
    assert member.ok("GET", w(school.code, f"/members/{wang['id']}/cases"))["total"] >= 1
    assert_problem(member.get(w(school.code, f"/members/{li['id']}/cases")), 403, "role_forbidden")
    assert_problem(member.get(w(school.code, f"/cases/{other['id']}")), 403, "welfare_own_records_only")
    assert_problem(member.post(w(school.code, "/cases"), json={"member_id": li["id"], "kind": "wedding"}), 403,
                   "welfare_own_records_only")

    officer.ok("GET", w(school.code, f"/cases/{other['id']}"))
    reads = school.chair.ok("GET", w(school.code, "/audit/case-reads"), params={"page_size": 500})["items"]
    assert any(r["case_id"] == other["id"] and r["via"] == "detail" and r["role"] == "welfare_officer" for r in reads)
    assert_problem(officer.get(w(school.code, "/audit/case-reads")), 403, "role_forbidden")


def test_another_schools_chair_gets_404_on_every_welfare_route_of_this_school(school, other_school, people):
    intruder = other_school.chair
    for method, tail in (("GET", "/cases"), ("GET", "/payments"), ("GET", "/policy"), ("POST", "/payments"),
                         ("GET", "/birthdays?month=3"), ("GET", "/hardship-files"), ("GET", "/cases/1")):
        resp = intruder.request(method, w(school.code, tail), json={} if method == "POST" else None)
        assert_problem(resp, 404, "not_found")


def test_the_district_sets_the_policy_a_school_narrows_it_and_the_district_sees_spending(admin, school, people):
    current = admin.ok("GET", "/api/v1/district/welfare/policy")
    assert "hospitalisation" in {r["kind"] for r in current["rules"]}
    assert_problem(school.chair.request("PUT", "/api/v1/district/welfare/policy",
                                        json={"rules": [], "forbidden_forms": []}), 403, "role_forbidden")
    wider = school.chair.request("PUT", w(school.code, "/policy"), json={
        "rules": [{"kind": "wedding", "per_event": "900.00"}], "forbidden_forms": []})
    assert_problem(wider, 422, "policy_above_district_cap", fields={"per_event"})
    narrowed = school.chair.ok("PUT", w(school.code, "/policy"), json={
        "rules": [{"kind": "wedding", "per_event": "400.00"}], "forbidden_forms": ["cash"]})
    wedding = {r["kind"]: r for r in narrowed["rules"]}["wedding"]
    assert wedding["per_event"] == "400.00" and wedding["source"] == "school" and "cash" in narrowed["forbidden_forms"]
    over = people["officer"].post(w(school.code, "/payments"), json={"member_id": people["li"]["id"], "kind": "wedding",
                                                                      "form": "goods", "amount": "450.00", "purpose": "结婚"})
    assert_problem(over, 422, "payment_over_cap_per_event", fields={"amount"})

    spending = admin.ok("GET", "/api/v1/district/welfare/spending")
    ours = [s for s in spending["schools"] if s["school"] == school.code]
    assert ours and ours[0]["members"] >= 2
    owed = admin.ok("GET", "/api/v1/district/welfare/visits-owed")
    assert {"schools", "total"} <= set(owed)
    assert_problem(school.chair.get("/api/v1/district/welfare/spending"), 403, "role_forbidden")
