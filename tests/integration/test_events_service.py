"""The events service on the real RabbitMQ and PostgreSQL: its member directory fed by membership
events, exactly-once seats under concurrent registrations and releases (PostgreSQL row lock),
finance's answers to expense requests (played here by publishing them on the broker, twice and out
of order), and a year-end summary that shows a service that does not answer as missing."""
from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timezone

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text

from shared import contracts, testing

from .support import Service, pg_url, publish_raw, rpc

pytestmark = pytest.mark.integration
SCHOOL = f"EV{uuid.uuid4().hex[:6].upper()}"
OFFICER = {"school": SCHOOL, "actor": "it-officer", "role": "events_officer"}
N_MEMBERS = 60
FIRST_ID = 700_000 + (uuid.uuid4().int % 100_000) * 100


def snapshot(member_id, name):
    return {"id": member_id, "school": SCHOOL, "person_key": f"pk{member_id:030d}", "name": name, "gender": "female",
            "birth_date": "1980-05-01", "category": "teacher", "status": "active", "union_group_id": None,
            "position": None, "hire_date": None, "join_date": "2024-09-01", "version": 1}


def publish_event(amqp_uri, type_, payload, event_id=None):
    contracts.load_all()
    env = contracts.make_envelope(type_, payload, school=payload.get("school") or SCHOOL, actor="it")
    if event_id:
        env["event_id"] = event_id
    source, name = type_.split(".", 1)
    publish_raw(amqp_uri, f"{source}.events", name, json.dumps(env).encode(),
                headers={"nameko.school": SCHOOL, "nameko.actor": "it"})
    return env["event_id"]


@pytest.fixture(scope="module")
def events(amqp_uri, module_db_prefix, module_tmp):
    env = testing.stack_env(amqp_uri, data_dir=module_tmp, database_url=testing.pg_server_url(),
                            db_prefix=module_db_prefix)
    service = Service("events", env, testing.free_port(), module_tmp).start()
    engine = create_engine(pg_url(f"{module_db_prefix}events"), pool_size=1, max_overflow=0)
    try:
        for i in range(N_MEMBERS):
            publish_event(amqp_uri, "membership.member_admitted",
                          {"member": snapshot(FIRST_ID + i, f"会员{i}"), "admitted_on": "2024-09-01", "via": "enrolment"})

        def directory_full():
            with engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM directory_members WHERE school = :s"),
                                    {"s": SCHOOL}).scalar_one() == N_MEMBERS
        testing.wait_for(directory_full, 60, interval=0.3, what="the directory to hold the members")
        yield service, engine
    finally:
        engine.dispose()
        service.stop()


def call(amqp_uri, method, **kwargs):
    return rpc(amqp_uri, "events", method, context=OFFICER, timeout=30, **kwargs)


def test_concurrent_registrations_take_exactly_the_seats_and_waitlist_the_rest_in_order(amqp_uri, events):
    _service, engine = events
    activity = call(amqp_uri, "create_activity", school=SCHOOL,
                    data={"title": "暑期出游", "kind": "trip", "starts_at": "2026-07-15T07:00:00", "capacity": 15})
    ids = [FIRST_ID + i for i in range(N_MEMBERS)]
    results, errors = [], []

    def worker(chunk):
        try:
            with ClusterRpcProxy({"AMQP_URI": amqp_uri}, context_data=OFFICER, timeout=30) as proxy:
                for member_id in chunk:
                    results.append(proxy.events.register(school=SCHOOL, activity_id=activity["id"],
                                                         data={"member_id": member_id}))
        except Exception as exc:
            errors.append(exc)
    threads = [threading.Thread(target=worker, args=(ids[k::6],)) for k in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert len(results) == N_MEMBERS
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT member_id, status, seq FROM registrations WHERE activity_id = :a ORDER BY seq"),
                            {"a": activity["id"]}).all()
        seats = conn.execute(text("SELECT seats_taken FROM activities WHERE id = :a"), {"a": activity["id"]}).scalar_one()
    assert len(rows) == N_MEMBERS and len({r.seq for r in rows}) == N_MEMBERS
    assert [r.status for r in rows] == ["registered"] * 15 + ["waitlisted"] * (N_MEMBERS - 15)
    assert seats == 15

    registered = [r.member_id for r in rows[:15]]
    waiting = [r.member_id for r in rows[15:]]
    cancel_errors = []

    def cancel(member_id):
        try:
            call(amqp_uri, "cancel_registration", school=SCHOOL, activity_id=activity["id"], member_id=member_id)
        except Exception as exc:
            cancel_errors.append(exc)
    threads = [threading.Thread(target=cancel, args=(m,)) for m in registered[:5]]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert cancel_errors == []
    listing = call(amqp_uri, "list_registrations", school=SCHOOL, activity_id=activity["id"])
    status = {r["member_id"]: r["status"] for r in listing["items"]}
    assert sorted(m for m, s in status.items() if s == "offered") == sorted(waiting[:5])
    assert all(status[m] == "waitlisted" for m in waiting[5:])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT seats_taken FROM activities WHERE id = :a"),
                            {"a": activity["id"]}).scalar_one() == 15


def answer(amqp_uri, expense, status, event_id=None, origin="events", **extra):
    payload = {"request_id": expense["request_id"], "origin": origin, "school": SCHOOL, "status": status,
               "amount": expense["amount"], "budget_category": "staff_activities", "reason": None,
               "reason_code": None, "approval_level": None, "decided_by": "finance-officer", "entry_id": None,
               "at": datetime.now(timezone.utc).isoformat(), **extra}
    return publish_event(amqp_uri, "finance.spending_request_updated", payload, event_id)


def test_finance_answers_show_on_the_expense_even_redelivered_and_out_of_order(amqp_uri, events):
    _service, engine = events
    activity = call(amqp_uri, "create_activity", school=SCHOOL,
                    data={"title": "教师节联欢", "kind": "festival", "starts_at": "2026-09-10T15:00:00"})
    expense = call(amqp_uri, "request_expense", school=SCHOOL, activity_id=activity["id"],
                   data={"kind": "expense", "amount": "1200.00", "purpose": "演出服装"})
    assert expense["status"] == "requested"
    with engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM outbox WHERE type = 'events.expense_requested' ORDER BY id DESC"
                                 " LIMIT 1")).scalar_one()
    sent = json.loads(body)["payload"]
    assert sent["request_id"] == expense["request_id"] and sent["budget_category"] == "staff_activities"
    assert sent["amount"] == "1200.00"

    paid = answer(amqp_uri, expense, "paid", entry_id=88)
    answer(amqp_uri, expense, "paid", event_id=paid, entry_id=88)           # redelivered
    answer(amqp_uri, expense, "approved")                                  # arrives late
    answer(amqp_uri, expense, "rejected", origin="welfare", reason="不是我们的")  # another origin's answer

    def settled():
        items = call(amqp_uri, "list_expenses", school=SCHOOL, activity_id=activity["id"])["items"]
        return items[0] if items[0]["status"] == "paid" else None
    final = testing.wait_for(settled, 30, interval=0.3, what="finance's answer on the expense")
    testing.wait_for(lambda: _processed(engine) >= 3, 30, interval=0.3, what="every answer to be consumed")
    final = call(amqp_uri, "list_expenses", school=SCHOOL, activity_id=activity["id"])["items"][0]
    assert final["status"] == "paid" and final["entry_id"] == 88 and final["reason"] is None


def _processed(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM processed_events WHERE consumer LIKE "
                                 "'events.on_spending_request_updated'")).scalar_one()


def test_the_year_end_summary_shows_a_service_that_does_not_answer_as_missing(amqp_uri, events):
    summary = call(amqp_uri, "year_summary", school=SCHOOL, year=2026)
    sections = {s["service"]: s for s in summary["sections"]}
    assert sections["events"]["status"] == "ok"
    assert sections["events"]["data"]["items"]["activities"] >= 2
    # membership is not running in this test: its part is missing, the summary still comes
    assert sections["membership"]["status"] == "missing"
    assert "membership" in summary["missing"]
    document = call(amqp_uri, "year_summary_document", school=SCHOOL, year=2026)
    assert document["format"] == "docx" and document["content_b64"]


def committee_event(amqp_uri, position_id, member_id, ended_on=None):
    return publish_event(amqp_uri, "membership.committee_changed", {
        "position_id": position_id, "school": SCHOOL, "member_id": member_id, "member_name": "会员0",
        "portfolio": "culture_sports", "title": None, "started_on": "2024-01-01", "ended_on": ended_on})


def test_route_leaders_follow_the_committee_membership_announces_on_the_broker(amqp_uri, events):
    from shared.errors import ValidationFailed
    trip = call(amqp_uri, "create_activity", school=SCHOOL,
                data={"title": "暑期出游（线路）", "kind": "trip", "starts_at": "2026-07-20T07:00:00"})
    leader = FIRST_ID
    position = 900_000 + leader % 100_000
    with pytest.raises(ValidationFailed) as exc:
        call(amqp_uri, "add_route", school=SCHOOL, activity_id=trip["id"],
             data={"name": "黄山线", "leader_member_id": leader})
    assert exc.value.code == "leader_not_on_committee"
    committee_event(amqp_uri, position, leader)
    committee_event(amqp_uri, position, leader)               # redelivered: still one position

    def added():
        try:
            return call(amqp_uri, "add_route", school=SCHOOL, activity_id=trip["id"],
                        data={"name": "黄山线", "leader_member_id": leader})
        except ValidationFailed:
            return None
    route = testing.wait_for(added, 30, interval=0.3, what="the committee copy to hold the new member")
    assert route["leader_portfolio"] == "culture_sports"
    committee_event(amqp_uri, position, leader, ended_on="2025-01-01")

    def ended():
        routes = call(amqp_uri, "list_routes", school=SCHOOL, activity_id=trip["id"])["items"]
        return routes[0]["leader_portfolio"] is None
    testing.wait_for(ended, 30, interval=0.3, what="the end of the position to reach events")
    with pytest.raises(ValidationFailed):
        call(amqp_uri, "add_route", school=SCHOOL, activity_id=trip["id"],
             data={"name": "千岛湖线", "leader_member_id": leader})
    _service, engine = events
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM committee_positions WHERE position_id = :p"),
                            {"p": position}).scalar_one() == 1


def test_a_link_to_a_service_that_is_not_running_is_a_503_and_nothing_is_written(amqp_uri, events):
    from shared.errors import Unavailable, ValidationFailed
    call(amqp_uri, "create_plan", school=SCHOOL, year=2031, data={})
    with pytest.raises(Unavailable) as exc:
        call(amqp_uri, "add_plan_item", school=SCHOOL, year=2031,
             data={"month": 6, "title": "教代会", "link": {"service": "congress", "kind": "session", "id": "3"}})
    assert exc.value.status == 503 and exc.value.code == "remote_service_unavailable"
    assert exc.value.params == {"service": "congress"}
    assert call(amqp_uri, "get_plan", school=SCHOOL, year=2031)["items"] == []
    activity = call(amqp_uri, "create_activity", school=SCHOOL,
                    data={"title": "登山比赛", "kind": "sport", "starts_at": "2031-11-08T08:00:00"})
    item = call(amqp_uri, "add_plan_item", school=SCHOOL, year=2031,
                data={"month": 11, "title": "登山比赛",
                      "link": {"service": "events", "kind": "activity", "id": str(activity["id"])}})
    assert item["link"]["id"] == str(activity["id"])
    with pytest.raises(ValidationFailed) as exc:
        call(amqp_uri, "update_plan_item", school=SCHOOL, year=2031, item_id=item["id"],
             data={"link": {"service": "events", "kind": "tournament", "id": "999999"}})
    assert exc.value.fields == {"link.id": ["linked_record_not_found"]}
