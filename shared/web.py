"""The kit's HTTP server: a small HTTP/1.1 server with keep-alive, run as a nameko extension.

nameko's own web server (eventlet.wsgi, then a werkzeug ``Request`` and ``Response``, then a
worker per request) costs more CPU per request than answering a read model does; this one parses
a request with a few bytes operations and writes the answer in one ``sendall``. Measured on the
2-core box, an empty answer costs about 0.03 ms of server CPU here against about 0.5 ms.

Entry points are declared like nameko's ``http``::

    @http("GET", "/healthz")                  # exact path; the method runs in a nameko worker
    def healthz(self, request): ...

    @http("GET", "/api/docs/static/", prefix=True)   # every path under the prefix

An entry point class may answer in the connection's own green thread instead of a worker
(``InlineHttpEntrypoint``): the gateway's API does, since a worker per request (context,
dependency injection, lifecycle hooks) costs about as much as the request itself.

What the server does for every request: ``Expect: 100-continue``, ``Content-Length`` and chunked
bodies (read only when the handler asks, and never more than ``UNIONHUB_MAX_UPLOAD``), keep-alive
with an idle timeout, ``Connection: close``, HEAD, 400 for a malformed request, 404/405 for an
unknown path or method, 413/431 for oversized bodies or headers. On stop it refuses new
connections and lets requests in flight finish.
"""
from __future__ import annotations

import io
import json
import logging
import os
import socket
import time
from functools import partial
from http import HTTPStatus
from urllib.parse import parse_qsl, unquote

import eventlet
from eventlet.event import Event
from nameko.extensions import Entrypoint, ProviderCollector, SharedExtension
from nameko.web.server import parse_address

log = logging.getLogger(__name__)
access_log = logging.getLogger("unionhub.access")

MAX_HEAD = 64 * 1024            # request line and headers
IDLE_TIMEOUT = 75.0             # a keep-alive connection with no request for this long is closed
READ_TIMEOUT = 30.0             # a request that stalls this long mid-way is dropped
DRAIN_LIMIT = 1 << 20           # an unread body up to this size is read and dropped to keep the connection
_REASONS = {s.value: s.phrase for s in HTTPStatus}


class BadRequest(Exception):
    def __init__(self, status: int, code: str):
        super().__init__(code)
        self.status, self.code = status, code


class Headers(dict):
    """Request headers by lower-case name; lookups ignore case."""

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)

    def __getitem__(self, name):
        return dict.__getitem__(self, name.lower())

    def __contains__(self, name):
        return dict.__contains__(self, name.lower())


class Response:
    """An HTTP answer: ``body`` (bytes or text, UTF-8), ``status`` and headers."""
    __slots__ = ("status_code", "headers", "body")

    def __init__(self, body: bytes | str = b"", status: int = 200, content_type: str | None = "application/json",
                 headers: dict | None = None):
        self.body = body.encode() if isinstance(body, str) else bytes(body)
        self.status_code = status
        self.headers = {"Content-Type": content_type} if content_type else {}
        if headers:
            self.headers.update(headers)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    def get_data(self, as_text: bool = False):
        return self.body.decode() if as_text else self.body

    def get_json(self):
        return json.loads(self.body)


def json_response(payload, status: int = 200, content_type: str = "application/json") -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status, content_type=content_type)


def _problem(status: int, code: str) -> Response:
    body = {"type": f"urn:unionhub:problem:{code}", "title": _REASONS.get(status, ""), "status": status, "code": code}
    return Response(json.dumps(body), status=status, content_type="application/problem+json")


class _Connection:
    """Buffered reads of one client socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        return True

    def read_head(self) -> bytes | None:
        """The request line and headers, or None when the client closed between requests."""
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end > MAX_HEAD:
                raise BadRequest(431, "headers_too_large")
            if end >= 0:
                head, self.buf = self.buf[:end], self.buf[end + 4:]
                return head
            if len(self.buf) > MAX_HEAD:
                raise BadRequest(431, "headers_too_large")
            if not self._fill():
                if self.buf.strip():
                    raise BadRequest(400, "malformed_request")
                return None
            # between requests a client may send stray CRLFs (RFC 9112 2.2)
            self.buf = self.buf.lstrip(b"\r\n")

    def read_exact(self, n: int) -> bytes:
        while len(self.buf) < n:
            if not self._fill():
                raise ConnectionError("client closed mid-body")
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line, self.buf = self.buf[:end], self.buf[end + 2:]
                return line
            if len(self.buf) > MAX_HEAD:
                raise BadRequest(400, "malformed_chunk")
            if not self._fill():
                raise ConnectionError("client closed mid-body")


class Request:
    """What a handler sees: ``method``, ``path`` (decoded), ``args`` (query, first value of each
    name), ``headers``, ``content_length``, ``mimetype``, ``get_data()`` and, for
    multipart/form-data, ``files``."""

    def __init__(self, method: str, target: str, headers: Headers, conn: _Connection | None, *, max_body: int,
                 remote_addr: str = "", body: bytes | None = None):
        self.method = method
        path, _, self.query_string = target.partition("?")
        self.path = unquote(path, errors="replace")
        self.headers = headers
        self.remote_addr = remote_addr
        self._conn = conn
        self._max_body = max_body
        self._body = body
        self._args = None
        self._files = None
        self.continue_sent = False
        length = headers.get("content-length")
        self.chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        try:
            self.content_length = int(length) if length is not None and not self.chunked else None
        except ValueError:
            raise BadRequest(400, "bad_content_length") from None
        if self.content_length is not None and self.content_length < 0:
            raise BadRequest(400, "bad_content_length")

    @property
    def args(self) -> dict:
        if self._args is None:
            args = {}
            for name, value in parse_qsl(self.query_string, keep_blank_values=True):
                args.setdefault(name, value)
            self._args = args
        return self._args

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def has_body(self) -> bool:
        return self.chunked or bool(self.content_length)

    @property
    def body_unread(self) -> bool:
        return self._body is None and self.has_body

    def _expect_continue(self) -> None:
        if not self.continue_sent and self.headers.get("expect", "").lower() == "100-continue":
            self.continue_sent = True
            self._conn.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

    def get_data(self, as_text: bool = False):
        if self._body is None:
            if not self.has_body or self._conn is None:
                self._body = b""
            elif self.chunked:
                self._expect_continue()
                self._body = self._read_chunked()
            else:
                if self.content_length > self._max_body:
                    raise BadRequest(413, "body_too_large")
                self._expect_continue()
                self._body = self._conn.read_exact(self.content_length)
        return self._body.decode() if as_text else self._body

    def _read_chunked(self) -> bytes:
        parts, size = [], 0
        while True:
            line = self._conn.read_line()
            try:
                n = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest(400, "malformed_chunk") from None
            if n == 0:
                while self._conn.read_line():   # trailers, up to the empty line
                    pass
                return b"".join(parts)
            size += n
            if size > self._max_body:
                raise BadRequest(413, "body_too_large")
            parts.append(self._conn.read_exact(n))
            self._conn.read_exact(2)

    @property
    def files(self):
        if self._files is None:
            from werkzeug.formparser import parse_form_data
            body = self.get_data()
            environ = {"REQUEST_METHOD": self.method, "CONTENT_TYPE": self.headers.get("content-type", ""),
                       "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
            _stream, _form, self._files = parse_form_data(environ)
        return self._files


def _parse_head(head: bytes) -> tuple[str, str, str, Headers]:
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise BadRequest(400, "malformed_request") from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[1].startswith("/"):
        raise BadRequest(400, "malformed_request")
    method, target, version = parts
    headers = Headers()
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "malformed_header")
        key = name.lower()
        value = value.strip()
        if key in headers:
            if key == "content-length" and dict.__getitem__(headers, key) != value:
                raise BadRequest(400, "bad_content_length")
            value = dict.__getitem__(headers, key) + ", " + value
        dict.__setitem__(headers, key, value)
    if "content-length" in headers and "transfer-encoding" in headers:
        raise BadRequest(400, "bad_content_length")   # request smuggling: never guess which one wins
    # the target may carry UTF-8 (browsers percent-encode it; curl may not)
    target = target.encode("latin-1").decode("utf-8", "replace")
    return method.upper(), target, version, headers


def _serialise(response, keep_alive: bool, head_only: bool) -> bytes:
    status = response.status_code
    body = response.body
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}"]
    for name, value in response.headers.items():
        if value is not None:
            lines.append(f"{name}: {value}")
    if status >= 200 and status not in (204, 304):
        lines.append(f"Content-Length: {len(body)}")
    if not keep_alive:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") if _ascii_headers(lines) else \
        ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    return head if head_only or status in (204, 304) else head + body


def _ascii_headers(lines) -> bool:
    return all(line.isascii() for line in lines)


def as_response(result) -> Response:
    """What an entry point returned, as a ``Response``: a ``Response``, anything with
    ``status_code``/``headers``/``get_data`` (a werkzeug response), text or bytes, or
    ``(status, body)``."""
    if isinstance(result, Response):
        return result
    if hasattr(result, "status_code") and hasattr(result, "get_data"):
        out = Response(result.get_data(), status=result.status_code, content_type=None)
        out.headers.update({k: v for k, v in result.headers.items() if k.lower() != "content-length"})
        return out
    if isinstance(result, tuple) and len(result) == 2:
        status, body = result
        return Response(body, status=status, content_type="text/plain; charset=utf-8")
    if isinstance(result, (str, bytes)):
        return Response(result, content_type="text/plain; charset=utf-8")
    raise TypeError(f"an HTTP entry point returned {type(result).__name__}")


class WebServer(ProviderCollector, SharedExtension):
    """Listens on ``WEB_SERVER_ADDRESS`` (``[host:]port``; several processes may share a port,
    the kernel spreads connections over them) and dispatches to the ``http`` entry points."""

    def __init__(self):
        super().__init__()
        self._sock = None
        self._gt = None
        self._exact: dict[str, dict[str, "HttpEntrypoint"]] = {}
        self._prefixes: list[tuple[str, dict[str, "HttpEntrypoint"]]] = []
        self._accepting = False
        self._active = 0
        self._idle = Event()
        self._connections: set = set()
        self.max_body = 20 << 20

    @property
    def bind_addr(self):
        return parse_address(self.container.config.get("WEB_SERVER_ADDRESS", "0.0.0.0:8000"))

    def setup(self):
        self.max_body = int(self.container.config.get("UNIONHUB_MAX_UPLOAD", 20 << 20)) + (64 << 10)   # multipart framing
        # one log line per request costs more than the request on the hot path: opt in
        self.access_log = os.environ.get("UNIONHUB_ACCESS_LOG") == "1"

    def start(self):
        if self._sock is not None:
            return
        for provider in self._providers:
            table = {}
            if provider.prefix:
                for prefix, methods in self._prefixes:
                    if prefix == provider.path:
                        table = methods
                        break
                else:
                    self._prefixes.append((provider.path, table))
            else:
                table = self._exact.setdefault(provider.path, {})
            for method in provider.methods:
                if method in table:
                    raise RuntimeError(f"two HTTP entry points for {method} {provider.path}")
                table[method] = provider
        self._prefixes.sort(key=lambda item: -len(item[0]))   # the longest prefix wins
        self._sock = eventlet.listen(self.bind_addr)
        self._sock.settimeout(None)
        self._accepting = True
        self._gt = self.container.spawn_managed_thread(self._accept_loop, identifier="web.accept")

    def stop(self):
        self._accepting = False
        if self._sock is not None:
            self._sock.close()
        if self._gt is not None:
            self._gt.kill()
        # requests in flight finish (bounded); idle keep-alive connections are closed
        for sock in list(self._connections):
            if getattr(sock, "_unionhub_idle", False):
                _close(sock)
        if self._active:
            with eventlet.Timeout(10, False):
                self._idle.wait()
        super().stop()

    def kill(self):
        self._accepting = False
        if self._sock is not None:
            self._sock.close()
        for sock in list(self._connections):
            _close(sock)
        super().kill()

    def _accept_loop(self):
        while self._accepting:
            try:
                sock, addr = self._sock.accept()
            except OSError:
                if not self._accepting:
                    return
                eventlet.sleep(0.05)   # EMFILE and friends: back off rather than spin
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.container.spawn_managed_thread(partial(self._serve, sock, addr), identifier="web.connection")

    def match(self, method: str, path: str):
        """``(entrypoint, None)``, or ``(None, allowed methods)`` (empty: no such path)."""
        methods = self._exact.get(path)
        if methods is None:
            for prefix, table in self._prefixes:
                if path.startswith(prefix):
                    methods = table
                    break
        if not methods:
            return None, ()
        provider = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
        return (provider, None) if provider else (None, tuple(sorted(methods)))

    def _serve(self, sock, addr):
        conn = _Connection(sock)
        self._connections.add(sock)
        remote = addr[0] if isinstance(addr, tuple) else str(addr)
        try:
            while self._accepting:
                sock._unionhub_idle = True
                sock.settimeout(IDLE_TIMEOUT)
                try:
                    head = conn.read_head()
                except BadRequest as exc:
                    sock.sendall(_serialise(_problem(exc.status, exc.code), False, False))
                    return
                if head is None:
                    return
                sock._unionhub_idle = False
                sock.settimeout(READ_TIMEOUT)
                if not self._handle_one(conn, head, remote):
                    return
        except (OSError, ConnectionError, eventlet.Timeout):
            return   # the client went away or stalled: nothing to answer
        finally:
            self._connections.discard(sock)
            _close(sock)

    def _handle_one(self, conn, head: bytes, remote: str) -> bool:
        """Answer one request; False when the connection must close."""
        started = time.perf_counter()
        self._active += 1
        if self._idle.ready():
            self._idle.reset()
        try:
            try:
                method, target, version, headers = _parse_head(head)
                request = Request(method, target, headers, conn, max_body=self.max_body, remote_addr=remote)
            except BadRequest as exc:
                conn.sock.sendall(_serialise(_problem(exc.status, exc.code), False, False))
                return False
            token = headers.get("connection", "").lower()
            keep_alive = ("close" not in token) if version == "HTTP/1.1" else ("keep-alive" in token)
            try:
                response = self._dispatch(request)
            except BadRequest as exc:
                response, keep_alive = _problem(exc.status, exc.code), False
            if keep_alive and request.body_unread:
                # the handler did not read the body: drop it, or close when it is large (or 100-continue
                # was never answered, so the client may not send it at all)
                if request.headers.get("expect", "").lower() == "100-continue" and not request.continue_sent:
                    keep_alive = False
                elif request.chunked or (request.content_length or 0) > DRAIN_LIMIT:
                    keep_alive = False
                else:
                    request.get_data()
            if not self._accepting:
                keep_alive = False
            conn.sock.sendall(_serialise(response, keep_alive, method == "HEAD"))
            if self.access_log:
                access_log.info("%s %s %s %d %.1fms", remote, method, target, response.status_code,
                                (time.perf_counter() - started) * 1000)
            return keep_alive
        finally:
            self._active -= 1
            if not self._active:
                self._idle.send(None)

    def _dispatch(self, request: Request) -> Response:
        provider, allowed = self.match(request.method, request.path)
        if provider is None:
            if allowed:
                response = _problem(405, "method_not_allowed")
                response.headers["Allow"] = ", ".join(allowed)
                return response
            return _problem(404, "route_not_found")
        try:
            return as_response(provider.handle_request(request))
        except BadRequest:
            raise
        except Exception:
            log.exception("HTTP %s %s failed", request.method, request.path)
            return _problem(500, "internal_error")


def _close(sock) -> None:
    try:
        sock.close()
    except OSError:
        pass


class HttpEntrypoint(Entrypoint):
    """``@http(methods, path)``: the decorated method runs in a nameko worker with the request."""

    server = WebServer()

    def __init__(self, method: str, path: str, prefix: bool = False, **kwargs):
        self.methods = tuple(m.strip().upper() for m in method.split(","))
        self.path = path
        self.prefix = prefix
        super().__init__(**kwargs)

    def setup(self):
        self.server.register_provider(self)

    def stop(self):
        self.server.unregister_provider(self)
        super().stop()

    def handle_request(self, request: Request):
        event = Event()
        self.container.spawn_worker(self, (request,), {}, context_data={},
                                    handle_result=partial(self._handle_result, event))
        return event.wait()

    @staticmethod
    def _handle_result(event, worker_ctx, result, exc_info):
        if exc_info is not None:
            event.send_exception(exc_info[1])
        else:
            event.send(result)
        return result, exc_info


class InlineHttpEntrypoint(HttpEntrypoint):
    """An entry point answered in the connection's green thread by ``answer(request)``, with no
    nameko worker; a subclass provides ``answer``."""

    def handle_request(self, request: Request):
        return self.answer(request)

    def answer(self, request: Request):  # pragma: no cover - abstract
        raise NotImplementedError


http = HttpEntrypoint.decorator
