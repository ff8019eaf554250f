"""Changing UNIONHUB_QUEUE_TYPE on a broker that already has the queues: an empty consumer queue
is replaced by one of the new type; a queue still holding events is refused, never dropped."""
from __future__ import annotations

import uuid

import pytest
from kombu import Connection

from shared import broker
from shared.inbox import consumer_queue, declare_queue

from .support import list_queues


def _config(amqp_uri, queue_type):
    return {"AMQP_URI": amqp_uri, "UNIONHUB_DELIVERY_LIMIT": 3, "UNIONHUB_QUEUE_TYPE": queue_type}


def test_an_empty_queue_changes_type_and_a_full_one_is_refused(amqp_uri):
    name = f"evt-membership-member_admitted--qt{uuid.uuid4().hex[:6]}.on_admitted"
    declare_queue(amqp_uri, consumer_queue(name, "membership", "member_admitted", _config(amqp_uri, "quorum")))
    assert list_queues(amqp_uri)[name]["type"] == "quorum"

    declare_queue(amqp_uri, consumer_queue(name, "membership", "member_admitted", _config(amqp_uri, "classic")))
    assert list_queues(amqp_uri)[name]["type"] == "classic"
    assert list_queues(amqp_uri)[broker.dlq_name(name)]["type"] == "classic"

    with Connection(amqp_uri) as conn:
        conn.Producer().publish({"kept": True}, exchange="", routing_key=name, delivery_mode=2)
    with pytest.raises(RuntimeError, match="holds 1 message"):
        declare_queue(amqp_uri, consumer_queue(name, "membership", "member_admitted", _config(amqp_uri, "quorum")))
    assert list_queues(amqp_uri)[name]["type"] == "classic"
    assert list_queues(amqp_uri)[name]["messages"] == 1
