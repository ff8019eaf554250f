from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from services.events.domain import registration as rules
from services.events.domain.registration import RegistrationError

NOW = datetime(2026, 3, 1, 9, 0)


def reg(status, seq):
    return SimpleNamespace(status=status, seq=seq, offer_expires_at=None)


def test_a_free_seat_registers_and_a_full_activity_waitlists():
    assert rules.arrival_status(capacity=2, seats_taken=1, requires_approval=False) == "registered"
    assert rules.arrival_status(capacity=2, seats_taken=2, requires_approval=False) == "waitlisted"
    assert rules.arrival_status(capacity=None, seats_taken=500, requires_approval=False) == "registered"


def test_an_activity_with_approval_keeps_the_seat_while_awaiting_approval():
    assert rules.arrival_status(capacity=2, seats_taken=0, requires_approval=True) == "pending_approval"
    assert "pending_approval" in rules.COUNTED


def test_only_counted_statuses_hold_seats():
    assert rules.COUNTED == {"registered", "pending_approval", "offered", "attended", "no_show"}
    assert not {"waitlisted", "cancelled", "declined", "expired", "rejected"} & rules.COUNTED


def test_registration_window_refuses_early_and_late_registrations():
    window = rules.Window(NOW, NOW + timedelta(days=1))
    window.check(NOW + timedelta(hours=1))
    with pytest.raises(RegistrationError) as early:
        window.check(NOW - timedelta(minutes=1))
    with pytest.raises(RegistrationError) as late:
        window.check(NOW + timedelta(days=2))
    assert (early.value.code, late.value.code) == ("registration_not_open", "registration_closed")


def test_a_freed_seat_is_offered_to_the_first_on_the_waiting_list_only():
    activity = SimpleNamespace(capacity=2, seats_taken=2)
    waiting = [reg("waitlisted", 9), reg("waitlisted", 4), reg("waitlisted", 7)]
    offered = rules.release_and_pass_on(activity, 1, waiting, NOW, 48)
    assert [r.seq for r in offered] == [4]
    assert offered[0].status == "offered" and offered[0].offer_expires_at == NOW + timedelta(hours=48)
    assert activity.seats_taken == 2
    assert [r.status for r in waiting if r.seq != 4] == ["waitlisted", "waitlisted"]


def test_a_freed_seat_nobody_waits_for_is_given_back():
    activity = SimpleNamespace(capacity=2, seats_taken=2)
    assert rules.release_and_pass_on(activity, 1, [], NOW) == []
    assert activity.seats_taken == 1


def test_a_larger_capacity_offers_every_new_seat_in_arrival_order():
    activity = SimpleNamespace(capacity=5, seats_taken=2)
    waiting = [reg("waitlisted", s) for s in (3, 1, 2, 8)]
    offered = rules.release_and_pass_on(activity, 0, waiting, NOW)
    assert [r.seq for r in offered] == [1, 2, 3]
    assert activity.seats_taken == 5


def test_an_offer_is_accepted_before_its_deadline_and_refused_after():
    r = reg("waitlisted", 1)
    rules.offer(r, NOW, 24)
    with pytest.raises(RegistrationError) as late:
        rules.accept_offer(r, NOW + timedelta(hours=25))
    assert late.value.code == "offer_expired"
    assert rules.offer_expired(r, NOW + timedelta(hours=25))
    rules.accept_offer(r, NOW + timedelta(hours=23))
    assert r.status == "registered" and r.offer_expires_at is None


def test_accepting_without_an_offer_is_refused():
    with pytest.raises(RegistrationError) as exc:
        rules.accept_offer(reg("waitlisted", 1), NOW)
    assert exc.value.code == "no_open_offer"


def test_check_in_needs_a_confirmed_seat():
    for status in ("waitlisted", "offered", "pending_approval", "cancelled"):
        with pytest.raises(RegistrationError) as exc:
            rules.check_in(reg(status, 1))
        assert exc.value.code == "not_registered"
    with pytest.raises(RegistrationError):
        rules.check_in(None)
    r = reg("registered", 1)
    rules.check_in(r)
    assert r.status == "attended"
    with pytest.raises(RegistrationError) as twice:
        rules.check_in(r)
    assert twice.value.code == "already_checked_in"


def test_the_state_machine_refuses_impossible_moves():
    with pytest.raises(RegistrationError) as exc:
        rules.move(reg("cancelled", 1), "registered")
    assert exc.value.code == "invalid_registration_transition"
    with pytest.raises(RegistrationError):
        rules.move(reg("waitlisted", 1), "attended")


def test_capacity_below_seats_taken_is_refused():
    rules.check_capacity_change(10, 10)
    rules.check_capacity_change(None, 10)
    with pytest.raises(RegistrationError) as exc:
        rules.check_capacity_change(9, 10)
    assert exc.value.code == "capacity_below_registered" and exc.value.params == {"registered": 10}


def test_closed_registrations_may_be_reopened_live_ones_not():
    assert all(rules.can_reopen(s) for s in ("cancelled", "declined", "expired", "rejected"))
    assert not any(rules.can_reopen(s) for s in ("registered", "waitlisted", "offered", "attended"))


def test_rates_are_percent_with_one_decimal_and_none_without_a_base():
    assert rules.rate(1, 3) == "33.3"
    assert rules.rate(0, 0) is None
