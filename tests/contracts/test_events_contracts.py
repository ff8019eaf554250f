"""Contracts of the events service, both sides: every event the plugin publishes has a contract
and a realistic sample that survives the envelope and JSON; the payloads the use cases really
write validate; finance's answer (the consumer side) is applied by the expense consumer."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from shared import contracts
from shared.jsonutil import dumps, json_ready
from shared.plugins import discover

contracts.load_all()
NOW = "2026-03-01T09:00:00"

SAMPLES = {
    "events.expense_requested": {"request_id": "events:7", "expense_id": 7, "school": "XQ-SY", "activity_id": 3,
                                 "amount": "1200.00", "budget_category": "staff_activities",
                                 "purpose": "暑期教工出游：每人补贴", "requested_on": "2026-06-20"},
    "events.activity_scheduled": {"activity_id": 3, "school": "XQ-SY", "title": "教工乒乓球赛预赛", "kind": "sport",
                                  "starts_at": NOW, "capacity": None, "compulsory": True},
    "events.registration_confirmed": {"registration_id": 11, "activity_id": 3, "activity_title": "暑期教工出游",
                                      "kind": "trip", "school": "XQ-SY", "member_id": 1024, "member_name": "王芳",
                                      "starts_at": NOW, "confirmed_at": NOW},
    "events.registration_cancelled": {"registration_id": 11, "activity_id": 3, "school": "XQ-SY", "member_id": 1024,
                                      "status": "cancelled", "cancelled_at": NOW},
    "events.seat_offered": {"registration_id": 12, "activity_id": 3, "school": "XQ-SY", "member_id": 1025,
                            "member_name": "李明", "offer_expires_at": NOW},
    "events.attendance_recorded": {"activity_id": 3, "school": "XQ-SY", "title": "三八游园", "attended": 80,
                                   "no_show": 4, "closed_at": NOW},
    "events.competition_announced": {"competition_id": 1, "title": "全区教职工乒乓球赛", "kind": "sport", "year": 2026,
                                     "held_on": "2026-09-20", "entries_close_on": None},
    "events.district_task_set": {"task_id": 2, "year": 2026, "month": 11, "title": "迎接区教育工会检查"},
    "events.plan_published": {"plan_id": 5, "school": "XQ-SY", "year": 2026, "title": "2026年工会工作计划",
                              "items": 31},
}


def test_every_published_event_has_a_contract_and_a_sample():
    published = discover(["events"])["events"].publishes
    assert sorted(published) == sorted(SAMPLES)
    assert {t for t, _v in contracts.registered() if t.startswith("events.")} == set(published)


@pytest.mark.parametrize("type_", sorted(SAMPLES))
def test_samples_round_trip_through_the_envelope(type_):
    env = contracts.make_envelope(type_, SAMPLES[type_], school="XQ-SY", actor="chair")
    parsed = contracts.parse(json.loads(dumps(env)))
    assert parsed.type == type_ and parsed.school == "XQ-SY"


def test_a_sample_missing_a_required_field_is_refused():
    broken = dict(SAMPLES["events.expense_requested"])
    del broken["request_id"]
    with pytest.raises(Exception):
        contracts.make_envelope("events.expense_requested", broken, school="XQ-SY", actor="chair")


def test_the_expense_request_carries_exact_money_as_a_string():
    env = contracts.make_envelope("events.expense_requested",
                                  json_ready({**SAMPLES["events.expense_requested"], "amount": Decimal("0.10")}),
                                  school="XQ-SY", actor="chair")
    assert json.loads(dumps(env))["payload"]["amount"] == "0.10"


def test_finance_answers_are_applied_forward_only(sqlite_schema):
    from services.events import costs
    from services.events.orm import Activity, Base, Expense
    from shared.db import TenantSessionFactory
    engine = sqlite_schema(Base.metadata)
    session = TenantSessionFactory(engine)(None)
    session.add(Activity(id=1, school="XQ-SY", title="出游", kind="trip", starts_at=datetime(2026, 7, 1), seats_taken=0,
                         seq=0, offer_hours=48, requires_approval=False, compulsory=False, survey_open=False,
                         status="open"))
    session.add(Expense(id=7, school="XQ-SY", activity_id=1, kind="expense", amount=Decimal("1200.00"), purpose="x",
                        budget_category="staff_activities", status="requested", requested_on=date(2026, 6, 20)))
    session.flush()
    answer = {"request_id": "events:7", "origin": "events", "school": "XQ-SY", "amount": "1200.00",
              "budget_category": "staff_activities", "reason": None, "reason_code": None, "approval_level": None,
              "decided_by": "fin", "entry_id": None, "at": "2026-06-21T10:00:00+08:00"}
    contracts.check_payload("finance.spending_request_updated", 1, {**answer, "status": "paid", "entry_id": 5})
    assert costs.apply_answer(session, {**answer, "status": "paid", "entry_id": 5})
    assert not costs.apply_answer(session, {**answer, "status": "approved"})
    assert not costs.apply_answer(session, {**answer, "status": "paid", "entry_id": 5})
    assert not costs.apply_answer(session, {**answer, "origin": "welfare", "status": "rejected"})
    row = session.get(Expense, 7)
    assert (row.status, row.entry_id, row.answered_at) == ("paid", 5, datetime(2026, 6, 21, 2, 0))
    session.close()
