"""Registration burst (报名高峰): 1,000 members register for a trip with 100 seats within 10 s,
through the gateway. Checks that exactly 100 are registered and 900 on the waiting list, in the
order the service received them (seat holders are the first 100 arrivals; waiting positions
1..900 follow arrival), none lost, no overbooking; reports registrations per second.

    .venv/bin/python -m bench.events_bench [--members 1000 --seats 100 --threads 32]

Starts its own isolated stack (bench/stack.py). Member tokens are minted with the stack's own
secret (services/gateway/auth.py) instead of 1,000 argon2 logins; members register themselves
(role member, member_id in the token), as they would from their phones.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time

import requests

from bench.common import CpuMeter, latency_summary, machine, pids_by_name, write_result
from bench.seed import IdFactory, _check, _list_ids, create_school, import_roster, roster_rows, roster_xlsx
from bench.stack import Stack, _cmdline, _pids_in_session
from services.gateway.auth import Principal, issue_token
from shared import testing
from shared.settings import SERVICE_PORTS

CODE = "BENCH-EV1"


def _say(text: str) -> None:
    print(f"[events-bench] {text}", file=sys.stderr, flush=True)


def prepare(stack: Stack, members: int) -> tuple[list[int], dict]:
    base, admin = stack.gateway_url, {"Authorization": f"Bearer {stack.admin_token()}"}
    s = requests.Session()
    create_school(s, base, admin, {"code": CODE, "name": "报名高峰测试学校", "kind": "secondary", "area": "新桥镇",
                                   "staff_headcount": members + 10})
    rows = roster_rows(members, IdFactory("320411"), random.Random(20261122))
    import_roster(s, base, admin, CODE, roster_xlsx(rows), members)
    ids, _total = _list_ids(s, base, admin, CODE)

    def directory_has_everyone():   # membership events reach the events directory asynchronously
        body = _check(s.get(f"{base}/api/v1/schools/{CODE}/events/participation", headers=admin,
                            params={"year": 2026}, timeout=60), "participation")
        return len(body["members"]) >= len([1 for r in rows if r[5] != "retiree"])
    testing.wait_for(directory_has_everyone, 300, interval=1, what="the events directory to hold every member")
    return ids, admin


def burst(base: str, school: str, activity_id: int, tokens: list[str], threads: int) -> dict:
    """Every member registers once; ``threads`` clients send as fast as the gateway answers."""
    from bench.httpclient import Connection
    path = f"/api/v1/schools/{school}/events/activities/{activity_id}/registrations"
    host, port = base.split("//", 1)[1].split(":")
    queue = list(enumerate(tokens))
    lock = threading.Lock()
    results: list[tuple] = []

    def client():
        conn = Connection(host, int(port), timeout=60)
        while True:
            with lock:
                if not queue:
                    conn.close()
                    return
                i, token = queue.pop(0)
            t0 = time.perf_counter()
            try:
                status, data = conn.request("POST", path, body=b"{}", headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                results.append((i, status, json.loads(data) if data else {}, (time.perf_counter() - t0) * 1000))
            except Exception as exc:   # counted as lost by the checks
                conn.close()
                results.append((i, None, {"error": repr(exc)}, (time.perf_counter() - t0) * 1000))
    workers = [threading.Thread(target=client) for _ in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    return {"elapsed_s": round(elapsed, 3), "results": results}


def verify(base: str, admin: dict, activity_id: int, results: list, members: int, seats: int) -> dict:
    listing = _check(requests.get(f"{base}/api/v1/schools/{CODE}/events/activities/{activity_id}/registrations",
                                  headers=admin, params={"page_size": 2000}, timeout=60), "registrations")
    items = listing["items"]          # in arrival (seq) order
    statuses = [r["status"] for r in items]
    answered = [r for r in results if r[1] == 201]
    checks = {
        "all_answered_201": len(answered) == members,
        "none_lost": listing["total"] == members and len({r["member_id"] for r in items}) == members,
        "exactly_seats_registered": statuses.count("registered") == seats,
        "rest_waitlisted": statuses.count("waitlisted") == members - seats,
        "first_arrivals_hold_the_seats": statuses[:seats] == ["registered"] * seats,
        "waiting_positions_follow_arrival": [r["position"] for r in items[seats:]] == list(range(1, members - seats + 1)),
        "no_overbooking": _check(requests.get(f"{base}/api/v1/schools/{CODE}/events/activities/{activity_id}",
                                              headers=admin, timeout=60), "activity")["seats_taken"] == seats,
        "responses_agree_with_listing": sorted(r[2].get("status") for r in answered) == sorted(statuses),
    }
    return {"checks": checks, "ok": all(checks.values()),
            "errors": [r[2] for r in results if r[1] != 201][:5]}


def cpu_groups(stack: Stack) -> dict:
    def serving(name):
        return lambda: [p for p in _pids_in_session(stack.proc.pid) if f"serve {name}" in _cmdline(p)]
    return {"gateway": serving("gateway"), "events": serving("events"),
            "postgres_ours": lambda: pids_by_name(f" {stack.db_prefix}"),
            "rabbitmq": lambda: pids_by_name("beam.smp"), "bench_client": lambda: [os.getpid()]}


def cpu_per_registration(cpu: dict, n: int) -> dict:
    """CPU milliseconds each registration cost the stack's own processes; with them the rate two
    idle cores could sustain (a projection, not a measurement)."""
    pct = cpu["percent_of_one_core"]
    ms = {k: round(v / 100.0 * cpu["window_s"] * 1000.0 / n, 2) for k, v in pct.items()}
    stack_ms = sum(v for k, v in ms.items() if k in ("gateway", "events", "postgres_ours", "rabbitmq"))
    return {"cpu_ms_per_registration": ms, "stack_cpu_ms_per_registration": round(stack_ms, 2),
            "projected_per_s_on_idle_cores": round(cpu["cores"] * 1000.0 / stack_ms, 1) if stack_ms else None}


def run(members: int, seats: int, threads: int) -> dict:
    ports = {f"UNIONHUB_PORT_{n.upper()}": str(testing.free_port()) for n in SERVICE_PORTS
             if n not in ("gateway", "membership")}
    stack = Stack(extra_env=ports)
    stack.start()
    try:
        testing.wait_for(lambda: requests.get(f"http://127.0.0.1:{ports['UNIONHUB_PORT_EVENTS']}/readyz",
                                              timeout=2).status_code == 200, 120, what="events /readyz")
        t0 = time.perf_counter()
        ids, admin = prepare(stack, members)
        _say(f"{len(ids)} members ready in {time.perf_counter() - t0:.1f}s")
        ids = ids[:members]
        secret = stack.env["UNIONHUB_SECRET_KEY"]
        tokens = [issue_token(Principal(f"bench-m{i}", "member", CODE, i), secret, 3600) for i in ids]
        activity = _check(requests.post(f"{stack.gateway_url}/api/v1/schools/{CODE}/events/activities", headers=admin,
                                        json={"title": "暑期教工出游", "kind": "trip", "capacity": seats,
                                              "starts_at": "2026-07-15T07:00:00"}, timeout=60), "create trip")
        meter = CpuMeter(cpu_groups(stack), snapshots=1, snapshot_every=3.0).start()
        out = burst(stack.gateway_url, CODE, activity["id"], tokens, threads)
        cpu = meter.stop()
        latencies = [r[3] for r in out["results"]]
        verdict = verify(stack.gateway_url, admin, activity["id"], out["results"], len(ids), seats)
        rate = len(ids) / out["elapsed_s"]
        return {"bench": "events_registration_burst", "machine": machine(), "members": len(ids), "seats": seats,
                "client_threads": threads, "elapsed_s": out["elapsed_s"],
                "registrations_per_s": round(rate, 1), "within_10_s": out["elapsed_s"] <= 10.0,
                "target_200_per_s": rate >= 200, "latency": latency_summary(latencies), **verdict,
                **cpu_per_registration(cpu, len(ids)), "cpu": cpu}
    finally:
        stack.stop()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=1000)
    p.add_argument("--seats", type=int, default=100)
    p.add_argument("--threads", type=int, default=16)
    args = p.parse_args(argv)
    result = run(args.members, args.seats, args.threads)
    path = write_result("events", result, path=None)
    (path.parent / "events.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
