"""The inbox's dead-letter rule and queue arguments, without a broker: a failed handling is
retried (back at the tail of the queue, failure count in a header) for the first delivery and
``delivery_limit`` redeliveries, then dead-lettered; classic queues are the default."""
from __future__ import annotations

import pytest

from shared import broker
from shared.inbox import FAILURES_HEADER, after_failure, consumer_queue, failures_so_far


@pytest.mark.parametrize("headers, expected", [(None, 0), ({}, 0), ({FAILURES_HEADER: 2}, 2),
                                               ({FAILURES_HEADER: "3"}, 3), ({FAILURES_HEADER: "x"}, 0),
                                               ({FAILURES_HEADER: -4}, 0)])
def test_failures_are_read_from_the_header_and_garbage_counts_as_none(headers, expected):
    assert failures_so_far(headers) == expected


def test_a_limit_of_three_allows_four_handlings_then_dead_letters():
    outcomes = [after_failure({FAILURES_HEADER: n} if n else {}, 3) for n in range(5)]
    assert outcomes == ["retry", "retry", "retry", "dead_letter", "dead_letter"]


def test_a_limit_of_zero_dead_letters_at_the_first_failure():
    assert after_failure({}, 0) == "dead_letter"


def test_consumer_queues_are_classic_by_default_and_dead_letter_to_their_dlq():
    args = broker.consumer_queue_arguments("evt-q", 5)
    assert args == {"x-queue-type": "classic", "x-dead-letter-exchange": broker.DLX,
                    "x-dead-letter-routing-key": "evt-q"}


def test_a_quorum_queue_keeps_the_brokers_limit_as_a_backstop_above_the_kits():
    args = broker.consumer_queue_arguments("evt-q", 5, "quorum")
    assert args["x-queue-type"] == "quorum" and args["x-delivery-limit"] == 6


def test_the_queue_type_comes_from_the_service_config():
    config = {"AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/", "UNIONHUB_DELIVERY_LIMIT": 2,
              "UNIONHUB_QUEUE_TYPE": "quorum"}
    queue = consumer_queue("evt-membership-member_admitted--x.y", "membership", "member_admitted", config)
    assert queue.durable and queue.routing_key == "member_admitted"
    assert queue.queue_arguments["x-queue-type"] == "quorum" and queue.queue_arguments["x-delivery-limit"] == 3
    assert consumer_queue("q", "membership", "member_admitted", {"AMQP_URI": config["AMQP_URI"]}
                          ).queue_arguments["x-queue-type"] == "classic"
