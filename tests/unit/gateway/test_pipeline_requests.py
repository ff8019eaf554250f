"""The request pipeline, second half: bodies, the RPC call, idempotency keys, rendering and the
gateway's own handlers (services/gateway/pipeline.py)."""
from __future__ import annotations

import base64
import io
import json

import pytest
from sqlalchemy import select

from services.gateway import accounts, auth
from services.gateway.orm import Account, KnownSchool
from shared.errors import Conflict, Unavailable

from .support import SECRET, send, token

CHAIR_A = token("school_admin", "A", username="chair_a")
DISTRICT = token("district_admin", None, username="admin")
WANG = {"name": "王芳", "id_number": "320411198603150026", "category": "teacher"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def admit(pipeline, rpc, body=None, **kw):
    """POST a member; ``data=`` sends raw bytes instead of ``body`` (WANG by default) as JSON."""
    if "data" not in kw:
        kw["json_body"] = WANG if body is None else body
    return send(pipeline, rpc, "POST", "/api/v1/schools/A/members", auth_token=kw.pop("auth_token", CHAIR_A), **kw)


# ---- bodies ------------------------------------------------------------------------------------

def test_malformed_json_is_400_malformed_json(pipeline, rpc):
    reply = admit(pipeline, rpc, data='{"name": "王芳",'.encode(), content_type="application/json")
    assert reply.status == 400 and reply.code == "malformed_json"
    assert rpc.calls == []


def test_a_json_array_is_400_json_object_expected(pipeline, rpc):
    reply = admit(pipeline, rpc, data=json.dumps([WANG]), content_type="application/json")
    assert reply.status == 400 and reply.code == "json_object_expected"
    assert rpc.calls == []


def test_every_bad_field_is_listed_in_one_422(pipeline, rpc):
    reply = admit(pipeline, rpc, {"name": 5, "nickname": "小王"}, headers={"Accept-Language": "en"})
    assert reply.status == 422 and reply.code == "validation_failed"
    assert reply.error_fields == {("name", "invalid_type"), ("nickname", "unknown_field"),
                                  ("id_number", "required"), ("category", "required")}
    messages = {e["field"]: e["message"] for e in reply.json["errors"]}
    assert messages["id_number"] == "Required" and messages["nickname"] == "Unknown field"
    assert rpc.calls == []


def test_an_empty_body_names_every_required_field(pipeline, rpc):
    reply = admit(pipeline, rpc, data=b"", content_type="application/json")
    assert reply.status == 422
    assert reply.error_fields == {("name", "required"), ("id_number", "required"), ("category", "required")}


def test_an_oversized_body_is_413_and_never_parsed(pipeline, rpc):
    big = json.dumps({**WANG, "position": "x" * 5000})
    reply = admit(pipeline, rpc, data=big, content_type="application/json", headers={"Accept-Language": "en"})
    assert reply.status == 413 and reply.code == "payload_too_large"
    assert reply.json["title"] == "Request body too large (limit 4096 bytes)"
    assert rpc.calls == []


def test_a_body_that_is_not_json_is_415(pipeline, rpc):
    reply = admit(pipeline, rpc, data="name=王芳", content_type="application/x-www-form-urlencoded")
    assert reply.status == 415 and reply.code == "unsupported_media_type"


def test_a_bad_query_string_is_422_with_every_parameter_named(pipeline, rpc):
    reply = send(pipeline, rpc, "GET", "/api/v1/schools/A/members", auth_token=CHAIR_A,
                 query={"status": "asleep", "page": "0", "colour": "red"})
    assert reply.status == 422
    assert reply.error_fields == {("status", "invalid_choice"), ("page", "out_of_range"), ("colour", "unknown_field")}
    assert rpc.calls == []


# ---- the RPC call ----------------------------------------------------------------------------------

def test_a_create_route_passes_the_callers_context_and_the_body_and_answers_201(pipeline, rpc):
    rpc.results[("membership", "admit_member")] = {"id": 11, "name": "王芳"}
    reply = admit(pipeline, rpc, headers={"X-Request-Id": "req-7", "Accept-Language": "en"})
    assert reply.status == 201 and reply.json == {"id": 11, "name": "王芳"}
    (service, method, context, kwargs), = rpc.calls
    assert (service, method) == ("membership", "admit_member")
    assert (context.school, context.actor, context.role, context.member_id) == ("A", "chair_a", "school_admin", None)
    assert (context.request_id, context.language) == ("req-7", "en")
    assert kwargs == {"school": "A", "data": WANG}


def test_path_parameters_reach_the_rpc_typed(pipeline, rpc):
    reply = send(pipeline, rpc, "POST", "/api/v1/schools/A/members/5/transfer", auth_token=CHAIR_A,
                 json_body={"to_school": "S002"})
    assert reply.status == 200
    assert rpc.calls[0][1] == "transfer_member"
    assert rpc.calls[0][3] == {"school": "A", "member_id": 5, "data": {"to_school": "S002"}}


def test_a_list_route_passes_the_query_string(pipeline, rpc):
    send(pipeline, rpc, "GET", "/api/v1/schools/A/members", auth_token=CHAIR_A,
         query={"status": "active", "page": "2"})
    assert rpc.calls[0][3] == {"school": "A", "query": {"status": "active", "page": "2"}}


def test_a_district_route_runs_with_no_school_in_the_context(pipeline, rpc):
    send(pipeline, rpc, "GET", "/api/v1/district/stats/membership", auth_token=DISTRICT)
    (_, method, context, kwargs), = rpc.calls
    assert method == "district_membership_stats" and kwargs == {}
    assert (context.school, context.actor, context.role) == (None, "admin", "district_admin")


def test_a_domain_error_from_the_service_becomes_its_problem(pipeline, rpc):
    rpc.results[("membership", "admit_member")] = Conflict("id_number_taken", fields={"id_number": ["id_number_taken"]})
    reply = admit(pipeline, rpc, headers={"Accept-Language": "en"})
    assert reply.status == 409 and reply.code == "id_number_taken"
    assert reply.json["title"] == "This school union already has a member with this ID number"
    assert reply.error_fields == {("id_number", "id_number_taken")}


def test_an_unexpected_error_is_a_500_that_leaks_nothing(pipeline, rpc):
    rpc.results[("membership", "admit_member")] = RuntimeError("password=hunter2 at db01")
    reply = admit(pipeline, rpc)
    assert reply.status == 500 and reply.code == "internal_error"
    assert b"hunter2" not in reply.raw


def test_registering_a_school_remembers_it_in_the_gateway_at_once(pipeline, rpc, open_session):
    rpc.results[("membership", "create_school")] = {"code": "S9", "name": "新城小学", "active": True}
    reply = send(pipeline, rpc, "POST", "/api/v1/district/schools", auth_token=DISTRICT,
                 json_body={"code": "S9", "name": "新城小学", "kind": "primary", "staff_headcount": 40})
    assert reply.status == 201
    with open_session() as session:
        assert session.get(KnownSchool, "S9").name == "新城小学"


# ---- idempotency keys ------------------------------------------------------------------------------

def test_a_repeated_idempotency_key_replays_the_first_answer_without_calling_again(pipeline, rpc):
    rpc.results[("membership", "admit_member")] = {"id": 11}
    first = admit(pipeline, rpc, headers={"Idempotency-Key": "k-1"})
    rpc.results[("membership", "admit_member")] = {"id": 12}
    again = admit(pipeline, rpc, headers={"Idempotency-Key": "k-1"})
    assert (first.status, first.json) == (201, {"id": 11})
    assert (again.status, again.json) == (201, {"id": 11})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(rpc.calls) == 1


def test_the_same_idempotency_key_with_another_body_is_422_idempotency_key_reused(pipeline, rpc):
    admit(pipeline, rpc, headers={"Idempotency-Key": "k-1"})
    reply = admit(pipeline, rpc, {**WANG, "name": "李明"}, headers={"Idempotency-Key": "k-1"})
    assert reply.status == 422 and reply.code == "idempotency_key_reused"
    assert len(rpc.calls) == 1


def test_idempotency_keys_belong_to_one_account(pipeline, rpc):
    other_chair = token("school_admin", "A", username="vice_chair_a")
    admit(pipeline, rpc, headers={"Idempotency-Key": "k-1"})
    reply = admit(pipeline, rpc, {**WANG, "name": "李明"}, headers={"Idempotency-Key": "k-1"}, auth_token=other_chair)
    assert reply.status == 201 and len(rpc.calls) == 2


def test_a_failed_request_is_not_remembered_under_its_key(pipeline, rpc):
    rpc.results[("membership", "admit_member")] = Conflict("id_number_taken")
    assert admit(pipeline, rpc, headers={"Idempotency-Key": "k-1"}).status == 409
    rpc.results[("membership", "admit_member")] = {"id": 11}
    assert admit(pipeline, rpc, headers={"Idempotency-Key": "k-1"}).status == 201
    assert len(rpc.calls) == 2


def test_a_key_whose_request_timed_out_stays_held_so_a_retry_cannot_run_it_twice(pipeline, rpc):
    rpc.results[("membership", "admit_member")] = Unavailable("rpc_timeout", params={"service": "membership"})
    assert admit(pipeline, rpc, headers={"Idempotency-Key": "k-1"}).status == 503
    rpc.results[("membership", "admit_member")] = {"id": 11}
    retry = admit(pipeline, rpc, headers={"Idempotency-Key": "k-1"})
    assert (retry.status, retry.code) == (409, "idempotency_in_progress")
    assert len(rpc.calls) == 1


def test_without_an_idempotency_key_every_post_is_executed(pipeline, rpc):
    admit(pipeline, rpc)
    admit(pipeline, rpc)
    assert len(rpc.calls) == 2


# ---- uploads and files ------------------------------------------------------------------------------

def test_an_uploaded_spreadsheet_reaches_the_rpc_base64_encoded(pipeline, rpc):
    content = b"PK\x03\x04 pretend xlsx"
    reply = send(pipeline, rpc, "POST", "/api/v1/schools/A/members/import", auth_token=CHAIR_A,
                 data=content, content_type=XLSX)
    assert reply.status == 200
    upload = rpc.calls[0][3]["upload"]
    assert upload["format"] == "xlsx" and base64.b64decode(upload["content_b64"]) == content


def test_a_multipart_upload_is_read_from_its_file_field(pipeline, rpc):
    reply = send(pipeline, rpc, "POST", "/api/v1/schools/A/members/import", auth_token=CHAIR_A,
                 data={"file": (io.BytesIO("姓名,身份证号,人员类别\n".encode()), "名册.csv")})
    assert reply.status == 200
    assert rpc.calls[0][3]["upload"]["format"] == "csv"


def test_an_upload_of_another_type_is_415_and_an_empty_one_422(pipeline, rpc):
    assert send(pipeline, rpc, "POST", "/api/v1/schools/A/members/import", auth_token=CHAIR_A,
                data=b"hello", content_type="text/plain").status == 415
    empty = send(pipeline, rpc, "POST", "/api/v1/schools/A/members/import", auth_token=CHAIR_A,
                 data=b"", content_type=XLSX)
    assert empty.status == 422 and empty.error_fields == {("file", "required")}
    assert rpc.calls == []


def test_an_export_is_served_as_an_attachment(pipeline, rpc):
    rpc.results[("membership", "export_members")] = {"content_b64": base64.b64encode(b"PK xlsx").decode(),
                                                     "format": "xlsx"}
    reply = send(pipeline, rpc, "GET", "/api/v1/schools/A/members/export", auth_token=CHAIR_A)
    assert reply.status == 200 and reply.response.mimetype == XLSX
    assert reply.raw == b"PK xlsx"
    assert "attachment" in reply.headers["Content-Disposition"]
    assert rpc.calls[0][3] == {"school": "A", "query": {}}


# ---- the gateway's own handlers ---------------------------------------------------------------------

@pytest.fixture
def chair_account(open_session):
    with open_session() as session:
        accounts.create(session, auth.Principal("admin", "district_admin", None, None),
                        {"username": "chair_a", "password": "correct horse", "role": "school_admin", "school": "A"})


def test_logging_in_through_the_pipeline_gives_a_token_the_pipeline_accepts(pipeline, rpc, chair_account):
    login = send(pipeline, rpc, "POST", "/api/v1/auth/token",
                 json_body={"username": "chair_a", "password": "correct horse"})
    assert login.status == 200
    assert auth.read_token(login.json["access_token"], SECRET).school == "A"
    me = send(pipeline, rpc, "GET", "/api/v1/auth/me", auth_token=login.json["access_token"],
              headers={"Accept-Language": "en"})
    assert me.json == {"username": "chair_a", "role": "school_admin", "role_label": "School union chair",
                       "school": "A", "member_id": None}
    assert rpc.calls == []


def test_a_locked_login_is_429_with_retry_after(pipeline, rpc, chair_account):
    for _ in range(5):
        assert send(pipeline, rpc, "POST", "/api/v1/auth/token",
                    json_body={"username": "chair_a", "password": "wrong horse"}).status == 401
    reply = send(pipeline, rpc, "POST", "/api/v1/auth/token",
                 json_body={"username": "chair_a", "password": "correct horse"})
    assert reply.status == 429 and reply.code == "too_many_requests"
    assert int(reply.headers["Retry-After"]) == reply.json["params"]["retry_after"] > 0


def test_a_school_admin_creates_an_account_in_their_school_through_the_pipeline(pipeline, rpc, open_session):
    reply = send(pipeline, rpc, "POST", "/api/v1/schools/A/accounts", auth_token=CHAIR_A,
                 json_body={"username": "fin_a", "password": "long enough", "role": "finance_officer"})
    assert reply.status == 201 and reply.json["school"] == "A"
    listed = send(pipeline, rpc, "GET", "/api/v1/schools/A/accounts", auth_token=CHAIR_A, query={"page_size": "10"})
    assert [a["username"] for a in listed.json["items"]] == ["fin_a"]


def test_a_school_admin_asking_for_a_district_account_gets_403_role_grant_forbidden(pipeline, rpc, open_session):
    reply = send(pipeline, rpc, "POST", "/api/v1/schools/A/accounts", auth_token=CHAIR_A,
                 json_body={"username": "boss", "password": "long enough", "role": "district_admin"})
    assert reply.status == 403 and reply.code == "role_grant_forbidden"
    with open_session() as session:
        assert session.execute(select(Account.id)).first() is None
