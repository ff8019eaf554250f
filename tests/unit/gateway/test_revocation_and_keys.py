"""Tokens stop working when their account is deactivated or its password changes (checked on
every request, school and district routes alike), and an Idempotency-Key held by a running
request is not run a second time (services/gateway/accounts.py, pipeline.py)."""
from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.gateway import accounts, auth
from services.gateway.orm import Account, IdempotencyRecord, TokenRevocation
from shared.db.base import utcnow

from .support import SECRET, send, token

ADMIN = auth.Principal("admin", "district_admin", None, None)
WANG = {"name": "王芳", "id_number": "320411198603150026", "category": "teacher"}


@pytest.fixture
def chair(open_session):
    with open_session() as session:
        return accounts.create(session, ADMIN, {"username": "chair_a", "password": "correct horse",
                                                "role": "school_admin", "school": "A"})


def login(pipeline, rpc, username="chair_a", password="correct horse"):
    reply = send(pipeline, rpc, "POST", "/api/v1/auth/token", json_body={"username": username, "password": password})
    assert reply.status == 200, reply.json
    return reply.json["access_token"]


def test_revoked_compares_the_issue_time_in_milliseconds():
    p = auth.read_token(token(), SECRET)
    assert auth.revoked(p, None) is False
    assert auth.revoked(p, p.issued_ms + 1) is True
    assert auth.revoked(p, p.issued_ms) is False


def test_deactivating_an_account_ends_its_tokens_on_school_and_district_routes(pipeline, rpc, chair, open_session):
    chair_token = login(pipeline, rpc)
    assert send(pipeline, rpc, "GET", "/api/v1/schools/A/accounts", auth_token=chair_token).status == 200
    admin = token("district_admin", None, username="admin")
    reply = send(pipeline, rpc, "PATCH", f"/api/v1/district/accounts/{chair['id']}", auth_token=admin,
                 json_body={"active": False})
    assert reply.status == 200 and reply.json["active"] is False
    for path in ("/api/v1/schools/A/accounts", "/api/v1/auth/me"):
        denied = send(pipeline, rpc, "GET", path, auth_token=chair_token)
        assert (denied.status, denied.code) == (401, "token_revoked")
    assert send(pipeline, rpc, "POST", "/api/v1/auth/token",
                json_body={"username": "chair_a", "password": "correct horse"}).status == 401


def test_reactivating_lets_the_account_log_in_again_with_a_new_token(pipeline, rpc, chair):
    admin = token("district_admin", None, username="admin")
    old = login(pipeline, rpc)
    send(pipeline, rpc, "PATCH", f"/api/v1/district/accounts/{chair['id']}", auth_token=admin, json_body={"active": False})
    send(pipeline, rpc, "PATCH", f"/api/v1/district/accounts/{chair['id']}", auth_token=admin, json_body={"active": True})
    time.sleep(0.002)
    fresh = login(pipeline, rpc)
    assert send(pipeline, rpc, "GET", "/api/v1/auth/me", auth_token=fresh).status == 200
    assert send(pipeline, rpc, "GET", "/api/v1/auth/me", auth_token=old).code == "token_revoked"


def test_changing_my_password_ends_my_other_sessions_and_gives_a_fresh_token(pipeline, rpc, chair):
    other_device = login(pipeline, rpc)
    time.sleep(0.002)
    this_device = login(pipeline, rpc)
    reply = send(pipeline, rpc, "POST", "/api/v1/auth/password", auth_token=this_device,
                 json_body={"current_password": "correct horse", "new_password": "battery staple"})
    assert reply.status == 200, reply.json
    assert send(pipeline, rpc, "GET", "/api/v1/auth/me", auth_token=other_device).code == "token_revoked"
    assert send(pipeline, rpc, "GET", "/api/v1/auth/me", auth_token=reply.json["access_token"]).status == 200
    assert login(pipeline, rpc, password="battery staple")


def test_a_wrong_current_password_or_a_short_new_one_changes_nothing(pipeline, rpc, chair, open_session):
    me = login(pipeline, rpc)
    wrong = send(pipeline, rpc, "POST", "/api/v1/auth/password", auth_token=me,
                 json_body={"current_password": "nope", "new_password": "battery staple"})
    assert wrong.status == 422 and wrong.error_fields == {("current_password", "wrong_password")}
    short = send(pipeline, rpc, "POST", "/api/v1/auth/password", auth_token=me,
                 json_body={"current_password": "correct horse", "new_password": "short"})
    assert short.status == 422 and short.error_fields == {("new_password", "password_too_short")}
    with open_session() as session:
        assert session.execute(select(TokenRevocation)).first() is None
    assert send(pipeline, rpc, "GET", "/api/v1/auth/me", auth_token=me).status == 200


def test_a_school_admin_resets_a_password_in_their_school_only(pipeline, rpc, chair, open_session):
    chair_token = login(pipeline, rpc)
    with open_session() as session:
        fin_a = accounts.create(session, ADMIN, {"username": "fin_a", "password": "long enough",
                                                 "role": "finance_officer", "school": "A"})
        fin_b = accounts.create(session, ADMIN, {"username": "fin_b", "password": "long enough",
                                                 "role": "finance_officer", "school": "B"})
    ok = send(pipeline, rpc, "PATCH", f"/api/v1/schools/A/accounts/{fin_a['id']}", auth_token=chair_token,
              json_body={"password": "a new secret"})
    assert ok.status == 200
    assert login(pipeline, rpc, "fin_a", "a new secret")
    other = send(pipeline, rpc, "PATCH", f"/api/v1/schools/A/accounts/{fin_b['id']}", auth_token=chair_token,
                 json_body={"active": False})
    assert (other.status, other.code) == (404, "account_not_found")
    with open_session() as session:
        assert session.get(Account, fin_b["id"]).active is True


def test_nobody_deactivates_their_own_account(pipeline, rpc, chair):
    reply = send(pipeline, rpc, "PATCH", f"/api/v1/schools/A/accounts/{chair['id']}", auth_token=login(pipeline, rpc),
                 json_body={"active": False})
    assert reply.status == 422 and reply.error_fields == {("active", "cannot_deactivate_self")}


def test_a_key_held_by_a_running_request_is_409_and_not_run_again(pipeline, rpc, open_session):
    chair_a = token("school_admin", "A", username="chair_a")
    body = WANG
    first = send(pipeline, rpc, "POST", "/api/v1/schools/A/members", auth_token=chair_a, json_body=body,
                 headers={"Idempotency-Key": "k-run"})
    assert first.status == 201
    # simulate another request holding a key while it runs: a placeholder row with status 0
    fingerprint = hashlib.sha256(b"POST /api/v1/schools/A/members " + json.dumps(body).encode()).hexdigest()
    with open_session() as session:
        session.add(IdempotencyRecord(account="chair_a", key="k-busy", fingerprint=fingerprint, status=0,
                                      content_type="", body=""))
        session.commit()
    busy = send(pipeline, rpc, "POST", "/api/v1/schools/A/members", auth_token=chair_a, json_body=body,
                headers={"Idempotency-Key": "k-busy"})
    assert (busy.status, busy.code) == (409, "idempotency_in_progress")
    assert busy.headers["Retry-After"] == "1"
    assert len(rpc.calls) == 1


def test_a_key_left_running_by_a_crashed_process_is_taken_over(pipeline, rpc, open_session):
    chair_a = token("school_admin", "A", username="chair_a")
    fingerprint = hashlib.sha256(b"POST /api/v1/schools/A/members " + json.dumps(WANG).encode()).hexdigest()
    with open_session() as session:
        session.add(IdempotencyRecord(account="chair_a", key="k-old", fingerprint=fingerprint, status=0,
                                      content_type="", body="", created_at=utcnow() - timedelta(hours=1)))
        session.commit()
    reply = send(pipeline, rpc, "POST", "/api/v1/schools/A/members", auth_token=chair_a, json_body=WANG,
                 headers={"Idempotency-Key": "k-old"})
    assert reply.status == 201 and len(rpc.calls) == 1
    with open_session() as session:
        row = session.execute(select(IdempotencyRecord).where(IdempotencyRecord.key == "k-old")).scalar_one()
        assert row.status == 201


def test_an_unexpected_error_releases_the_key(pipeline, rpc, open_session):
    chair_a = token("school_admin", "A", username="chair_a")
    rpc.results[("membership", "admit_member")] = RuntimeError("boom")
    assert send(pipeline, rpc, "POST", "/api/v1/schools/A/members", auth_token=chair_a, json_body=WANG,
                headers={"Idempotency-Key": "k-boom"}).status == 500
    with open_session() as session:
        assert session.execute(select(IdempotencyRecord)).first() is None
