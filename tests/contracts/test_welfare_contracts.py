"""Contract tests of the welfare service: what it publishes (``welfare.payment_requested``, built
by the real use case) and what it consumes (finance's ``spending_request_updated``, membership's
member events through the directory)."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from services.welfare import payments
from services.welfare.orm import Base, DirectoryMember, KIT
from services.welfare.plugin import plugin
from shared import contracts
from shared.db import TenantSessionFactory, UnitOfWork
from shared.directory import apply_member
from shared.jsonutil import dumps
from shared.tenancy import CallContext

contracts.load_all()

PAYMENT_REQUESTED = {
    "request_id": "welfare:42", "payment_id": 42, "school": "S001", "member_id": 1024, "kind": "hospitalisation",
    "form": "money", "amount": "800.00", "budget_category": "rights_welfare", "purpose": "住院慰问：王芳",
    "requested_on": "2026-05-10", "form_detail": "transfer", "member_name": "王芳", "case_id": 7,
}
SPENDING_ANSWER = {
    "request_id": "welfare:1", "origin": "welfare", "school": "S001", "status": "approved", "amount": "800.00",
    "budget_category": "rights_welfare", "reason": None, "reason_code": None, "approval_level": "finance_officer",
    "decided_by": "fin1", "entry_id": None, "at": "2026-05-11T09:00:00",
}


def test_welfare_publishes_exactly_its_contracted_events():
    registered = {t for t, _ in contracts.registered() if t.startswith("welfare.")}
    assert set(plugin.publishes) == registered == {"welfare.payment_requested"}


def test_the_payment_requested_sample_round_trips_and_keeps_what_finance_needs():
    envelope = contracts.make_envelope("welfare.payment_requested", PAYMENT_REQUESTED, school="S001", actor="wo")
    event = contracts.parse(json.loads(dumps(envelope)))
    assert event.payload == PAYMENT_REQUESTED
    for name in ("request_id", "school", "amount", "budget_category", "purpose"):
        broken = {k: v for k, v in PAYMENT_REQUESTED.items() if k != name}
        with pytest.raises(contracts.ContractViolation):
            contracts.check_payload("welfare.payment_requested", 1, broken)


def test_an_amount_as_a_float_breaks_the_contract():
    with pytest.raises(contracts.ContractViolation):
        contracts.check_payload("welfare.payment_requested", 1, {**PAYMENT_REQUESTED, "amount": 800.0})


@pytest.fixture
def wf(sqlite_schema):
    engine = sqlite_schema(Base.metadata, "welfare.db")
    sessions = TenantSessionFactory(engine)

    def uow():
        return UnitOfWork(sessions, KIT, schools={"S001"}, context=CallContext(school="S001", actor="wo",
                                                                              role="welfare_officer"))
    with uow() as u:
        apply_member(u.session, DirectoryMember, {"id": 1024, "school": "S001", "person_key": "p" * 32, "name": "王芳",
                                                  "gender": "female", "birth_date": "1986-03-15", "category": "teacher",
                                                  "status": "active", "version": 1})
        u.commit()
    return uow


def test_the_event_the_use_case_publishes_passes_the_contract_and_the_finance_answer_is_consumed(wf):
    with wf() as uow:
        payments.request(uow, "S001", member_id=1024, kind="birthday", form="goods", amount=Decimal("120.00"),
                         purpose="生日蛋糕", today=date(2026, 5, 10), actor="wo")
        uow.commit()
        (envelope,) = uow.published
    payload = json.loads(dumps(envelope))["payload"]
    assert contracts.check_payload("welfare.payment_requested", 1, payload) is payload
    assert payload["budget_category"] == "staff_activities" and payload["amount"] == "120.00"

    answer = {**SPENDING_ANSWER, "request_id": payload["request_id"], "amount": payload["amount"],
              "budget_category": payload["budget_category"]}
    received = contracts.parse(json.loads(dumps(contracts.make_envelope(
        "finance.spending_request_updated", answer, school="S001", actor="fin1"))), lenient_payload=True)
    with wf() as uow:
        assert payments.apply_answer(uow, received.payload) == "applied"
        uow.commit()
    with wf() as uow:
        assert payments.get(uow.session, payload["payment_id"], CallContext(role="welfare_officer"))["status"] == "approved"


def test_a_finance_answer_carrying_fields_added_later_is_still_consumed():
    body = contracts.make_envelope("finance.spending_request_updated", SPENDING_ANSWER, school="S001", actor="fin1")
    body["payload"]["new_field_from_a_later_version"] = "x"
    event = contracts.parse(json.loads(dumps(body)), lenient_payload=True)
    assert event.payload["status"] == "approved" and event.payload["origin"] == "welfare"
