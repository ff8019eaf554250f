"""The flows that cross services, through the running stack as a client sees them: a welfare
payment is asked of finance by event, approved and paid there, and welfare shows each answer;
an activity's expense is rejected by finance with its reason and events shows it; a request over
the budget comes back rejected on its own."""
from __future__ import annotations

from datetime import date

import pytest

from shared import testing

from .support import Client, unique

pytestmark = pytest.mark.e2e
PASSWORD = "flow-pass-2026"
YEAR = date.today().year


def _account(school, role) -> Client:
    username = unique(role.replace("_", "")).lower()
    school.chair.ok("POST", f"/api/v1/schools/{school.code}/accounts", 201,
                    json={"username": username, "password": PASSWORD, "role": role})
    return Client.login(school.chair.base_url, username, PASSWORD)


def _finance_request(client, school, request_id) -> dict | None:
    items = client.ok("GET", f"/api/v1/schools/{school}/finance/requests", params={"request_id": request_id})["items"]
    return items[0] if items else None


@pytest.fixture(scope="module")
def flow(school):
    chair = school.chair
    chair.ok("PUT", f"/api/v1/schools/{school.code}/finance/budgets/{YEAR}", json={"items": [
        {"category": "rights_welfare", "amount": "5000.00"}, {"category": "staff_activities", "amount": "300.00"}]})
    member = chair.admit(school.code, name="赵老师")
    welfare = _account(school, "welfare_officer")
    testing.wait_for(lambda: welfare.get(f"/api/v1/schools/{school.code}/welfare/members/{member['id']}/caps")
                     .status_code == 200, 30, interval=0.2, what="the member to reach welfare's directory")
    return {"member": member, "welfare": welfare, "finance": _account(school, "finance_officer"),
            "events": _account(school, "events_officer")}


def test_a_welfare_payment_is_approved_and_paid_by_finance_and_welfare_follows(school, flow):
    code, welfare, finance = school.code, flow["welfare"], flow["finance"]
    case = welfare.ok("POST", f"/api/v1/schools/{code}/welfare/cases", 201,
                      json={"member_id": flow["member"]["id"], "kind": "hospitalisation", "description": "住院"})
    visit = welfare.ok("POST", f"/api/v1/schools/{code}/welfare/cases/{case['id']}/visits", 201,
                       json={"visitors": ["工会主席"], "payment": {"amount": "600.00", "form": "transfer"}})
    payment = visit["visit_log"][0]["payment"]
    request_id = payment["request_id"]

    # finance recorded it once, against the welfare budget, and waits for an approver
    testing.wait_for(lambda: _finance_request(finance, code, request_id), 30, interval=0.2,
                     what="finance to receive the payment request")
    got = _finance_request(finance, code, request_id)
    assert (got["status"], got["origin"], got["amount"], got["budget_category"]) == (
        "received", "welfare", "600.00", "rights_welfare")

    def welfare_status():
        return welfare.ok("GET", f"/api/v1/schools/{code}/welfare/payments/{payment['id']}")["status"]
    testing.wait_for(lambda: welfare_status() == "received", 30, interval=0.2, what="welfare to see 'received'")

    finance.ok("POST", f"/api/v1/schools/{code}/finance/requests/approve", json={"request_ids": [request_id]})
    testing.wait_for(lambda: welfare_status() == "approved", 30, interval=0.2, what="welfare to see 'approved'")
    finance.ok("POST", f"/api/v1/schools/{code}/finance/requests/{got['id']}/pay", json={})
    testing.wait_for(lambda: welfare_status() == "paid", 30, interval=0.2, what="welfare to see 'paid'")
    assert _finance_request(finance, code, request_id)["status"] == "paid"
    budget = {b["category"]: b for b in finance.ok("GET", f"/api/v1/schools/{code}/finance/budgets/{YEAR}")["items"]}
    assert budget["rights_welfare"]["paid"] == "600.00"


def test_an_activity_expense_rejected_by_finance_shows_the_reason_in_events(school, flow):
    code, events, finance = school.code, flow["events"], flow["finance"]
    activity = events.ok("POST", f"/api/v1/schools/{code}/events/activities", 201,
                         json={"title": "教工羽毛球赛", "kind": "sport", "starts_at": f"{YEAR}-12-18T08:00:00",
                               "capacity": 20})
    base = f"/api/v1/schools/{code}/events/activities/{activity['id']}/expenses"
    expense = events.ok("POST", base, 201, json={"kind": "expense", "amount": "200.00", "purpose": "购买羽毛球"})
    testing.wait_for(lambda: _finance_request(finance, code, expense["request_id"]), 30, interval=0.2,
                     what="finance to receive the expense")
    got = _finance_request(finance, code, expense["request_id"])
    finance.ok("POST", f"/api/v1/schools/{code}/finance/requests/{got['id']}/reject", json={"reason": "请改用学校体育经费"})

    def answer():
        mine = [e for e in events.ok("GET", base)["items"] if e["id"] == expense["id"]]
        return mine[0] if mine and mine[0]["status"] == "rejected" else None
    testing.wait_for(answer, 30, interval=0.2, what="events to see the rejection")
    assert answer()["reason"] == "请改用学校体育经费"


def test_an_expense_over_the_budget_is_rejected_without_anyone_deciding(school, flow):
    code, events, finance = school.code, flow["events"], flow["finance"]
    activity = events.ok("POST", f"/api/v1/schools/{code}/events/activities", 201,
                         json={"title": "教工春游", "kind": "trip", "starts_at": f"{YEAR}-12-20T08:00:00", "capacity": 40})
    base = f"/api/v1/schools/{code}/events/activities/{activity['id']}/expenses"
    expense = events.ok("POST", base, 201, json={"kind": "expense", "amount": "9000.00", "purpose": "包车"})

    def rejected():
        got = _finance_request(finance, code, expense["request_id"])
        return got if got and got["status"] == "rejected" else None
    testing.wait_for(rejected, 30, interval=0.2, what="finance to reject the expense over budget")
    assert rejected()["reason_code"] == "over_budget"
    testing.wait_for(lambda: [e for e in events.ok("GET", base)["items"] if e["id"] == expense["id"]][0]["status"]
                     == "rejected", 30, interval=0.2, what="events to see the rejection")


def _delegate(chair, code, member_id) -> dict:
    def attempt():
        resp = chair.post(f"/api/v1/schools/{code}/congress/delegates", json={"member_id": member_id, "term_no": 3})
        if resp.status_code == 201:
            return resp.json()
        assert resp.status_code == 422, resp.text   # not in congress's directory yet
        return None
    return testing.wait_for(attempt, 60, interval=0.3, what=f"member {member_id} to reach congress")


def test_the_audit_report_goes_to_the_congress_and_once_approved_is_filed_with_the_district(admin, other_school):
    school = other_school
    chair, code = school.chair, school.code
    c = f"/api/v1/schools/{code}/congress"
    members = [chair.admit(code, name=f"经审代表{i}")["id"] for i in range(3)]
    for m in members:
        _delegate(chair, code, m)
    voters = []
    for m in members:
        username = unique("dlg").lower()
        chair.ok("POST", f"/api/v1/schools/{code}/accounts", 201,
                 json={"username": username, "password": PASSWORD, "role": "delegate", "member_id": m})
        voters.append(Client.login(chair.base_url, username, PASSWORD))
    session = chair.ok("POST", c + "/sessions", 201, json={
        "term_no": 3, "session_no": 2, "mode": "delegate_congress", "central_topic": "经费审查",
        "sitting_dates": [date.today().isoformat()], "agenda": [{"title": "听取工会工作报告", "power": "hear_report"}]})
    chair.ok("POST", c + f"/sessions/{session['id']}/convene")
    sitting = session["sittings"][0]["id"]
    for m in members:
        chair.ok("POST", c + f"/sessions/{session['id']}/sittings/{sitting}/check-ins", 201, json={"member_id": m})

    f = f"/api/v1/schools/{code}/finance"
    audit = chair.ok("POST", f + "/audits", 201, json={"year": YEAR, "title": "年度经费审查报告"})
    chair.ok("POST", f + f"/audits/{audit['id']}/submit", json={"summary": "收支合规，票据齐全"})

    def motion():
        polls = chair.ok("GET", c + f"/sessions/{session['id']}/polls")["items"]
        return next((p for p in polls if p["audit_id"] == audit["id"]), None)
    poll = testing.wait_for(motion, 30, interval=0.2, what="the audit report to become a motion of the session")
    chair.ok("POST", c + f"/polls/{poll['id']}/open", json={})
    for voter in voters:
        voter.ok("POST", c + f"/polls/{poll['id']}/ballots", 201, json={"choice": "yes"})
    assert chair.ok("POST", c + f"/polls/{poll['id']}/close")["result"]["adopted"] is True

    testing.wait_for(lambda: chair.ok("GET", f + f"/audits/{audit['id']}")["status"] == "approved", 30,
                     interval=0.2, what="finance to learn the congress approved the report")
    assert chair.ok("POST", f + f"/audits/{audit['id']}/file", json={})["status"] == "filed"
    filings = admin.ok("GET", "/api/v1/district/finance/filings", params={"year": YEAR})
    assert {i["school"]: i for i in filings["items"]}[code]["filed"] is True
