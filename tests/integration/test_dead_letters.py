"""Dead letters: a handler that keeps failing is redelivered up to the delivery limit, then its
event waits in the queue's DLQ (visible, replayable with ``unionhub dlq replay``); a message that
breaks its contract is dead-lettered at once."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from shared import broker, dlq, testing

from .support import MembershipDb, ProbeProcess, Service, cli, get_dead_letter, list_queues, publish_raw

pytestmark = pytest.mark.integration

DELIVERY_LIMIT = 3
GATEWAY_QUEUE = "evt-membership-school_registered--gateway.on_school_registered"


@pytest.fixture(scope="module")
def membership_db(amqp_uri, module_db_prefix, module_tmp):
    db = MembershipDb(amqp_uri, module_db_prefix, module_tmp)
    yield db
    db.close()


@pytest.fixture(scope="module")
def probe(amqp_uri, module_db_prefix, module_tmp):
    probe = ProbeProcess(amqp_uri, module_db_prefix, module_tmp, name=f"probe_{uuid.uuid4().hex[:6]}",
                         delivery_limit=DELIVERY_LIMIT).start()
    yield probe
    probe.close()


@pytest.fixture(scope="module")
def gateway(amqp_uri, module_db_prefix, module_tmp):
    env = testing.stack_env(amqp_uri, data_dir=module_tmp, database_url=testing.pg_server_url(),
                            db_prefix=module_db_prefix)
    service = Service("gateway", env, testing.free_port(), module_tmp).start()
    yield service
    service.stop()


def _poisoned(probe) -> str:
    name = f"POISON-{uuid.uuid4().hex[:6]}"
    probe.set_poison(name)
    return name


def _dlq_depth(amqp_uri, queue) -> int | None:
    return broker.queue_depth(amqp_uri, broker.dlq_name(queue))


def _wait_dead_lettered(amqp_uri, queue, count=1, timeout=60.0):
    testing.wait_for(lambda: _dlq_depth(amqp_uri, queue) == count, timeout, interval=0.2,
                     what=f"{count} message(s) in {broker.dlq_name(queue)}")


def _death(message) -> dict:
    deaths = message.properties["application_headers"]["x-death"]
    assert len(deaths) == 1
    return deaths[0]


def test_a_poison_event_is_redelivered_up_to_the_delivery_limit_and_then_dead_lettered(amqp_uri, membership_db, probe):
    poison = _poisoned(probe)
    queue = probe.queue("on_member_admitted")
    failed_before = probe.consumed("membership.member_admitted", "failed")
    bad, good = membership_db.publish_admitted("S-DLQ-1", [poison, "健康会员"])
    membership_db.relay_until_drained()

    _wait_dead_lettered(amqp_uri, queue)

    assert probe.wait_handled([good]) == {good: 1}  # one poison message does not block the others
    assert probe.handled([bad]) == {}
    assert probe.attempts(bad) == DELIVERY_LIMIT + 1  # the first delivery and DELIVERY_LIMIT redeliveries
    assert probe.consumed("membership.member_admitted", "failed") - failed_before == DELIVERY_LIMIT + 1
    testing.wait_for(lambda: list_queues(amqp_uri)[queue]["messages"] == 0, 30, interval=0.5,
                     what="the consumer queue to hold nothing (ready or unacked)")
    letter = get_dead_letter(amqp_uri, queue)
    assert letter.properties["message_id"] == bad
    assert _death(letter)["reason"] == "rejected"    # the kit dead-letters it, counting failures itself
    assert letter.properties["application_headers"]["x-unionhub-failures"] == DELIVERY_LIMIT
    assert json.loads(letter.body)["event_id"] == bad
    assert _dlq_depth(amqp_uri, queue) == 0


def test_replaying_a_dead_letter_after_the_fault_is_fixed_gets_it_handled_exactly_once(
        amqp_uri, membership_db, probe, module_tmp):
    poison = _poisoned(probe)
    queue = probe.queue("on_member_admitted")
    (event,) = membership_db.publish_admitted("S-DLQ-2", [poison])
    membership_db.relay_until_drained()
    _wait_dead_lettered(amqp_uri, queue)
    assert probe.handled([event]) == {}

    probe.set_poison(None)  # the fault is fixed
    env = testing.stack_env(amqp_uri, data_dir=module_tmp)
    done = cli(env, "dlq", "replay", "--queue", queue)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"replayed 1 message(s) from {queue}" in done.stdout

    assert probe.wait_handled([event]) == {event: 1}
    assert probe.dedupe_records([event]) == 1
    assert _dlq_depth(amqp_uri, queue) == 0
    testing.wait_for(lambda: list_queues(amqp_uri)[queue]["messages"] == 0, 30, interval=0.5,
                     what="the replayed message to be acked")
    again = cli(env, "dlq", "replay", "--queue", queue)
    assert again.returncode == 0 and "no dead-lettered messages" in again.stdout
    assert probe.handled([event]) == {event: 1}


def _envelope(**changes) -> dict:
    env = {"event_id": str(uuid.uuid4()), "type": "membership.member_admitted", "version": 1,
           "occurred_at": "2024-09-01T08:00:00.000+00:00", "school": "S-DLQ-3", "actor": "someone",
           "payload": {"member": {"id": 1, "school": "S-DLQ-3", "person_key": "k", "name": "合同外", "gender": "male",
                                  "birth_date": "1980-01-01", "category": "teacher", "status": "active"},
                       "admitted_on": "2024-09-01", "via": "enrolment"}}
    env.update(changes)
    return env


BROKEN = {
    "an envelope missing its required fields": {"event_id": "not-a-uuid", "payload": {}},
    "an envelope with an unknown field": _envelope(extra="surprise"),
    "a payload that does not match its contract": _envelope(payload={"member": {"id": "one"}, "via": "magic"}),
    "an event version nobody registered": _envelope(version=7),
    "a body that is not an object": ["membership.member_admitted"],
}


@pytest.mark.parametrize("body", BROKEN.values(), ids=list(BROKEN))
def test_a_message_that_breaks_its_contract_is_dead_lettered_at_once(amqp_uri, probe, body):
    probe.set_poison(None)
    queue = probe.queue("on_member_admitted")
    publish_raw(amqp_uri, "membership.events", "member_admitted", json.dumps(body).encode())

    _wait_dead_lettered(amqp_uri, queue)

    letter = get_dead_letter(amqp_uri, queue)
    death = _death(letter)
    assert death["reason"] == "rejected" and death["count"] == 1  # refused on first sight, never retried
    assert json.loads(letter.body) == body
    if isinstance(body, dict):
        assert probe.handled([body["event_id"]]) == {}
    assert _dlq_depth(amqp_uri, queue) == 0


def test_a_message_whose_body_is_not_json_is_dead_lettered_rather_than_dropped(amqp_uri, probe):
    queue = probe.queue("on_member_admitted")
    publish_raw(amqp_uri, "membership.events", "member_admitted", b"{not json")
    testing.wait_for(lambda: list_queues(amqp_uri)[queue]["messages"] == 0, 30, interval=0.5,
                     what="the consumer to take the message")
    try:
        _wait_dead_lettered(amqp_uri, queue, timeout=5)
    finally:
        while get_dead_letter(amqp_uri, queue) is not None:
            pass


def test_dead_letter_queues_of_installed_services_are_listed_with_their_depth(amqp_uri, gateway, module_tmp):
    publish_raw(amqp_uri, "membership.events", "school_registered", json.dumps({"code": "X"}).encode())
    _wait_dead_lettered(amqp_uri, GATEWAY_QUEUE)
    try:
        assert GATEWAY_QUEUE in dlq.consumer_queues()
        assert (broker.dlq_name(GATEWAY_QUEUE), 1) in dlq.list_queues(amqp_uri)
        listed = cli(testing.stack_env(amqp_uri, data_dir=module_tmp), "dlq", "list")
        assert listed.returncode == 0, listed.stderr
        assert any(line.split() == ["1", broker.dlq_name(GATEWAY_QUEUE)] for line in listed.stdout.splitlines())
    finally:
        get_dead_letter(amqp_uri, GATEWAY_QUEUE)
    assert (broker.dlq_name(GATEWAY_QUEUE), 0) in dlq.list_queues(amqp_uri)


def test_a_consumers_dead_letter_depth_is_visible_in_its_metrics(amqp_uri, gateway):
    publish_raw(amqp_uri, "membership.events", "school_registered", json.dumps({"code": "Y"}).encode())
    _wait_dead_lettered(amqp_uri, GATEWAY_QUEUE)
    try:
        from prometheus_client.parser import text_string_to_metric_families
        exposition = requests.get(f"{gateway.url}/metrics", timeout=5).text
        names = {GATEWAY_QUEUE, broker.dlq_name(GATEWAY_QUEUE)}
        samples = [s for f in text_string_to_metric_families(exposition) for s in f.samples
                   if names & set(s.labels.values())]
        assert samples and all(s.value == 1 for s in samples)
    finally:
        get_dead_letter(amqp_uri, GATEWAY_QUEUE)
