"""Accounts and login against the gateway's SQLite database (services/gateway/accounts.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from shared.testing import FixedClock
from sqlalchemy import select

from services.gateway import accounts, auth
from services.gateway.orm import Account, LoginThrottle
from shared.errors import Conflict, Forbidden, NotAuthenticated, TooManyRequests, ValidationFailed

from .support import SECRET

T0 = datetime(2024, 9, 1, 8, 0, 0)
DISTRICT = auth.Principal("admin", "district_admin", None, None)
CHAIR_A = auth.Principal("chair_a", "school_admin", "A", None)
LOGIN = dict(secret=SECRET, ttl=600, max_failures=5, lock_seconds=60)


@pytest.fixture
def clock(monkeypatch):
    clock = FixedClock(T0)
    monkeypatch.setattr(accounts, "utcnow", clock)
    return clock


@pytest.fixture
def session(open_session, known_schools):
    with open_session() as session:
        yield session


@pytest.fixture
def chair(session):
    return accounts.create(session, DISTRICT, {"username": "chair_a", "password": "correct horse", "role": "school_admin",
                                               "school": "A", "display_name": "张主席"})


def login(session, password, username="chair_a"):
    return accounts.login(session, username, password, **LOGIN)


def throttle(session, username="chair_a"):
    session.expire_all()
    return session.get(LoginThrottle, username)


# ---- login -------------------------------------------------------------------------------------

def test_login_with_the_right_password_issues_a_token_for_the_account(session, chair, clock):
    answer = login(session, "correct horse")
    assert (answer["token_type"], answer["expires_in"], answer["role"], answer["school"]) == (
        "bearer", 600, "school_admin", "A")
    assert auth.read_token(answer["access_token"], SECRET) == auth.Principal("chair_a", "school_admin", "A", None)


def test_wrong_password_is_invalid_credentials_and_counts_a_failure(session, chair, clock):
    for expected in (1, 2):
        with pytest.raises(NotAuthenticated) as refused:
            login(session, "wrong horse")
        assert refused.value.code == "invalid_credentials"
        assert throttle(session).failures == expected


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(session, chair, clock):
    with pytest.raises(NotAuthenticated) as refused:
        login(session, "whatever", username="nobody")
    assert refused.value.code == "invalid_credentials"
    assert throttle(session, "nobody").failures == 1


def test_after_five_failures_even_the_right_password_is_too_many_requests_with_retry_after(session, chair, clock):
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            login(session, "wrong horse")
    with pytest.raises(TooManyRequests) as locked:
        login(session, "correct horse")
    assert locked.value.status == 429 and locked.value.code == "too_many_requests"
    assert 60 <= locked.value.params["retry_after"] <= 61


def test_four_failures_do_not_lock_the_account(session, chair, clock):
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            login(session, "wrong horse")
    assert login(session, "correct horse")["role"] == "school_admin"


def test_the_lock_lifts_once_its_time_has_passed(session, chair, clock):
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            login(session, "wrong horse")
    clock.now = T0 + timedelta(seconds=61)
    assert login(session, "correct horse")["role"] == "school_admin"


def test_each_failure_after_the_lock_doubles_it(session, chair, clock):
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            login(session, "wrong horse")
    clock.now = T0 + timedelta(seconds=61)
    with pytest.raises(NotAuthenticated):
        login(session, "wrong horse")
    assert throttle(session).locked_until == clock.now + timedelta(seconds=120)


def test_a_successful_login_resets_the_failure_count(session, chair, clock):
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            login(session, "wrong horse")
    login(session, "correct horse")
    assert throttle(session) is None
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            login(session, "wrong horse")
    assert login(session, "correct horse")["school"] == "A"


def test_an_inactive_account_cannot_log_in(session, chair, clock):
    session.execute(select(Account).where(Account.username == "chair_a")).scalar_one().active = False
    session.commit()
    with pytest.raises(NotAuthenticated) as refused:
        login(session, "correct horse")
    assert refused.value.code == "invalid_credentials"


# ---- creating accounts ---------------------------------------------------------------------------

def create(session, creator, **data):
    data.setdefault("password", "long enough")
    return accounts.create(session, creator, data)


def test_district_admin_creates_accounts_in_any_known_school(session):
    a = create(session, DISTRICT, username="fin_a", role="finance_officer", school="A")
    b = create(session, DISTRICT, username="chair_b", role="school_admin", school="B")
    assert (a["school"], a["role"], b["school"], b["role"]) == ("A", "finance_officer", "B", "school_admin")
    stored = session.execute(select(Account).where(Account.username == "fin_a")).scalar_one()
    assert stored.created_by == "admin" and auth.verify_password(stored.password_hash, "long enough")
    assert "password" not in a and "password_hash" not in a


def test_a_district_role_belongs_to_no_school(session):
    assert create(session, DISTRICT, username="admin2", role="district_admin", school="A")["school"] is None


def test_a_school_role_needs_a_school(session):
    with pytest.raises(ValidationFailed) as bad:
        create(session, DISTRICT, username="fin", role="finance_officer")
    assert bad.value.fields == {"school": ["required"]}


def test_an_unknown_school_is_a_field_error(session):
    with pytest.raises(ValidationFailed) as bad:
        create(session, DISTRICT, username="fin_z", role="finance_officer", school="ZZZ")
    assert bad.value.fields == {"school": ["school_not_found"]}


def test_school_admin_creates_accounts_only_in_their_own_school(session):
    made = create(session, CHAIR_A, username="fin_a", role="finance_officer")
    assert made["school"] == "A"
    with pytest.raises(Forbidden) as refused:
        create(session, CHAIR_A, username="fin_b", role="finance_officer", school="B")
    assert refused.value.code == "school_forbidden"
    assert session.execute(select(Account).where(Account.username == "fin_b")).first() is None


def test_school_admin_never_creates_a_district_admin(session):
    with pytest.raises(Forbidden) as refused:
        create(session, CHAIR_A, username="boss", role="district_admin")
    assert refused.value.code == "role_grant_forbidden"
    assert refused.value.fields == {"role": ["role_grant_forbidden"]}


def test_other_roles_create_no_accounts(session):
    officer = auth.Principal("fin_a", "finance_officer", "A", None)
    with pytest.raises(Forbidden):
        create(session, officer, username="x_y_z", role="member", member_id=1)


def test_a_duplicate_username_is_a_conflict_whatever_its_case(session):
    create(session, DISTRICT, username="Wang.Fang", role="auditor", school="A")
    with pytest.raises(Conflict) as taken:
        create(session, DISTRICT, username="wang.fang", role="auditor", school="B")
    assert taken.value.code == "username_taken" and taken.value.fields == {"username": ["username_taken"]}


def test_a_short_password_is_a_field_error(session):
    with pytest.raises(ValidationFailed) as bad:
        create(session, DISTRICT, username="fin_a", role="finance_officer", school="A", password="1234567")
    assert bad.value.fields == {"password": ["password_too_short"]}


def test_a_member_account_needs_a_member_id(session):
    with pytest.raises(ValidationFailed) as bad:
        create(session, CHAIR_A, username="wang", role="member")
    assert bad.value.fields == {"member_id": ["required"]}
    assert create(session, CHAIR_A, username="wang", role="member", member_id=17)["member_id"] == 17


def test_every_bad_field_is_named_at_once(session):
    with pytest.raises(ValidationFailed) as bad:
        create(session, DISTRICT, username="m", role="member", school="ZZZ", password="short")
    assert bad.value.fields == {"password": ["password_too_short"], "school": ["school_not_found"],
                                "member_id": ["required"]}


def test_school_admin_lists_only_their_own_schools_accounts(session):
    create(session, DISTRICT, username="fin_a", role="finance_officer", school="A")
    create(session, DISTRICT, username="fin_b", role="finance_officer", school="B")
    own = accounts.list_accounts(session, CHAIR_A, 1, 50, "B")
    assert [a["username"] for a in own["items"]] == ["fin_a"] and own["total"] == 1
    every = accounts.list_accounts(session, DISTRICT, 1, 1, None)
    assert every["total"] == 2 and len(every["items"]) == 1


def test_ensure_admin_creates_the_district_admin_once(session):
    assert accounts.ensure_admin(session, "first password") is True
    assert accounts.ensure_admin(session, "second password") is False
    admin = session.execute(select(Account).where(Account.username == "admin")).scalar_one()
    assert admin.role == "district_admin" and auth.verify_password(admin.password_hash, "first password")
