"""The congress service on the real RabbitMQ and PostgreSQL: delegates follow membership events,
a finance audit report becomes a motion whose decision goes back on the bus, and the secrecy
proof: after a poll, every table row, log line and event is dumped and no voter can be linked
to a choice."""
from __future__ import annotations

import json
import re
import uuid
from datetime import date

import pytest
from kombu import Connection, Exchange, Queue
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from shared import contracts, testing
from shared.jsonutil import dumps

from .support import MembershipDb, Service, pg_url, publish_raw, rpc

pytestmark = pytest.mark.integration
OFFICER = "congress_officer"


class Tap:
    """A queue of our own bound to every congress event, to read what the service published."""

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.name = f"tap-congress-{uuid.uuid4().hex[:6]}"
        self.conn = Connection(amqp_uri, connect_timeout=5)
        channel = self.conn.channel()
        exchange = Exchange("congress.events", "topic", durable=True)
        exchange(channel).declare()
        self.queue = Queue(self.name, exchange=exchange, routing_key="#", durable=False, auto_delete=False)
        self.queue(channel).declare()
        self.channel = channel
        self.seen: list[dict] = []

    def drain(self) -> list[dict]:
        while True:
            message = self.channel.basic_get(self.name, no_ack=True)
            if message is None:
                return self.seen
            self.seen.append(json.loads(message.body))

    def wait_for(self, type_: str, where=lambda p: True, timeout: float = 30.0) -> dict:
        return testing.wait_for(lambda: next((e for e in self.drain() if e["type"] == type_ and where(e["payload"])),
                                             None), timeout, interval=0.2, what=f"event {type_}")

    def close(self):
        self.channel.queue_delete(self.name)
        self.conn.close()


@pytest.fixture(scope="module")
def world(amqp_uri, module_db_prefix, module_tmp):
    contracts.load_all()
    membership = MembershipDb(amqp_uri, module_db_prefix, module_tmp)
    tap = Tap(amqp_uri)
    congress = Service("congress", membership.env, testing.free_port(), module_tmp).start()
    engine = create_engine(pg_url(f"{module_db_prefix}congress"), poolclass=NullPool)
    try:
        yield {"membership": membership, "congress": congress, "engine": engine, "tap": tap, "amqp": amqp_uri}
    finally:
        congress.stop()
        tap.close()
        engine.dispose()
        membership.close()


def call(world, method, school, *, role=OFFICER, member_id=None, **kwargs):
    context = {"school": school, "actor": f"{role}-{member_id or 'x'}", "role": role}
    if member_id is not None:
        context["member_id"] = member_id
    return rpc(world["amqp"], "congress", method, context=context, school=school, **kwargs)


def school_with_delegates(world, n: int, *, group_of=lambda i: None) -> tuple[str, list[int]]:
    membership = world["membership"]
    school = f"S{uuid.uuid4().hex[:8]}"
    membership.create_school(school)
    ids = [membership.admit(school, f"代表{i}")[0]["id"] for i in range(n)]
    membership.relay_until_drained()

    def arrived():
        with world["engine"].connect() as conn:
            return conn.execute(text("SELECT count(*) FROM directory_members WHERE school = :s"),
                                {"s": school}).scalar() == n
    testing.wait_for(arrived, 60, interval=0.2, what="members to reach the congress directory")
    for m in ids:
        call(world, "add_delegate", school, data={"member_id": m, "term_no": 3})
    return school, ids


def convened(world, school, ids, session_no=1):
    s = call(world, "create_session", school, data={"term_no": 3, "session_no": session_no,
                                                     "sitting_dates": [date.today().isoformat()]})
    call(world, "convene_session", school, session_id=s["id"])
    for m in ids:
        call(world, "check_in", school, session_id=s["id"], sitting_id=s["sittings"][0]["id"],
             data={"member_id": m})
    return s


def dump(engine) -> dict:
    """Every row of every table, in physical order, with PostgreSQL's row-version column xmin."""
    out = {}
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT xmin::text AS _xmin, * FROM "{table}" ORDER BY ctid')).mappings()
            out[table] = [dict(r) for r in rows]
    return out


def without_xmin(tables: dict) -> dict:
    return {t: [{k: v for k, v in r.items() if k != "_xmin"} for r in rows] for t, rows in tables.items()}


def test_a_delegate_who_leaves_the_union_leaves_a_vacancy_by_event(world):
    from services.membership import members
    school, ids = school_with_delegates(world, 3)
    with world["membership"].unit_of_work(school) as uow:
        members.leave(uow, school, ids[0], "resigned", None, date.today())
    world["membership"].relay_until_drained()
    vacated = world["tap"].wait_for("congress.delegate_vacated", lambda p: p["member_id"] == ids[0])
    assert vacated["payload"]["reason"] == "left" and vacated["school"] == school
    listing = call(world, "list_delegates", school, query={"term_no": 3})
    assert listing["active"] == 2 and listing["vacancies"] == 1


def test_a_delegate_follows_a_rename_and_a_retirement_by_event_and_the_retiree_leaves_a_vacancy(world):
    from services.membership import members
    school, ids = school_with_delegates(world, 3)
    with world["membership"].unit_of_work(school) as uow:
        members.update(uow, school, ids[1], {"name": "王晓明"})
    with world["membership"].unit_of_work(school) as uow:
        members.retire(uow, school, ids[2], date.today())
    world["membership"].relay_until_drained()
    vacated = world["tap"].wait_for("congress.delegate_vacated", lambda p: p["member_id"] == ids[2])
    assert vacated["payload"]["reason"] == "retired"

    def renamed():
        items = call(world, "list_delegates", school, query={"term_no": 3})["items"]
        return [d for d in items if d["member_id"] == ids[1] and d["name"] == "王晓明"] or None
    testing.wait_for(renamed, 30, interval=0.2, what="the rename to reach the delegate list")
    listing = call(world, "list_delegates", school, query={"term_no": 3})
    assert listing["active"] == 2 and listing["vacancies"] == 1


def test_an_audit_report_from_finance_becomes_a_motion_whose_decision_goes_back_to_finance(world):
    school, ids = school_with_delegates(world, 6)
    s = convened(world, school, ids)
    envelope = contracts.make_envelope("finance.audit_report_submitted", {
        "audit_id": 4242, "school": school, "year": 2026, "title": "2026年度工会经费审查报告",
        "summary": "收支合规", "findings": 1, "submitted_on": date.today().isoformat()}, school=school,
        actor="finance-fake")
    for _ in range(2):   # a redelivered event adds nothing
        publish_raw(world["amqp"], "finance.events", "audit_report_submitted", dumps(envelope).encode())

    def motion():
        items = call(world, "list_polls", school, session_id=s["id"])["items"]
        return [p for p in items if p["audit_id"] == 4242] or None
    [poll] = testing.wait_for(motion, 30, interval=0.2, what="the audit report to become a motion")
    agenda = call(world, "get_session", school, session_id=s["id"])["agenda"]
    assert [a["title"] for a in agenda if a["audit_id"] == 4242] == ["审议经费审查报告：2026年度工会经费审查报告"]
    call(world, "open_poll", school, poll_id=poll["id"], data={})
    for m in ids:
        call(world, "cast_ballot", school, role="delegate", member_id=m, poll_id=poll["id"],
             data={"choice": "yes" if m != ids[0] else "no"})
    call(world, "close_poll", school, poll_id=poll["id"])
    decided = world["tap"].wait_for("congress.audit_report_decided", lambda p: p["audit_id"] == 4242)
    assert decided["payload"] == {"audit_id": 4242, "school": school, "decision": "approved", "session_id": s["id"],
                                  "motion_id": poll["id"], "yes": 5, "no": 1, "abstain": 0,
                                  "decided_on": date.today().isoformat()}


def test_no_table_log_line_or_event_of_a_poll_links_a_voter_to_a_choice(world):
    school, ids = school_with_delegates(world, 12, group_of=lambda i: None)
    s = convened(world, school, ids, session_no=2)
    poll = call(world, "create_motion", school, session_id=s["id"], data={"title": "审议《教职工考核方案》"})
    call(world, "open_poll", school, poll_id=poll["id"], data={})
    world["tap"].wait_for("congress.poll_opened", lambda p: p["poll_id"] == poll["id"])    # counts only
    events_before = len(world["tap"].seen)
    log_path = world["congress"].log_path
    log_offset = log_path.stat().st_size
    before = dump(world["engine"])

    choices = {m: ("yes", "no", "abstain")[i % 3] for i, m in enumerate(ids)}
    receipts = {}
    for m in ids:                                   # known order: the order must leave no trace
        receipts[m] = call(world, "cast_ballot", school, role="delegate", member_id=m, poll_id=poll["id"],
                           data={"choice": choices[m]})["receipt"]
    during = dump(world["engine"])
    closed = call(world, "close_poll", school, poll_id=poll["id"])
    after = dump(world["engine"])
    world["tap"].wait_for("congress.motion_decided", lambda p: p["poll_id"] == poll["id"])
    events = world["tap"].drain()[events_before:]
    log = log_path.read_text(errors="replace")[log_offset:]

    # 1. casting touched only "who voted" and "ballots": no counter, timestamp or outbox row elsewhere
    changed = {t for t in before if without_xmin({t: before[t]}) != without_xmin({t: during[t]})}
    assert changed == {"poll_voters", "ballots"}
    # 2. those two tables share no column but the poll and the school
    assert set(during["ballots"][0]) - {"_xmin"} == {"school", "poll_id", "receipt", "choice", "bucket"}
    assert set(during["poll_voters"][0]) - {"_xmin"} == {"school", "poll_id", "member_id"}
    # 3. after close the ballots are stored in receipt order and rewritten by the closing transaction:
    #    neither their order nor their row versions say who cast which
    stored = [r["receipt"] for r in after["ballots"] if r["poll_id"] == poll["id"]]
    assert stored == sorted(receipts.values())
    ballot_xmins = {r["_xmin"] for r in after["ballots"] if r["poll_id"] == poll["id"]}
    voter_xmins = {r["_xmin"] for r in after["poll_voters"] if r["poll_id"] == poll["id"]}
    assert len(ballot_xmins) == 1 and not ballot_xmins & voter_xmins
    # 4. no stored row anywhere holds a receipt together with a member id, or a member id with a choice
    for table, rows in after.items():
        for row in rows:
            values = {str(v) for v in row.values()}
            if any(r in values for r in receipts.values()):
                assert not {"member_id", "voter", "actor"} & set(row), (table, row)
            if "member_id" in row and row.get("poll_id") == poll["id"]:
                assert not {"choice", "receipt"} & set(row), (table, row)
    # 5. the log written while ballots were cast and counted names no receipt and no choice
    for receipt in receipts.values():
        assert receipt not in log
    assert not re.search(r"\b(yes|no|abstain)\b", log), log[-2000:]
    # 6. the events of the poll carry counts only: no receipt, no voter
    poll_events = [e for e in events if e["payload"].get("poll_id") == poll["id"]]
    assert [e["type"] for e in poll_events] == ["congress.motion_decided"]
    text_of_events = json.dumps(events, ensure_ascii=False)
    for m, receipt in receipts.items():
        assert receipt not in text_of_events
    assert not any(k in e["payload"] for e in poll_events for k in ("member_id", "voters", "receipts"))
    # 7. and yet every voter finds their own ballot, and anyone can recount
    board = call(world, "bulletin", school, role="member", member_id=ids[0], poll_id=poll["id"])
    assert {i["receipt"]: i["choice"] for i in board["items"]} == {receipts[m]: choices[m] for m in ids}
    recount = {c: sum(1 for i in board["items"] if i["choice"] == c) for c in ("yes", "no", "abstain")}
    assert recount == {k: closed["result"][k] for k in ("yes", "no", "abstain")}
