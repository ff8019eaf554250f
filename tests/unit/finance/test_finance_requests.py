"""Spending requests: recorded once, checked against the budget, approved by amount, answered by event."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from services.finance import budgets, requests
from services.finance.domain.approval import ApprovalLimits
from services.finance.domain.chart import BANK
from services.finance.orm import SpendingRequest
from shared.errors import Conflict, Forbidden, ValidationFailed

from .support import DAY, S1, request

LIMITS = ApprovalLimits(D("2000.00"), D("10000.00"))


@pytest.fixture
def budgeted(fin):
    fin.run(S1, budgets.set_budgets, 2025, [{"category": "staff_activities", "amount": D("20000.00")},
                                            {"category": "rights_welfare", "amount": D("5000.00")}], "t")
    return fin


def intake(fin, data, origin="welfare"):
    return fin.run(S1, requests.intake, data, origin, LIMITS)


def answers(fin):
    return [e["payload"] for e in fin.events() if e["type"] == "finance.spending_request_updated"]


def test_a_request_within_budget_is_received_and_answered(budgeted):
    got, created = intake(budgeted, request(1, "800.00"))
    assert created and got["status"] == "received" and got["level_needed"] == "finance_officer"
    [answer] = answers(budgeted)
    assert answer["request_id"] == "welfare:1" and answer["status"] == "received" and answer["amount"] == "800.00"


def test_the_same_request_twice_is_recorded_once_and_answered_once(budgeted):
    intake(budgeted, request(1, "800.00"))
    again, created = intake(budgeted, request(1, "800.00"))
    assert not created and again["status"] == "received"
    assert len(answers(budgeted)) == 1
    with budgeted.read(S1) as session:
        assert session.query(SpendingRequest).count() == 1


def test_a_request_over_the_budget_left_is_rejected_over_budget(budgeted):
    intake(budgeted, request(1, "4000.00", "rights_welfare"))
    got, _ = intake(budgeted, request(2, "1000.01", "rights_welfare"))
    assert got["status"] == "rejected" and got["reason_code"] == "over_budget"
    assert "1000.00" in got["reason"]
    assert answers(budgeted)[-1]["reason_code"] == "over_budget"


def test_a_category_without_a_budget_rejects_as_over_budget(budgeted):
    got, _ = intake(budgeted, request(1, "1.00", "capital"))
    assert got["reason_code"] == "over_budget"


def test_an_unknown_category_is_rejected_unknown_category(budgeted):
    got, _ = intake(budgeted, request(1, "10.00", "snacks"))
    assert got["status"] == "rejected" and got["reason_code"] == "unknown_category"


def test_a_rejected_request_releases_its_budget(budgeted):
    first, _ = intake(budgeted, request(1, "5000.00", "rights_welfare"))
    budgeted.run(S1, lambda uow, s: requests.reject(uow, first["id"], "chair", "材料不全"))
    got, _ = intake(budgeted, request(2, "5000.00", "rights_welfare"))
    assert got["status"] == "received"


def test_a_finance_officer_approves_a_small_request_and_it_is_paid_into_the_ledger(budgeted):
    got, _ = intake(budgeted, request(1, "800.00"))
    approved = budgeted.run(S1, lambda uow, s: requests.approve(uow, got["id"], "finance_officer", "fo", LIMITS))
    assert approved["status"] == "approved" and approved["approval_level"] == "finance_officer"
    paid = budgeted.run(S1, lambda uow, s: requests.pay(uow, s, got["id"], "fo", DAY))
    assert paid["status"] == "paid" and paid["entry_id"]
    assert [a["status"] for a in answers(budgeted)] == ["received", "approved", "paid"]
    assert answers(budgeted)[-1]["entry_id"] == paid["entry_id"]
    from services.finance import ledger
    with budgeted.read(S1) as session:
        entry = ledger.get_entry(session, paid["entry_id"])
    assert {(l["account"], l["debit"], l["credit"]) for l in entry["lines"]} == {("5101", "800.00", "0.00"),
                                                                                 (BANK, "0.00", "800.00")}
    assert entry["source"] == "welfare:1" and budgeted.verify(S1)["valid"]


def test_a_finance_officer_approving_above_the_limit_is_refused_and_nothing_changes(budgeted):
    got, _ = intake(budgeted, request(1, "2000.01"))
    with pytest.raises(Forbidden) as exc:
        budgeted.run(S1, lambda uow, s: requests.approve(uow, got["id"], "finance_officer", "fo", LIMITS))
    assert exc.value.code == "approval_limit_exceeded"
    with budgeted.read(S1) as session:
        assert requests.get(session, got["id"])["status"] == "received"
    assert len(answers(budgeted)) == 1


def test_a_second_approval_of_the_same_request_is_a_conflict(budgeted):
    got, _ = intake(budgeted, request(1, "100.00"))
    budgeted.run(S1, lambda uow, s: requests.approve(uow, got["id"], "school_admin", "chair", LIMITS))
    with pytest.raises(Conflict) as exc:
        budgeted.run(S1, lambda uow, s: requests.approve(uow, got["id"], "school_admin", "chair", LIMITS))
    assert exc.value.code == "request_not_pending"


def test_the_largest_requests_need_the_committee_resolution(budgeted):
    got, _ = intake(budgeted, request(1, "12000.00"))
    with pytest.raises(Forbidden):
        budgeted.run(S1, lambda uow, s: requests.approve(uow, got["id"], "school_admin", "chair", LIMITS))
    done = budgeted.run(S1, lambda uow, s: requests.approve(uow, got["id"], "school_admin", "chair", LIMITS,
                                                             "工会委员会 2025-3 号决议"))
    assert done["approval_level"] == "committee" and done["committee_resolution"]


def test_only_an_approved_request_is_paid(budgeted):
    got, _ = intake(budgeted, request(1, "100.00"))
    with pytest.raises(Conflict) as exc:
        budgeted.run(S1, lambda uow, s: requests.pay(uow, s, got["id"], "fo", DAY))
    assert exc.value.code == "request_not_approved"


def test_an_officer_request_gets_its_own_id_and_a_duplicate_id_is_refused(budgeted):
    made = budgeted.run(S1, requests.create, {"amount": D("50.00"), "budget_category": "business",
                                              "purpose": "办公用品"}, LIMITS)
    assert made["origin"] == "finance" and made["request_id"].startswith("finance:")
    with pytest.raises(Conflict):
        budgeted.run(S1, requests.create, {"request_id": made["request_id"], "amount": D("50.00"),
                                           "budget_category": "business", "purpose": "x"}, LIMITS)


def test_a_budget_cannot_go_below_what_is_committed(budgeted):
    intake(budgeted, request(1, "3000.00", "rights_welfare"))
    with pytest.raises(Conflict) as exc:
        budgeted.run(S1, budgets.set_budgets, 2025, [{"category": "rights_welfare", "amount": D("2999.99")}], "t")
    assert exc.value.code == "budget_below_committed"
    with budgeted.read(S1) as session:
        row = {i["category"]: i for i in budgets.budgets_of(session, 2025)["items"]}["rights_welfare"]
    assert row == {"category": "rights_welfare", "label": "维权支出", "amount": "5000.00", "committed": "3000.00",
                   "paid": "0.00", "available": "2000.00"}


def test_a_budget_of_an_unknown_category_names_the_bad_item(budgeted):
    with pytest.raises(ValidationFailed) as exc:
        budgeted.run(S1, budgets.set_budgets, 2025, [{"category": "business", "amount": D("1.00")},
                                                     {"category": "nope", "amount": D("1.00")}], "t")
    assert exc.value.fields == {"items.1.category": ["unknown_category"]}


def test_requests_are_listed_by_status_origin_and_request_id(budgeted):
    intake(budgeted, request(1, "10.00"))
    intake(budgeted, request(2, "10.00"), origin="events")
    intake(budgeted, request(3, "10.00", "nope"))
    with budgeted.read(S1) as session:
        assert [r["request_id"] for r in requests.search(session, {"status": "rejected"})["items"]] == ["welfare:3"]
        assert requests.search(session, {"origin": "welfare"})["total"] == 2
        assert [r["id"] for r in requests.search(session, {"request_id": "welfare:2"})["items"]] == [2]
        page = requests.search(session, {"page": 2, "page_size": 2})
    assert page["total"] == 3 and [r["id"] for r in page["items"]] == [1]
