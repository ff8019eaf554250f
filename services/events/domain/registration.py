"""报名 (registration): the participant state machine of an activity, modelled on CiviCRM's
participant statuses. Pure rules: no framework, no database.

Statuses and whether they hold a seat (``COUNTED``):

    registered        已报名            holds a seat
    pending_approval  待审核            holds a seat (the seat is kept while the chair decides)
    offered           候补递补待确认    holds a seat until ``offer_expires_at``
    waitlisted        候补              no seat; ordered by arrival (``seq``)
    attended          已签到            holds a seat
    no_show           缺席              holds a seat (the activity is over)
    cancelled / declined / expired / rejected   no seat

A freed seat goes to exactly one person: the first on the waiting list by arrival order is
offered it with a deadline; an expired or declined offer passes it on. The caller guarantees that
these functions run under the activity's row lock, so two releases never offer one seat twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

COUNTED = frozenset({"registered", "pending_approval", "offered", "attended", "no_show"})
LIVE = COUNTED | {"waitlisted"}
CLOSED = frozenset({"cancelled", "declined", "expired", "rejected"})
STATUSES = ("registered", "pending_approval", "waitlisted", "offered", "attended", "no_show",
            "cancelled", "declined", "expired", "rejected")
TRANSITIONS = {
    "registered": {"cancelled", "attended", "no_show"},
    "pending_approval": {"registered", "rejected", "cancelled"},
    "waitlisted": {"offered", "cancelled"},
    "offered": {"registered", "declined", "expired", "cancelled"},
    "attended": set(),
    "no_show": {"attended"},
    "cancelled": set(), "declined": set(), "expired": set(), "rejected": set(),
}
DEFAULT_OFFER_HOURS = 48


class RegistrationError(Exception):
    """A rule of registration is broken; ``code`` is the stable error code."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Window:
    opens_at: datetime | None
    closes_at: datetime | None

    def check(self, now: datetime) -> None:
        if self.opens_at and now < self.opens_at:
            raise RegistrationError("registration_not_open")
        if self.closes_at and now > self.closes_at:
            raise RegistrationError("registration_closed")


def has_free_seat(capacity: int | None, seats_taken: int) -> bool:
    return capacity is None or seats_taken < capacity


def arrival_status(*, capacity: int | None, seats_taken: int, requires_approval: bool) -> str:
    """The status a new registration gets: a seat when one is free, else the waiting list."""
    if not has_free_seat(capacity, seats_taken):
        return "waitlisted"
    return "pending_approval" if requires_approval else "registered"


def move(registration, to: str) -> None:
    """Change a registration's status if the state machine allows it."""
    if to not in TRANSITIONS.get(registration.status, set()):
        raise RegistrationError("invalid_registration_transition", **{"from": registration.status, "to": to})
    registration.status = to


def can_reopen(status: str) -> bool:
    """A member whose registration was cancelled, declined, expired or rejected may register again."""
    return status in CLOSED


def check_capacity_change(new_capacity: int | None, seats_taken: int) -> None:
    if new_capacity is not None and new_capacity < seats_taken:
        raise RegistrationError("capacity_below_registered", registered=seats_taken)


def next_in_line(waiting: list):
    """The first of the waiting list by arrival order, or None."""
    return min(waiting, key=lambda r: r.seq) if waiting else None


def offer(registration, now: datetime, hours: int = DEFAULT_OFFER_HOURS) -> None:
    move(registration, "offered")
    registration.offer_expires_at = now + timedelta(hours=hours)


def accept_offer(registration, now: datetime) -> None:
    if registration.status != "offered":
        raise RegistrationError("no_open_offer")
    if registration.offer_expires_at and now > registration.offer_expires_at:
        raise RegistrationError("offer_expired")
    move(registration, "registered")
    registration.offer_expires_at = None


def offer_expired(registration, now: datetime) -> bool:
    return registration.status == "offered" and registration.offer_expires_at is not None \
        and now > registration.offer_expires_at


def check_in(registration) -> None:
    """签到: only someone holding a confirmed seat can be checked in."""
    if registration is None or registration.status not in ("registered", "no_show", "attended"):
        raise RegistrationError("not_registered")
    if registration.status == "attended":
        raise RegistrationError("already_checked_in")
    move(registration, "attended")


def release_and_pass_on(activity, freed: int, waiting: list, now: datetime, hours: int = DEFAULT_OFFER_HOURS) -> list:
    """``freed`` seats came free (a cancellation, a decline, an expiry, a larger capacity): each goes
    to the next person on the waiting list as an offer; a seat nobody waits for is given back.
    Returns the registrations offered a seat. ``activity.seats_taken`` counts held seats."""
    queue = sorted(waiting, key=lambda r: r.seq)
    offered = []
    activity.seats_taken -= freed
    while queue and has_free_seat(activity.capacity, activity.seats_taken):
        reg = queue.pop(0)
        offer(reg, now, hours)
        activity.seats_taken += 1
        offered.append(reg)
    return offered


def rate(part: int, whole: int) -> str | None:
    """参与率 as a string with one decimal percent, None when nobody was expected."""
    if not whole:
        return None
    return f"{100 * part / whole:.1f}"
