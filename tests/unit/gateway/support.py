"""Helpers of the gateway unit tests: tokens, a fake RPC and a way to send a request through the pipeline."""
from __future__ import annotations

import json

from werkzeug.test import EnvironBuilder

from services.gateway import auth

SECRET = "unit-test-secret-of-at-least-thirty-two-bytes"
SETTINGS = {"secret": SECRET, "token_ttl": 3600, "max_body": 4096, "max_upload": 64 * 1024,
            "login_max_failures": 5, "login_lock_seconds": 60}


class FakeRpc:
    """Records every call; answers with ``results[(service, method)]`` (a value or an exception)."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.results: dict = {}

    def __call__(self, service, method, context, kwargs, timeout=None):
        self.calls.append((service, method, context, kwargs))
        result = self.results.get((service, method), {"ok": True})
        if isinstance(result, Exception):
            raise result
        return result

    @property
    def methods(self):
        return [f"{service}.{method}" for service, method, _, _ in self.calls]


def token(role="school_admin", school="A", username=None, member_id=None, ttl=3600, secret=SECRET):
    name = username or f"{role}_{school or 'district'}"
    return auth.issue_token(auth.Principal(name, role, school, member_id), secret, ttl)


class Reply:
    def __init__(self, response):
        self.response = response
        self.status = response.status_code
        self.headers = response.headers
        self.raw = response.get_data()
        is_json = response.mimetype in ("application/json", "application/problem+json")
        self.json = json.loads(self.raw) if is_json and self.raw else None

    @property
    def code(self):
        return (self.json or {}).get("code")

    @property
    def error_fields(self):
        return {(e["field"], e["code"]) for e in (self.json or {}).get("errors", [])}


def send(pipeline, rpc, method, path, *, auth_token=None, json_body=None, data=None, content_type=None,
         headers=None, query=None):
    headers = dict(headers or {})
    if auth_token:
        headers["Authorization"] = f"Bearer {auth_token}"
    kwargs = {"json": json_body} if json_body is not None else {"data": data}
    if content_type:
        kwargs["content_type"] = content_type
    request = EnvironBuilder(path=path, method=method, headers=headers, query_string=query, **kwargs).get_request()
    return Reply(pipeline.handle(request, rpc))
