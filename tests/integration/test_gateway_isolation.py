"""School isolation through the HTTP gateway, with the real gateway and membership services on
RabbitMQ and PostgreSQL: every school-scoped route of every installed plugin refuses a school
admin who aims at another school, every district route refuses a school admin, every non-public
route refuses a request without a valid token, and nothing of the other school changes."""
from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from sqlalchemy import create_engine, text

from shared import plugins as plugin_registry, testing

from .support import Service, cli, list_queues, next_id_number, pg_url

pytestmark = pytest.mark.integration

ADMIN_PASSWORD = "district-admin-password-1"
CHAIR_PASSWORD = "school-chair-password-1"
SCHOOL_PREFIX = "/api/v1/schools/{school}"
ROUTES = [r for p in plugin_registry.discover().values() for r in p.routes]
SCHOOL_ROUTES = [r for r in ROUTES if r.path.startswith(SCHOOL_PREFIX)]
DISTRICT_ROUTES = [r for r in ROUTES if r.path.startswith("/api/v1/district")]
PRIVATE_ROUTES = [r for r in ROUTES if not r.public]
OTHER_SERVICES = sorted({p.name for p in plugin_registry.discover().values()
                         if p.name not in ("gateway", "membership") and any(r.rpc for r in p.routes)})


def _rid(route) -> str:
    return f"{route.method} {route.path}"


@dataclass
class Stack:
    gateway: Service
    membership: Service
    env: dict
    membership_db: object  # engine on the membership database
    amqp_uri: str

    def call(self, method, path, token=None, json=None, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.gateway.url + path, headers=headers, json=json, timeout=30, **kw)

    def login(self, username, password) -> str:
        r = self.call("POST", "/api/v1/auth/token", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["access_token"]


@pytest.fixture(scope="module")
def stack(amqp_uri, module_db_prefix, module_tmp):
    env = testing.stack_env(amqp_uri, data_dir=module_tmp, database_url=testing.pg_server_url(),
                            db_prefix=module_db_prefix)
    made = cli(dict(env, UNIONHUB_ADMIN_PASSWORD=ADMIN_PASSWORD), "create-admin")
    assert made.returncode == 0, made.stdout + made.stderr
    membership = Service("membership", env, testing.free_port(), module_tmp).start()
    # the other plugins that contribute routes: the IDOR check needs their services to answer 404
    others = []
    try:
        for name in OTHER_SERVICES:
            others.append(Service(name, env, testing.free_port(), module_tmp).start())
        gateway = Service("gateway", env, testing.free_port(), module_tmp).start()
    except BaseException:
        for service in [membership, *others]:
            service.stop()
        raise
    engine = create_engine(pg_url(f"{module_db_prefix}membership"), pool_size=1, max_overflow=0)
    try:
        yield Stack(gateway, membership, env, engine, amqp_uri)
    finally:
        engine.dispose()
        gateway.stop()
        for service in others:
            service.stop()
        membership.stop()


@dataclass
class School:
    code: str
    token: str
    member: int
    group: int
    position: int
    member_name: str
    ids: dict = field(default_factory=dict)


@dataclass
class World:
    admin: str
    a: School
    b: School


def _school(stack: Stack, admin: str) -> School:
    code = f"S{uuid.uuid4().hex[:6].upper()}"
    r = stack.call("POST", "/api/v1/district/schools", admin,
                   json={"code": code, "name": f"测试学校{code}", "kind": "primary", "staff_headcount": 80})
    assert r.status_code == 201, r.text
    r = stack.call("POST", "/api/v1/district/accounts", admin,
                   json={"username": f"chair_{code.lower()}", "password": CHAIR_PASSWORD, "role": "school_admin",
                         "school": code})
    assert r.status_code == 201, r.text
    token = stack.login(f"chair_{code.lower()}", CHAIR_PASSWORD)
    base = f"/api/v1/schools/{code}"
    member_name = f"{code}会员"
    r = stack.call("POST", f"{base}/members", token,
                   json={"name": member_name, "id_number": next_id_number(), "category": "teacher"})
    assert r.status_code == 201, r.text
    member = r.json()["id"]
    r = stack.call("POST", f"{base}/groups", token, json={"name": "语文组"})
    assert r.status_code == 201, r.text
    group = r.json()["id"]
    r = stack.call("POST", f"{base}/committee", token, json={"member_id": member, "portfolio": "publicity"})
    assert r.status_code == 201, r.text
    position = r.json()["id"]
    return School(code, token, member, group, position, member_name,
                  {"member_id": member, "group_id": group, "position_id": position})


@pytest.fixture(scope="module")
def world(stack) -> World:
    admin = stack.login("admin", ADMIN_PASSWORD)
    return World(admin, _school(stack, admin), _school(stack, admin))


def _quiet(stack: Stack) -> None:
    """Wait until every event is relayed and consumed, so that read models are current."""
    def settled():
        with stack.membership_db.connect() as conn:
            pending = conn.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar_one()
        return pending == 0 and all(q["messages"] == 0 for name, q in list_queues(stack.amqp_uri).items()
                                    if "--gateway." in name and not name.endswith(".dlq"))
    testing.wait_for(settled, 60, interval=0.3, what="events to be relayed and consumed")


def _snapshot(stack: Stack, world: World, school: School) -> dict:
    """What the school's own chair (and the district) can see of it."""
    _quiet(stack)
    base = f"/api/v1/schools/{school.code}"
    reads = {"members": f"{base}/members?page_size=500", "member": f"{base}/members/{school.member}",
             "history": f"{base}/members/{school.member}/history", "groups": f"{base}/groups",
             "committee": f"{base}/committee", "accounts": f"{base}/accounts?page_size=500",
             "pii": f"{base}/audit/pii-reads?page_size=500"}
    out = {}
    for key, path in reads.items():
        r = stack.call("GET", path, school.token)
        assert r.status_code == 200, (path, r.status_code, r.text)
        out[key] = r.json()
    schools = stack.call("GET", "/api/v1/district/schools?page_size=500", world.admin).json()
    out["registry"] = [s for s in schools["items"] if s["code"] == school.code]
    out["district_accounts"] = stack.call("GET", f"/api/v1/district/accounts?school={school.code}&page_size=500",
                                          world.admin).json()
    with stack.membership_db.connect() as conn:
        out["events"] = conn.execute(text("SELECT count(*) FROM outbox WHERE school = :s"),
                                     {"s": school.code}).scalar_one()
    return out


def _path(route, school: str, ids: dict) -> str:
    path = route.path.replace("{school}", school)
    for name in route.params:
        if name != "school":
            path = path.replace("{" + name + "}", str(ids.get(name, 1 if name.endswith("_id") else school)))
    return path


def sample_body(schema, ids: dict) -> dict:
    """Every required field of ``schema`` with a value of its type (ids of the target school where
    the field names one), plus the fields a schema-level rule may ask for."""
    from marshmallow import fields as f, validate as v
    from shared.validation import Money

    def value(name, field):
        for rule in field.validators:
            if isinstance(rule, v.OneOf):
                return list(rule.choices)[0]
        if name in ids:
            return ids[name]
        if isinstance(field, f.Nested):
            nested = field.schema
            body = sample_body(nested, ids)
            return [body] if field.many else body
        if isinstance(field, f.List):
            least = max([rule.min or 1 for rule in field.validators if isinstance(rule, v.Length)] or [1])
            return [value(name, field.inner) for _ in range(least)]
        if isinstance(field, Money) or isinstance(field, f.Decimal):
            return "100.00"
        for kind, sample in ((f.Boolean, True), (f.Date, "2026-03-01"), (f.DateTime, "2026-03-01T08:00:00"),
                             (f.Integer, 1), (f.Float, 1.0), (f.Dict, {}), (f.Email, "x@example.cn")):
            if isinstance(field, kind):
                return sample
        if isinstance(field, f.String):
            for rule in field.validators:
                if isinstance(rule, v.Length) and rule.min and rule.min > 4:
                    return "越" * rule.min
            return "越权"
        return "越权"
    wanted = [name for name, field in schema.fields.items()
              if not field.dump_only and (field.required or name in ids)]
    body = {name: value(name, schema.fields[name]) for name in wanted}
    try:
        schema.load(body)
    except Exception:   # a schema-level rule wants more: every field, then
        body = {name: value(name, field) for name, field in schema.fields.items() if not field.dump_only}
    return body


def _request(route, attacker: School, target_school: str, target_ids: dict) -> dict:
    """Keyword arguments for a request that would really change something if it got through."""
    suffix = route.path[len(SCHOOL_PREFIX):] if route.path.startswith(SCHOOL_PREFIX) else route.path
    if route.body == "upload":
        buf = io.StringIO()
        csv.writer(buf).writerows([["姓名", "身份证号", "类别"], ["越权导入", next_id_number(), "teacher"]])
        return {"data": buf.getvalue().encode(), "headers": {"Content-Type": "text/csv"}}
    bodies = {
        ("POST", "/members"): {"name": "越权会员", "id_number": next_id_number(), "category": "teacher"},
        ("PATCH", "/members/{member_id}"): {"position": "越权修改"},
        ("POST", "/members/{member_id}/transfer"): {"to_school": attacker.code},
        ("POST", "/members/{member_id}/leave"): {"reason": "expelled"},
        ("POST", "/groups"): {"name": f"越权小组{uuid.uuid4().hex[:4]}"},
        ("PATCH", "/groups/{group_id}"): {"name": "越权改名"},
        ("POST", "/committee"): {"member_id": target_ids["member_id"], "portfolio": "welfare"},
        ("POST", "/accounts"): {"username": f"intruder_{uuid.uuid4().hex[:6]}", "password": "intruder-password-1",
                                "role": "school_admin"},
        ("PATCH", "/api/v1/district/schools/{code}"): {"name": "越权改名", "active": False},
        ("POST", "/api/v1/district/schools"): {"code": f"X{uuid.uuid4().hex[:6]}", "name": "越权学校",
                                               "kind": "primary", "staff_headcount": 1},
        ("POST", "/welfare/cases/{case_id}/visits"): {"visitors": ["越权"]},
        ("POST", "/welfare/hardship-files/{file_id}/objections"): {"content": "越权"},
        ("POST", "/welfare/hardship-files/{file_id}/objections/{objection_id}/resolve"): {"resolution": "越权",
                                                                                         "upheld": True},
        ("POST", "/welfare/hardship-files/{file_id}/reject"): {"reason": "越权"},
        ("POST", "/welfare/hardship-files/{file_id}/leader"): {"leader_name": "越权"},
        ("POST", "/welfare/hardship-files/{file_id}/recheck"): {"still_eligible": False},
        ("POST", "/welfare/hardship-files/{file_id}/close"): {"reason": "death"},
        ("POST", "/welfare/health/campaigns/{campaign_id}/bookings"): {"member_id": target_ids["member_id"]},
        ("POST", "/welfare/health/campaigns/{campaign_id}/bookings/{booking_id}/result"): {"attended": True},
        ("POST", "/welfare/mutual-aid/claims/{claim_id}/decision"): {"approve": True},
        ("POST", "/welfare/outreach/campaigns/{campaign_id}/deliveries"): {"member_id": target_ids["member_id"]},
        ("POST", "/api/v1/district/accounts"): {"username": f"intruder_{uuid.uuid4().hex[:6]}",
                                                "password": "intruder-password-1", "role": "district_admin"},
        ("POST", "/finance/requests/{spending_id}/reject"): {"reason": "越权驳回"},
        ("POST", "/finance/audits/{audit_id}/findings"): {"severity": "major", "description": "越权"},
        ("POST", "/finance/audits/{audit_id}/submit"): {"summary": "越权提交"},
    }
    if (route.method, suffix) in bodies:
        return {"json": bodies[(route.method, suffix)]}
    if route.request is not None:
        # a body the route's schema accepts, so the request reaches the service's own checks
        return {"json": sample_body(route.request(), target_ids)}
    if route.method in ("POST", "PUT", "PATCH"):
        return {"json": {}}
    if route.query is not None and "birthdays" in route.path:
        return {"params": {"month": 5}}
    if route.query is not None and "/finance/dues/members/" in route.path:
        return {"params": {"year": 2025}}
    return {}


def test_health_readiness_and_metrics_answer_on_both_services(stack, world):
    stack.call("GET", f"/api/v1/schools/{world.a.code}/members", world.a.token)  # at least one request timed
    for service, metric in ((stack.membership, "unionhub_rpc_duration_seconds"),
                            (stack.gateway, "unionhub_http_request_duration_seconds")):
        health = requests.get(f"{service.url}/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        ready = requests.get(f"{service.url}/readyz", timeout=5)
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
        metrics = requests.get(f"{service.url}/metrics", timeout=5)
        assert metrics.status_code == 200 and metrics.headers["Content-Type"].startswith("text/plain")
        assert metric in metrics.text, service.plugin


def test_a_school_admin_uses_the_routes_of_its_own_school(stack, world):
    _quiet(stack)
    base = f"/api/v1/schools/{world.a.code}"
    members = stack.call("GET", f"{base}/members", world.a.token)
    assert members.status_code == 200
    assert [m["id"] for m in members.json()["items"]] == [world.a.member]
    assert stack.call("GET", f"{base}/members/{world.a.member}", world.a.token).status_code == 200
    assert stack.call("GET", f"{base}/committee", world.a.token).json()["total"] == 1


def test_every_non_public_route_refuses_a_request_without_a_valid_token(stack, world):
    assert PRIVATE_ROUTES
    forged = stack.login("admin", ADMIN_PASSWORD)[:-4] + "AAAA"
    failures = []
    for route in PRIVATE_ROUTES:
        path = _path(route, world.b.code, world.b.ids) if route.scope == "school" else _path(
            route, world.b.code, {"code": world.b.code})
        for token in (None, "not-a-token", forged):
            r = stack.call(route.method, path, token, **_request(route, world.a, world.b.code, world.b.ids))
            if r.status_code != 401 or not r.headers["Content-Type"].startswith("application/problem+json"):
                failures.append((_rid(route), token and token[:12], r.status_code))
    assert failures == []


def test_every_district_route_is_forbidden_to_a_school_admin(stack, world):
    assert DISTRICT_ROUTES
    before = _snapshot(stack, world, world.b)
    failures = []
    for route in DISTRICT_ROUTES:
        path = _path(route, world.b.code, {"code": world.b.code})
        r = stack.call(route.method, path, world.a.token, **_request(route, world.a, world.b.code, world.b.ids))
        if r.status_code != 403:
            failures.append((_rid(route), r.status_code, r.text[:200]))
    assert failures == []
    assert _snapshot(stack, world, world.b) == before


def test_a_school_admin_reaches_no_route_of_another_school_and_changes_nothing_there(stack, world):
    assert SCHOOL_ROUTES
    before = _snapshot(stack, world, world.b)
    failures = []
    for route in SCHOOL_ROUTES:
        path = _path(route, world.b.code, world.b.ids)
        r = stack.call(route.method, path, world.a.token, **_request(route, world.a, world.b.code, world.b.ids))
        if r.status_code not in (403, 404):
            failures.append((_rid(route), r.status_code, r.text[:200]))
        elif world.b.member_name in r.text:
            failures.append((_rid(route), "leaks the other school's member", r.text[:200]))
    assert failures == []
    assert _snapshot(stack, world, world.b) == before


def test_another_schools_records_are_not_found_through_a_school_admins_own_school_path(stack, world):
    """The IDOR check: A's chair on A's own path, with B's member, group and position ids."""
    # routes a school admin may use at all (the others answer 403 before any lookup)
    with_ids = [r for r in SCHOOL_ROUTES if any(p.endswith("_id") for p in r.params) and "school_admin" in r.roles]
    assert with_ids
    before = _snapshot(stack, world, world.b)
    failures = []
    for route in with_ids:
        path = _path(route, world.a.code, world.b.ids)
        r = stack.call(route.method, path, world.a.token, **_request(route, world.a, world.b.code, world.b.ids))
        if r.status_code != 404:
            failures.append((_rid(route), r.status_code, r.text[:200]))
    assert failures == []
    assert _snapshot(stack, world, world.b) == before


def test_a_school_admin_cannot_link_its_own_records_to_another_schools_members_or_groups(stack, world):
    base = f"/api/v1/schools/{world.a.code}"
    before_b = _snapshot(stack, world, world.b)
    before_a = _snapshot(stack, world, world.a)
    attempts = [
        ("POST", f"{base}/committee", {"member_id": world.b.member, "portfolio": "welfare"}),
        ("PATCH", f"{base}/members/{world.a.member}", {"union_group_id": world.b.group}),
        ("POST", f"{base}/groups", {"name": f"组{uuid.uuid4().hex[:4]}", "leader_member_id": world.b.member}),
        ("PATCH", f"{base}/groups/{world.a.group}", {"leader_member_id": world.b.member}),
    ]
    failures = []
    for method, path, body in attempts:
        r = stack.call(method, path, world.a.token, json=body)
        if r.status_code not in (403, 404, 422):
            failures.append((method, path, body, r.status_code, r.text[:200]))
    assert failures == []
    assert _snapshot(stack, world, world.b) == before_b
    assert _snapshot(stack, world, world.a) == before_a


def test_a_school_admin_cannot_create_a_login_for_another_schools_member(stack, world):
    before_b = _snapshot(stack, world, world.b)
    r = stack.call("POST", f"/api/v1/schools/{world.a.code}/accounts", world.a.token,
                   json={"username": f"m_{uuid.uuid4().hex[:6]}", "password": "member-password-1", "role": "member",
                         "member_id": world.b.member})
    assert _snapshot(stack, world, world.b) == before_b
    assert r.status_code in (403, 404, 422), r.text
