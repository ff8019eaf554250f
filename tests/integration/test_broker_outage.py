"""Losing the broker delays events, never loses them: with the membership service and a
consumer running, RabbitMQ is stopped while more state changes commit; their events wait in the
outbox, and once the broker is back every event reaches the consumer exactly once, the outbox
drains and the durable consumer queues are still there."""
from __future__ import annotations

import subprocess
import uuid
from datetime import date

import pytest
import requests

from services.membership import members
from shared import broker, testing

from .support import MembershipDb, ProbeProcess, Service, list_queues, metric_value, next_id_number, rpc

pytestmark = pytest.mark.integration


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture
def stack(amqp_uri, db_prefix, tmp_path):
    env = testing.stack_env(amqp_uri, data_dir=tmp_path, database_url=testing.pg_server_url(), db_prefix=db_prefix,
                            extra={"UNIONHUB_RELAY_POLL": "0.2"})
    membership = Service("membership", env, testing.free_port(), tmp_path).start()
    db = probe = None
    try:
        db = MembershipDb(amqp_uri, db_prefix, tmp_path)
        probe = ProbeProcess(amqp_uri, db_prefix, tmp_path, name=f"probe_{uuid.uuid4().hex[:6]}").start()
        yield membership, db, probe
    finally:
        if probe is not None:
            probe.close()
        if db is not None:
            db.close()
        membership.stop()


def _admit_by_rpc(amqp_uri, school, name):
    return rpc(amqp_uri, "membership", "admit_member", context={"school": school, "role": "school_admin",
                                                                "actor": "chair"},
               school=school, data={"name": name, "id_number": next_id_number(), "category": "teacher"})


def _all_event_ids(db) -> list[str]:
    with db.engine.connect() as conn:
        return [r.event_id for r in conn.execute(db.outbox.select().order_by(db.outbox.c.id))]


def _backlog_metric(membership) -> float:
    text = requests.get(f"{membership.url}/metrics", timeout=10).text
    return metric_value(text, "unionhub_outbox_backlog", service="membership")


def test_events_committed_while_the_broker_is_down_reach_the_consumer_exactly_once_after_it_returns(
        amqp_uri, stack):
    membership, db, probe = stack
    school = f"S{uuid.uuid4().hex[:6]}"
    rpc(amqp_uri, "membership", "create_school", context={"role": "district_admin", "actor": "district"},
        data={"code": school, "name": "停机演练学校", "kind": "secondary", "staff_headcount": 40})
    admitted = [_admit_by_rpc(amqp_uri, school, f"停机前{i}") for i in range(3)]
    testing.wait_for(lambda: db.pending() == 0, 60, what="the service's relay to publish")
    before = _all_event_ids(db)
    assert len(before) == 4
    assert probe.wait_handled(before) == {e: 1 for e in before}
    queues = {q: list_queues(amqp_uri)[q] for q in probe.queues()}
    assert all(q["type"] == "classic" and q["durable"] for q in queues.values())

    during = []
    try:
        _rabbitmqctl("stop_app")
        assert not broker.broker_reachable(amqp_uri)[0]
        for i in range(6):
            during += db.admit(school, f"停机中{i}")[1]
        with db.unit_of_work(school) as uow:
            members.retire(uow, school, admitted[0]["id"], date.today())
            during += [e["event_id"] for e in uow.published]
        assert len(during) == 7
        assert db.pending() == len(during)  # the backlog grows while nothing can be published
        assert _backlog_metric(membership) == len(during)
        ready = requests.get(f"{membership.url}/readyz", timeout=10)
        assert ready.status_code == 503 and ready.json()["checks"]["broker"] != "ok"
        assert db.pending() == len(during)
    finally:
        _rabbitmqctl("start_app")
        testing.wait_for(lambda: broker.broker_reachable(amqp_uri)[0], 120, interval=0.5,
                         what="RabbitMQ to answer again")

    testing.wait_for(lambda: db.pending() == 0, 120, interval=0.3, what="the outbox to drain")
    assert probe.wait_handled(during, timeout=120) == {e: 1 for e in during}
    everything = before + during
    assert probe.handled(everything) == {e: 1 for e in everything}
    assert probe.dedupe_records(everything) == len(everything)
    assert {r.type for r in probe.handled_rows(during)} == {"membership.member_admitted", "membership.member_retired"}
    testing.wait_for(lambda: _backlog_metric(membership) == 0, 30, what="the backlog metric to fall to zero")

    after = list_queues(amqp_uri)
    for name, q in queues.items():
        assert after[name]["type"] == "classic" and after[name]["durable"], name
    testing.wait_for(lambda: all(list_queues(amqp_uri)[q]["consumers"] >= 1 for q in queues), 60, interval=0.5,
                     what="the probe to consume again")

    # and the service takes commands over the broker again
    late = _admit_by_rpc(amqp_uri, school, "恢复后")
    testing.wait_for(lambda: db.pending() == 0, 60, what="the relay to publish the late admission")
    late_event = _all_event_ids(db)[-1]
    assert probe.wait_handled([late_event]) == {late_event: 1}
    assert probe.handled_rows([late_event])[0].member_name == late["name"]
