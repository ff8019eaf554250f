"""The kit's HTTP server, over a real socket: keep-alive, bodies (length, chunked, 100-continue),
HEAD, routing by exact path and prefix, and the 4xx answers for requests it cannot take."""
from __future__ import annotations

import json

import eventlet
import pytest
from nameko.containers import ServiceContainer

from shared.testing import free_port
from shared.web import InlineHttpEntrypoint, Response, http


class EchoInline(InlineHttpEntrypoint):
    def answer(self, request):
        body = request.get_data(as_text=True) if request.method in ("POST", "PUT") else ""
        return Response(json.dumps({"path": request.path, "args": request.args, "body": body,
                                    "lang": request.headers.get("Accept-Language")}, ensure_ascii=False))


class WebProbe:
    name = "webprobe"

    @http("GET", "/healthz")
    def healthz(self, request):
        return Response('{"status": "ok"}')

    @http("GET,POST", "/boom")
    def boom(self, request):
        raise RuntimeError("handler failed")

    @http("POST", "/ignore-body")
    def ignore_body(self, request):
        return Response("{}", status=202)

    @http("POST", "/upload")
    def upload(self, request):
        f = request.files.get("file")
        return Response(json.dumps({"name": f.filename, "size": len(f.read())}))

    @EchoInline.decorator("GET,POST", "/api/", prefix=True)
    def api(self, request):  # answered by EchoInline.answer
        raise AssertionError("not called")


@pytest.fixture
def server():
    port = free_port()
    container = ServiceContainer(WebProbe, {"WEB_SERVER_ADDRESS": f"127.0.0.1:{port}", "AMQP_URI": "memory://",
                                            "UNIONHUB_MAX_UPLOAD": 4096})
    container.start()
    yield port
    container.stop()


def _exchange(port, raw: bytes, *, reads: int = 1, head_only: bool = False) -> list[tuple[int, dict, bytes]]:
    """Send raw bytes, read ``reads`` answers off the same connection (``head_only``: answers carry no body)."""
    sock = eventlet.connect(("127.0.0.1", port))

    def send():
        try:
            sock.sendall(raw)
        except OSError:   # the server answered early and closed (oversized headers)
            pass
    eventlet.spawn(send)
    buf, answers = b"", []
    with eventlet.Timeout(5):
        while len(answers) < reads:
            while b"\r\n\r\n" not in buf:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    sock.close()
                    return answers
                buf += chunk
            head, _, buf = buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ")[1])
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            if status == 100:
                continue
            n = 0 if head_only else int(headers.get("content-length", 0))
            while len(buf) < n:
                chunk = sock.recv(65536)
                assert chunk, "the server closed the connection mid-body"
                buf += chunk
            answers.append((status, headers, buf[:n]))
            buf = buf[n:]
    sock.close()
    return answers


def test_two_requests_on_one_keep_alive_connection_get_two_answers(server):
    raw = (b"GET /api/v1/x?a=1&a=2&b=%E5%BC%A0 HTTP/1.1\r\nHost: t\r\nAccept-Language: en\r\n\r\n"
           b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    (s1, h1, b1), (s2, _h2, b2) = _exchange(server, raw, reads=2)
    assert s1 == 200 and json.loads(b1) == {"path": "/api/v1/x", "args": {"a": "1", "b": "张"}, "body": "", "lang": "en"}
    assert "connection" not in h1
    assert (s2, json.loads(b2)) == (200, {"status": "ok"})


def test_a_body_with_content_length_and_one_sent_in_chunks_both_arrive_whole(server):
    body = json.dumps({"name": "王芳"}, ensure_ascii=False).encode()
    plain = b"POST /api/m HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    chunked = (b"POST /api/m HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
               + b"%x\r\n%s\r\n" % (5, body[:5]) + b"%x\r\n%s\r\n" % (len(body) - 5, body[5:]) + b"0\r\n\r\n")
    (s1, _, b1), (s2, _, b2) = _exchange(server, plain + chunked, reads=2)
    assert s1 == s2 == 200
    assert json.loads(b1)["body"] == json.loads(b2)["body"] == '{"name": "王芳"}'


def test_expect_100_continue_is_answered_before_the_body_is_read(server):
    sock = eventlet.connect(("127.0.0.1", server))
    sock.sendall(b"POST /api/m HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
    with eventlet.Timeout(5):
        interim = sock.recv(100)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"{}")
        final = b""
        while b'"body": "{}"' not in final:
            final += sock.recv(65536)
    assert final.startswith(b"HTTP/1.1 200 OK")
    sock.close()


def test_head_answers_headers_only_and_connection_close_ends_the_connection(server):
    (status, headers, body), = _exchange(server, b"HEAD /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", reads=2,
                                          head_only=True)
    assert status == 200 and headers["connection"] == "close" and body == b""
    assert headers["content-length"] == str(len('{"status": "ok"}'))


def test_unknown_path_is_404_and_a_wrong_method_405_naming_the_allowed_ones(server):
    (s1, _, b1), (s2, h2, b2) = _exchange(server, b"GET /nowhere HTTP/1.1\r\n\r\nDELETE /healthz HTTP/1.1\r\n\r\n",
                                          reads=2)
    assert s1 == 404 and json.loads(b1)["code"] == "route_not_found"
    assert s2 == 405 and h2["allow"] == "GET" and h2["content-type"] == "application/problem+json"


def test_a_failing_handler_answers_500_and_the_connection_stays_usable(server):
    (s1, _, b1), (s2, _, _) = _exchange(server, b"GET /boom HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n", reads=2)
    assert s1 == 500 and json.loads(b1)["code"] == "internal_error"
    assert s2 == 200


def test_a_body_the_handler_never_read_is_skipped_before_the_next_request(server):
    raw = b"POST /ignore-body HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" + b"GET /healthz HTTP/1.1\r\n\r\n"
    (s1, _, _), (s2, _, b2) = _exchange(server, raw, reads=2)
    assert (s1, s2) == (202, 200) and json.loads(b2) == {"status": "ok"}


@pytest.mark.parametrize("raw, status, code", [
    (b"NONSENSE\r\n\r\n", 400, "malformed_request"),
    (b"GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n", 400, "malformed_header"),
    (b"POST /api/m HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400, "bad_content_length"),
    (b"POST /api/m HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "bad_content_length"),
    (b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", 431, "headers_too_large"),
    (b"POST /api/m HTTP/1.1\r\nContent-Length: 999999\r\n\r\n", 413, "body_too_large"),
])
def test_requests_the_server_cannot_take_get_a_problem_and_the_connection_closes(server, raw, status, code):
    answers = _exchange(server, raw, reads=2)
    assert len(answers) == 1
    got_status, headers, body = answers[0]
    assert (got_status, json.loads(body)["code"]) == (status, code)
    assert headers.get("connection") == "close"


def test_a_multipart_upload_reaches_the_handler_as_a_file(server):
    boundary = "xyz"
    payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名册.csv\"\r\n"
               f"Content-Type: text/csv\r\n\r\n姓名\r\n王芳\r\n--{boundary}--\r\n").encode()
    raw = (f"POST /upload HTTP/1.1\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
           f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload
    (status, _, body), = _exchange(server, raw)
    assert status == 200 and json.loads(body) == {"name": "名册.csv", "size": len("姓名\r\n王芳".encode())}
