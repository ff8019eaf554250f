"""Passwords, tokens and the login slow-down rule (services/gateway/auth.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

import jwt
import pytest

from services.gateway import auth
from services.gateway.auth import Principal
from shared.errors import NotAuthenticated

from .support import SECRET

CHAIR = Principal("chair_a", "school_admin", "A", None)


def test_a_token_reads_back_as_the_principal_it_was_issued_for():
    member = Principal("wang.fang", "member", "A", 17)
    assert auth.read_token(auth.issue_token(member, SECRET, 60), SECRET) == member
    admin = Principal("admin", "district_admin", None, None)
    assert auth.read_token(auth.issue_token(admin, SECRET, 60), SECRET) == admin


def invalid(token, secret=SECRET):
    with pytest.raises(NotAuthenticated) as refused:
        auth.read_token(token, secret)
    return refused.value


def test_a_tampered_token_is_an_invalid_token():
    header, payload, signature = auth.issue_token(CHAIR, SECRET, 60).split(".")
    forged_claims = jwt.encode({"sub": "chair_a", "role": "district_admin", "school": None, "exp": 4102444800,
                                "iss": "unionhub"}, "a-guessed-secret-of-at-least-thirty-two-bytes", algorithm="HS256").split(".")[1]
    error = invalid(".".join([header, forged_claims, signature]))
    assert (error.code, error.status) == ("invalid_token", 401)


def test_a_token_signed_with_another_secret_is_an_invalid_token():
    assert invalid(auth.issue_token(CHAIR, "another-secret-of-at-least-thirty-two-bytes", 60)).code == "invalid_token"


def test_an_expired_token_is_an_invalid_token():
    assert invalid(auth.issue_token(CHAIR, SECRET, -1)).code == "invalid_token"


def test_garbage_is_an_invalid_token():
    assert invalid("not.a.token").code == "invalid_token"
    assert invalid("").code == "invalid_token"


def test_an_unsigned_token_is_an_invalid_token():
    unsigned = jwt.encode({"sub": "x", "role": "district_admin", "exp": 4102444800, "iss": "unionhub"}, None,
                          algorithm="none")
    assert invalid(unsigned).code == "invalid_token"


def test_a_token_of_another_issuer_or_without_a_role_is_an_invalid_token():
    foreign = jwt.encode({"sub": "x", "role": "member", "exp": 4102444800, "iss": "elsewhere"}, SECRET,
                         algorithm="HS256")
    roleless = jwt.encode({"sub": "x", "exp": 4102444800, "iss": "unionhub"}, SECRET, algorithm="HS256")
    assert invalid(foreign).code == "invalid_token"
    assert invalid(roleless).code == "invalid_token"


@pytest.mark.parametrize("failures,seconds", [(0, 0), (4, 0), (5, 60), (6, 120), (7, 240), (10, 1920),
                                              (11, 3600), (40, 3600)])
def test_login_lock_is_free_for_the_first_failures_then_doubles_up_to_an_hour(failures, seconds):
    assert auth.lock_seconds(failures, 5, 60) == seconds


def test_next_lock_is_none_until_the_lock_starts():
    now = datetime(2024, 9, 1, 8, 0)
    assert auth.next_lock(now, 4, 5, 60) is None
    assert auth.next_lock(now, 5, 5, 60) == now + timedelta(seconds=60)


def test_remaining_lock_rounds_up_and_is_zero_once_the_lock_is_over():
    now = datetime(2024, 9, 1, 8, 0)
    assert auth.remaining_lock(None, now) == 0
    assert auth.remaining_lock(now, now) == 0
    assert auth.remaining_lock(now - timedelta(seconds=1), now) == 0
    assert auth.remaining_lock(now + timedelta(seconds=29, milliseconds=500), now) == 30


def test_a_password_verifies_against_its_own_argon2_hash_only():
    stored = auth.hash_password("正确的密码 horse battery")
    assert stored.startswith("$argon2")
    assert auth.verify_password(stored, "正确的密码 horse battery")
    assert not auth.verify_password(stored, "正确的密码 horse batterY")


def test_the_same_password_hashes_differently_each_time():
    assert auth.hash_password("same-password") != auth.hash_password("same-password")


def test_a_missing_or_broken_hash_never_verifies():
    assert not auth.verify_password(None, "unionhub-timing-equaliser")
    assert not auth.verify_password("", "anything")
    assert not auth.verify_password("not-an-argon2-hash", "anything")


def test_an_empty_stored_hash_never_verifies_not_even_with_the_dummy_password():
    assert not auth.verify_password("", "unionhub-timing-equaliser")
