"""``json_ready`` gives what a JSON round trip gives (dates and Decimals as strings), without one."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from hypothesis import given, strategies as st

from shared.jsonutil import dumps, json_ready

LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5),
                   st.floats(allow_nan=False), st.dates(), st.datetimes(),
                   st.decimals(allow_nan=False, allow_infinity=False, places=2))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(st.one_of(st.text(max_size=4), st.integers()), inner, max_size=4)), max_leaves=20)


@given(VALUES)
def test_json_ready_is_what_a_json_round_trip_gives(value):
    assert json_ready(value) == json.loads(dumps(value))


def test_dates_and_amounts_become_the_strings_the_bus_carries():
    assert json_ready({"on": date(2026, 9, 1), "at": datetime(2026, 9, 1, 8, 30), "amount": Decimal("1200.00"),
                       "tags": {"b", "a"}}) == {"on": "2026-09-01", "at": "2026-09-01T08:30:00", "amount": "1200.00",
                                                 "tags": ["a", "b"]}
