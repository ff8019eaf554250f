"""Everything in one isolated stack: seed, mixed load (+ bare nameko hop), bulk import.

Writes bench/results/<timestamp>.json and prints a summary. Exit code 0 when every phase ran
(targets met or not); 2 when a phase failed (its error is in the JSON).

    python -m bench.run_all                                         # full scale
    python -m bench.run_all --schools 5 --per-school 100 --duration 10 --warmup 2 --import-rows 2000
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback

from bench.common import RESULTS, machine, timestamp, write_result
from bench.import_bench import run_import
from bench.load import client_args, client_kwargs, open_loop, run_load
from bench.seed import seed
from bench.stack import Stack, exit_on_sigterm, passthrough_env


def _phase(out: dict, name: str, fn):
    t0 = time.perf_counter()
    try:
        out[name] = fn()
        return out[name]
    except Exception as exc:  # keep going to teardown; the JSON says what broke
        out.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
        return None
    finally:
        out.setdefault("phase_seconds", {})[name] = round(time.perf_counter() - t0, 1)


def summary(out: dict) -> str:
    lines = [f"UnionHub bench {out['at']} ({out['machine']['cpus']} cores)"]
    if s := out.get("seed_stats"):
        lines.append(f"  seed    {s['schools']} schools x {s['per_school']} = {s['members']} members in {s['wall_s']} s "
                     f"({s['members_per_s']}/s; import median {s['import_s_median']} s)")
    if ld := out.get("load"):
        u, v = ld["unionhub"], ld["verdict"]
        lines.append(f"  load    {u['ok_rps']} ok req/s (c={u['concurrency']}, {u['duration_s']} s), latency p50/p95/p99/max "
                     f"{u['latency_ms']['p50_ms']}/{u['latency_ms']['p95_ms']}/{u['latency_ms']['p99_ms']}/"
                     f"{u['latency_ms']['max_ms']} ms, errors {u['errors_by_status'] or 0}")
        for k, pk in u["per_kind"].items():
            lines.append(f"          {k:6s} {pk['rps']:7.1f} req/s  p50 {pk['p50_ms']} p99 {pk['p99_ms']} ms"
                         f"  errors {pk['errors_by_status'] or 0}")
        lines.append(f"          cpu % of one core: {u['cpu']['percent_of_one_core']}, unattributed "
                     f"{u['cpu']['unattributed_percent_of_one_core']} (machine split {u['cpu']['machine_split_percent_of_one_core']})")
        if b := ld.get("bare_hop"):
            lines.append(f"  bare    {b['ok_rps']} ok req/s, p99 {b['latency_ms']['p99_ms']} ms; unionhub/bare = "
                         f"{v.get('ratio_unionhub_over_bare')}")
        # a closed loop runs at saturation: it gives the capacity; its p99 is the queue of 32
        # clients waiting on each other, not the latency of serving a given rate
        lines.append(f"  closed  capacity >= {v['target_rps']:.0f} req/s: {'yes' if v['rps_met'] else 'NO'}; "
                     f"p99 at saturation {'<=' if v['p99_met'] else '>'} {v['target_p99_ms']:.0f} ms")
    runs = out.get("open_loop") or ()
    for run in runs:
        lines.append(f"  open    offered {run['offered_rps']:g} req/s: served {run['ok_rps']} ok req/s, p99 {run['p99_ms']} ms"
                     f" ({'kept up' if run['kept_up'] else 'fell behind'}; target {'MET' if run['met'] else 'not met'})")
    if ld := out.get("load"):
        v = ld["verdict"]
        met = ", ".join(f"{r['offered_rps']:g}" for r in runs if r["met"])
        tried = any(r["offered_rps"] >= v["target_rps"] for r in runs)
        verdict = f"MET at {met} req/s" if met else "NOT MET" if tried else "not measured (add --rate 1000)"
        lines.append(f"  target  {v['target_rps']:.0f} req/s served with p99 <= {v['target_p99_ms']:.0f} ms "
                     f"(open loop): {verdict}")
    if im := out.get("import"):
        lines.append(f"  import  {im['rows_in_file']} rows: HTTP {im['http_status']} in {im['import_http_s']} s, "
                     f"imported {im['rows_imported']}, events {im['events_counted']} all delivered at "
                     f"{im['all_events_delivered_s']} s, outbox pending {im['outbox_pending_after']}; target <= "
                     f"{im['target_s']:.0f} s: {'MET' if im['target_met'] else 'NOT MET'}")
    for name, err in out.get("errors", {}).items():
        lines.append(f"  ERROR in {name}: {err}")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--schools", type=int, default=50)
    p.add_argument("--per-school", type=int, default=400)
    p.add_argument("--import-rows", type=int, default=20000)
    p.add_argument("--import-wait", type=float, default=300.0)
    p.add_argument("--no-bare", action="store_true")
    p.add_argument("--skip-load", action="store_true")
    p.add_argument("--skip-import", action="store_true")
    client_args(p)
    args = p.parse_args(argv)
    kw = client_kwargs(args)
    if not (1 <= args.schools <= 500 and 1 <= args.per_school <= 5000 and 1 <= args.import_rows <= 50000):
        raise SystemExit("schools 1-500, per-school 1-5000, import-rows 1-50000")
    at = timestamp()
    out: dict = {"bench": "run_all", "at": at, "machine": machine(), "tuning_env": passthrough_env(),
                 "args": vars(args)}
    exit_on_sigterm()
    stack = Stack()
    try:
        _phase(out, "stack", lambda: (stack.start(), stack.info())[1])
        if "stack" not in out.get("errors", {}):
            seeded = _phase(out, "seed", lambda: seed(stack.gateway_url, stack.admin_token(), schools=args.schools,
                                                      per_school=args.per_school, db_prefix=stack.db_prefix))
            if seeded:
                out["seed_stats"] = out.pop("seed")["stats"]
                if not args.skip_load:
                    _phase(out, "load", lambda: run_load(stack, seeded, bare=not args.no_bare, **kw))
                    if args.rate:
                        _phase(out, "open_loop", lambda: open_loop(stack, seeded, args.rate, **kw))
            if not args.skip_import:
                _phase(out, "import", lambda: run_import(stack, rows=args.import_rows, wait_s=args.import_wait))
            out["stack_log_tail"] = stack.tail_log(2000) if out.get("errors") else None
    finally:
        stack.stop(keep_logs=True if out.get("errors") else None)
    path = write_result("", out, RESULTS / f"{at}.json")
    print(summary(out))
    print(path)
    return 2 if out.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
