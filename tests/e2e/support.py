"""Client-side helpers for the end-to-end tests: an HTTP client bound to one account, valid
resident ID numbers and phone numbers that never collide, and problem+json assertions.

Nothing here imports the project: the tests talk to the running stack the way a client would.
"""
from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import requests

PROBLEM = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIMEOUT = 30

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# region codes the demo district never uses (it uses Changzhou, Wuxi, Zhenjiang codes)
_REGIONS = ("110101", "110102", "110105", "110106", "110107", "110108")
_counter = itertools.count(1)


def check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def new_id_number(*, birth: date | None = None, gender: str = "female") -> str:
    """A valid 18-character resident ID number, unique in this test session."""
    n = next(_counter)
    birth = birth or date(1975, 1, 1) + timedelta(days=(n * 53) % 9000)
    region = _REGIONS[(n // 500) % len(_REGIONS)]
    order = (n % 500) * 2 + (1 if gender == "male" else 0)
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)


def bad_checksum(id_number: str) -> str:
    wrong = next(c for c in "0123456789X" if c != id_number[17])
    return id_number[:17] + wrong


_phones = itertools.count(1)


def new_phone() -> str:
    return f"139{next(_phones) + 10_000_000 * 7:08d}"


def masked_id(id_number: str) -> str:
    return id_number[:3] + "*" * 11 + id_number[-4:]


def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def unique(prefix: str = "E2E") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6].upper()}"


def member_body(**overrides) -> dict:
    body = {"name": "王老师", "id_number": new_id_number(), "category": "teacher", "phone": new_phone()}
    body.update(overrides)
    return body


class Client:
    """A requests session against the gateway, optionally logged in as one account."""

    def __init__(self, base_url: str, token: str | None = None, username: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def login(cls, base_url: str, username: str, password: str) -> "Client":
        resp = requests.post(f"{base_url}/api/v1/auth/token", json={"username": username, "password": password},
                             timeout=TIMEOUT)
        assert resp.status_code == 200, f"login {username}: {resp.status_code} {resp.text}"
        return cls(base_url, resp.json()["access_token"], username)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return self.http.request(method, self.base_url + path, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    # ---- shortcuts that assert success ---------------------------------------------------

    def ok(self, method: str, path: str, status: int = 200, **kw) -> dict:
        resp = self.request(method, path, **kw)
        assert resp.status_code == status, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp.json()

    def admit(self, school: str, **overrides) -> dict:
        return self.ok("POST", f"/api/v1/schools/{school}/members", 201, json=member_body(**overrides))

    def member_total(self, school: str, **filters) -> int:
        return self.ok("GET", f"/api/v1/schools/{school}/members", params={"page_size": 1, **filters})["total"]

    def all_members(self, school: str, **filters) -> list[dict]:
        items, page = [], 1
        while True:
            body = self.ok("GET", f"/api/v1/schools/{school}/members",
                           params={"page": page, "page_size": 500, **filters})
            items += body["items"]
            if len(items) >= body["total"] or not body["items"]:
                return items
            page += 1


@dataclass
class School:
    code: str
    chair: Client
    chair_username: str
    chair_password: str


def register_school(admin: Client, body: dict) -> dict:
    """POST /api/v1/district/schools for a test's setup."""
    resp = admin.post("/api/v1/district/schools", json=body)
    assert resp.status_code == 201, f"POST /api/v1/district/schools: {resp.status_code} {resp.text}"
    return resp.json()


def create_school(admin: Client, *, staff_headcount: int = 50, password: str = "chair-pass-2026") -> School:
    """A new school union registered by the district admin, with its union chair (school_admin)."""
    code = unique("T")
    register_school(admin, {"code": code, "name": f"测试学校{code}", "kind": "primary", "area": "新桥镇",
                            "staff_headcount": staff_headcount})
    username = f"{code.lower()}-chair"
    admin.ok("POST", "/api/v1/district/accounts", 201,
             json={"username": username, "password": password, "role": "school_admin", "school": code})
    return School(code, Client.login(admin.base_url, username, password), username, password)


def assert_problem(resp: requests.Response, status: int, code: str, fields=()) -> dict:
    """``resp`` is an application/problem+json of ``status`` with stable ``code`` naming ``fields``."""
    assert resp.status_code == status, f"expected {status} {code}, got {resp.status_code}: {resp.text}"
    assert resp.headers.get("Content-Type", "").startswith(PROBLEM), resp.headers.get("Content-Type")
    body = resp.json()
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["type"].endswith(code)
    assert body["title"]
    assert body["instance"] == requests.utils.urlparse(resp.request.url).path
    assert body["request_id"] == resp.headers["X-Request-Id"]
    named = {e["field"] for e in body.get("errors", [])}
    assert set(fields) <= named, f"fields {set(fields) - named} not named in {body}"
    for error in body.get("errors", []):
        assert error["code"] and error["message"], error
    return body


def field_codes(problem: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for error in problem.get("errors", []):
        out.setdefault(error["field"], set()).add(error["code"])
    return out
