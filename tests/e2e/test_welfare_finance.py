"""Welfare and the real finance service through the gateway: a payment finance rejects, by its
officer's decision or because the budget has no room, shows the reason in welfare and gives the
amount back to the member's yearly cap."""
from __future__ import annotations

from datetime import date

import pytest

from shared import testing

from .support import assert_problem, new_id_number
from .test_welfare_flows import account, admit_known, w

pytestmark = pytest.mark.e2e
YEAR = date.today().year


@pytest.fixture(scope="module")
def people(school):
    # room for care money, almost none for gifts: finance rejects a holiday gift on its own
    school.chair.ok("PUT", f"/api/v1/schools/{school.code}/finance/budgets/{YEAR}", json={"items": [
        {"category": "rights_welfare", "amount": "5000.00"}, {"category": "staff_activities", "amount": "100.00"}]})
    member = admit_known(school, name="钟敏", id_number=new_id_number(birth=date(1984, 6, 1), gender="female"))
    return {"officer": account(school, "welfare_officer"), "finance": account(school, "finance_officer"),
            "member": member}


def _status(officer, code, payment_id, wanted):
    def check():
        p = officer.ok("GET", w(code, f"/payments/{payment_id}"))
        return p if p["status"] == wanted else None
    return testing.wait_for(check, 30, interval=0.2, what=f"welfare to see payment {payment_id} {wanted}")


def test_a_payment_over_the_budget_is_rejected_by_finance_and_its_amount_returns_to_the_cap(school, people):
    officer, member = people["officer"], people["member"]
    body = {"member_id": member["id"], "kind": "holiday_gift", "form": "goods", "amount": "1500.00", "purpose": "春节"}
    first = officer.ok("POST", w(school.code, "/payments"), 201, json=body)
    over = officer.post(w(school.code, "/payments"), json={**body, "amount": "0.01"})
    assert_problem(over, 422, "payment_over_cap_per_member_year", fields={"amount"})
    rejected = _status(officer, school.code, first["id"], "rejected")
    assert rejected["reason_code"] == "over_budget" and rejected["reason"] and rejected["awaiting_finance"] is False
    caps = {c["kind"]: c for c in officer.ok("GET", w(school.code, f"/members/{member['id']}/caps"))["items"]}
    assert caps["holiday_gift"]["counted"] == "0.00" and caps["holiday_gift"]["remaining"] == "1500.00"
    assert officer.ok("POST", w(school.code, "/payments"), 201, json={**body, "amount": "100.00"})["status"] == "pending"


def test_a_payment_the_finance_officer_rejects_shows_the_reason(school, people):
    officer, finance, member = people["officer"], people["finance"], people["member"]
    case = officer.ok("POST", w(school.code, "/cases"), 201, json={"member_id": member["id"], "kind": "hospitalisation"})
    visited = officer.ok("POST", w(school.code, f"/cases/{case['id']}/visits"), 201,
                         json={"visitors": ["工会主席"], "payment": {"amount": "800.00", "form": "transfer"}})
    payment = visited["visit_log"][0]["payment"]
    # the same hospitalisation's per-event cap (1,000) is shared by its visits
    more = officer.post(w(school.code, f"/cases/{case['id']}/visits"),
                        json={"visitors": ["工会主席"], "payment": {"amount": "300.00", "form": "transfer"}})
    assert assert_problem(more, 422, "payment_over_cap_per_event", fields={"amount"})["params"]["remaining"] == "200.00"

    def in_finance():
        items = finance.ok("GET", f"/api/v1/schools/{school.code}/finance/requests",
                           params={"request_id": payment["request_id"]})["items"]
        return items[0] if items else None
    got = testing.wait_for(in_finance, 30, interval=0.2, what="finance to receive the payment request")
    finance.ok("POST", f"/api/v1/schools/{school.code}/finance/requests/{got['id']}/reject",
               json={"reason": "请补充住院证明"})
    rejected = _status(officer, school.code, payment["id"], "rejected")
    assert rejected["reason"] == "请补充住院证明"
    detail = officer.ok("GET", w(school.code, f"/cases/{case['id']}"))
    assert detail["visit_log"][0]["payment"]["status"] == "rejected"
    again = officer.ok("POST", w(school.code, f"/cases/{case['id']}/visits"), 201,
                       json={"visitors": ["工会主席"], "payment": {"amount": "1000.00", "form": "transfer"}})
    assert again["visits"] == 2          # the refused visit above was never recorded
