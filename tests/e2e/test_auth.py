"""Logging in, the login slow-down and token checks, over HTTP."""
import pytest
import requests

from .conftest import ADMIN_PASSWORD
from .support import TIMEOUT, assert_problem, unique

pytestmark = pytest.mark.e2e


def token(stack, username, password):
    return requests.post(f"{stack.url}/api/v1/auth/token", json={"username": username, "password": password},
                         timeout=TIMEOUT)


@pytest.fixture
def throwaway(admin):
    """A fresh account nobody else logs in with, so failed logins only slow down this one."""
    username, password = unique("throwaway").lower(), "throwaway-pass-1"
    admin.ok("POST", "/api/v1/district/accounts", 201,
             json={"username": username, "password": password, "role": "auditor", "school": "XQ-SY"})
    return username, password


def test_the_token_endpoint_returns_a_bearer_access_token(stack):
    resp = token(stack, "admin", ADMIN_PASSWORD)
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "bearer"
    assert isinstance(body["access_token"], str) and body["access_token"].count(".") == 2
    assert body["expires_in"] > 0
    assert body["role"] == "district_admin" and body["school"] is None
    assert "password" not in body


def test_a_wrong_password_is_401_invalid_credentials(stack, throwaway):
    username, _ = throwaway
    body = assert_problem(token(stack, username, "not-the-password"), 401, "invalid_credentials")
    assert body["title"] == "用户名或密码错误"


def test_an_unknown_username_gets_the_same_401_as_a_wrong_password(stack):
    assert_problem(token(stack, unique("nobody").lower(), "whatever-123"), 401, "invalid_credentials")


def test_after_five_wrong_passwords_the_next_attempt_is_429_with_retry_after(stack, throwaway):
    username, password = throwaway
    for _ in range(5):
        assert_problem(token(stack, username, "wrong-password"), 401, "invalid_credentials")
    locked = token(stack, username, password)  # even the right password waits
    body = assert_problem(locked, 429, "too_many_requests")
    assert int(locked.headers["Retry-After"]) > 0
    assert body["params"]["retry_after"] == int(locked.headers["Retry-After"])
    assert_problem(token(stack, username, "wrong-password"), 429, "too_many_requests")


def test_the_slow_down_is_per_username_and_leaves_other_accounts_alone(stack, throwaway, admin):
    username, _ = throwaway
    for _ in range(6):
        token(stack, username, "wrong-password")
    assert token(stack, "admin", ADMIN_PASSWORD).status_code == 200


def test_a_login_body_with_missing_fields_is_422_naming_them(stack):
    resp = requests.post(f"{stack.url}/api/v1/auth/token", json={}, timeout=TIMEOUT)
    assert_problem(resp, 422, "validation_failed", fields={"username", "password"})


def test_a_protected_route_without_a_token_is_401(anonymous):
    assert_problem(anonymous.get("/api/v1/auth/me"), 401, "not_authenticated")
    assert_problem(anonymous.get("/api/v1/schools/XQ-SY/members"), 401, "not_authenticated")
    assert_problem(anonymous.post("/api/v1/district/schools", json={}), 401, "not_authenticated")


def test_a_forged_or_garbage_token_is_401_invalid_token(anonymous, stack):
    resp = requests.get(f"{stack.url}/api/v1/auth/me", headers={"Authorization": "Bearer not.a.jwt"}, timeout=TIMEOUT)
    assert_problem(resp, 401, "invalid_token")


def test_me_describes_the_account_behind_the_token(admin, demo_chair):
    me = admin.ok("GET", "/api/v1/auth/me")
    assert me == {"username": "admin", "role": "district_admin", "role_label": "区教育工会管理员",
                  "school": None, "member_id": None}
    chair = demo_chair("XQ-SY").ok("GET", "/api/v1/auth/me", headers={"Accept-Language": "en"})
    assert chair["username"] == "xq-sy-chair"
    assert chair["role"] == "school_admin" and chair["role_label"] == "School union chair"
    assert chair["school"] == "XQ-SY"
