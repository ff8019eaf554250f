"""Sessions end when they should, and a retried POST runs once, through the running stack:
deactivating an account or changing a password revokes its tokens at once; concurrent requests
with one Idempotency-Key create one member."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from .support import Client, assert_problem, member_body, unique


def _officer(school, password="officer-pass-2026") -> tuple[dict, Client]:
    username = unique("fin").lower()
    account = school.chair.ok("POST", f"/api/v1/schools/{school.code}/accounts", 201,
                              json={"username": username, "password": password, "role": "finance_officer"})
    return account, Client.login(school.chair.base_url, username, password)


def test_a_deactivated_officer_is_locked_out_at_once(school):
    account, officer = _officer(school)
    assert officer.get(f"/api/v1/schools/{school.code}/members").status_code == 200
    changed = school.chair.ok("PATCH", f"/api/v1/schools/{school.code}/accounts/{account['id']}",
                              json={"active": False})
    assert changed["active"] is False
    assert_problem(officer.get(f"/api/v1/schools/{school.code}/members"), 401, "token_revoked")
    assert_problem(officer.get("/api/v1/auth/me"), 401, "token_revoked")
    relogin = requests.post(f"{school.chair.base_url}/api/v1/auth/token",
                            json={"username": account["username"], "password": "officer-pass-2026"}, timeout=10)
    assert_problem(relogin, 401, "invalid_credentials")


def test_changing_a_password_ends_the_other_sessions(school):
    account, first_device = _officer(school)
    second_device = Client.login(school.chair.base_url, account["username"], "officer-pass-2026")
    fresh = second_device.ok("POST", "/api/v1/auth/password",
                             json={"current_password": "officer-pass-2026", "new_password": "new-officer-pass"})
    assert_problem(first_device.get("/api/v1/auth/me"), 401, "token_revoked")
    me = Client(school.chair.base_url, fresh["access_token"]).ok("GET", "/api/v1/auth/me")
    assert me["username"] == account["username"]


def test_another_schools_chair_cannot_touch_an_account(school, other_school):
    account, _ = _officer(school)
    resp = other_school.chair.patch(f"/api/v1/schools/{school.code}/accounts/{account['id']}", json={"active": False})
    assert resp.status_code == 404
    resp = other_school.chair.patch(f"/api/v1/schools/{other_school.code}/accounts/{account['id']}",
                                    json={"active": False})
    assert_problem(resp, 404, "account_not_found")


def test_concurrent_posts_with_one_idempotency_key_create_one_member(school):
    body, key = member_body(name="并发测试"), str(uuid.uuid4())
    path = f"/api/v1/schools/{school.code}/members"
    before = school.chair.member_total(school.code)

    def post(_):
        return school.chair.post(path, json=body, headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(post, range(6)))
    statuses = sorted(r.status_code for r in replies)
    assert set(statuses) <= {201, 409}, [(r.status_code, r.text) for r in replies]
    created = {r.json()["id"] for r in replies if r.status_code == 201}
    assert len(created) == 1
    for busy in (r for r in replies if r.status_code == 409):
        assert busy.json()["code"] == "idempotency_in_progress" and busy.headers["Retry-After"] == "1"
    # once the first run finished, the key replays its answer
    again = post(0)
    assert again.status_code == 201 and again.json()["id"] in created
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert school.chair.member_total(school.code) == before + 1
