"""Finance's contracts on both sides: what the use cases publish validates against
``shared/contracts/finance.py``, and the events finance consumes (welfare, events, congress,
membership) are handled by the consumer with samples that validate against their contracts."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.finance import audits, budgets, ledger, requests
from services.finance.domain.approval import ApprovalLimits
from services.finance.orm import KIT, Audit, Base, KnownSchool, SpendingRequest
from services.finance.plugin import plugin
from shared import contracts
from shared.db import TenantSessionFactory, UnitOfWork
from shared.jsonutil import dumps
from shared.tenancy import CallContext

contracts.load_all()

WELFARE = {"request_id": "welfare:42", "payment_id": 42, "school": "S001", "member_id": 1024,
           "kind": "hospitalisation", "form": "money", "amount": "800.00", "budget_category": "rights_welfare",
           "purpose": "住院慰问 王芳", "requested_on": "2025-03-10"}
EVENTS = {"request_id": "events:7", "expense_id": 7, "school": "S001", "activity_id": 3, "amount": "1500.00",
          "budget_category": "staff_activities", "purpose": "教职工乒乓球赛 场地与奖品", "requested_on": "2025-04-02"}
DECIDED = {"audit_id": 1, "school": "S001", "decision": "approved", "session_id": 2, "motion_id": 9, "yes": 41,
           "no": 1, "abstain": 2, "decided_on": "2025-07-03"}
SCHOOL = {"code": "S001", "name": "区实验小学", "kind": "primary", "area": None, "staff_headcount": 116}


@pytest.fixture
def sessions(sqlite_schema):
    return TenantSessionFactory(sqlite_schema(Base.metadata, "finance.db"))


def uow(sessions, school="S001"):
    return UnitOfWork(sessions, KIT, schools={school}, context=CallContext(school=school, actor="t", role="school_admin"))


def published(sessions) -> list[dict]:
    with sessions(None) as s:
        return [json.loads(b) for b in s.execute(select(KIT.outbox.c.body).order_by(KIT.outbox.c.id)).scalars()]


@pytest.mark.parametrize("type_,payload", [("welfare.payment_requested", WELFARE), ("events.expense_requested", EVENTS),
                                           ("congress.audit_report_decided", DECIDED),
                                           ("membership.school_registered", SCHOOL)])
def test_the_samples_finance_consumes_are_valid_events_of_their_publishers(type_, payload):
    env = contracts.make_envelope(type_, payload, school="S001", actor="x")
    assert contracts.parse(json.loads(dumps(env))).payload["school" if "school" in payload else "code"] == "S001"


def test_every_event_finance_publishes_has_a_contract():
    for type_ in plugin.publishes:
        assert (type_, 1) in contracts.registered(), type_


def test_finance_answers_a_welfare_and_an_events_request_with_valid_updates(sessions):
    with uow(sessions) as u:
        budgets.set_budgets(u, "S001", 2025, [{"category": "rights_welfare", "amount": Decimal("500.00")},
                                              {"category": "staff_activities", "amount": Decimal("5000.00")}], "t")
        for origin, sample in (("welfare", WELFARE), ("events", EVENTS)):
            requests.intake(u, "S001", contracts.parse(json.loads(dumps(contracts.make_envelope(
                f"{origin}.{'payment_requested' if origin == 'welfare' else 'expense_requested'}", sample,
                school="S001", actor="x")))).payload, origin, ApprovalLimits())
        u.commit()
    answers = [e for e in published(sessions) if e["type"] == "finance.spending_request_updated"]
    for env in answers:
        contracts.check_payload(env["type"], env["version"], env["payload"])
    assert [(a["payload"]["origin"], a["payload"]["status"], a["payload"]["reason_code"]) for a in answers] == [
        ("welfare", "rejected", "over_budget"), ("events", "received", None)]


def test_the_audit_report_submitted_event_and_the_congress_answer_fit_together(sessions):
    with uow(sessions) as u:
        audit = audits.create(u, "S001", {"year": 2025, "kind": "annual", "title": "年度审查"}, "a")
        audits.submit(u, "S001", audit["id"], {"summary": "合规"}, __import__("datetime").date(2025, 6, 30))
        u.commit()
    [env] = [e for e in published(sessions) if e["type"] == "finance.audit_report_submitted"]
    contracts.check_payload(env["type"], 1, env["payload"])
    answer = dict(DECIDED, audit_id=env["payload"]["audit_id"])
    with uow(sessions) as u:
        audits.decided(u, contracts.parse(json.loads(dumps(contracts.make_envelope(
            "congress.audit_report_decided", answer, school="S001", actor="c")))).payload)
        u.commit()
    with sessions(None) as s:
        assert s.get(Audit, audit["id"]).status == "approved"


def test_period_closed_validates(sessions):
    with uow(sessions) as u:
        ledger.set_period_state(u, "S001", "2025-06", "closed", "t", __import__("datetime").date(2025, 7, 1))
        u.commit()
    [env] = published(sessions)
    contracts.check_payload(env["type"], 1, env["payload"])
    assert env["payload"]["period"] == "2025-06"
