"""Finance on the real broker and PostgreSQL: spending requests published by (fake) welfare and
events publishers are recorded once and answered, however often they are delivered; the audit
report's round trip with (a fake) congress; the chain verifies after it all."""
from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
import requests
from kombu import Connection, Exchange, Queue

from shared import contracts, testing
from shared.jsonutil import dumps

from .support import Service, metric_value, publish_raw, rpc

pytestmark = pytest.mark.integration
contracts.load_all()
YEAR = date.today().year


@pytest.fixture(scope="module")
def finance(amqp_uri, module_db_prefix, module_tmp):
    env = testing.stack_env(amqp_uri, data_dir=module_tmp, database_url=testing.pg_server_url(),
                            db_prefix=module_db_prefix)
    service = Service("finance", env, testing.free_port(), module_tmp).start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def answers(amqp_uri, finance):
    """A queue of our own on finance's exchange: every event finance publishes."""
    name = f"test-finance-answers-{uuid.uuid4().hex[:6]}"
    conn = Connection(amqp_uri, connect_timeout=5)
    queue = Queue(name, Exchange("finance.events", "topic", durable=True), routing_key="#", durable=False,
                  auto_delete=False)
    queue(conn.channel()).declare()
    yield _Answers(conn, name)
    conn.channel().queue_delete(name)
    conn.release()


class _Answers:
    def __init__(self, conn, name):
        self.conn, self.name, self.seen = conn, name, []

    def drain(self):
        channel = self.conn.channel()
        while True:
            message = channel.basic_get(self.name, no_ack=True)
            if message is None:
                break
            self.seen.append(json.loads(message.body))
        channel.close()
        return self.seen

    def updates(self, request_id):
        return [e["payload"] for e in self.drain()
                if e["type"] == "finance.spending_request_updated" and e["payload"]["request_id"] == request_id]

    def wait(self, request_id, n, timeout=30):
        return testing.wait_for(lambda: (lambda u: u if len(u) >= n else False)(self.updates(request_id)), timeout,
                                interval=0.2, what=f"{n} answers to {request_id}")


def chair(school):
    return {"school": school, "actor": f"{school}-chair", "role": "school_admin"}


def officer(school):
    return {"school": school, "actor": f"{school}-fo", "role": "finance_officer"}


def envelope(type_, payload, school):
    return contracts.make_envelope(type_, payload, school=school, actor="integration")


def send(amqp_uri, env):
    source, name = env["type"].split(".", 1)
    publish_raw(amqp_uri, f"{source}.events", name, dumps(env).encode(),
                headers={"nameko.school": env["school"], "nameko.actor": "integration"})


def welfare_request(school, n, amount, category="rights_welfare"):
    return {"request_id": f"welfare:{n}", "payment_id": n, "school": school, "member_id": None,
            "kind": "hospitalisation", "form": "money", "amount": amount, "budget_category": category,
            "purpose": f"住院慰问 {n}", "requested_on": date.today().isoformat()}


def events_request(school, n, amount, category="staff_activities"):
    return {"request_id": f"events:{n}", "expense_id": n, "school": school, "activity_id": 1, "amount": amount,
            "budget_category": category, "purpose": f"活动经费 {n}", "requested_on": date.today().isoformat()}


def requests_of(amqp_uri, school, **query):
    return rpc(amqp_uri, "finance", "list_requests", context=officer(school), school=school, query=query)["items"]


def test_requests_from_welfare_and_events_are_answered_and_redelivery_changes_nothing(amqp_uri, finance, answers):
    school = f"S{uuid.uuid4().hex[:6]}"
    rpc(amqp_uri, "finance", "set_budgets", context=chair(school), school=school, year=YEAR,
        data={"items": [{"category": "rights_welfare", "amount": "1000.00"},
                        {"category": "staff_activities", "amount": "5000.00"}]})
    small = envelope("welfare.payment_requested", welfare_request(school, 1, "600.00"), school)
    too_much = envelope("welfare.payment_requested", welfare_request(school, 2, "400.01"), school)
    activity = envelope("events.expense_requested", events_request(school, 1, "3000.00"), school)
    unknown = envelope("events.expense_requested", events_request(school, 2, "10.00", "snacks"), school)
    for env in (small, too_much, activity, unknown):
        send(amqp_uri, env)

    assert [a["status"] for a in answers.wait("welfare:1", 1)] == ["received"]
    [over] = answers.wait("welfare:2", 1)
    assert (over["status"], over["reason_code"]) == ("rejected", "over_budget")
    assert answers.wait("events:1", 1)[0]["origin"] == "events"
    assert answers.wait("events:2", 1)[0]["reason_code"] == "unknown_category"

    # the same message twice, and the same request re-sent as a new event
    send(amqp_uri, small)
    send(amqp_uri, envelope("welfare.payment_requested", welfare_request(school, 1, "600.00"), school))
    marker = envelope("welfare.payment_requested", welfare_request(school, 3, "1.00"), school)
    send(amqp_uri, marker)
    answers.wait("welfare:3", 1)

    def consumed(outcome):
        text = requests.get(f"{finance.url}/metrics", timeout=5).text
        return metric_value(text, "unionhub_events_consumed_total", service="finance",
                            type="welfare.payment_requested", outcome=outcome)
    testing.wait_for(lambda: consumed("duplicate") >= 1 and consumed("handled") >= 4, 30,
                     what="finance to have consumed the redelivered and re-sent requests")
    assert len(answers.updates("welfare:1")) == 1
    rows = requests_of(amqp_uri, school, origin="welfare")
    assert sorted(r["request_id"] for r in rows) == ["welfare:1", "welfare:2", "welfare:3"]
    pending = metric_value(requests.get(f"{finance.url}/metrics", timeout=5).text,
                           "unionhub_finance_requests_pending", school=school)
    assert pending == 3      # welfare:1, welfare:3 and events:1 wait for approval


def test_approval_by_amount_batch_answers_and_payment_reach_the_requesters(amqp_uri, finance, answers):
    school = f"S{uuid.uuid4().hex[:6]}"
    rpc(amqp_uri, "finance", "set_budgets", context=chair(school), school=school, year=YEAR,
        data={"items": [{"category": "staff_activities", "amount": "50000.00"}]})
    send(amqp_uri, envelope("events.expense_requested", events_request(school, 11, "800.00"), school))
    send(amqp_uri, envelope("events.expense_requested", events_request(school, 12, "2500.00"), school))
    answers.wait("events:11", 1)
    answers.wait("events:12", 1)

    result = rpc(amqp_uri, "finance", "approve_requests", context=officer(school), school=school,
                 data={"request_ids": ["events:11", "events:12", "events:999"]})
    outcome = {r["key"]: (r["ok"], r.get("code")) for r in result["results"]}
    assert outcome == {"events:11": (True, None), "events:12": (False, "approval_limit_exceeded"),
                       "events:999": (False, "spending_request_not_found")}
    second = rpc(amqp_uri, "finance", "approve_requests", context=officer(school), school=school,
                 data={"request_ids": ["events:11"]})
    assert second["results"][0]["code"] == "request_not_pending"

    [row] = [r for r in requests_of(amqp_uri, school) if r["request_id"] == "events:11"]
    paid = rpc(amqp_uri, "finance", "pay_request", context=officer(school), school=school, spending_id=row["id"])
    statuses = [a["status"] for a in answers.wait("events:11", 3)]
    assert statuses == ["received", "approved", "paid"]
    assert answers.updates("events:11")[-1]["entry_id"] == paid["entry_id"]
    assert [a["status"] for a in answers.updates("events:12")] == ["received"]
    report = rpc(amqp_uri, "finance", "verify_chain", context=officer(school), school=school)
    assert report["valid"] and report["entries"] == 1


def test_an_audit_report_approved_by_the_congress_is_filed_and_the_district_sees_it(amqp_uri, finance, answers):
    school = f"S{uuid.uuid4().hex[:6]}"
    audit = rpc(amqp_uri, "finance", "create_audit", context=chair(school), school=school,
                data={"year": YEAR, "title": "年度经费审查"})
    rpc(amqp_uri, "finance", "submit_audit", context=chair(school), school=school, audit_id=audit["id"],
        data={"summary": "经费收支合规"})
    submitted = testing.wait_for(lambda: [e for e in answers.drain() if e["type"] == "finance.audit_report_submitted"
                                          and e["school"] == school], 30, what="the audit report event")
    assert submitted[0]["payload"]["audit_id"] == audit["id"]

    # play congress: its decision arrives on the real broker (and once more, redelivered)
    decision = envelope("congress.audit_report_decided", {
        "audit_id": audit["id"], "school": school, "decision": "approved", "session_id": 1, "motion_id": 2,
        "yes": 30, "no": 1, "abstain": 0, "decided_on": date.today().isoformat()}, school)
    send(amqp_uri, decision)
    send(amqp_uri, decision)
    testing.wait_for(lambda: rpc(amqp_uri, "finance", "get_audit", context=chair(school), school=school,
                                 audit_id=audit["id"])["status"] == "approved", 30, what="the congress decision")
    filed = rpc(amqp_uri, "finance", "file_audit", context=chair(school), school=school, audit_id=audit["id"])
    assert filed["status"] == "filed"
    roll = rpc(amqp_uri, "finance", "district_filings", context={"actor": "admin", "role": "district_admin"},
               query={"year": YEAR})
    assert {i["school"]: i["filed"] for i in roll["items"]}[school] is True


def test_concurrent_posters_on_postgresql_get_one_unbroken_chain(amqp_uri, finance):
    import threading
    school = f"S{uuid.uuid4().hex[:6]}"      # a new school: the posters also race to create its chain head
    acked, failures = [], []

    def poster(i):
        for k in range(8):
            body = {"entry_date": date.today().isoformat(), "kind": "journal", "memo": f"poster {i}/{k}",
                    "lines": [{"account": "5101", "debit": f"{i + 1}.{k:02d}"},
                              {"account": "1002", "credit": f"{i + 1}.{k:02d}"}]}
            try:
                acked.append(rpc(amqp_uri, "finance", "post_entry", context=officer(school), school=school,
                                 data=body)["id"])
            except Exception as exc:
                failures.append(repr(exc))
    threads = [threading.Thread(target=poster, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    report = rpc(amqp_uri, "finance", "verify_chain", context=officer(school), school=school)
    assert report["valid"] and report["entries"] == len(acked) == 64
    listed = rpc(amqp_uri, "finance", "list_entries", context=officer(school), school=school,
                 query={"page_size": 100})
    assert sorted(e["seq"] for e in listed["items"]) == list(range(1, 65))
    assert sorted(e["id"] for e in listed["items"]) == sorted(acked)
