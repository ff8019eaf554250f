"""Finance through the gateway, as a school union's officers and the district use it."""
from __future__ import annotations

import io
import time
from datetime import date

import pytest

from .support import XLSX, Client, assert_problem, field_codes, unique

pytestmark = pytest.mark.e2e
YEAR = date.today().year
TODAY = date.today().isoformat()


def base(school):
    return f"/api/v1/schools/{school}/finance"


@pytest.fixture(scope="module")
def officer(school) -> Client:
    username = unique("fo").lower()
    school.chair.ok("POST", f"/api/v1/schools/{school.code}/accounts", 201,
                    json={"username": username, "password": "officer-pass-2026", "role": "finance_officer"})
    return Client.login(school.chair.base_url, username, "officer-pass-2026")


@pytest.fixture(scope="module")
def welfare_officer(school) -> Client:
    username = unique("wo").lower()
    school.chair.ok("POST", f"/api/v1/schools/{school.code}/accounts", 201,
                    json={"username": username, "password": "officer-pass-2026", "role": "welfare_officer"})
    return Client.login(school.chair.base_url, username, "officer-pass-2026")


@pytest.fixture(scope="module")
def budgeted(school):
    school.chair.ok("PUT", f"{base(school.code)}/budgets/{YEAR}", json={"items": [
        {"category": "staff_activities", "amount": "30000.00"}, {"category": "business", "amount": "5000.00"},
        {"category": "dues", "amount": "8000.00"}]})
    return school


def entry(amount="120.00", **overrides):
    body = {"entry_date": TODAY, "kind": "journal", "memo": "购买活动器材",
            "lines": [{"account": "5101", "debit": amount}, {"account": "1002", "credit": amount}]}
    body.update(overrides)
    return body


def test_an_officer_posts_a_balanced_entry_and_the_chain_verifies(school, officer):
    posted = officer.ok("POST", f"{base(school.code)}/entries", 201, json=entry())
    assert posted["seq"] >= 1 and len(posted["hash"]) == 64
    assert {(l["account"], l["debit"], l["credit"]) for l in posted["lines"]} == {("5101", "120.00", "0.00"),
                                                                                  ("1002", "0.00", "120.00")}
    got = officer.ok("GET", f"{base(school.code)}/entries/{posted['id']}")
    assert got["hash"] == posted["hash"]
    assert officer.ok("GET", f"{base(school.code)}/ledger/verify")["valid"] is True


def test_an_unbalanced_entry_is_a_422_naming_the_lines_and_nothing_is_posted(school, officer):
    before = officer.ok("GET", f"{base(school.code)}/entries")["total"]
    body = entry()
    body["lines"][1]["credit"] = "119.99"
    problem = assert_problem(officer.post(f"{base(school.code)}/entries", json=body), 422, "entry_unbalanced", ["lines"])
    assert "119.99" in str(problem)
    assert officer.ok("GET", f"{base(school.code)}/entries")["total"] == before


def test_amounts_as_floats_or_with_three_decimals_are_refused_field_by_field(school, officer):
    body = entry()
    body["lines"] = [{"account": "5101", "debit": 12.5}, {"account": "1002", "credit": "12.505"}]
    body["entry_date"] = "2025-13-01"
    problem = assert_problem(officer.post(f"{base(school.code)}/entries", json=body), 422, "validation_failed",
                             ["lines.0.debit", "lines.1.credit", "entry_date"])
    codes = field_codes(problem)
    assert codes["lines.0.debit"] == {"money_not_string"} and codes["lines.1.credit"] == {"money_decimals"}


def test_a_posted_entry_is_reversed_once_and_never_edited(school, officer):
    posted = officer.ok("POST", f"{base(school.code)}/entries", 201, json=entry("50.00"))
    reversal = officer.ok("POST", f"{base(school.code)}/entries/{posted['id']}/reverse", 201, json={})
    assert reversal["reverses_id"] == posted["id"] and reversal["kind"] == "reversal"
    assert_problem(officer.post(f"{base(school.code)}/entries/{posted['id']}/reverse", json={}), 409,
                   "entry_already_reversed")
    assert officer.request("PATCH", f"{base(school.code)}/entries/{posted['id']}", json={"memo": "x"}).status_code == 405
    assert officer.request("DELETE", f"{base(school.code)}/entries/{posted['id']}").status_code == 405


def test_a_closed_period_refuses_postings(school, officer):
    officer.ok("POST", f"{base(school.code)}/periods/2020-01", json={"state": "closed"})
    assert_problem(officer.post(f"{base(school.code)}/entries", json=entry(entry_date="2020-01-15")), 409,
                   "period_closed")
    assert_problem(officer.post(f"{base(school.code)}/periods/2020-01", json={"state": "adjusting"}), 409,
                   "period_transition")
    periods = officer.ok("GET", f"{base(school.code)}/periods", params={"year": 2020})["items"]
    assert periods[0] == {"period": "2020-01", "state": "closed", "changed_at": periods[0]["changed_at"]}


def test_requests_are_approved_by_amount_once_and_paid(budgeted, officer):
    school = budgeted
    small = officer.ok("POST", f"{base(school.code)}/requests", 201,
                       json={"budget_category": "business", "amount": "300.00", "purpose": "办公用品"})
    large = officer.ok("POST", f"{base(school.code)}/requests", 201,
                       json={"budget_category": "staff_activities", "amount": "8000.00", "purpose": "教职工运动会"})
    assert small["status"] == "received" and large["level_needed"] == "school_admin"
    assert_problem(officer.post(f"{base(school.code)}/requests/{large['id']}/approve", json={}), 403,
                   "approval_limit_exceeded")
    batch = officer.ok("POST", f"{base(school.code)}/requests/approve",
                       json={"request_ids": [small["request_id"], large["id"]]})
    assert [(r["ok"], r.get("code")) for r in batch["results"]] == [(True, None), (False, "approval_limit_exceeded")]
    school.chair.ok("POST", f"{base(school.code)}/requests/{large['id']}/approve", json={})
    assert_problem(school.chair.post(f"{base(school.code)}/requests/{large['id']}/approve", json={}), 409,
                   "request_not_pending")
    paid = officer.ok("POST", f"{base(school.code)}/requests/{large['id']}/pay", json={})
    assert paid["status"] == "paid" and paid["entry_id"]
    listed = officer.ok("GET", f"{base(school.code)}/requests", params={"status": "paid", "origin": "finance"})
    assert [r["id"] for r in listed["items"]] == [large["id"]]
    budget = {b["category"]: b for b in officer.ok("GET", f"{base(school.code)}/budgets/{YEAR}")["items"]}
    assert budget["staff_activities"]["paid"] == "8000.00"


def test_a_request_over_budget_is_rejected_with_its_reason(budgeted, officer):
    got = officer.ok("POST", f"{base(budgeted.code)}/requests", 201,
                     json={"budget_category": "business", "amount": "4999.00", "purpose": "超预算的采购"})
    assert got["status"] == "rejected" and got["reason_code"] == "over_budget" and "超出预算" in got["reason"]


def test_bad_request_bodies_name_every_field(budgeted, officer):
    problem = assert_problem(officer.post(f"{base(budgeted.code)}/requests",
                                          json={"amount": 10.0, "purpose": "", "extra": 1}), 422,
                             "validation_failed", ["amount", "purpose", "budget_category", "extra"])
    assert field_codes(problem)["amount"] == {"money_not_string"}
    assert_problem(officer.post(f"{base(budgeted.code)}/requests/approve", json={"request_ids": []}), 422,
                   "validation_failed", ["request_ids"])


def test_roles_are_checked_and_another_school_gets_404(school, other_school, welfare_officer):
    assert_problem(welfare_officer.post(f"{base(school.code)}/entries", json=entry()), 403, "role_forbidden")
    assert welfare_officer.ok("GET", f"{base(school.code)}/requests")["total"] >= 0
    for path in ("/entries", "/requests", "/ledger/verify", f"/budgets/{YEAR}", "/disclosure?year=2025"):
        assert_problem(other_school.chair.get(base(school.code) + path), 404, "not_found")
    assert_problem(school.chair.get("/api/v1/district/finance/rollup", params={"year": YEAR}), 403, "role_forbidden")


def test_reports_disclosure_and_exports(school, officer):
    officer.ok("POST", f"{base(school.code)}/entries", 201,
               json={"entry_date": TODAY, "kind": "receipt", "memo": "收到拨缴经费",
                     "lines": [{"account": "1002", "debit": "10000.00"}, {"account": "4201", "credit": "10000.00"}]})
    ie = officer.ok("GET", f"{base(school.code)}/reports/income-expenditure", params={"year": YEAR})
    assert any(r["category"] == "allocated_funds" for r in ie["income"])
    assert officer.ok("GET", f"{base(school.code)}/reports/balance-sheet", params={"year": YEAR})["balanced"] is True
    officer.ok("GET", f"{base(school.code)}/reports/budget-vs-actual", params={"year": YEAR})
    pub = school.chair.ok("GET", f"{base(school.code)}/disclosure", params={"year": YEAR})
    assert pub["income"] and pub["total_income"]
    xlsx = officer.get(f"{base(school.code)}/reports/export", params={"year": YEAR})
    assert xlsx.status_code == 200 and xlsx.headers["Content-Type"].startswith(XLSX)
    from openpyxl import load_workbook
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["收支表", "资产负债表", "预算执行"]
    doc = officer.get(f"{base(school.code)}/reports/export", params={"year": YEAR, "format": "docx"})
    assert doc.status_code == 200 and doc.content[:2] == b"PK" and "wordprocessingml" in doc.headers["Content-Type"]
    assert_problem(officer.get(f"{base(school.code)}/reports/export", params={"year": YEAR, "format": "pdf"}), 422,
                   "validation_failed", ["format"])
    ledger = officer.get(f"{base(school.code)}/ledger/export", params={"year": YEAR})
    assert ledger.status_code == 200 and "收到拨缴经费" in ledger.content.decode()


def test_an_audit_report_is_filed_only_after_the_congress_approved_it(school, admin):
    audit = school.chair.ok("POST", f"{base(school.code)}/audits", 201, json={"year": YEAR, "title": "年度经费审查"})
    school.chair.ok("POST", f"{base(school.code)}/audits/{audit['id']}/findings", 201,
                    json={"severity": "minor", "description": "部分票据缺少经手人签字"})
    submitted = school.chair.ok("POST", f"{base(school.code)}/audits/{audit['id']}/submit",
                                json={"summary": "经费收支基本合规"})
    assert submitted["status"] == "submitted"
    assert_problem(school.chair.post(f"{base(school.code)}/audits/{audit['id']}/file", json={}), 409,
                   "audit_not_approved")
    filings = admin.ok("GET", "/api/v1/district/finance/filings", params={"year": YEAR})
    row = {i["school"]: i for i in filings["items"]}[school.code]
    assert (row["audits"], row["filed"]) == (1, False)
    assert {"XQ-SY", "XQ-ZX", "XB-ZJ"} <= {i["school"] for i in filings["items"]}   # known from membership


def test_the_demo_district_has_budgets_and_a_rollup(admin, demo_chair):
    budget = demo_chair("XQ-SY").ok("GET", f"{base('XQ-SY')}/budgets/{YEAR}")
    assert {b["category"] for b in budget["items"]} >= {"staff_activities", "rights_welfare", "business"}
    roll = admin.ok("GET", "/api/v1/district/finance/rollup", params={"year": YEAR})
    assert {"XQ-SY", "XQ-ZX", "XB-ZJ"} <= {s["school"] for s in roll["schools"]}
    chart = admin.ok("GET", "/api/v1/district/finance/accounts")
    assert {"staff_activities", "rights_welfare", "business", "capital", "other"} <= {
        a["category"] for a in chart["items"]}


def test_dues_for_a_member_admitted_through_membership_are_scheduled_collected_and_owed(school, officer):
    member = school.chair.admit(school.code, name="陈老师")
    body = {"year": YEAR, "items": [{"member_id": member["id"], "wage_base": "6789.00"}]}

    def bases_set():   # finance learns of the member from membership's event
        resp = officer.request("PUT", f"{base(school.code)}/dues/bases", json=body)
        return resp.json() if resp.status_code == 200 else None
    deadline, got = time.monotonic() + 30, None
    while got is None and time.monotonic() < deadline:
        got = bases_set() or time.sleep(0.3)
    assert got is not None, "finance never learnt of the member admitted through membership"
    assert got["items"] == [{"member_id": member["id"], "name": "陈老师", "wage_base": "6789.00", "monthly": "33.90"}]
    officer.ok("POST", f"{base(school.code)}/dues/schedule", json={"year": YEAR, "first_month": 1, "last_month": 2})
    paid = officer.ok("POST", f"{base(school.code)}/dues/collections", 201,
                      json={"member_id": member["id"], "period": f"{YEAR}-01", "amount": "33.90"})
    assert paid["entry_id"]
    owed = officer.ok("GET", f"{base(school.code)}/dues/arrears", params={"year": YEAR, "up_to": f"{YEAR}-02"})
    assert owed["items"] == [{"member_id": member["id"], "name": "陈老师", "owed": "33.90", "months": [f"{YEAR}-02"]}]
    assert_problem(officer.post(f"{base(school.code)}/dues/collections",
                                json={"member_id": member["id"], "period": f"{YEAR}-02", "amount": "40.00"}), 409,
                   "dues_overpaid", ["amount"])
    # the member sees their own dues, and only their own
    username = unique("m").lower()
    school.chair.ok("POST", f"/api/v1/schools/{school.code}/accounts", 201,
                    json={"username": username, "password": "member-pass-2026", "role": "member",
                          "member_id": member["id"]})
    me = Client.login(school.chair.base_url, username, "member-pass-2026")
    mine = me.ok("GET", f"{base(school.code)}/dues/members/{member['id']}", params={"year": YEAR})
    assert (mine["monthly"], mine["owed"]) == ("33.90", "33.90")
    other = school.chair.admit(school.code, name="林老师")
    assert_problem(me.get(f"{base(school.code)}/dues/members/{other['id']}", params={"year": YEAR}), 403,
                   "role_forbidden")
    assert me.ok("GET", f"{base(school.code)}/disclosure", params={"year": YEAR})["school"] == school.code
    assert_problem(me.get(f"{base(school.code)}/entries"), 403, "role_forbidden")


def test_the_district_sets_a_schools_approval_limits_and_they_apply_at_once(admin, other_school):
    code = other_school.code
    assert_problem(admin.request("PUT", "/api/v1/district/finance/policy",
                                 json={"school": code, "officer_limit": 50, "dues_rate": "0.5"}), 422,
                   "validation_failed", ["officer_limit", "dues_rate"])
    assert_problem(admin.request("PUT", "/api/v1/district/finance/policy",
                                 json={"school": code, "officer_limit": "500.00", "chair_limit": "100.00"}), 422,
                   "policy_limits_order", ["chair_limit"])
    set_ = admin.ok("PUT", "/api/v1/district/finance/policy",
                    json={"school": code, "officer_limit": "50.00", "chair_limit": "100.00"})
    assert set_["overrides"] == {"officer_limit": "50.00", "chair_limit": "100.00"}
    assert other_school.chair.ok("GET", f"{base(code)}/policy")["chair_limit"] == "100.00"
    assert_problem(other_school.chair.request("PUT", "/api/v1/district/finance/policy", json={"chair_limit": "1.00"}),
                   403, "role_forbidden")
    other_school.chair.ok("PUT", f"{base(code)}/budgets/{YEAR}",
                          json={"items": [{"category": "business", "amount": "1000.00"}]})
    req = other_school.chair.ok("POST", f"{base(code)}/requests", 201,
                                json={"budget_category": "business", "amount": "300.00", "purpose": "打印机"})
    assert req["level_needed"] == "committee"
    assert_problem(other_school.chair.post(f"{base(code)}/requests/{req['id']}/approve", json={}), 403,
                   "committee_resolution_required")
    done = other_school.chair.ok("POST", f"{base(code)}/requests/{req['id']}/approve",
                                 json={"committee_resolution": "工会委员会第5次会议"})
    assert done["approval_level"] == "committee"
