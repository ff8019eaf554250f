"""The request pipeline, first half: matching, authentication and authorisation
(services/gateway/pipeline.py), with the real discovered plugins and a fake RPC."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from services.gateway.orm import Account
from shared import plugins as registry

from .support import send, token

CHAIR_A = token("school_admin", "A", username="chair_a")
DISTRICT = token("district_admin", None, username="admin")
PROBLEM = "application/problem+json"


def school_routes():
    """Every school-scoped route of every installed plugin."""
    return [r for p in registry.discover().values() for r in p.routes if r.scope == "school"]


def fill(path, school, ids=1):
    def value(match):
        name = match.group(1)
        if name == "school":
            return school
        return str(ids) if name.endswith("_id") else "x1"
    return re.sub(r"\{(\w+)\}", value, path)


# ---- matching ----------------------------------------------------------------------------------

def test_an_unknown_path_is_404_route_not_found(pipeline, rpc):
    reply = send(pipeline, rpc, "GET", "/api/v1/nowhere", auth_token=CHAIR_A)
    assert reply.status == 404 and reply.code == "route_not_found"
    assert reply.response.mimetype == PROBLEM
    assert rpc.calls == []


def test_a_member_id_that_is_not_a_number_matches_no_route(pipeline, rpc):
    reply = send(pipeline, rpc, "GET", "/api/v1/schools/A/members/abc", auth_token=CHAIR_A)
    assert reply.status == 404 and reply.code == "route_not_found"


def test_a_known_path_with_the_wrong_method_is_method_not_allowed(pipeline, rpc):
    reply = send(pipeline, rpc, "DELETE", "/api/v1/auth/token")
    assert reply.code == "method_not_allowed"
    assert reply.response.mimetype == PROBLEM


def test_a_known_path_with_the_wrong_method_is_405_with_an_allow_header(pipeline, rpc):
    reply = send(pipeline, rpc, "DELETE", "/api/v1/auth/token")
    assert reply.status == 405
    assert "POST" in reply.headers.get("Allow", "")


def test_a_trailing_slash_still_matches(pipeline, rpc):
    assert send(pipeline, rpc, "GET", "/api/v1/schools/A/members/", auth_token=CHAIR_A).status == 200


def test_every_answer_carries_a_request_id_and_echoes_the_callers(pipeline, rpc):
    mine = send(pipeline, rpc, "GET", "/api/v1/nowhere", headers={"X-Request-Id": "req-42"})
    assert mine.headers["X-Request-Id"] == "req-42" and mine.json["request_id"] == "req-42"
    assert send(pipeline, rpc, "GET", "/api/v1/nowhere").headers["X-Request-Id"]


# ---- authentication ------------------------------------------------------------------------------

def test_a_request_without_a_token_is_401_not_authenticated(pipeline, rpc):
    reply = send(pipeline, rpc, "GET", "/api/v1/schools/A/members")
    assert reply.status == 401 and reply.code == "not_authenticated"
    assert rpc.calls == []


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer " + token(ttl=-5),
                                    "Bearer " + token(secret="another-secret-of-at-least-thirty-two-bytes")])
def test_an_invalid_or_expired_token_is_401_invalid_token(pipeline, rpc, header):
    reply = send(pipeline, rpc, "GET", "/api/v1/schools/A/members", headers={"Authorization": header})
    assert reply.status == 401 and reply.code == "invalid_token"
    assert rpc.calls == []


def test_a_token_sent_with_another_scheme_is_not_authenticated(pipeline, rpc):
    reply = send(pipeline, rpc, "GET", "/api/v1/auth/me", headers={"Authorization": f"Basic {CHAIR_A}"})
    assert reply.status == 401 and reply.code == "not_authenticated"


def test_a_public_route_needs_no_token(pipeline, rpc):
    reply = send(pipeline, rpc, "POST", "/api/v1/auth/token", json_body={"username": "nobody", "password": "x"})
    assert reply.status == 401 and reply.code == "invalid_credentials"


# ---- roles -----------------------------------------------------------------------------------------

def test_a_member_may_not_list_the_members_of_their_school(pipeline, rpc):
    member = token("member", "A", member_id=7)
    reply = send(pipeline, rpc, "GET", "/api/v1/schools/A/members", auth_token=member)
    assert reply.status == 403 and reply.code == "role_forbidden"
    assert rpc.calls == []


def test_a_school_admin_may_not_use_district_routes(pipeline, rpc):
    reply = send(pipeline, rpc, "GET", "/api/v1/district/schools", auth_token=CHAIR_A)
    assert reply.status == 403 and reply.code == "role_forbidden"
    assert rpc.calls == []


def test_a_member_may_read_their_own_record_and_its_history(pipeline, rpc):
    member = token("member", "A", username="wang", member_id=7)
    assert send(pipeline, rpc, "GET", "/api/v1/schools/A/members/7", auth_token=member).status == 200
    assert send(pipeline, rpc, "GET", "/api/v1/schools/A/members/7/history", auth_token=member).status == 200
    assert rpc.methods == ["membership.get_member", "membership.member_history"]
    assert rpc.calls[0][3]["member_id"] == 7


def test_a_member_may_not_read_another_members_record(pipeline, rpc):
    member = token("member", "A", member_id=7)
    reply = send(pipeline, rpc, "GET", "/api/v1/schools/A/members/8", auth_token=member)
    assert reply.status == 403 and reply.code == "role_forbidden"
    assert rpc.calls == []


def test_a_member_may_not_change_their_own_record(pipeline, rpc):
    member = token("member", "A", member_id=7)
    reply = send(pipeline, rpc, "PATCH", "/api/v1/schools/A/members/7", auth_token=member, json_body={"name": "王"})
    assert reply.status == 403 and reply.code == "role_forbidden"
    assert rpc.calls == []


def test_a_member_account_without_a_member_id_reads_no_record(pipeline, rpc):
    orphan = token("member", "A", member_id=None)
    assert send(pipeline, rpc, "GET", "/api/v1/schools/A/members/7", auth_token=orphan).status == 403


# ---- schools ---------------------------------------------------------------------------------------

def test_there_are_school_routes_to_check():
    assert len(school_routes()) >= 15


@pytest.mark.parametrize("role", ["school_admin", "finance_officer", "auditor", "member"])
@pytest.mark.parametrize("target", ["B", "NOSUCH"])
def test_a_school_account_gets_404_on_every_route_of_another_school_and_nothing_is_called(
        pipeline, rpc, open_session, role, target):
    caller = token(role, "A", member_id=1)
    for route in school_routes():
        reply = send(pipeline, rpc, route.method, fill(route.path, target), auth_token=caller, json_body={})
        assert (reply.status, reply.code) == (404, "not_found"), (route.method, route.path)
    assert rpc.calls == []
    with open_session() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_another_schools_routes_answer_alike_whether_that_school_exists_or_not(pipeline, rpc):
    existing = send(pipeline, rpc, "GET", "/api/v1/schools/B/members", auth_token=CHAIR_A).json
    missing = send(pipeline, rpc, "GET", "/api/v1/schools/NOSUCH/members", auth_token=CHAIR_A).json
    assert {k: v for k, v in existing.items() if k not in ("instance", "request_id")} == \
           {k: v for k, v in missing.items() if k not in ("instance", "request_id")}


def test_district_admin_on_an_unknown_school_is_404_school_not_found(pipeline, rpc):
    reply = send(pipeline, rpc, "GET", "/api/v1/schools/NOSUCH/members", auth_token=DISTRICT)
    assert reply.status == 404 and reply.code == "school_not_found"
    assert reply.json["params"] == {"school": "NOSUCH"}
    assert rpc.calls == []


def test_district_admin_on_a_closed_school_is_404_school_not_found(pipeline, rpc):
    reply = send(pipeline, rpc, "GET", "/api/v1/schools/OLD/members", auth_token=DISTRICT)
    assert reply.status == 404 and reply.code == "school_not_found"


def test_district_admin_reaches_any_known_schools_routes(pipeline, rpc):
    for school in ("A", "B"):
        assert send(pipeline, rpc, "GET", f"/api/v1/schools/{school}/members", auth_token=DISTRICT).status == 200
    assert [call[3]["school"] for call in rpc.calls] == ["A", "B"]


# ---- language --------------------------------------------------------------------------------------

def test_problem_titles_are_chinese_by_default_and_english_on_request(pipeline, rpc):
    zh = send(pipeline, rpc, "GET", "/api/v1/nowhere")
    en = send(pipeline, rpc, "GET", "/api/v1/nowhere", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert zh.json["title"] == "接口不存在"
    assert en.json["title"] == "No such endpoint"
    assert en.json["type"] == "urn:unionhub:problem:route_not_found" and en.json["status"] == 404
    assert en.json["instance"] == "/api/v1/nowhere"
