"""The request pipeline: match, authenticate, authorise, validate, call, render.

Errors are mapped to the wire once, here: every ``DomainError`` becomes
``application/problem+json`` with its stable ``code`` and every bad field named.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

from marshmallow import ValidationError
from werkzeug.exceptions import MethodNotAllowed as WzMethodNotAllowed, NotFound as WzNotFound
from werkzeug.routing import Map, Rule
from shared.web import Response

from services.gateway import auth
from services.gateway.readmodels import Reader
from shared import i18n, metrics
from shared.errors import (BadRequest, Conflict, DomainError, Forbidden, InternalError, MethodNotAllowed, NotAuthenticated, NotFound, TooLarge,
                           Unavailable, UnsupportedMediaType, ValidationFailed)
from shared.db.base import utcnow
from shared.jsonutil import dumps
from shared.plugins import MISS, Route
from shared.tenancy import CallContext
from shared.validation import field_errors

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
FILE_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "pdf": "application/pdf", "json": "application/json"}
UPLOAD_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx", "text/csv": "csv",
                "application/csv": "csv"}


def werkzeug_path(route: Route) -> str:
    path = route.path
    for name in route.params:
        converter = "int" if name.endswith("_id") else "string"
        path = path.replace("{" + name + "}", f"<{converter}:{name}>")
    return path


# one round trip: the school is known and active, its read models settled, the token not
# revoked, and the generation of the school's read-model documents
_SCHOOL_STATE = ("SELECT k.active, (SELECT max(s.until) FROM read_settles s WHERE s.school = k.code AND s.until > :now), "
                 "(SELECT r.not_before_ms FROM token_revocations r WHERE r.username = :u), "
                 "(SELECT g.gen FROM read_gens g WHERE g.school = k.code) FROM known_schools k WHERE k.code = :c")
IDEMPOTENCY_STALE = 300   # seconds after which a request still marked running is taken as crashed
_REVOCATION = "SELECT not_before_ms FROM token_revocations WHERE username = :u"


class _RequestScope:
    """One read connection for the whole request, opened on first use: the school check and a
    read-model answer share it (one pool checkout, not one per step)."""

    def __init__(self, open_read):
        self._open = open_read
        self._cm = None
        self._reader = None
        self.settling = None      # when a bulk write's documents are still arriving: until when
        self.gen = 0

    @property
    def reader(self) -> Reader:
        if self._reader is None:
            self._cm = self._open()
            self._reader = self._cm.__enter__()
        return self._reader

    def close(self):
        if self._cm is not None:
            cm, self._cm, self._reader = self._cm, None, None
            cm.__exit__(None, None, None)


def engine_reads(engine):
    """``open_read`` on an engine: a pooled DB-API connection wrapped in a ``Reader``."""
    paramstyle = engine.dialect.paramstyle

    @contextlib.contextmanager
    def open_read():
        raw = engine.raw_connection()
        try:
            yield Reader(raw, paramstyle, raw.info)
        finally:
            raw.close()
    return open_read


def _session_reads(open_session):
    @contextlib.contextmanager
    def open_read():
        with open_session() as session:
            connection = session.connection()
            yield Reader(connection.connection.dbapi_connection, connection.dialect.paramstyle)
    return open_read


@dataclass
class Request:
    """What a gateway handler sees."""
    route: Route
    params: dict
    query: dict
    body: object
    principal: auth.Principal | None
    language: str
    settings: dict
    plugins: dict
    session: object = None
    headers: dict = field(default_factory=dict)
    rpc: object = None            # rpc(service, method, **kwargs) in the caller's context


def problem(exc: DomainError, language: str, instance: str, request_id: str) -> Response:
    payload = {"type": f"urn:unionhub:problem:{exc.code}", "title": i18n.render(exc.code, language, exc.params),
               "status": exc.status, "code": exc.code, "instance": instance, "request_id": request_id}
    if exc.params:
        payload["params"] = exc.params
    if exc.fields:
        payload["errors"] = [{"field": name, "code": code, "message": i18n.render(code, language, exc.params)}
                             for name, codes in exc.fields.items() for code in codes]
    headers = {"X-Request-Id": request_id}
    if exc.status in (409, 429) and "retry_after" in exc.params:
        headers["Retry-After"] = str(exc.params["retry_after"])
    if exc.status == 405 and exc.params.get("allow"):
        headers["Allow"] = exc.params["allow"]
    return Response(dumps(payload), status=exc.status, content_type=PROBLEM, headers=headers)


class Pipeline:
    def __init__(self, plugins: dict, settings: dict, open_session, read_models=None, open_read=None, host=None):
        """``open_session``: a gateway database session for writes; ``open_read``: a connection
        for the hot read path (autocommit: no BEGIN/ROLLBACK round trips), by default one taken
        from a session; ``host``: the ``HostState`` shared with the host's other gateway processes
        (None: every request asks the database for its school's state)."""
        self.plugins = plugins
        self.host = host
        self.read_models = read_models
        self.settings = settings
        self.open_session = open_session
        self.open_read = open_read or _session_reads(open_session)
        self.routes: list[Route] = []
        rules = []
        for plugin in plugins.values():
            for route in plugin.routes:
                rules.append(Rule(werkzeug_path(route), methods=[route.method], endpoint=len(self.routes)))
                self.routes.append(route)
        self.url_map = Map(rules, strict_slashes=False)
        self.handlers = {spec: self._resolve(spec) for r in self.routes for spec in (r.handler, r.after) if spec}
        # one schema instance per route and direction: instantiating a marshmallow schema copies
        # its fields, which costs more than loading a small body
        self._schemas = {(id(r), kind): cls() for r in self.routes
                         for kind, cls in (("query", r.query), ("request", r.request)) if cls is not None}

    def schema(self, route: Route, kind: str):
        return self._schemas[(id(route), kind)]

    @staticmethod
    def _resolve(spec: str):
        module, _, name = spec.partition(":")
        return getattr(importlib.import_module(module), name)

    def handle(self, request, rpc_call) -> Response:
        started = time.perf_counter()
        request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        language = i18n.pick_language(request.headers.get("Accept-Language"))
        template, status = "unmatched", 500
        scope = _RequestScope(self.open_read)
        try:
            route, params = self._match(request)
            template = route.path
            response = self._run(route, params, request, language, request_id, rpc_call, scope)
        except DomainError as exc:
            metrics.ERRORS.labels("gateway", exc.code).inc()
            response = problem(exc, language, request.path, request_id)
        except Exception:
            log.exception("unhandled error on %s %s (%s)", request.method, request.path, request_id)
            metrics.ERRORS.labels("gateway", "internal_error").inc()
            response = problem(InternalError(), language, request.path, request_id)
        finally:
            scope.close()
        status = response.status_code
        response.headers["X-Request-Id"] = request_id
        metrics.HTTP_DURATION.labels("gateway", request.method, template, str(status)).observe(time.perf_counter() - started)
        return response

    def _match(self, request):
        adapter = self.url_map.bind("gateway", default_method=None)
        try:
            endpoint, params = adapter.match(request.path, method=request.method)
        except WzMethodNotAllowed as exc:
            raise MethodNotAllowed(params={"allow": ", ".join(sorted(exc.valid_methods or []))}) from None
        except WzNotFound:
            raise NotFound("route_not_found") from None
        return self.routes[endpoint], params

    def _principal(self, request) -> auth.Principal:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthenticated("not_authenticated")
        return auth.read_token(token.strip(), self.settings["secret"])

    def authorise(self, route: Route, principal: auth.Principal, params: dict, scope=None) -> None:
        """Role first, then school: a school account never reaches another school's routes, and
        gets the same 404 whether that school exists or not."""
        allowed = principal.role in route.roles or (
            principal.role in route.self_roles and principal.member_id is not None
            and params.get("member_id") == principal.member_id)
        if route.scope == "school" and principal.role != "district_admin" and params["school"] != principal.school:
            raise NotFound("not_found")
        if not allowed:
            raise Forbidden("role_forbidden")
        own_scope = scope is None
        scope = scope or _RequestScope(self.open_read)
        try:
            self._check_state(route, principal, params, scope)
        finally:
            if own_scope:
                scope.close()

    def _check_state(self, route: Route, principal: auth.Principal, params: dict, scope) -> None:
        if route.scope == "school":
            state = self._school_state(params["school"], principal.username, scope)
            if state is not None and auth.revoked(principal, state[2]):
                raise NotAuthenticated("token_revoked")
            if state is None or not state[0]:
                raise NotFound("school_not_found", params={"school": params["school"]})
            scope.settling, scope.gen = state[1], state[3] or 0
        else:
            row = scope.reader.one(_REVOCATION, {"u": principal.username})
            if auth.revoked(principal, row[0] if row else None):
                raise NotAuthenticated("token_revoked")

    def _school_state(self, school: str, username: str, scope):
        """The school's state for this caller: remembered when no gateway process of this host
        wrote anything it depends on since it was read (``shared.hoststate``), else one query."""
        host = self.host
        if host is None:
            return scope.reader.one_prepared("unionhub_school_state", _SCHOOL_STATE,
                                             {"c": school, "now": utcnow(), "u": username})
        stamp = host.stamp(school)            # before the query: a write after it changes the stamp
        state = host.remembered(school, username, stamp)
        if state is None:
            state = scope.reader.one_prepared("unionhub_school_state", _SCHOOL_STATE,
                                              {"c": school, "now": utcnow(), "u": username})
            if state is not None:             # an unknown school is asked again each time
                host.remember(school, username, stamp, tuple(state))
        return state

    def _wrote(self, schools=None) -> None:
        if self.host is not None:
            self.host.wrote(schools)

    def _body(self, route: Route, request):
        limit = self.settings["max_upload"] if route.body == "upload" else self.settings["max_body"]
        length = request.content_length
        if length is not None and length > limit:
            raise TooLarge(params={"limit": limit})
        raw = request.get_data()
        if len(raw) > limit:
            raise TooLarge(params={"limit": limit})
        if route.body == "upload":
            return self._upload(request, raw)
        if route.request is None:
            return None
        if not raw.strip():
            data = {}
        else:
            mimetype = request.mimetype or "application/json"
            if mimetype != "application/json" and not mimetype.endswith("+json"):
                raise UnsupportedMediaType(params={"content_type": mimetype})
            try:
                data = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                raise BadRequest("malformed_json") from None
        if not isinstance(data, dict):
            raise BadRequest("json_object_expected")
        try:
            self.schema(route, "request").load(data)
        except ValidationError as exc:
            raise ValidationFailed(fields=field_errors(exc)) from None
        return data

    @staticmethod
    def _upload(request, raw: bytes) -> dict:
        mimetype = request.mimetype
        filename = ""
        if mimetype == "multipart/form-data":
            upload = request.files.get("file")
            if upload is None:
                raise ValidationFailed(fields={"file": ["required"]})
            raw, filename = upload.read(), upload.filename or ""
            mimetype = upload.mimetype
        fmt = UPLOAD_TYPES.get(mimetype) or ("csv" if filename.lower().endswith(".csv") else
                                             "xlsx" if filename.lower().endswith(".xlsx") else None)
        if fmt is None:
            raise UnsupportedMediaType(params={"content_type": mimetype})
        if not raw:
            raise ValidationFailed(fields={"file": ["required"]})
        return {"content_b64": base64.b64encode(raw).decode(), "format": fmt}

    def _query(self, route: Route, request) -> dict:
        raw = {k: v for k, v in request.args.items()}
        if route.query is None:
            return raw
        try:
            self.schema(route, "query").load(raw)
        except ValidationError as exc:
            raise ValidationFailed(fields=field_errors(exc)) from None
        return raw

    def _run(self, route, params, request, language, request_id, rpc_call, scope) -> Response:
        principal = None if route.public else self._principal(request)
        if principal is not None:
            self.authorise(route, principal, params, scope)
        body = self._body(route, request)
        query = self._query(route, request)
        replay_key = (request.headers.get("Idempotency-Key")
                      if request.method == "POST" and principal and route.replay else None)
        if replay_key:
            fingerprint = hashlib.sha256(f"{request.method} {request.path} ".encode() + request.get_data()).hexdigest()
            stored = self._claim_key(principal.username, replay_key[:128], fingerprint)
            if stored is not None:
                return stored
            try:
                response = self._call(route, params, request, language, request_id, rpc_call, scope, principal,
                                      body, query)
            except Unavailable as exc:
                if exc.code != "rpc_timeout":
                    self._settle_key(principal.username, replay_key[:128], None)
                # a service that did not answer in time may still have done the work: the key stays
                # held (409 idempotency_in_progress) until it goes stale, so a retry cannot do it twice
                raise
            except BaseException:
                self._settle_key(principal.username, replay_key[:128], None)
                raise
            self._settle_key(principal.username, replay_key[:128], response if 200 <= response.status_code < 300 else None)
            return response
        return self._call(route, params, request, language, request_id, rpc_call, scope, principal, body, query)

    def _call(self, route, params, request, language, request_id, rpc_call, scope, principal, body, query) -> Response:
        if route.handler:
            loaded_query = self.schema(route, "query").load(query) if route.query else query
            loaded_body = body
            context = CallContext(school=params.get("school") or (principal.school if principal else None),
                                  actor=principal.username if principal else None,
                                  role=principal.role if principal else None,
                                  member_id=principal.member_id if principal else None,
                                  request_id=request_id, language=language)
            scope.close()
            req = Request(route, params, loaded_query, loaded_body, principal, language, self.settings, self.plugins,
                          session=self.open_session, headers=dict(request.headers),
                          rpc=lambda service, method, **kw: rpc_call(service, method, context, kw))
            try:
                result = self.handlers[route.handler](req)
            finally:
                if route.method != "GET":   # accounts, revocations: whatever it wrote, before the answer
                    self._wrote()
        else:
            context = CallContext(school=params.get("school") or (principal.school if principal else None),
                                  actor=principal.username if principal else None,
                                  role=principal.role if principal else None,
                                  member_id=principal.member_id if principal else None,
                                  request_id=request_id, language=language)
            kwargs = dict(params)
            if route.query is not None or route.produces != "json":
                kwargs["query"] = query
            if route.body == "upload":
                kwargs["upload"] = body
            elif route.request is not None:
                kwargs["data"] = body
            service, method = route.rpc.split(".", 1)
            result = MISS
            if self.read_models and route.method == "GET":
                result = self.read_models.serve(route.rpc, kwargs, scope)
            if result is MISS:
                scope.close()   # hold no database connection while waiting for a service
                result = rpc_call(service, method, context, kwargs, timeout=route.timeout)
                if self.read_models:
                    try:
                        self.read_models.absorb(route.rpc, result)
                    except Exception:   # the service's answer stands; the event projection catches up
                        log.exception("read model write-through failed after %s (%s)", route.rpc, request_id)
                        metrics.ERRORS.labels("gateway", "read_model_absorb_failed").inc()
            if route.after:
                try:
                    self.handlers[route.after](self.open_session, result)
                finally:
                    self._wrote()
        return self._render(route, result)

    @staticmethod
    def _render(route: Route, result) -> Response:
        if route.produces != "json":
            # a file: the service answers {"content_b64", "format"[, "filename"]}; produces="file"
            # lets the service pick the format (e.g. ?format=docx|xlsx|json)
            fmt = result.get("format", route.produces)
            content = base64.b64decode(result["content_b64"])
            filename = result.get("filename") or f"export.{fmt}"
            ascii_name = filename.encode("ascii", "ignore").decode() or f"export.{fmt}"
            disposition = f'attachment; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(filename)}'
            return Response(content, status=200, content_type=FILE_TYPES.get(fmt, "application/octet-stream"),
                            headers={"Content-Disposition": disposition})
        return Response(dumps(result), status=route.status, content_type="application/json")

    def _claim_key(self, account: str, key: str, fingerprint: str):
        """Take ``key`` for this request (a placeholder row, status 0), or answer from it: the stored
        response of an earlier run (replayed), 409 while another run holds it, 422 when it was used
        for a different request. A placeholder older than ``IDEMPOTENCY_STALE`` was left by a
        crashed process and is taken over."""
        from services.gateway.orm import IdempotencyRecord
        from sqlalchemy import delete, select
        from sqlalchemy.exc import IntegrityError
        for _attempt in range(3):
            with self.open_session() as session:
                session.add(IdempotencyRecord(account=account, key=key, fingerprint=fingerprint, status=0,
                                              content_type="", body=""))
                try:
                    session.commit()
                    return None
                except IntegrityError:
                    session.rollback()
                row = session.execute(select(IdempotencyRecord).where(IdempotencyRecord.account == account,
                                                                      IdempotencyRecord.key == key)).scalar_one_or_none()
                if row is None:
                    continue          # released by a failed run in between: try to take it again
                if row.fingerprint != fingerprint:
                    raise ValidationFailed("idempotency_key_reused", fields={"Idempotency-Key": ["idempotency_key_reused"]})
                if row.status == 0:
                    if (utcnow() - row.created_at).total_seconds() < IDEMPOTENCY_STALE:
                        raise Conflict("idempotency_in_progress", params={"retry_after": 1})
                    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == row.id,
                                                                    IdempotencyRecord.status == 0))
                    session.commit()
                    continue
                return Response(row.body, status=row.status, content_type=row.content_type,
                                headers={"Idempotent-Replayed": "true"})
        raise Conflict("idempotency_in_progress", params={"retry_after": 1})

    def _settle_key(self, account: str, key: str, response) -> None:
        """Store a successful answer for replay, or release the key so the client may retry."""
        from services.gateway.orm import IdempotencyRecord
        from sqlalchemy import delete, update
        where = (IdempotencyRecord.account == account, IdempotencyRecord.key == key, IdempotencyRecord.status == 0)
        with self.open_session() as session:
            if response is None:
                session.execute(delete(IdempotencyRecord).where(*where))
            else:
                session.execute(update(IdempotencyRecord).where(*where).values(
                    status=response.status_code, content_type=response.content_type,
                    body=response.get_data(as_text=True)))
            session.commit()
