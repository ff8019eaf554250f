"""Integration events leave through the outbox onto RabbitMQ: an observer queue bound to the
membership exchange receives them, membership's /metrics counts them, and ``unionhub outbox
status`` drains to zero pending."""
import json
import re
import subprocess
import sys

import pytest
import requests
from kombu import Connection, Exchange, Queue
from prometheus_client.parser import text_string_to_metric_families

from shared import testing

from .support import new_id_number

pytestmark = pytest.mark.e2e


def published(stack, event_type: str) -> float:
    resp = requests.get(f"{stack.membership_url}/metrics", timeout=10)
    assert resp.status_code == 200
    total = 0.0
    for family in text_string_to_metric_families(resp.text):
        for sample in family.samples:
            if sample.name == "unionhub_events_published_total" and sample.labels.get("type") == event_type:
                total += sample.value
    return total


@pytest.fixture
def observer(stack):
    """A queue of our own bound to membership.events for member_admitted: a subscriber, so the
    events are routed (an event nobody subscribes to is counted as unrouted instead)."""
    exchange = Exchange("membership.events", type="topic", durable=True)
    queue = Queue(f"e2e-observer-{id(stack)}", exchange=exchange, routing_key="member_admitted", durable=False,
                  auto_delete=False)
    with Connection(stack.env["UNIONHUB_AMQP_URI"]) as conn:
        bound = queue(conn.channel())
        bound.declare()
        bound.purge()
        yield conn, bound
        bound.delete()


def drain(conn, queue, want: int) -> list[dict]:
    bodies = []

    def got_all():
        while (message := queue.get(no_ack=True)) is not None:
            bodies.append(json.loads(message.body))
        return len(bodies) >= want
    testing.wait_for(got_all, 30, interval=0.2, what=f"{want} member_admitted events on the observer queue")
    return bodies


def test_admitted_members_are_published_on_the_bus_and_counted_in_membership_metrics(stack, school, observer):
    conn, queue = observer
    before = published(stack, "membership.member_admitted")
    ids = [new_id_number() for _ in range(3)]
    admitted = [school.chair.admit(school.code, id_number=idn, name=f"事件{i}") for i, idn in enumerate(ids)]
    events = [e for e in drain(conn, queue, 3) if e["school"] == school.code]
    assert sorted(e["payload"]["member"]["id"] for e in events) == sorted(m["id"] for m in admitted)
    for event in events:
        assert event["type"] == "membership.member_admitted" and event["event_id"]
        assert event["actor"] == school.chair_username
        assert event["payload"]["via"] == "enrolment"
        assert not any(idn in json.dumps(event) for idn in ids), "events must not carry full ID numbers"
    testing.wait_for(lambda: published(stack, "membership.member_admitted") >= before + 3, 30, interval=0.3,
                     what="unionhub_events_published_total{type=membership.member_admitted} to grow by 3")


def test_the_outbox_status_command_eventually_reports_nothing_pending_for_membership(stack, school):
    school.chair.admit(school.code)

    def drained():
        out = subprocess.run([sys.executable, "-m", "shared.cli", "outbox", "status"], cwd=testing.ROOT,
                             env=stack.env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        match = re.search(r"^membership: (\d+) pending, (\d+) sent$", out.stdout, re.M)
        assert match, out.stdout
        return int(match[1]) == 0 and int(match[2]) > 0
    testing.wait_for(drained, 45, interval=1.0, what="membership outbox to have 0 pending")
