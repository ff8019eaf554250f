"""Bulk import: one XLSX roster of 20,000 members for one new school, through the gateway.

Before importing, a durable test queue is bound to the ``membership.events`` exchange with routing
key ``member_admitted``; a consumer thread counts the events for the new school while the import
runs. Measured from the moment the POST is sent:
  import_http_s           until the gateway answers POST /api/v1/schools/{s}/members/import
  all_events_delivered_s  until the 20,000th ``membership.member_admitted`` for that school arrived
  all_consumers_done_s    until every consumer queue of the stack is empty: the four services'
                          member directories and the gateway's read model hold every member
Then ``python -m shared.cli outbox status`` (stack env) must show 0 pending for membership.
Target: all events delivered <= 30 s.

If the gateway stops waiting for the RPC first (the route's own timeout, else
``UNIONHUB_RPC_TIMEOUT``), the POST answers 503 ``rpc_timeout`` while membership carries on and
commits: ``http_status``/``problem_code`` say so and the event timing still holds.

    python -m bench.import_bench                    # own stack, 20,000 rows
    python -m bench.import_bench --rows 2000
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import threading
import time
import uuid

import requests
from kombu import Connection, Consumer, Exchange, Queue

from bench.seed import IMPORT_REGION, XLSX, IdFactory, create_school, roster_rows, roster_xlsx

EXCHANGE = "membership.events"
TARGET_S = 30.0


class EventCounter:
    """Counts ``member_admitted`` events of one school on a durable queue of its own."""

    def __init__(self, amqp_uri: str, school: str, expected: int):
        self.amqp_uri, self.school, self.expected = amqp_uri, school, expected
        self.queue_name = f"bench-import-{uuid.uuid4().hex[:8]}"
        self.count = self.other = self.bad = 0
        self.first_at = self.last_at = None
        self.done = threading.Event()
        self._stop = threading.Event()
        self._conn = Connection(amqp_uri, heartbeat=0, connect_timeout=10)
        self._conn.connect()
        channel = self._conn.channel()
        try:  # the exchange's owner declares it; only create it when nothing has yet
            channel.exchange_declare(EXCHANGE, "topic", passive=True)
        except Exception:
            channel = self._conn.channel()
            channel.exchange_declare(EXCHANGE, "topic", durable=True, auto_delete=False)
        self.queue = Queue(self.queue_name, Exchange(EXCHANGE, "topic", durable=True, no_declare=True),
                           routing_key="member_admitted", durable=True, auto_delete=False)
        self.queue(channel).declare()
        self.channel = channel

    def _on_message(self, body, message):
        now = time.perf_counter()
        try:
            data = json.loads(body) if isinstance(body, (str, bytes)) else body
            school = data.get("school")
        except (ValueError, AttributeError):
            self.bad += 1
            return
        if school == self.school:
            self.count += 1
            self.first_at = self.first_at or now
            self.last_at = now
            if self.count >= self.expected:
                self.done.set()
        else:
            self.other += 1

    def run(self, deadline: float) -> None:
        self.channel.basic_qos(0, 2000, False)
        consumer = Consumer(self.channel, queues=[self.queue], callbacks=[self._on_message], no_ack=True,
                            accept=["json", "application/json", "text/plain"])
        with consumer:
            while not self._stop.is_set() and not self.done.is_set() and time.monotonic() < deadline:
                try:
                    self._conn.drain_events(timeout=0.5)
                except TimeoutError:
                    continue
                except OSError:  # socket.timeout is an OSError subclass
                    continue

    def close(self) -> None:
        self._stop.set()
        try:
            ch = self._conn.channel()
            self.queue(ch).delete()
        except Exception:
            pass
        self._conn.release()


def outbox_pending(stack) -> dict:
    """{service: pending} from ``python -m shared.cli outbox status`` run with the stack's env."""
    out = stack.cli("outbox", "status")
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\S+?): (\d+) pending", out, re.M)}


def _all_consumed(stack, t0: float, wait_s: float) -> float | None:
    """Seconds from ``t0`` until every consumer queue of the stack (the services' directories and
    the gateway's projections, not this bench's own) is empty: each holds every member. Polled with
    ``rabbitmqctl`` (about a second apart), so the figure is within a second."""
    deadline = t0 + wait_s
    while time.perf_counter() < deadline:
        depths = {k: v for k, v in stack.queue_depths().items() if not k.startswith("bench-") and not k.endswith(".dlq")}
        if depths and not any(depths.values()):
            return time.perf_counter() - t0
        time.sleep(0.2)
    return None


def run_import(stack, *, rows: int = 20000, code: str = "BENCH-IMPORT", wait_s: float = 300.0) -> dict:
    base = stack.gateway_url
    quiet = stack.wait_quiet()
    s = requests.Session()
    admin = {"Authorization": f"Bearer {stack.admin_token()}"}
    school_500 = bool(create_school(s, base, admin, {"code": code, "name": "新北区导入测试学校", "kind": "secondary",
                                                      "area": "三井街道", "staff_headcount": rows + 100}))
    t0 = time.perf_counter()
    content = roster_xlsx(roster_rows(rows, IdFactory(IMPORT_REGION), random.Random(7)), title="新北区导入测试学校工会会员名册")
    build_s = time.perf_counter() - t0
    from bench.common import PgConnections
    pg = PgConnections(stack.db_prefix).start()
    counter = EventCounter(stack.amqp_uri, code, rows)
    th = threading.Thread(target=counter.run, args=(time.monotonic() + wait_s,), daemon=True)
    th.start()
    try:
        t0 = time.perf_counter()
        try:
            resp = s.post(f"{base}/api/v1/schools/{code}/members/import", data=content, timeout=wait_s,
                          headers={**admin, "Content-Type": XLSX})
            status, body = resp.status_code, (resp.json() if resp.content else {})
        except requests.RequestException as exc:
            status, body = f"exc:{type(exc).__name__}", {}
        http_s = time.perf_counter() - t0
        counter.done.wait(max(0.0, wait_s - http_s))
        th.join(timeout=5)
        events_s = (counter.last_at - t0) if counter.count >= rows and counter.last_at else None
        first_s = (counter.first_at - t0) if counter.first_at else None
        consumed_s = _all_consumed(stack, t0, wait_s)
    finally:
        counter.close()
        pg_stats = pg.stop()
    pending, t_out = None, time.monotonic() + 60
    while time.monotonic() < t_out:  # bounded: the relay marks rows sent right after the confirms
        pending = outbox_pending(stack)
        if pending.get("membership") == 0:
            break
        time.sleep(1)
    imported = body.get("imported") if isinstance(body, dict) else None
    result = {
        "rows_in_file": rows, "xlsx_bytes": len(content), "xlsx_build_s": round(build_s, 2),
        "http_status": status, "import_http_s": round(http_s, 2),
        "rows_imported": imported, "row_errors": len(body.get("errors", [])) if isinstance(body, dict) else None,
        "problem_code": body.get("code") if isinstance(body, dict) and status != 200 else None,
        "events_counted": counter.count, "events_other_schools": counter.other,
        "first_event_s": round(first_s, 2) if first_s is not None else None,
        "delivery_events_per_s": (round(counter.count / (counter.last_at - counter.first_at), 1)
                                  if counter.count > 1 and counter.last_at > counter.first_at else None),
        "all_events_delivered_s": round(events_s, 2) if events_s is not None else None,
        "all_consumers_done_s": round(consumed_s, 1) if consumed_s is not None else None,
        "outbox_pending_after": pending, "create_school_http_500_but_created": school_500,
        "target_s": TARGET_S, "pg_connections": pg_stats, "quiesce_before": quiet,
    }
    result["target_met"] = bool(events_s is not None and events_s <= TARGET_S and status == 200
                                and imported == rows and (pending or {}).get("membership") == 0)
    print(f"[import] {rows} rows: HTTP {status} in {http_s:.1f}s, {counter.count} events, all delivered at "
          f"{result['all_events_delivered_s']}s, every consumer (directories, gateway) done at "
          f"{result['all_consumers_done_s']}s, outbox pending {pending}", file=sys.stderr, flush=True)
    return result


def main(argv=None) -> int:
    from bench.common import machine, timestamp, write_result
    from bench.stack import Stack, exit_on_sigterm
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--wait", type=float, default=300.0, help="max seconds to wait for the HTTP answer and the events")
    args = p.parse_args(argv)
    if not (1 <= args.rows <= 50000 and 1 <= args.wait <= 1800):
        raise SystemExit("rows 1-50000 (the importer's limit), wait 1-1800 s")
    exit_on_sigterm()
    with Stack() as stack:
        out = run_import(stack, rows=args.rows, wait_s=args.wait)
        info = stack.info()
    data = {"bench": "import", "at": timestamp(), "machine": machine(), "stack": info, **out}
    print(write_result("import", data))
    return 0 if out["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
