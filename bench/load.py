"""Mixed workload against the gateway, and the same client against a bare nameko hop.

Per request the client picks a school uniformly from the seeded ones and uses that school's
admin token. Mix (``--mix``, default):
  40% list   GET  /api/v1/schools/{s}/members?page=K&page_size=20  (30% of them with one filter:
                  status=active | category=teacher | q=<surname> | group=<id>)
  40% get    GET  /api/v1/schools/{s}/members/{id}
  10% admit  POST /api/v1/schools/{s}/members      (fresh valid ID number, category teacher)
  10% patch  PATCH /api/v1/schools/{s}/members/{id} {position, phone}
The client is ``--processes`` OS processes (spawned) x ``--threads`` threads, each thread one
persistent keep-alive connection (``bench/httpclient.py``, a fifth of ``http.client``'s CPU per
request) issuing requests back to back (closed loop: concurrency = processes x threads). Requests completing in the warm-up are not counted; the
window is ``--duration`` seconds after ``--warmup``. Then the bare hop (bench/bare_hop.py) is
started on the same vhost and loaded by the same client for the same time.

    python -m bench.load                                   # own stack, 50 x 400 seed, 30 s + 5 s
    python -m bench.load --schools 5 --per-school 100 --duration 10 --warmup 2
    python -m bench.load --no-bare --rate 600 --rate 800 --rate 1000     # and open loop at each rate

``--rate`` adds open-loop runs after the closed one: the same connections send at a fixed total
rate, and each request's latency counts from when it was due, so a server that falls behind is
charged for its backlog (no coordinated omission).
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from urllib.parse import quote

DEFAULT_MIX = {"list": 0.4, "get": 0.4, "admit": 0.1, "patch": 0.1}
TARGET_RPS = 1000.0
TARGET_P99_MS = 100.0
_POSITIONS = ("语文教师", "数学教师", "英语教师", "班主任", "教研组长", "年级组长", "信息技术教师", "体育教师", "音乐教师")


# ------------------------------------------------------------------------------------- client side
class _Requests:
    """Builds the next request of a kind for one thread."""

    def __init__(self, targets, rng: random.Random, ids, hop_path: str | None):
        self.targets, self.rng, self.ids, self.hop_path = targets, rng, ids, hop_path

    def build(self, kind: str):
        rng = self.rng
        if kind == "hop":
            return "GET", self.hop_path, None, {}, None
        t = rng.choice(self.targets)
        code = t["code"]
        headers = {"Authorization": f"Bearer {t['token']}"}
        base = f"/api/v1/schools/{code}/members"
        if kind == "list":
            pages = max(1, math.ceil(len(t["member_ids"]) / 20))
            if rng.random() < 0.3:
                f = rng.randrange(4)
                if f == 0:
                    q = "status=active"
                elif f == 1:
                    q = "category=teacher"
                elif f == 2:
                    q = "q=" + quote(rng.choice("王李张刘陈杨黄赵吴周"))
                else:
                    q = f"group={rng.choice(t['group_ids'])}" if t["group_ids"] else "status=active"
                return "GET", f"{base}?page={rng.randint(1, 2)}&page_size=20&{q}", None, headers, t
            return "GET", f"{base}?page={rng.randint(1, pages)}&page_size=20", None, headers, t
        if kind == "get":
            return "GET", f"{base}/{rng.choice(t['member_ids'])}", None, headers, t
        headers["Content-Type"] = "application/json"
        if kind == "admit":
            from bench.seed import mobile, person_name
            idn, _birth, _gender = self.ids.next()
            body = {"name": person_name(rng), "id_number": idn, "category": "teacher", "phone": mobile(rng),
                    "position": rng.choice(_POSITIONS)}
            return "POST", base, json.dumps(body, ensure_ascii=False).encode(), headers, t
        if kind == "patch":
            from bench.seed import mobile
            body = {"position": rng.choice(_POSITIONS), "phone": mobile(rng)}
            return ("PATCH", f"{base}/{rng.choice(t['member_ids'])}", json.dumps(body, ensure_ascii=False).encode(),
                    headers, t)
        raise ValueError(kind)


def _thread_loop(host, port, builder: _Requests, kinds, weights, measure_from, end, rec, lock, schedule=None):
    """``schedule``: None (closed loop: the next request as soon as the last is answered) or
    ``(first_due, interval)`` in ``time.time()`` seconds (open loop: requests are due at a fixed
    rate, and a request's latency counts from when it was due, so a server that falls behind
    is charged for the wait its backlog causes)."""
    lat = defaultdict(list)
    statuses = Counter()
    from bench.httpclient import Connection
    conn = Connection(host, port, timeout=30)
    sent = 0
    while sent < 10_000_000:  # bounded in count as well as in time
        if time.time() >= end:
            break
        kind = builder.rng.choices(kinds, weights)[0]
        method, path, body, headers, target = builder.build(kind)
        t0 = time.perf_counter()
        if schedule is not None:
            due = schedule[0] + sent * schedule[1]
            if due >= end:
                break
            ahead = due - time.time()
            if ahead > 0:
                time.sleep(ahead)
            t0 = time.perf_counter() - (time.time() - due)   # when it was due, on perf_counter's clock
        try:
            status, data = conn.request(method, path, body=body, headers=headers)
        except Exception as exc:  # count it, reconnect after a short pause (a dead server must not spin us), carry on
            status, data = f"exc:{type(exc).__name__}", b""
            conn.close()
            time.sleep(0.05)
        ms = (time.perf_counter() - t0) * 1000.0
        sent += 1
        done = time.time()
        if measure_from <= done < end:
            lat[kind].append(ms)
            statuses[(kind, status)] += 1
        if kind == "admit" and status == 201:
            try:
                target["member_ids"].append(json.loads(data)["id"])
            except (ValueError, KeyError):
                pass
    conn.close()
    with lock:
        for k, v in lat.items():
            rec["lat"][k].extend(v)
        rec["status"].update(statuses)


def _worker(index, host, port, targets, mix, threads, region, hop_path, ready, go, start_at, warmup, duration, out_q,
            rate=None, processes=1):
    from bench.seed import IdFactory
    kinds, weights = list(mix), list(mix.values())
    ready.set()
    go.wait(120)
    start = start_at.value
    measure_from, end = start + warmup, start + warmup + duration
    while time.time() < start:
        time.sleep(0.005)
    rec = {"lat": defaultdict(list), "status": Counter()}
    lock = threading.Lock()
    pool = []
    for t in range(threads):
        rng = random.Random(index * 1000 + t)
        ids = IdFactory(region, start=t * 100_000)
        builder = _Requests(targets, rng, ids, hop_path)
        schedule = None
        if rate:   # every connection sends at rate / connections, the connections evenly staggered
            connections = processes * threads
            interval = connections / rate
            schedule = (start + interval * (index * threads + t) / connections, interval)
        th = threading.Thread(target=_thread_loop, args=(host, port, builder, kinds, weights, measure_from, end,
                                                         rec, lock, schedule), daemon=True)
        th.start()
        pool.append(th)
    for th in pool:
        th.join(timeout=warmup + duration + 60)
    out_q.put({"lat": dict(rec["lat"]), "status": [[k, s, n] for (k, s), n in rec["status"].items()]})


def drive(base_url: str, *, targets=None, mix=None, processes: int = 2, threads: int = 16, duration: float = 30.0,
          warmup: float = 5.0, hop_path: str | None = None, cpu_groups: dict | None = None, run_seed: int | None = None,
          label: str = "unionhub", rate: float | None = None) -> dict:
    """Run the client against ``base_url`` (closed loop, or open loop at ``rate`` requests/s over
    the same connections); returns the JSON-ready report."""
    from bench.common import CpuMeter, latency_summary
    host, port = base_url.split("//", 1)[1].split(":")
    port = int(port)
    mix = mix or ({"hop": 1.0} if hop_path else DEFAULT_MIX)
    rng = random.Random(run_seed if run_seed is not None else time.time_ns())
    regions = [str(r) for r in rng.sample(range(340000, 659999), processes)]  # fresh ID numbers per process
    ctx = mp.get_context("spawn")
    go, start_at, out_q = ctx.Event(), ctx.Value("d", 0.0), ctx.Queue()
    readies, procs = [], []
    for i in range(processes):
        ready = ctx.Event()
        p = ctx.Process(target=_worker, args=(i, host, port, targets or [], mix, threads, regions[i], hop_path,
                                              ready, go, start_at, warmup, duration, out_q, rate, processes),
                        daemon=True)
        p.start()
        procs.append(p)
        readies.append(ready)
    for r in readies:
        r.wait(60)
    start_at.value = time.time() + 0.5
    go.set()
    groups = dict(cpu_groups or {})
    groups["client"] = lambda: [p.pid for p in procs if p.is_alive()]
    time.sleep(max(0.0, start_at.value + warmup - time.time()))
    meter = CpuMeter(groups, snapshots=2, snapshot_every=max(1.0, duration / 3)).start()
    time.sleep(max(0.0, start_at.value + warmup + duration - time.time()))
    cpu = meter.stop()
    parts = []
    for _ in procs:
        try:
            parts.append(out_q.get(timeout=90))
        except Exception:  # a worker died: report what came back
            break
    for p in procs:
        p.join(timeout=30)
        if p.is_alive():
            p.terminate()
    lat, status = defaultdict(list), Counter()
    for part in parts:
        for k, v in part["lat"].items():
            lat[k].extend(v)
        for k, s, n in part["status"]:
            status[(k, s)] += n
    all_lat = [x for v in lat.values() for x in v]
    ok = lambda s: isinstance(s, int) and s < 400  # noqa: E731
    total = sum(status.values())
    good = sum(n for (_k, s), n in status.items() if ok(s))
    per_kind = {}
    for k in mix:
        n = sum(c for (kk, _s), c in status.items() if kk == k)
        per_kind[k] = {"requests": n, "rps": round(n / duration, 1),
                       "ok": sum(c for (kk, s), c in status.items() if kk == k and ok(s)),
                       "errors_by_status": {str(s): c for (kk, s), c in sorted(status.items(), key=str)
                                            if kk == k and not ok(s)},
                       **latency_summary(lat.get(k, []))}
    errors = Counter()
    for (_k, s), n in status.items():
        if not ok(s):
            errors[str(s)] += n
    report = {"label": label, "url": base_url, "processes": processes, "threads_per_process": threads,
              "concurrency": processes * threads, "loop": f"open at {rate:g} req/s" if rate else "closed",
              "offered_rps": rate, "warmup_s": warmup, "duration_s": duration, "mix": mix,
              "workers_reported": len(parts), "requests": total, "ok": good, "rps": round(total / duration, 1),
              "ok_rps": round(good / duration, 1), "latency_ms": latency_summary(all_lat),
              "errors_by_status": dict(errors), "error_rate": round((total - good) / total, 4) if total else None,
              "per_kind": per_kind, "cpu": cpu,
              "cpu_ms_per_ok_request": {k: round(v * 10.0 / (good / duration), 2) if good else None
                                        for k, v in cpu["percent_of_one_core"].items()}}
    print(f"[load] {label}: {report['ok_rps']} ok req/s, p99 {report['latency_ms']['p99_ms']} ms, "
          f"errors {dict(errors)}, cpu {cpu['percent_of_one_core']}", file=sys.stderr, flush=True)
    return report


# ------------------------------------------------------------------------------------- orchestration
def stack_cpu_groups(stack) -> dict:
    from bench.common import pids_by_name
    return {"gateway": lambda: stack.service_pids().get("gateway", []),
            "membership": lambda: stack.service_pids().get("membership", []),
            # congress, welfare, events, finance: each keeps its own member directory from the events
            "other_services": lambda: [pid for name, pids in stack.service_pids().items()
                                       if name not in ("gateway", "membership", "supervisor") for pid in pids],
            "postgres": lambda: pids_by_name("postgres: ", "bin/postgres "),
            "rabbitmq": lambda: pids_by_name("beam.smp"),
            "bench_driver": lambda: [os.getpid()]}


def run_unionhub(stack, seeded: dict, **client) -> dict:
    from bench.common import PgConnections, histogram_means, scrape_processes
    targets = [{"code": s["code"], "token": s["token"], "member_ids": list(s["member_ids"]),
                "group_ids": list(s["group_ids"])} for s in seeded["schools"]]
    pids = stack.service_pids()
    n_gw, n_m = 1, 1   # several processes of a service answer /metrics with the sum of all (shared/runner.py)

    def snap():
        return (scrape_processes(f"{stack.gateway_url}/metrics", n_gw),
                scrape_processes(f"{stack.membership_url}/metrics", n_m))
    g0, m0 = snap()
    pg = PgConnections(stack.db_prefix).start()
    try:
        report = drive(stack.gateway_url, targets=targets, cpu_groups=stack_cpu_groups(stack), label="unionhub",
                       **client)
    finally:
        pg_stats = pg.stop()
    report["pg_connections"] = pg_stats
    report["stack_alive_after"] = stack.proc is not None and stack.proc.poll() is None
    if not report["stack_alive_after"]:
        print(f"[load] the stack stopped during the run; log tail:\n{stack.tail_log(1500)}", file=sys.stderr, flush=True)
    g1, m1 = snap()
    report["stack_processes"] = {k: len(v) for k, v in pids.items()}
    report["metrics_processes_seen"] = {"gateway": len(set(g0) & set(g1)), "membership": len(set(m0) & set(m1))}
    # server-side view over warm-up + window: gateway handling time (includes the RPC round trip)
    # and membership entrypoint time (handler only); the gap is the AMQP hop and (de)serialisation
    report["server_side_mean_ms"] = {
        "gateway_http": histogram_means(g0, g1, "unionhub_http_request_duration_seconds", ("method", "route", "status")),
        "membership_rpc": histogram_means(m0, m1, "unionhub_rpc_duration_seconds", ("entrypoint", "outcome")),
    }
    return report


def run_bare(stack, log_dir, **client) -> dict:
    from bench.bare_hop import BareHop
    from bench.common import pids_by_name
    from shared.testing import free_port
    hop = BareHop(stack.amqp_uri, free_port(), log_dir)
    with hop:
        groups = {"bare_a": lambda: hop.pids().get("bare_a", []), "bare_b": lambda: hop.pids().get("bare_b", []),
                  "rabbitmq": lambda: pids_by_name("beam.smp")}
        groups["bench_driver"] = lambda: [os.getpid()]
        return drive(hop.url, hop_path="/hop", cpu_groups=groups, label="bare_hop", **client)


def verdict(unionhub: dict, bare: dict | None) -> dict:
    p99 = unionhub["latency_ms"]["p99_ms"]
    v = {"target_rps": TARGET_RPS, "target_p99_ms": TARGET_P99_MS, "ok_rps": unionhub["ok_rps"], "p99_ms": p99,
         "rps_met": unionhub["ok_rps"] >= TARGET_RPS, "p99_met": p99 is not None and p99 <= TARGET_P99_MS}
    v["met"] = v["rps_met"] and v["p99_met"]
    if bare:
        v["bare_hop_ok_rps"] = bare["ok_rps"]
        v["bare_hop_p99_ms"] = bare["latency_ms"]["p99_ms"]
        v["ratio_unionhub_over_bare"] = round(unionhub["ok_rps"] / bare["ok_rps"], 3) if bare["ok_rps"] else None
    return v


def run_load(stack, seeded: dict, *, bare: bool = True, **client) -> dict:
    quiet = stack.wait_quiet()  # start from a steady state: consumers done with the seed's events
    u = run_unionhub(stack, seeded, **client)
    u["quiesce_before"] = quiet
    b = run_bare(stack, stack.log_dir, **client) if bare else None
    return {"unionhub": u, "bare_hop": b, "verdict": verdict(u, b)}


def client_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--processes", type=int, default=2, help="client OS processes")
    p.add_argument("--threads", type=int, default=16, help="threads (keep-alive connections) per client process")
    p.add_argument("--duration", type=float, default=30.0, help="measured seconds (after warm-up)")
    p.add_argument("--warmup", type=float, default=5.0, help="warm-up seconds, not counted")
    p.add_argument("--mix", default=None, help='JSON, e.g. \'{"list":0.4,"get":0.4,"admit":0.1,"patch":0.1}\'')
    p.add_argument("--rate", type=float, action="append", default=None,
                   help="open loop: requests/s offered over the same connections, latency counted from when each "
                        "request was due (repeat for several rates, one run each)")


def client_kwargs(args) -> dict:
    if not (0 < args.duration <= 600 and 0 <= args.warmup <= 120 and 1 <= args.processes <= 16
            and 1 <= args.threads <= 128):
        raise SystemExit("duration 0-600 s, warm-up 0-120 s, processes 1-16, threads 1-128")
    return {"processes": args.processes, "threads": args.threads, "duration": args.duration, "warmup": args.warmup,
            "mix": json.loads(args.mix) if args.mix else None}


def open_loop(stack, seeded: dict, rates, **client) -> list[dict]:
    """One open-loop run per offered rate: what the target means (a given rate, served with p99
    at most 100 ms), without a closed loop's queue of clients always waiting."""
    out = []
    for rate in rates or ():
        quiet = stack.wait_quiet()
        u = run_unionhub(stack, seeded, rate=rate, **client)
        u["quiesce_before"] = quiet
        p99 = u["latency_ms"]["p99_ms"]
        out.append({"offered_rps": rate, "ok_rps": u["ok_rps"], "p99_ms": p99,
                    "kept_up": u["ok_rps"] >= 0.98 * rate,
                    "met": rate >= TARGET_RPS and u["ok_rps"] >= 0.98 * rate and p99 is not None and p99 <= TARGET_P99_MS,
                    "report": u})
    return out


def main(argv=None) -> int:
    from bench.common import machine, timestamp, write_result
    from bench.seed import seed
    from bench.stack import Stack, exit_on_sigterm
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--schools", type=int, default=50)
    p.add_argument("--per-school", type=int, default=400)
    p.add_argument("--no-bare", action="store_true", help="skip the bare nameko hop")
    client_args(p)
    args = p.parse_args(argv)
    kw = client_kwargs(args)
    exit_on_sigterm()
    with Stack() as stack:
        seeded = seed(stack.gateway_url, stack.admin_token(), schools=args.schools, per_school=args.per_school,
                      db_prefix=stack.db_prefix)
        out = run_load(stack, seeded, bare=not args.no_bare, **kw)
        if args.rate:
            runs = open_loop(stack, seeded, args.rate, **kw)
            out["open_loop"] = runs
            out["verdict"]["open_loop"] = [{k: r[k] for k in ("offered_rps", "ok_rps", "p99_ms", "kept_up", "met")}
                                           for r in runs]
        out["stack"] = stack.info()
    out = {"bench": "load", "at": timestamp(), "machine": machine(), "seed": seeded["stats"], **out}
    print(write_result("load", out))
    print(json.dumps(out["verdict"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
