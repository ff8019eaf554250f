"""Finance bench: a large ledger, the district roll-up and many concurrent posters.

    .venv/bin/python -m bench.finance_bench [--entries 100000 --schools 50 --per-school 2000
                                             --posters 50 --duration 60]

Starts the finance service alone (``python -m shared.cli serve finance --migrate``) on a fresh
RabbitMQ vhost and a fresh PostgreSQL database, and drives it by RPC (nameko's standalone proxy),
the way the gateway calls it; no gateway hop is included.

1. ``--entries`` posted entries in one school's ledger, bulk-loaded with a valid hash chain (the
   same ``chain_hash`` the service uses), then the year's income-and-expenditure report by RPC
   (target: at most 500 ms).
2. ``--schools`` - 1 more schools of ``--per-school`` entries each, then the district roll-up by
   RPC (target: at most 2 s).
3. ``--posters`` threads posting balanced entries by RPC into one school for ``--duration`` s;
   then: every acknowledged posting is in the ledger (none lost), no entry is unbalanced and the
   chain verifies.

Prints JSON and writes ``bench/results/finance.json``.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.pool import NullPool

from bench.common import RESULTS, machine
from shared import testing

YEAR = date.today().year
EXPENSES = ("5101", "5201", "5301", "5401", "5901")
INCOMES = ("4101", "4201", "4301", "4901")


def _lines(rng):
    amount = Decimal(rng.randint(100, 500000)) / 100
    if rng.random() < 0.4:
        return [("1002", amount, Decimal("0.00")), (rng.choice(INCOMES), Decimal("0.00"), amount)], "receipt"
    split = (amount / 3).quantize(Decimal("0.01"))
    return [(rng.choice(EXPENSES), split, Decimal("0.00")), (rng.choice(EXPENSES), amount - split, Decimal("0.00")),
            ("1002", Decimal("0.00"), amount)], "payment"


def bulk_load(engine, school: str, n: int, seed: int) -> float:
    """``n`` entries with a valid chain, inserted in batches (as if posted one by one)."""
    from services.finance.domain import ledger as L
    from services.finance.orm import ChainHead, Entry, EntryLine
    rng = random.Random(seed)
    t0 = time.perf_counter()
    prev, seq, batch = L.GENESIS, 0, 2000
    with engine.begin() as conn:
        head = conn.execute(select(ChainHead.seq, ChainHead.head).where(ChainHead.school == school)).first()
        if head:
            seq, prev = head
        while n > 0:
            k = min(batch, n)
            heads, all_lines = [], []
            for _ in range(k):
                seq += 1
                day = date(YEAR, rng.randint(1, 12), rng.randint(1, 28))
                lines, kind = _lines(rng)
                entry = L.Entry(school, day, kind, f"bench {seq}", tuple(L.Line(a, d, c) for a, d, c in lines),
                                posted_by="bench")
                digest = L.chain_hash(prev, entry, seq)
                heads.append(dict(school=school, seq=seq, period=entry.period, entry_date=day, kind=kind,
                                  memo=entry.memo, source=None, reverses_id=None, prev_hash=prev, hash=digest,
                                  posted_by="bench"))
                all_lines.append((entry.period, lines))
                prev = digest
            ids = conn.execute(insert(Entry.__table__).returning(Entry.__table__.c.id), heads).scalars().all()
            rows = [dict(school=school, entry_id=i, period=p, account=a, debit=d, credit=c, memo=None)
                    for i, (p, lines) in zip(ids, all_lines) for a, d, c in lines]
            conn.execute(insert(EntryLine.__table__), rows)
            n -= k
        if head:
            conn.execute(ChainHead.__table__.update().where(ChainHead.__table__.c.school == school)
                         .values(seq=seq, head=prev))
        else:
            conn.execute(insert(ChainHead.__table__).values(school=school, seq=seq, head=prev))
        conn.execute(text("ANALYZE entries; ANALYZE entry_lines"))
    return time.perf_counter() - t0


def rpc_proxy(amqp_uri, context, timeout=120):
    import shared.service  # noqa: F401  domain errors arrive as themselves
    from nameko.standalone.rpc import ClusterRpcProxy
    return ClusterRpcProxy({"AMQP_URI": amqp_uri}, context_data=context, timeout=timeout)


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - t0) * 1000)
    return result, {"runs": repeat, "min_ms": round(min(out), 1), "median_ms": round(statistics.median(out), 1),
                    "max_ms": round(max(out), 1)}


def posters(amqp_uri, school, n, duration):
    stop = time.monotonic() + duration
    acked, errors, latencies = [], [], []
    lock = threading.Lock()

    def work(i):
        rng = random.Random(i)
        ctx = {"school": school, "actor": f"poster{i}", "role": "finance_officer"}
        with rpc_proxy(amqp_uri, ctx, timeout=60) as proxy:
            while time.monotonic() < stop:
                lines, kind = _lines(rng)
                body = {"entry_date": date.today().isoformat(), "kind": kind, "memo": f"poster {i}",
                        "lines": [{"account": a, **({"debit": str(d)} if d else {"credit": str(c)})}
                                  for a, d, c in lines]}
                t0 = time.perf_counter()
                try:
                    got = proxy.finance.post_entry(school=school, data=body)
                    with lock:
                        acked.append(got["id"])
                        latencies.append((time.perf_counter() - t0) * 1000)
                except Exception as exc:  # counted, not hidden
                    with lock:
                        errors.append(type(exc).__name__ + ": " + str(exc)[:120])
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return acked, errors, latencies


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--schools", type=int, default=50)
    ap.add_argument("--per-school", type=int, default=2000)
    ap.add_argument("--posters", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60)
    args = ap.parse_args(argv)
    from shared import contracts
    contracts.load_all()
    prefix = f"uhbench_{uuid.uuid4().hex[:8]}_"
    vhost, amqp_uri = testing.create_vhost()
    data_dir = Path("/tmp") / f"finance-bench-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir()
    env = testing.stack_env(amqp_uri, data_dir=data_dir, database_url=testing.pg_server_url(), db_prefix=prefix)
    service = testing.ServiceProcess("finance", env, testing.free_port(), data_dir)
    result = {"bench": "finance", "machine": machine(), "args": vars(args),
              "path": "RPC to the finance service, no gateway hop"}
    try:
        service.start(timeout=120)
        from shared import settings
        engine = create_engine(settings.load(env).database_for("finance"), poolclass=NullPool)
        big = "BENCH-BIG"
        result["load_seconds_big"] = round(bulk_load(engine, big, args.entries, 1), 1)
        ctx = {"school": big, "actor": "bench", "role": "finance_officer"}
        with rpc_proxy(amqp_uri, ctx) as proxy:
            report, result["income_expenditure"] = timed(
                lambda: proxy.finance.income_expenditure(school=big, query={"year": YEAR}), 7)
            result["income_expenditure"]["target_ms"] = 500
            result["income_expenditure"]["total_expense"] = report["total_expense"]
        t0 = time.perf_counter()
        for i in range(1, args.schools):
            bulk_load(engine, f"BENCH-{i:03d}", args.per_school, 100 + i)
        result["load_seconds_district"] = round(time.perf_counter() - t0, 1)
        with rpc_proxy(amqp_uri, {"actor": "admin", "role": "district_admin"}) as proxy:
            roll, result["district_rollup"] = timed(lambda: proxy.finance.district_rollup(query={"year": YEAR}), 5)
            result["district_rollup"].update(target_ms=2000, schools=len(roll["schools"]))

        poster_school = "BENCH-POST"
        with engine.connect() as conn:
            before = conn.execute(text("SELECT count(*) FROM entries WHERE school = :s"), {"s": poster_school}).scalar()
        t0 = time.perf_counter()
        acked, errors, lat = posters(amqp_uri, poster_school, args.posters, args.duration)
        elapsed = time.perf_counter() - t0
        with engine.connect() as conn:
            stored = set(conn.execute(text("SELECT id FROM entries WHERE school = :s"), {"s": poster_school}).scalars())
            unbalanced = conn.execute(text(
                "SELECT count(*) FROM (SELECT entry_id FROM entry_lines WHERE school = :s GROUP BY entry_id "
                "HAVING sum(debit) <> sum(credit)) x"), {"s": poster_school}).scalar()
        with rpc_proxy(amqp_uri, {"school": poster_school, "actor": "bench", "role": "finance_officer"}) as proxy:
            chain = proxy.finance.verify_chain(school=poster_school)
        with rpc_proxy(amqp_uri, ctx, timeout=300) as proxy:
            big_chain, result["verify_big_chain"] = timed(lambda: proxy.finance.verify_chain(school=big), 1)
        result["concurrent_posting"] = {
            "posters": args.posters, "seconds": round(elapsed, 1), "acknowledged": len(acked),
            "per_second": round(len(acked) / elapsed, 1), "errors": len(errors), "error_samples": errors[:5],
            "stored": len(stored) - before, "lost": len(set(acked) - stored), "unbalanced_entries": unbalanced,
            "chain_valid": chain["valid"], "chain_entries": chain["entries"],
            "p50_ms": round(lat[len(lat) // 2], 1) if lat else None,
            "p95_ms": round(lat[int(len(lat) * 0.95)], 1) if lat else None}
        result["verify_big_chain"].update(valid=big_chain["valid"], entries=big_chain["entries"])
        engine.dispose()
    finally:
        service.stop()
        testing.drop_databases_with_prefix(prefix)
        testing.delete_vhost(vhost)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "finance.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
