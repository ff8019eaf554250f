"""The floor: a bare nameko gateway-to-RPC hop on this machine.

Service A (``bench_hop_a``) has ``@http GET /hop`` that calls service B's (``bench_hop_b``)
``@rpc ping`` through an ``RpcProxy``; each runs in its own subprocess, eventlet monkey-patched
before nameko is imported, on the given vhost, with the same nameko config keys the project uses
(json serializer, ``max_workers`` from ``UNIONHUB_MAX_WORKERS`` or 60). No auth, no database, no
validation: what UnionHub adds on top of this is the cost of the platform.

    python -m bench.bare_hop serve b --amqp URI
    python -m bench.bare_hop serve a --amqp URI --port 8123
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def _serve(role: str, amqp_uri: str, port: int, max_workers: int) -> int:
    import eventlet
    eventlet.monkey_patch()
    from nameko.rpc import RpcProxy, rpc
    from nameko.runners import ServiceRunner
    from nameko.web.handlers import http

    class HopB:
        name = "bench_hop_b"

        @rpc
        def ping(self):
            return "pong"

    class HopA:
        name = "bench_hop_a"
        b = RpcProxy("bench_hop_b")

        @http("GET", "/hop")
        def hop(self, request):
            return self.b.ping()

        @http("GET", "/healthz")
        def healthz(self, request):
            return "ok"

    runner = ServiceRunner({"AMQP_URI": amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
                            "max_workers": max_workers, "parent_calls_tracked": 10, "SERIALIZER": "json"})
    runner.add_service(HopA if role == "a" else HopB)
    signal.signal(signal.SIGTERM, lambda *_: eventlet.spawn_n(runner.stop))
    runner.start()
    runner.wait()
    return 0


class BareHop:
    """Starts B then A as subprocesses (own sessions) and stops both."""

    def __init__(self, amqp_uri: str, port: int, log_dir: Path, max_workers: int | None = None):
        self.amqp_uri, self.port, self.log_dir = amqp_uri, port, Path(log_dir)
        self.max_workers = max_workers or int(os.environ.get("UNIONHUB_MAX_WORKERS") or 60)
        self.procs: dict[str, subprocess.Popen] = {}
        self._logs = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, role: str) -> None:
        log = open(self.log_dir / f"bare-hop-{role}.log", "ab")
        self._logs.append(log)
        env = {k: v for k, v in os.environ.items() if not k.startswith("UNIONHUB_")}
        env["PYTHONWARNINGS"] = "ignore"
        self.procs[role] = subprocess.Popen(
            [sys.executable, "-m", "bench.bare_hop", "serve", role, "--amqp", self.amqp_uri, "--port", str(self.port),
             "--max-workers", str(self.max_workers)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def start(self, timeout: float = 60.0) -> "BareHop":
        self._spawn("b")
        self._spawn("a")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for role, proc in self.procs.items():
                if proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"bare hop {role} exited with {proc.returncode}; see {self.log_dir}")
            try:
                if requests.get(f"{self.url}/hop", timeout=2).text == "pong":
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"bare hop not answering on {self.url}/hop within {timeout}s")

    def pids(self) -> dict[str, list[int]]:
        return {f"bare_{role}": [p.pid] for role, p in self.procs.items() if p.poll() is None}

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self.procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("role", choices=["a", "b"])
    s.add_argument("--amqp", required=True)
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--max-workers", type=int, default=60)
    args = p.parse_args(argv)
    return _serve(args.role, args.amqp, args.port, args.max_workers)


if __name__ == "__main__":
    sys.exit(main())
