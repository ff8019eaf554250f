"""What the platform serves besides the API: OpenAPI and its docs page, health, readiness and
metrics on every service, and idempotent POSTs."""
import re
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from .support import TIMEOUT, Client, member_body

pytestmark = pytest.mark.e2e


def test_the_openapi_document_is_openapi_3_and_lists_the_member_routes(stack):
    resp = requests.get(f"{stack.url}/api/v1/openapi.json", timeout=TIMEOUT)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
    spec = resp.json()
    assert spec["openapi"].startswith("3.")
    members = spec["paths"]["/api/v1/schools/{school}/members"]
    assert {"get", "post"} <= set(members)
    assert members["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "422" in members["post"]["responses"] and "201" in members["post"]["responses"]
    assert "/api/v1/auth/token" in spec["paths"] and "bearer" in spec["components"]["securitySchemes"]


def test_the_docs_page_loads_the_swagger_bundle_that_the_gateway_serves(stack):
    page = requests.get(f"{stack.url}/api/docs", timeout=TIMEOUT)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<script src="/api/docs/static/swagger-ui-bundle.js">' in page.text
    assert "/api/v1/openapi.json" in page.text
    bundle = requests.get(f"{stack.url}/api/docs/static/swagger-ui-bundle.js", timeout=TIMEOUT)
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
    css = re.search(r'href="(/api/docs/static/[^"]+\.css)"', page.text)
    assert css and requests.get(stack.url + css[1], timeout=TIMEOUT).status_code == 200
    assert requests.get(f"{stack.url}/api/docs/static/..%2F..%2Fsetup.py", timeout=TIMEOUT).status_code == 404


@pytest.mark.parametrize("service", ["gateway", "membership"])
def test_healthz_and_readyz_report_the_database_and_broker_ok(stack, service):
    base = stack.url if service == "gateway" else stack.membership_url
    health = requests.get(f"{base}/healthz", timeout=TIMEOUT)
    assert health.status_code == 200 and health.json() == {"status": "ok", "service": service}
    ready = requests.get(f"{base}/readyz", timeout=TIMEOUT)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "service": service, "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.parametrize("service", ["gateway", "membership"])
def test_metrics_are_prometheus_text_with_unionhub_series(stack, admin, service):
    # an RPC-backed route (the member list may be answered by the gateway's read model alone)
    admin.ok("GET", "/api/v1/district/schools", params={"page_size": 1})
    base = stack.url if service == "gateway" else stack.membership_url
    resp = requests.get(f"{base}/metrics", timeout=TIMEOUT)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/plain")
    names = {s.name for f in text_string_to_metric_families(resp.text) for s in f.samples}
    assert "unionhub_outbox_backlog" in names
    if service == "gateway":
        assert "unionhub_http_request_duration_seconds_count" in names
    else:
        assert "unionhub_rpc_duration_seconds_count" in names


def _counted(base: str, metric: str, **labels) -> float:
    resp = requests.get(f"{base}/metrics", timeout=TIMEOUT)   # a new connection: any process may answer
    assert resp.status_code == 200
    return sum(s.value for f in text_string_to_metric_families(resp.text) for s in f.samples
               if s.name == metric and all(s.labels.get(k) == v for k, v in labels.items()))


@pytest.mark.parametrize("service", ["gateway", "membership"])
def test_a_service_run_as_several_processes_reports_the_sum_of_all_of_them_on_every_scrape(stack, admin, service):
    """The gateway and membership run as two processes sharing a port: whichever answers the
    scrape, the counts cover the requests every process served."""
    base = stack.url if service == "gateway" else stack.membership_url
    metric, labels = (("unionhub_http_request_duration_seconds_count", {"route": "/api/v1/district/schools", "method": "GET"})
                      if service == "gateway" else
                      ("unionhub_rpc_duration_seconds_count", {"entrypoint": "list_schools", "outcome": "ok"}))
    before = _counted(base, metric, **labels)
    for _ in range(20):     # each on a new connection, so both processes serve some of them
        assert requests.get(f"{stack.url}/api/v1/district/schools", params={"page_size": 1}, timeout=TIMEOUT,
                            headers={"Authorization": admin.http.headers["Authorization"]}).status_code == 200
    seen = {_counted(base, metric, **labels) - before for _ in range(6)}
    assert seen == {20.0}


def test_the_same_idempotency_key_twice_creates_one_member_and_returns_the_same_body(school):
    body, key = member_body(), str(uuid.uuid4())
    path = f"/api/v1/schools/{school.code}/members"
    before = school.chair.member_total(school.code)
    first = school.chair.post(path, json=body, headers={"Idempotency-Key": key})
    second = school.chair.post(path, json=body, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert school.chair.member_total(school.code) == before + 1
    reused = school.chair.post(path, json=member_body(), headers={"Idempotency-Key": key})
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert school.chair.member_total(school.code) == before + 1
    fresh = school.chair.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert fresh.status_code == 409 and fresh.json()["code"] == "id_number_taken"  # a new key is a new request


def test_the_root_redirects_to_the_docs(stack):
    resp = requests.get(stack.url + "/", allow_redirects=False, timeout=TIMEOUT)
    assert resp.status_code == 302 and resp.headers["Location"] == "/api/docs"


def _fresh(stack, token: str, method: str, path: str, **kw) -> requests.Response:
    """One request on a new connection: either gateway process may answer it."""
    return requests.request(method, stack.url + path, headers={"Authorization": token}, timeout=TIMEOUT, **kw)


def test_every_gateway_process_answers_with_the_write_another_one_just_made(stack, school):
    """The gateway processes remember a school's state between writes (shared.hoststate): a
    write answered by one is what the next read shows, whichever process answers it."""
    token = school.chair.http.headers["Authorization"]
    member = school.chair.admit(school.code)
    path = f"/api/v1/schools/{school.code}/members/{member['id']}"
    for round_ in range(8):
        for _ in range(4):                    # both processes remember the school's state
            assert _fresh(stack, token, "GET", path).status_code == 200
        position = f"教研组长{round_}"
        written = _fresh(stack, token, "PATCH", path, json={"position": position})
        assert written.status_code == 200, written.text
        seen = {_fresh(stack, token, "GET", path).json()["position"] for _ in range(6)}
        listed = _fresh(stack, token, "GET", f"/api/v1/schools/{school.code}/members",
                        params={"q": member["name"], "page_size": 500}).json()["items"]
        assert seen == {position}
        assert [m["position"] for m in listed if m["id"] == member["id"]] == [position]


def test_a_deactivated_account_is_refused_by_every_gateway_process_at_once(stack, admin, school):
    username, password = f"{school.code.lower()}-clerk", "clerk-pass-2026"
    account = admin.ok("POST", "/api/v1/district/accounts", 201,
                       json={"username": username, "password": password, "role": "school_admin",
                             "school": school.code})
    clerk = Client.login(stack.url, username, password)
    token = clerk.http.headers["Authorization"]
    path = f"/api/v1/schools/{school.code}/members"
    for _ in range(6):                        # both processes remember the clerk's state
        assert _fresh(stack, token, "GET", path, params={"page_size": 1}).status_code == 200
    admin.ok("PATCH", f"/api/v1/district/accounts/{account['id']}", json={"active": False})
    refused = {_fresh(stack, token, "GET", path, params={"page_size": 1}).status_code for _ in range(10)}
    assert refused == {401}
