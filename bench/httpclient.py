"""A small keep-alive HTTP/1.1 client for the load benches.

The load client shares the two cores with the stack it measures, so every bit of CPU it spends
is taken from the server: ``http.client`` spends about 0.25 ms per request here, this about a
fifth of that. It sends one request at a time on a persistent connection and reads the whole
answer (status line, headers, ``Content-Length`` or chunked body) before the next; nothing is
skipped that a real client would have to do.
"""
from __future__ import annotations

import socket


class HttpError(Exception):
    """The server's answer could not be read (closed early, malformed)."""


class Connection:
    def __init__(self, host: str, port: int, timeout: float = 30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self._sock = None
        self._buf = b""

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock, self._buf = None, b""

    def _connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock, self._buf = sock, b""

    def _fill(self) -> None:
        data = self._sock.recv(65536)
        if not data:
            raise HttpError("connection closed by the server")
        self._buf += data

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        """Send one request and read its whole answer: ``(status, body)``."""
        if self._sock is None:
            self._connect()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self._sock.sendall(head + body if body else head)
        while True:
            end = self._buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            self._fill()
        head, self._buf = self._buf[:end].decode("latin-1"), self._buf[end + 4:]
        status_line, _, rest = head.partition("\r\n")
        try:
            status = int(status_line.split(" ", 2)[1])
        except (IndexError, ValueError):
            raise HttpError(f"bad status line {status_line!r}") from None
        length, chunked, close = None, False, False
        for line in rest.split("\r\n"):
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and "close" in value.lower():
                close = True
        if chunked:
            data = self._read_chunked()
        elif length is not None:
            while len(self._buf) < length:
                self._fill()
            data, self._buf = self._buf[:length], self._buf[length:]
        else:   # no length: the body runs to the end of the connection
            try:
                while True:
                    self._fill()
            except HttpError:
                pass
            data, close = self._buf, True
        if close:
            self.close()
        return status, data

    def _read_chunked(self) -> bytes:
        parts = []
        while True:
            while b"\r\n" not in self._buf:
                self._fill()
            line, self._buf = self._buf.split(b"\r\n", 1)
            size = int(line.split(b";", 1)[0], 16)
            while len(self._buf) < size + 2:
                self._fill()
            if size == 0:
                while not self._buf.startswith(b"\r\n") and b"\r\n\r\n" not in self._buf:
                    self._fill()
                self._buf = self._buf.split(b"\r\n", 1)[1] if self._buf.startswith(b"\r\n") else \
                    self._buf.split(b"\r\n\r\n", 1)[1]
                return b"".join(parts)
            parts.append(self._buf[:size])
            self._buf = self._buf[size + 2:]
