"""The welfare service on the real RabbitMQ and PostgreSQL, with the test playing finance: a
payment checked against the caps is published as ``welfare.payment_requested``; finance's answers
(``finance.spending_request_updated``) approve, reject (releasing the cap) or pay it; redelivered
and late answers change nothing; a retirement from membership opens a care case."""
from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from kombu import Connection, Exchange, Queue

from shared import contracts, testing

from .support import Service, publish_raw, rpc

pytestmark = pytest.mark.integration


def _school() -> str:
    return f"W{uuid.uuid4().hex[:8]}"


def snapshot(member_id, school, name, status="active", version=1):
    return {"id": member_id, "school": school, "person_key": f"pk{member_id:030d}", "name": name, "gender": "female",
            "birth_date": "1966-05-01", "category": "teacher", "status": status, "union_group_id": None,
            "position": None, "hire_date": None, "join_date": "2010-09-01", "version": version}


def publish_event(amqp_uri, type_, payload, school, *, envelope=None) -> dict:
    """Publish one event as its owning service's relay would (confirmed, persistent)."""
    contracts.load_all()
    env = envelope or contracts.make_envelope(type_, payload, school=school, actor="integration-test")
    source, name = type_.split(".", 1)
    publish_raw(amqp_uri, f"{source}.events", name, json.dumps(env).encode(), headers={"nameko.school": school})
    return env


class Finance:
    """The test's stand-in for the finance service: it reads the requests welfare publishes and
    answers them on the real broker."""

    def __init__(self, amqp_uri):
        self.amqp_uri = amqp_uri
        self.queue = Queue(f"test-finance-{uuid.uuid4().hex[:6]}", Exchange("welfare.events", "topic", durable=True),
                           routing_key="payment_requested", durable=False, auto_delete=False)
        with Connection(amqp_uri) as conn:
            self.queue(conn.channel()).declare()
        self.seen: dict[int, dict] = {}

    def request_for(self, payment: dict, timeout=30.0) -> dict:
        """The ``welfare.payment_requested`` event of ``payment`` (every event read is kept)."""
        def take():
            with Connection(self.amqp_uri) as conn:
                channel = conn.channel()
                while (message := channel.basic_get(self.queue.name, no_ack=True)) is not None:
                    event = json.loads(message.body)
                    self.seen[event["payload"]["payment_id"]] = event
            return self.seen.get(payment["id"])
        return testing.wait_for(take, timeout, interval=0.2, what=f"welfare to request payment {payment['id']}")

    def answer(self, request: dict, status, **extra) -> dict:
        payload = request["payload"]
        body = {"request_id": payload["request_id"], "origin": "welfare", "school": payload["school"], "status": status,
                "amount": payload["amount"], "budget_category": payload["budget_category"], "reason": None,
                "reason_code": None, "approval_level": None, "decided_by": "fin-officer", "entry_id": None,
                "at": "2026-05-10T10:00:00+00:00", **extra}
        return publish_event(self.amqp_uri, "finance.spending_request_updated", body, payload["school"])


@pytest.fixture(scope="module")
def welfare(amqp_uri, module_db_prefix, module_tmp):
    env = testing.stack_env(amqp_uri, data_dir=module_tmp, database_url=testing.pg_server_url(),
                            db_prefix=module_db_prefix)
    service = Service("welfare", env, testing.free_port(), module_tmp).start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def finance(amqp_uri, welfare):
    return Finance(amqp_uri)


@pytest.fixture
def school(amqp_uri, welfare):
    """A school with member 王芳 in welfare's directory (from a membership event)."""
    code = _school()
    member_id = int(uuid.uuid4().int % 10_000_000) + 1_000_000
    publish_event(amqp_uri, "membership.member_admitted",
                  {"member": snapshot(member_id, code, "王芳"), "admitted_on": "2010-09-01", "via": "enrolment"}, code)
    ctx = {"school": code, "actor": "wo-1", "role": "welfare_officer"}
    testing.wait_for(lambda: call(amqp_uri, ctx, "member_caps", school=code, member_id=member_id),
                     30, what="the member to reach welfare's directory")
    return code, member_id, ctx


def call(amqp_uri, ctx, method, **kw):
    return rpc(amqp_uri, "welfare", method, context=ctx, **kw)


def pay(amqp_uri, school, amount, kind="hospitalisation"):
    code, member_id, ctx = school
    return call(amqp_uri, ctx, "request_payment", school=code,
                data={"member_id": member_id, "kind": kind, "form": "transfer", "amount": amount, "purpose": "慰问"})


def status_of(amqp_uri, school, payment_id):
    code, _, ctx = school
    return call(amqp_uri, ctx, "get_payment", school=code, payment_id=payment_id)


def wait_status(amqp_uri, school, payment_id, status):
    return testing.wait_for(lambda: (lambda p: p if p["status"] == status else False)(status_of(amqp_uri, school, payment_id)),
                            30, what=f"payment {payment_id} to be {status}")


def test_an_approved_then_paid_payment_follows_finance_and_ignores_a_late_received(amqp_uri, finance, school):
    payment = pay(amqp_uri, school, "800.00")
    assert payment["status"] == "pending"
    req = finance.request_for(payment)
    assert req["type"] == "welfare.payment_requested"
    assert req["payload"]["budget_category"] == "rights_welfare" and req["payload"]["amount"] == "800.00"

    finance.answer(req, "approved", approval_level="finance_officer")
    wait_status(amqp_uri, school, payment["id"], "approved")
    late = finance.answer(req, "received")
    finance.answer(req, "paid", entry_id=501)
    paid = wait_status(amqp_uri, school, payment["id"], "paid")
    assert paid["entry_id"] == 501
    # the late 'received' was consumed (before or after 'paid') and moved nothing back
    publish_event(amqp_uri, "finance.spending_request_updated", late["payload"], school[0])
    marker = pay(amqp_uri, school, "1.00", kind="other")
    finance.answer(finance.request_for(marker), "approved")
    wait_status(amqp_uri, school, marker["id"], "approved")
    assert status_of(amqp_uri, school, payment["id"])["status"] == "paid"


def test_a_rejection_shows_the_reason_and_releases_the_yearly_cap(amqp_uri, finance, school):
    first = pay(amqp_uri, school, "1500.00", kind="holiday_gift")
    from shared.errors import ValidationFailed
    with pytest.raises(ValidationFailed) as exc:
        pay(amqp_uri, school, "100.00", kind="holiday_gift")
    assert exc.value.code == "payment_over_cap_per_member_year"
    req = finance.request_for(first)
    assert req["payload"]["budget_category"] == "staff_activities"

    finance.answer(req, "rejected", reason="预算不足", reason_code="over_budget")
    rejected = wait_status(amqp_uri, school, first["id"], "rejected")
    assert rejected["reason"] == "预算不足" and rejected["reason_code"] == "over_budget"
    assert pay(amqp_uri, school, "1500.00", kind="holiday_gift")["status"] == "pending"


def test_a_redelivered_answer_is_handled_once_and_an_unanswered_request_stays_pending(amqp_uri, finance, school):
    answered, unanswered = pay(amqp_uri, school, "300.00"), pay(amqp_uri, school, "200.00", kind="other")
    reqs = {p["id"]: finance.request_for(p) for p in (answered, unanswered)}
    envelope = finance.answer(reqs[answered["id"]], "rejected", reason="材料不全", reason_code="missing_documents")
    wait_status(amqp_uri, school, answered["id"], "rejected")
    # the same event (same event_id) again, then an 'approved' that arrives too late
    publish_event(amqp_uri, "finance.spending_request_updated", None, school[0], envelope=envelope)
    finance.answer(reqs[answered["id"]], "approved")
    marker = pay(amqp_uri, school, "1.00", kind="other")
    finance.answer(finance.request_for(marker), "approved")
    wait_status(amqp_uri, school, marker["id"], "approved")
    assert status_of(amqp_uri, school, answered["id"])["status"] == "rejected"
    still = status_of(amqp_uri, school, unanswered["id"])
    assert still["status"] == "pending" and still["awaiting_finance"] is True
    code, _, ctx = school
    pending = call(amqp_uri, ctx, "list_payments", school=code, query={"status": "pending"})
    assert unanswered["id"] in [p["id"] for p in pending["items"]]


def test_a_retirement_announced_by_membership_opens_a_care_case(amqp_uri, welfare, school):
    code, member_id, ctx = school
    publish_event(amqp_uri, "membership.member_retired",
                  {"member": snapshot(member_id, code, "王芳", status="retired", version=2),
                   "retired_on": date.today().isoformat()}, code)

    def opened():
        cases = call(amqp_uri, ctx, "list_cases", school=code, query={"kind": "retirement"})["items"]
        return cases if cases else False
    (case,) = testing.wait_for(opened, 30, what="a retirement care case")
    assert case["member_id"] == member_id and case["source"] == "membership" and case["status"] == "open"
    owed = call(amqp_uri, ctx, "list_cases", school=code, query={"owed": True})["items"]
    assert case["id"] in [c["id"] for c in owed]


def test_a_batch_of_payments_is_requested_and_every_one_is_settled_none_lost(amqp_uri, finance, school):
    code, member_id, ctx = school
    items = [{"member_id": member_id, "kind": "other", "form": "goods", "amount": "10.00", "purpose": f"批量 {i}"}
             for i in range(60)]
    items.append({"member_id": member_id, "kind": "wedding", "form": "goods", "amount": "600.01", "purpose": "超标"})
    result = call(amqp_uri, ctx, "request_payments", school=code, data={"payments": items})
    assert (result["accepted"], result["refused"]) == (60, 1)
    assert result["items"][-1]["code"] == "payment_over_cap_per_event"
    accepted = [i["payment"] for i in result["items"] if i["accepted"]]
    for payment in accepted:
        finance.answer(finance.request_for(payment), "received")
        finance.answer(finance.request_for(payment), "approved")

    def all_approved():
        listed = call(amqp_uri, ctx, "list_payments", school=code, query={"status": "approved", "page_size": 500})
        return {p["id"] for p in listed["items"]} >= {p["id"] for p in accepted}
    testing.wait_for(all_approved, 60, interval=0.5, what="every batch payment to be approved")
