"""An isolated UnionHub stack for benchmarking.

A fresh RabbitMQ vhost, PostgreSQL databases under a unique prefix, the district admin created
with ``python -m shared.cli create-admin``, then ``python -m shared.cli run`` (not ``--demo``) in
its own session (process group) with free ports for the gateway and membership. Ready when the
gateway's and membership's ``/readyz`` answer 200. ``stop()`` kills the process group, drops the
databases and deletes the vhost.

Tuning goes only through environment variables the project itself reads: every ``UNIONHUB_*``
variable set in the caller's environment is passed through to the stack, except the ones the
stack owns (broker, database, ports, data dir, secrets). At the time of writing the project reads
``UNIONHUB_GATEWAY_PROCESSES`` (gateway processes sharing the port; default min(2, cores)),
``UNIONHUB_DB_POOL_SIZE`` / ``UNIONHUB_DB_POOL_OVERFLOW`` (SQLAlchemy pool per process),
``UNIONHUB_MAX_WORKERS`` (nameko workers per service process, default 60),
``UNIONHUB_RPC_TIMEOUT`` (gateway -> service RPC timeout, default 10 s), ``UNIONHUB_ACCESS_LOG``,
``UNIONHUB_LOG_LEVEL``, ``UNIONHUB_DELIVERY_LIMIT`` and ``UNIONHUB_TOKEN_TTL``.

    python -m bench.stack --hold 600     # start, print URLs and env, keep it up until Ctrl-C or 600 s
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from shared import testing

ROOT = Path(__file__).resolve().parent.parent
OWNED = ("UNIONHUB_AMQP_URI", "UNIONHUB_DATA_DIR", "UNIONHUB_DATABASE_URL", "UNIONHUB_DB_PREFIX", "UNIONHUB_PORT_",
         "UNIONHUB_SECRET_KEY", "UNIONHUB_ADMIN_PASSWORD", "UNIONHUB_DEMO_PASSWORD", "UNIONHUB_TEST_", "UNIONHUB_HOST")


def passthrough_env() -> dict:
    """The caller's UNIONHUB_* settings that the stack does not own (its broker, databases,
    ports, secrets; ``UNIONHUB_DB_<SERVICE>`` database URLs included)."""
    return {k: v for k, v in os.environ.items() if k.startswith("UNIONHUB_") and not k.startswith(OWNED)
            and not (k.startswith("UNIONHUB_DB_") and "://" in v)}


def _say(text: str) -> None:
    print(f"[stack] {text}", file=sys.stderr, flush=True)


class Stack:
    def __init__(self, *, extra_env: dict | None = None, log_dir: Path | None = None, keep_logs: bool = False):
        self.extra_env = dict(extra_env or {})
        self.keep_logs = keep_logs
        self.admin_password = "bench-" + secrets.token_urlsafe(12)
        self.db_prefix = f"uhbench_{uuid.uuid4().hex[:8]}_"
        self.vhost = self.amqp_uri = None
        self.proc = None
        self.env: dict = {}
        self.data_dir = Path(tempfile.mkdtemp(prefix="uhbench-"))
        self.log_dir = Path(log_dir) if log_dir else self.data_dir
        self.log_path = self.log_dir / "stack.log"
        from shared.settings import SERVICE_PORTS
        self.ports = {name: testing.free_port() for name in SERVICE_PORTS}   # every service: nothing collides
        self._log = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 180.0) -> "Stack":
        try:
            self._start(timeout)
        except BaseException:
            self.stop(keep_logs=True)
            raise
        return self

    def _start(self, timeout: float) -> None:
        t0 = time.monotonic()
        self.vhost, self.amqp_uri = testing.create_vhost()
        passthrough = passthrough_env()
        # BENCH_DATABASE=sqlite measures the embedded default (SQLite files in the data dir)
        database_url = None if os.environ.get("BENCH_DATABASE") == "sqlite" else testing.pg_server_url()
        self.env = testing.stack_env(self.amqp_uri, data_dir=self.data_dir, database_url=database_url,
                                     db_prefix=self.db_prefix, ports=self.ports,
                                     extra={"UNIONHUB_ADMIN_PASSWORD": self.admin_password, **passthrough,
                                            **self.extra_env})
        for name in self.ports:   # a bench may pick some ports itself (extra_env): follow them
            if self.env.get(f"UNIONHUB_PORT_{name.upper()}"):
                self.ports[name] = int(self.env[f"UNIONHUB_PORT_{name.upper()}"])
        self._log = open(self.log_path, "ab")
        subprocess.run([sys.executable, "-m", "shared.cli", "create-admin"], env=self.env, cwd=ROOT, check=True,
                       stdout=self._log, stderr=subprocess.STDOUT, timeout=300)
        self.proc = subprocess.Popen([sys.executable, "-m", "shared.cli", "run"], env=self.env, cwd=ROOT,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"unionhub run exited ({self.proc.returncode}): {self.tail_log()}")
            return all(requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
                       for port in self.ports.values())
        try:
            testing.wait_for(ready, timeout=timeout, interval=0.25, what="gateway and membership /readyz")
        except AssertionError as exc:
            raise RuntimeError(f"{exc}\n{self.tail_log()}") from None
        _say(f"up in {time.monotonic() - t0:.1f}s: gateway {self.gateway_url}, vhost {self.vhost}, "
             f"db prefix {self.db_prefix}, log {self.log_path}")

    def stop(self, keep_logs: bool | None = None) -> None:
        if self.proc is not None and self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.proc is not None:  # children of the supervisor may outlive it: sweep the group
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc = None
        try:
            testing.drop_databases_with_prefix(self.db_prefix)
        except Exception as exc:  # report, keep tearing down
            _say(f"dropping databases {self.db_prefix}* failed: {exc}")
        if self.vhost:
            testing.delete_vhost(self.vhost)
            self.vhost = None
        if self._log:
            self._log.close()
            self._log = None
        if self.keep_logs if keep_logs is None else keep_logs:
            _say(f"logs kept in {self.data_dir}")
        else:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        self.stop(keep_logs=True if exc_type is not None else None)

    # ------------------------------------------------------------------ helpers
    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def membership_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['membership']}"

    def tail_log(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def admin_token(self) -> str:
        r = requests.post(f"{self.gateway_url}/api/v1/auth/token",
                          json={"username": "admin", "password": self.admin_password}, timeout=30)
        r.raise_for_status()
        return r.json()["access_token"]

    def service_pids(self) -> dict[str, list[int]]:
        """pids of this stack's processes by role (supervisor, gateway, membership)."""
        out: dict[str, list[int]] = {}
        if self.proc is None:
            return out
        for pid in _pids_in_session(self.proc.pid):
            cmd = _cmdline(pid)
            role = ("supervisor" if " run" in cmd else next((n for n in self.ports if f"serve {n}" in cmd), "other"))
            out.setdefault(role, []).append(pid)
        return out

    def cli(self, *args: str, timeout: float = 120) -> str:
        """``python -m shared.cli <args>`` with the stack's environment; returns stdout."""
        done = subprocess.run([sys.executable, "-m", "shared.cli", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"shared.cli {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def queue_depths(self) -> dict[str, int]:
        """Messages ready or unacked per queue in the stack's vhost (``rabbitmqctl list_queues``)."""
        done = subprocess.run(["rabbitmqctl", "list_queues", "-q", "-p", self.vhost, "name", "messages"],
                              capture_output=True, text=True, timeout=60)
        depths = {}
        for line in done.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                depths[parts[0]] = int(parts[1])
        return depths

    def wait_quiet(self, timeout: float = 600.0, ignore: tuple[str, ...] = ("bench-",)) -> dict:
        """Wait (bounded) until every queue of the vhost is empty twice in a row, i.e. the event
        consumers (read-model projections among them) have caught up with what came before.
        Returns the seconds waited and the depths seen first."""
        t0 = time.monotonic()
        first, quiet = None, 0
        depths: dict = {}
        while time.monotonic() - t0 < timeout:
            depths = {k: v for k, v in self.queue_depths().items() if not k.startswith(ignore)}
            first = first if first is not None else {k: v for k, v in depths.items() if v}
            quiet = quiet + 1 if not any(depths.values()) else 0
            if quiet >= 2:
                break
            time.sleep(1.0)
        waited = round(time.monotonic() - t0, 1)
        backlog = {k: v for k, v in depths.items() if v}
        _say(f"quiet after {waited}s (backlog at start: {sum((first or {}).values())} messages)" if not backlog
             else f"NOT quiet after {waited}s: {backlog}")
        return {"waited_s": waited, "backlog_at_start": first or {}, "still_queued": backlog}

    def info(self) -> dict:
        return {"gateway_url": self.gateway_url, "membership_url": self.membership_url, "vhost": self.vhost,
                "db_prefix": self.db_prefix, "log": str(self.log_path),
                "env": {k: v for k, v in self.env.items() if k.startswith("UNIONHUB_") and "PASSWORD" not in k
                        and "SECRET" not in k}}


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so ``finally``/``with`` blocks tear the stack down."""
    def handler(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise SystemExit(143)
    signal.signal(signal.SIGTERM, handler)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _pids_in_session(sid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid:  # field 6 (session), counted after "pid (comm)"
            pids.append(int(entry))
    return pids


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hold", type=float, default=600.0, help="seconds to keep the stack up (max 3600)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the data dir with stack.log after stopping")
    args = parser.parse_args(argv)
    exit_on_sigterm()
    stack = Stack(keep_logs=args.keep_logs)
    try:
        stack.start()
        print(json.dumps({**stack.info(), "admin_password": stack.admin_password}, indent=2), flush=True)
        deadline = time.monotonic() + min(args.hold, 3600.0)
        while time.monotonic() < deadline and stack.proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
