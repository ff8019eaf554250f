"""Welfare bench (职工福利): the month's birthday list through the gateway with 20,000 members in
the district, and (once finance is merged) 1,000 payments checked against the caps and settled
with finance end to end.

    .venv/bin/python -m bench.welfare_bench                          # birthdays: 50 x 400 members
    .venv/bin/python -m bench.welfare_bench --schools 5 --per-school 100 --requests 300   # smoke
    .venv/bin/python -m bench.welfare_bench --settle                 # + payments settled with finance
    .venv/bin/python -m bench.welfare_bench --settle --skip-birthdays --schools 3 --per-school 400
    .venv/bin/python -m bench.welfare_bench --settle --fake-finance --skip-birthdays --schools 3   # no finance yet

Birthdays: after seeding (bench.seed: XLSX imports through the gateway) the bench waits until
welfare's member directory holds every member (membership events), then sends ``--requests``
GET /api/v1/schools/{school}/welfare/birthdays?month=M for random schools and months from
``--threads`` clients, and reports latency percentiles (target p95 <= 50 ms).

Settle (needs the finance service of the other engineer): ``--payments`` payments over the first
school's members, within the caps, sent as batches (POST .../welfare/payments/batch, ``--batch``
per call, two calls at a time) plus a few deliberately over a cap (refused, not counted); then
finance's GET /api/v1/schools/{school}/finance/requests?status=received&origin=welfare until all
are there, its batch approval POST .../finance/requests/approve {"request_ids": [...]}, and
welfare's payment list until every payment shows approved (or paid). Reported: end-to-end
seconds from the first request to the last approval seen in welfare (target <= 10 s), and that
none is lost. Results: JSON on stdout and bench/results/welfare.json.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench.common import RESULTS, latency_summary, machine, timestamp, write_result


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def wait_directory(base: str, admin_token: str, expected: int, timeout: float = 900.0) -> float:
    """Seconds until welfare's directory (district spending view) counts ``expected`` members."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        r = requests.get(f"{base}/api/v1/district/welfare/spending", headers=_auth(admin_token), timeout=30)
        if r.status_code == 200 and sum(s["members"] for s in r.json()["schools"]) >= expected:
            return round(time.monotonic() - t0, 1)
        time.sleep(2.0)
    raise RuntimeError(f"welfare's directory did not reach {expected} members in {timeout}s")


def bench_birthdays(base: str, schools: list[dict], requests_n: int, threads: int, seed: int = 7,
                    path: str = "/welfare/birthdays") -> dict:
    rng = random.Random(seed)
    plan = [(rng.choice(schools), rng.randint(1, 12)) for _ in range(requests_n)]
    warm = plan[: max(10, requests_n // 20)]
    sizes: list[int] = []
    errors: list[int] = []

    def one(item):
        school, month = item
        session = sessions[school["code"]]
        t0 = time.perf_counter()
        r = session.get(f"{base}/api/v1/schools/{school['code']}{path}", params={"month": month}, timeout=30)
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            errors.append(r.status_code)
        else:
            sizes.append(r.json()["total"])
        return ms

    sessions = {}
    for s in schools:
        http = requests.Session()
        http.headers.update(_auth(s["token"]))
        sessions[s["code"]] = http
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, warm))
        sizes.clear()
        t0 = time.perf_counter()
        latencies = list(pool.map(one, plan))
        wall = time.perf_counter() - t0
    return {"requests": requests_n, "threads": threads, "errors": len(errors), "wall_s": round(wall, 2),
            "per_s": round(requests_n / wall, 1), "list_size_mean": round(sum(sizes) / len(sizes), 1) if sizes else None,
            **latency_summary(latencies), "target_p95_ms": 50}


def _payment_items(member_ids: list[int], n: int) -> list[dict]:
    """``n`` payments within the caps (holiday gifts of 100 yuan, at most 15 a member a year, then
    hospitalisation visits of 500), spread over the members."""
    items = []
    for i in range(n):
        member = member_ids[i % len(member_ids)]
        if (i // len(member_ids)) < 15:
            items.append({"member_id": member, "kind": "holiday_gift", "form": "goods", "amount": "100.00",
                          "purpose": f"节日慰问品 {i}"})
        else:
            items.append({"member_id": member, "kind": "hospitalisation", "form": "transfer", "amount": "500.00",
                          "purpose": f"住院慰问 {i}"})
    return items


def _finance_received(http, base, code) -> list[str]:
    ids, page = [], 1
    while True:
        r = http.get(f"{base}/api/v1/schools/{code}/finance/requests",
                     params={"status": "received", "origin": "welfare", "page": page, "page_size": 500}, timeout=30)
        r.raise_for_status()
        body = r.json()
        items = body["items"] if isinstance(body, dict) else body
        ids += [i["request_id"] for i in items]
        if not isinstance(body, dict) or not items or len(ids) >= body.get("total", len(ids)):
            return ids
        page += 1


def _welfare_counts(http, base, code) -> dict:
    out = {}
    for status in ("pending", "received", "approved", "rejected", "paid"):
        r = http.get(f"{base}/api/v1/schools/{code}/welfare/payments", params={"status": status, "page_size": 1},
                     timeout=30)
        r.raise_for_status()
        out[status] = r.json()["total"]
    return out


class FakeFinance:
    """The bench playing finance on the stack's broker (``--fake-finance``, before finance is
    merged): it reads ``welfare.payment_requested`` and answers ``approved`` for each."""

    def __init__(self, amqp_uri: str):
        from kombu import Connection, Exchange, Queue
        self.amqp_uri = amqp_uri
        self.queue = Queue("bench-fake-finance", Exchange("welfare.events", "topic", durable=True),
                           routing_key="payment_requested", durable=False, auto_delete=False)
        with Connection(amqp_uri) as conn:
            self.queue(conn.channel()).declare()

    def approve_all(self, request_ids: set[str], deadline: float) -> set[str]:
        from kombu import Connection
        from shared import contracts
        contracts.load_all()
        answered: set[str] = set()
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            channel = conn.channel()
            producer = conn.Producer(channel)
            while answered < request_ids and time.monotonic() < deadline:
                message = channel.basic_get(self.queue.name, no_ack=True)
                if message is None:
                    time.sleep(0.02)
                    continue
                payload = json.loads(message.body)["payload"]
                answer = {"request_id": payload["request_id"], "origin": "welfare", "school": payload["school"],
                          "status": "approved", "amount": payload["amount"], "budget_category": payload["budget_category"],
                          "reason": None, "reason_code": None, "approval_level": "finance_officer",
                          "decided_by": "bench", "entry_id": None, "at": "2026-11-22T10:00:00+00:00"}
                env = contracts.make_envelope("finance.spending_request_updated", answer, school=payload["school"],
                                              actor="bench")
                producer.publish(json.dumps(env), exchange="finance.events", routing_key="spending_request_updated",
                                 content_type="application/json", delivery_mode=2,
                                 headers={"nameko.school": payload["school"]})
                answered.add(payload["request_id"])
        return answered


def bench_settle(base: str, school: dict, payments: int, batch: int, timeout: float = 120.0,
                 fake_finance: "FakeFinance | None" = None) -> dict:
    """1,000 payments checked against the caps, requested from finance, approved in finance's
    batch route (or by ``fake_finance`` on the broker), and seen approved in welfare."""
    code = school["code"]
    http = requests.Session()
    http.headers.update(_auth(school["token"]))
    items = _payment_items(school["member_ids"], payments)
    over = [{"member_id": school["member_ids"][0], "kind": "wedding", "form": "goods", "amount": "600.01",
             "purpose": "超标测试"} for _ in range(5)]
    chunks = [items[i:i + batch] for i in range(0, len(items), batch)]
    chunks[0] = chunks[0] + over
    if fake_finance is None:
        # the school's budget (set before the clock starts): without one, finance answers every
        # request "rejected, over budget" and nothing is left to approve
        year = time.gmtime().tm_year
        r = http.put(f"{base}/api/v1/schools/{code}/finance/budgets/{year}", timeout=60, json={"items": [
            {"category": "staff_activities", "amount": "9000000.00"},
            {"category": "rights_welfare", "amount": "9000000.00"}]})
        r.raise_for_status()
    t0 = time.perf_counter()

    def send(chunk):
        r = http.post(f"{base}/api/v1/schools/{code}/welfare/payments/batch", json={"payments": chunk}, timeout=120)
        r.raise_for_status()
        return r.json()
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, chunks))
    requested_s = time.perf_counter() - t0
    accepted = sum(a["accepted"] for a in answers)
    refused = sum(a["refused"] for a in answers)
    request_ids = {i["payment"]["request_id"] for a in answers for i in a["items"] if i["accepted"]}

    approved_ids: set[str] = set()
    deadline = time.monotonic() + timeout
    if fake_finance is not None:
        approved_ids = fake_finance.approve_all(request_ids, deadline)
    while time.monotonic() < deadline and approved_ids < request_ids:
        received = [rid for rid in _finance_received(http, base, code) if rid in request_ids and rid not in approved_ids]
        for i in range(0, len(received), 200):   # the batch route takes at most 200
            r = http.post(f"{base}/api/v1/schools/{code}/finance/requests/approve",
                          json={"request_ids": received[i:i + 200]}, timeout=60)
            r.raise_for_status()
            approved_ids.update(received[i:i + 200])
        if approved_ids < request_ids:
            time.sleep(0.1)
    approved_in_finance_s = time.perf_counter() - t0
    counts = {}
    while time.monotonic() < deadline:
        counts = _welfare_counts(http, base, code)
        if counts["approved"] + counts["paid"] >= accepted:
            break
        time.sleep(0.1)
    end_to_end = time.perf_counter() - t0
    return {"finance": "fake (the bench on the broker)" if fake_finance else "finance service",
            "payments": payments, "accepted": accepted, "refused_over_cap": refused, "batch": batch,
            "requested_s": round(requested_s, 2), "approved_in_finance_s": round(approved_in_finance_s, 2),
            "end_to_end_s": round(end_to_end, 2), "welfare_status_counts": counts,
            "lost": accepted - (counts.get("approved", 0) + counts.get("paid", 0)), "target_s": 10}


def main(argv=None) -> int:
    from bench.seed import seed
    from bench.stack import Stack, exit_on_sigterm
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--schools", type=int, default=50)
    p.add_argument("--per-school", type=int, default=400)
    p.add_argument("--requests", type=int, default=2000, help="birthday-list requests measured")
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--settle", action="store_true", help="also the payments settled with finance (needs finance)")
    p.add_argument("--fake-finance", action="store_true",
                   help="with --settle: the bench answers for finance on the broker (before finance is merged)")
    p.add_argument("--skip-birthdays", action="store_true")
    p.add_argument("--payments", type=int, default=1000)
    p.add_argument("--batch", type=int, default=250)
    args = p.parse_args(argv)
    exit_on_sigterm()
    out = {"bench": "welfare", "at": timestamp(), "machine": machine()}
    with Stack() as stack:
        seeded = seed(stack.gateway_url, stack.admin_token(), schools=args.schools, per_school=args.per_school,
                      db_prefix=stack.db_prefix)
        out["seed"] = seeded["stats"]
        members = seeded["stats"]["members"]
        out["directory_wait_s"] = wait_directory(stack.gateway_url, stack.admin_token(), members)
        out["quiet"] = stack.wait_quiet(timeout=300)
        if not args.skip_birthdays:
            out["birthdays"] = bench_birthdays(stack.gateway_url, seeded["schools"], args.requests, args.threads)
            out["birthdays_sequential"] = bench_birthdays(stack.gateway_url, seeded["schools"], args.requests // 2, 1)
            # the same list from membership (also an RPC), under the same load: a yardstick
            out["baseline_membership_birthdays"] = bench_birthdays(stack.gateway_url, seeded["schools"],
                                                                   args.requests // 2, args.threads, path="/birthdays")
        if args.settle:
            fake = FakeFinance(stack.amqp_uri) if args.fake_finance else None
            out["settle"] = bench_settle(stack.gateway_url, seeded["schools"][0], args.payments, args.batch,
                                         fake_finance=fake)
    write_result("welfare", out, RESULTS / "welfare.json")
    print(json.dumps(out, indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
