"""Congress bench: one secret-ballot poll with 2,000 delegates all casting at once through the
gateway. Checks every ballot is accepted exactly once (none lost, none doubled; a second wave of
duplicates is refused), measures ballots/s, and the time from close to tally and bulletin.

    .venv/bin/python -m bench.congress_bench [--delegates 2000 --processes 2 --threads 32]

Tokens for the delegates are minted with the stack's own signing key (as the gateway would issue
them at login) instead of 2,000 Argon2 logins; everything else goes through the gateway.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import threading
import time
from datetime import date

import requests

from bench.common import histogram_means, latency_summary, machine, scrape_processes, timestamp, write_result
from bench.seed import seed
from bench.stack import Stack
from shared import testing
from shared.settings import SERVICE_PORTS

CHOICES = ("yes",) * 6 + ("no",) * 3 + ("abstain",)


def _say(text: str) -> None:
    print(f"[congress-bench] {text}", file=sys.stderr, flush=True)


def choice_of(i: int) -> str:
    return CHOICES[i % len(CHOICES)]


def _caster(host, port, path, jobs, go, out_q):
    """One process: threads that each send their share of ballots on one keep-alive connection."""
    results, lock = [], threading.Lock()

    from bench.httpclient import Connection

    def run(share):
        conn = Connection(host, port, timeout=60)
        mine = []
        for i, token in share:
            body = json.dumps({"choice": choice_of(i)}).encode()
            t0 = time.perf_counter()
            try:
                status, data = conn.request("POST", path, body=body, headers={"Authorization": f"Bearer {token}",
                                                                              "Content-Type": "application/json"})
            except Exception as exc:
                status, data = f"exc:{type(exc).__name__}", b""
                conn.close()
            receipt = json.loads(data)["receipt"] if status == 201 else None
            mine.append((i, status, (time.perf_counter() - t0) * 1000.0, receipt, time.time()))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=run, args=(share,)) for share in jobs]
    go.wait()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out_q.put(results)


def cast_all(base_url, path, tokens: list[tuple[int, str]], processes: int, threads: int) -> dict:
    host, port = base_url.split("//", 1)[1].split(":")
    ctx = mp.get_context("fork")
    go, out_q = ctx.Event(), ctx.Queue()
    per_proc = [tokens[p::processes] for p in range(processes)]
    procs = []
    for chunk in per_proc:
        jobs = [chunk[t::threads] for t in range(threads)]
        proc = ctx.Process(target=_caster, args=(host, int(port), path, jobs, go, out_q))
        proc.start()
        procs.append(proc)
    time.sleep(1.0)
    t0 = time.time()
    go.set()
    results = []
    for _ in procs:
        results += out_q.get(timeout=600)
    for proc in procs:
        proc.join(timeout=30)
    wall = max(r[4] for r in results) - t0
    return {"results": results, "wall_s": wall}


def run(delegates: int, processes: int, threads: int, with_bare: bool = True, extra_congress: int = 0) -> dict:
    ports = {name: testing.free_port() for name in SERVICE_PORTS if name not in ("gateway", "membership")}
    stack = Stack(extra_env={f"UNIONHUB_PORT_{n.upper()}": str(p) for n, p in ports.items()}).start()
    extras = []
    try:
        for _ in range(extra_congress):   # scale out: more congress processes as competing consumers
            extra = testing.ServiceProcess("congress", dict(stack.env), testing.free_port(), stack.log_dir)
            extras.append(extra.start())
        base = stack.gateway_url
        _say(f"seeding one school with {delegates} members")
        seeded = seed(base, stack.admin_token(), schools=1, per_school=delegates, concurrency=1)["schools"][0]
        code, members = seeded["code"], seeded["member_ids"][:delegates]
        chair = requests.Session()
        chair.headers["Authorization"] = f"Bearer {seeded['token']}"
        api = f"{base}/api/v1/schools/{code}/congress"

        t0 = time.perf_counter()
        for _ in range(600):   # the members are still on their way to the congress directory: retry
            r = chair.post(f"{api}/delegates/bulk", json={"term_no": 1, "member_ids": members}, timeout=120)
            if r.status_code == 201:
                break
            time.sleep(0.5)
        r.raise_for_status()
        _say(f"{delegates} delegates registered in {time.perf_counter() - t0:.1f}s")
        s = chair.post(f"{api}/sessions", json={"term_no": 1, "session_no": 1,
                                                "sitting_dates": [date.today().isoformat()]}).json()
        chair.post(f"{api}/sessions/{s['id']}/convene").raise_for_status()
        sitting = s["sittings"][0]["id"]
        chair.post(f"{api}/sessions/{s['id']}/sittings/{sitting}/check-ins", json={"member_ids": members},
                   timeout=120).raise_for_status()
        motion = chair.post(f"{api}/sessions/{s['id']}/motions", json={"title": "审议《奖励性绩效工资分配方案》"}).json()
        t0 = time.perf_counter()
        opened = chair.post(f"{api}/polls/{motion['id']}/open", json={})
        opened.raise_for_status()
        open_s = time.perf_counter() - t0

        from services.gateway.auth import Principal, issue_token
        secret = stack.env["UNIONHUB_SECRET_KEY"]
        tokens = [(i, issue_token(Principal(f"bench-delegate-{m}", "delegate", code, m), secret, 3600))
                  for i, m in enumerate(members)]
        path = f"/api/v1/schools/{code}/congress/polls/{motion['id']}/ballots"
        _say(f"casting {delegates} ballots at once ({processes} processes x {threads} threads)")
        congress_metrics = f"http://127.0.0.1:{ports['congress']}/metrics"
        gateway_procs = int(stack.env.get("UNIONHUB_GATEWAY_PROCESSES", "2"))
        before = {"congress": scrape_processes(congress_metrics),
                  "gateway": scrape_processes(f"{base}/metrics", gateway_procs)}
        wave = cast_all(base, path, tokens, processes, threads)
        after = {"congress": scrape_processes(congress_metrics),
                 "gateway": scrape_processes(f"{base}/metrics", gateway_procs)}
        server_side = {
            "congress_rpc": histogram_means(before["congress"], after["congress"], "unionhub_rpc_duration_seconds",
                                            ("entrypoint", "outcome")),
            "gateway_http": histogram_means(before["gateway"], after["gateway"],
                                            "unionhub_http_request_duration_seconds", ("route", "status"))}
        _say(f"server side: {server_side}")
        statuses = {}
        for _, status, *_ in wave["results"]:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        receipts = {i: r for i, status, _, r, _ in wave["results"] if status == 201}
        _say(f"first wave: {statuses} in {wave['wall_s']:.2f}s")
        dupes = cast_all(base, path, tokens[: min(400, delegates)], processes, min(threads, 16))
        dupe_statuses = {}
        for _, status, *_ in dupes["results"]:
            dupe_statuses[str(status)] = dupe_statuses.get(str(status), 0) + 1

        t0 = time.perf_counter()
        closed = chair.post(f"{api}/polls/{motion['id']}/close")
        close_s = time.perf_counter() - t0
        closed.raise_for_status()
        t1 = time.perf_counter()
        board = chair.get(f"{api}/polls/{motion['id']}/bulletin")
        bulletin_s = time.perf_counter() - t1
        board.raise_for_status()
        items = board.json()["items"]
        result = closed.json()["result"]
        expected = {c: sum(1 for i in receipts if choice_of(i) == c) for c in ("yes", "no", "abstain")}
        on_board = {i["receipt"]: i["choice"] for i in items}
        checks = {
            "every_ballot_accepted_once": statuses == {"201": delegates},
            "duplicates_refused": dupe_statuses == {"409": len(dupes["results"])},
            "bulletin_has_every_receipt_with_its_choice": all(on_board.get(r) == choice_of(i)
                                                              for i, r in receipts.items()),
            "bulletin_total": len(items) == delegates,
            "tally_matches": {k: result[k] for k in ("yes", "no", "abstain")} == expected,
        }
        lat = sorted(r[2] for r in wave["results"])
        bare = None
        if with_bare:
            from bench.load import run_bare
            _say("measuring the bare nameko gateway->RPC hop with the same client, for comparison")
            floor = run_bare(stack, stack.log_dir, processes=processes, threads=threads, duration=15, warmup=3)
            bare = {"ok_rps": floor["ok_rps"], "latency_ms": floor["latency_ms"]}
        return {
            "bench": "congress", "at": timestamp(), "machine": machine(),
            "delegates": delegates, "client": {"processes": processes, "threads": threads},
            "congress_processes": 1 + extra_congress,
            "open_poll_s": round(open_s, 3),
            "cast": {"wall_s": round(wave["wall_s"], 3), "ballots_per_s": round(delegates / wave["wall_s"], 1),
                     "statuses": statuses, "latency_ms": latency_summary(lat)},
            "server_side_means": server_side,
            "duplicates": {"sent": len(dupes["results"]), "statuses": dupe_statuses},
            "close_to_tally_s": round(close_s, 3), "bulletin_fetch_s": round(bulletin_s, 3),
            "tally_and_bulletin_s": round(close_s + bulletin_s, 3),
            "result": {k: result[k] for k in ("yes", "no", "abstain", "required", "adopted")},
            "checks": checks, "ok": all(checks.values()),
            "bare_hop_floor": bare,
        }
    finally:
        for extra in extras:
            extra.stop()
        stack.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-hop floor measurement")
    parser.add_argument("--extra-congress", type=int, default=0,
                        help="extra congress service processes (competing consumers)")
    args = parser.parse_args(argv)
    out = run(args.delegates, args.processes, args.threads, not args.no_bare, args.extra_congress)
    from bench.common import RESULTS
    path = write_result("congress", out, RESULTS / "congress.json")
    print(json.dumps(out, ensure_ascii=False, indent=2))
    _say(f"written to {path}")
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
