"""The welfare programmes through the gateway: health checks, mutual aid, festival outreach,
retirees, student aid, batch payments and the district's views."""
from __future__ import annotations

from datetime import date

import pytest

from .support import assert_problem, field_codes, new_id_number
from .test_welfare_flows import account, admit_known, w

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def staff(school):
    # finance answers every payment welfare asks for: with no budget it would reject them over
    # budget, and a rejected payment no longer counts against the member's caps
    school.chair.ok("PUT", f"/api/v1/schools/{school.code}/finance/budgets/{date.today().year}", json={"items": [
        {"category": "staff_activities", "amount": "100000.00"}, {"category": "rights_welfare", "amount": "100000.00"}]})
    officer = account(school, "welfare_officer")
    zhou = admit_known(school, name="周敏", id_number=new_id_number(birth=date(1980, 4, 2), gender="female"))
    qian = admit_known(school, name="钱刚", id_number=new_id_number(birth=date(date.today().year - 58, 9, 1),
                                                                   gender="male"))
    return {"officer": officer, "zhou": zhou, "qian": qian}


def test_a_womens_check_books_women_records_attendance_and_flags_follow_up(school, staff):
    officer, zhou, qian = staff["officer"], staff["zhou"], staff["qian"]
    c = officer.ok("POST", w(school.code, "/health/campaigns"), 201,
                   json={"year": date.today().year, "kind": "women", "title": "三八妇检", "place": "妇幼保健院"})
    booking = officer.ok("POST", w(school.code, f"/health/campaigns/{c['id']}/bookings"), 201,
                         json={"member_id": zhou["id"]})
    refused = officer.post(w(school.code, f"/health/campaigns/{c['id']}/bookings"), json={"member_id": qian["id"]})
    assert_problem(refused, 422, "health_not_eligible", fields={"member_id"})
    officer.ok("POST", w(school.code, f"/health/campaigns/{c['id']}/bookings/{booking['id']}/result"),
               json={"attended": True, "follow_up": True, "follow_up_note": "复查"})
    follow = officer.ok("GET", w(school.code, f"/health/campaigns/{c['id']}/bookings"), params={"follow_up": "true"})
    assert [b["member_id"] for b in follow["items"]] == [zhou["id"]]


def test_a_mutual_aid_claim_is_approved_and_its_payout_requested_from_finance(school, staff):
    officer, zhou = staff["officer"], staff["zhou"]
    year = date.today().year
    officer.ok("POST", w(school.code, "/mutual-aid/enrolments"), 201, json={"member_id": zhou["id"], "year": year})
    again = officer.post(w(school.code, "/mutual-aid/enrolments"), json={"member_id": zhou["id"], "year": year})
    assert_problem(again, 409, "mutual_aid_already_enrolled")
    claim = officer.ok("POST", w(school.code, "/mutual-aid/claims"), 201,
                       json={"member_id": zhou["id"], "year": year, "reason": "hospitalisation", "amount": "1800.00",
                             "documents": ["出院小结", "发票"]})
    no_docs = officer.post(w(school.code, "/mutual-aid/claims"),
                           json={"member_id": zhou["id"], "year": year, "reason": "accident", "amount": "1.005",
                                 "documents": []})
    codes = field_codes(assert_problem(no_docs, 422, "validation_failed", fields={"amount", "documents"}))
    assert codes["amount"] == {"money_decimals"}
    decided = officer.ok("POST", w(school.code, f"/mutual-aid/claims/{claim['id']}/decision"), json={"approve": True})
    assert decided["status"] == "approved" and decided["payout"]["kind"] == "mutual_aid"
    assert decided["payout"]["status"] in ("pending", "received")


def test_a_festival_campaign_lists_recipients_and_a_gift_beyond_the_yearly_cap_is_refused(school, staff):
    officer, zhou = staff["officer"], staff["zhou"]
    year = date.today().year
    spring = officer.ok("POST", w(school.code, "/outreach/campaigns"), 201,
                        json={"festival": "womens_day", "year": year, "title": "三八节慰问", "gift": "生活用品",
                              "amount": "900.00", "form": "goods"})
    listed = officer.ok("POST", w(school.code, f"/outreach/campaigns/{spring['id']}/recipients"),
                        json={"groups": ["women"]})
    assert zhou["id"] in [r["member_id"] for r in listed["items"]]
    assert staff["qian"]["id"] not in [r["member_id"] for r in listed["items"]]
    delivered = officer.ok("POST", w(school.code, f"/outreach/campaigns/{spring['id']}/deliveries"), 201,
                           json={"member_id": zhou["id"]})
    assert delivered["payment_id"]
    autumn = officer.ok("POST", w(school.code, "/outreach/campaigns"), 201,
                        json={"festival": "mid_autumn", "year": year, "title": "中秋慰问", "amount": "700.00"})
    officer.ok("POST", w(school.code, f"/outreach/campaigns/{autumn['id']}/recipients"),
               json={"member_ids": [zhou["id"]]})
    over = officer.post(w(school.code, f"/outreach/campaigns/{autumn['id']}/deliveries"), json={"member_id": zhou["id"]})
    problem = assert_problem(over, 422, "payment_over_cap_per_member_year", fields={"amount"})
    assert problem["params"]["remaining"] == "600.00"


def test_retirees_within_three_years_are_listed_and_a_home_visit_recorded(school, staff):
    officer, qian = staff["officer"], staff["qian"]
    soon = officer.ok("GET", w(school.code, "/retirees/upcoming"))
    assert qian["id"] in [i["member_id"] for i in soon["items"]]
    officer.ok("POST", w(school.code, "/retirees/care"), 201,
               json={"member_id": qian["id"], "kind": "pre_retirement_visit", "leaders": ["校长"], "notes": "八月家访"})
    (row,) = [i for i in officer.ok("GET", w(school.code, "/retirees/upcoming"))["items"] if i["member_id"] == qian["id"]]
    assert row["visited_this_year"] is True


def test_student_aid_needs_an_approved_hardship_file(school, staff):
    officer, zhou = staff["officer"], staff["zhou"]
    resp = officer.post(w(school.code, "/student-aid"), json={"member_id": zhou["id"], "student_name": "周小明",
                                                               "year": date.today().year, "stage": "university"})
    assert_problem(resp, 422, "student_aid_not_eligible", fields={"member_id"})


def test_a_batch_of_payments_reports_each_refusal_and_requests_the_rest(school, staff):
    officer, zhou, qian = staff["officer"], staff["zhou"], staff["qian"]
    body = {"payments": [
        {"member_id": qian["id"], "kind": "wedding", "form": "goods", "amount": "300.00", "purpose": "结婚"},
        {"member_id": qian["id"], "kind": "wedding", "form": "goods", "amount": "700.00", "purpose": "超标"},
        {"member_id": zhou["id"], "kind": "holiday_gift", "form": "shopping_card", "amount": "50.00", "purpose": "卡"},
    ]}
    result = officer.ok("POST", w(school.code, "/payments/batch"), json=body)
    assert (result["accepted"], result["refused"]) == (1, 2)
    assert [i.get("code") for i in result["items"]] == [None, "payment_over_cap_per_event", "payment_form_forbidden"]
    bad = officer.post(w(school.code, "/payments/batch"), json={"payments": [{**body["payments"][0], "amount": 3}]})
    assert_problem(bad, 422, "validation_failed", fields={"payments.0.amount"})


def test_the_district_sees_hardship_households_and_visits_owed_by_school(admin, school, staff):
    hardship = admin.ok("GET", "/api/v1/district/welfare/hardship")
    assert "schools" in hardship
    owed = admin.ok("GET", "/api/v1/district/welfare/visits-owed")
    assert owed["total"] == sum(s["owed"] for s in owed["schools"])
    policy = admin.ok("GET", "/api/v1/district/welfare/policy")
    assert policy["settings"]["retirement_age"]["male"] == 60
