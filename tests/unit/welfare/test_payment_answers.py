"""Finance's answers only move a payment forward: redelivered or late answers change nothing."""
import pytest

from services.welfare.domain.payments import Answer, answer_applies, payment_id_of, request_id


@pytest.mark.parametrize("current,answer,applies", [
    ("pending", "received", True),
    ("pending", "approved", True),
    ("pending", "rejected", True),
    ("pending", "paid", True),
    ("received", "approved", True),
    ("received", "received", False),
    ("approved", "received", False),
    ("approved", "approved", False),
    ("approved", "paid", True),
    ("approved", "rejected", False),
    ("rejected", "approved", False),
    ("rejected", "paid", False),
    ("paid", "approved", False),
    ("paid", "rejected", False),
])
def test_an_answer_applies_only_when_it_moves_the_payment_forward(current, answer, applies):
    assert answer_applies(current, Answer(answer)) is applies


def test_request_ids_name_the_payment_and_foreign_ids_are_not_ours():
    assert request_id(42) == "welfare:42"
    assert payment_id_of("welfare:42") == 42
    assert payment_id_of("events:42") is None
    assert payment_id_of("welfare:abc") is None


def test_the_statuses_each_answer_moves_from_match_the_rule():
    from services.welfare.domain.payments import moves_from
    assert moves_from("received") == ("pending",)
    assert moves_from("approved") == ("pending", "received")
    assert moves_from("rejected") == ("pending", "received")
    assert moves_from("paid") == ("pending", "received", "approved")
