"""The events service through the gateway: activities, registration with a waiting list and
offers, check-in, compulsory participation, tournaments, trips, costs, the work plan with
district tasks, district competitions and the year-end summary; bad input, roles and another
school's 404."""
from __future__ import annotations

import io
import uuid

import pytest

from shared import testing

from .support import Client, assert_problem

pytestmark = pytest.mark.e2e


def ev(school: str, tail: str = "") -> str:
    return f"/api/v1/schools/{school}/events{tail}"


def admit_members(chair: Client, school: str, n: int, group_id=None) -> list[dict]:
    extra = {"union_group_id": group_id} if group_id else {}
    return [chair.admit(school, name=f"会员{uuid.uuid4().hex[:4]}", **extra) for _ in range(n)]


def wait_in_directory(chair: Client, school: str, member_id: int) -> None:
    """Membership events reach the events directory asynchronously: wait for this member."""
    def known():
        resp = chair.get(ev(school, "/participation"), params={"year": 2026})
        return resp.status_code == 200 and any(m["member_id"] == member_id for m in resp.json()["members"])
    testing.wait_for(known, 30, interval=0.3, what=f"member {member_id} in the events directory")


@pytest.fixture(scope="module")
def setup(admin, school):
    chair = school.chair
    group = chair.ok("POST", f"/api/v1/schools/{school.code}/groups", 201, json={"name": "语文组"})
    members = admit_members(chair, school.code, 5, group["id"])
    wait_in_directory(chair, school.code, members[-1]["id"])
    return {"chair": chair, "code": school.code, "members": members, "group": group}


def activity(chair, code, **kw):
    body = {"title": "教工乒乓球赛", "kind": "sport", "starts_at": "2026-03-18T08:00:00", "capacity": 2, **kw}
    return chair.ok("POST", ev(code, "/activities"), 201, json=body)


def test_registration_fills_seats_then_the_waiting_list_and_a_cancellation_offers_the_seat(setup):
    chair, code, m = setup["chair"], setup["code"], setup["members"]
    a = activity(chair, code)
    path = ev(code, f"/activities/{a['id']}/registrations")
    got = [chair.ok("POST", path, 201, json={"member_id": x["id"]}) for x in m[:4]]
    assert [g["status"] for g in got] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert got[3]["position"] == 2
    assert_problem(chair.post(path, json={"member_id": m[0]["id"]}), 409, "already_registered", ["member_id"])
    chair.ok("POST", path + f"/{m[0]['id']}/cancel", json={})
    listing = chair.ok("GET", path)
    by_member = {r["member_id"]: r["status"] for r in listing["items"]}
    assert by_member[m[2]["id"]] == "offered" and by_member[m[3]["id"]] == "waitlisted"
    assert chair.ok("POST", path + f"/{m[2]['id']}/accept", json={})["status"] == "registered"
    checkin = ev(code, f"/activities/{a['id']}/check-in")
    assert chair.ok("POST", checkin, json={"member_id": m[1]["id"]})["status"] == "attended"
    assert_problem(chair.post(checkin, json={"member_id": m[3]["id"]}), 409, "not_registered", ["member_id"])
    closed = chair.ok("POST", ev(code, f"/activities/{a['id']}/close"), json={})
    assert closed["attended"] == 1 and closed["no_show"] == 1
    assert_problem(chair.patch(ev(code, f"/activities/{a['id']}"), json={"capacity": 1}), 422,
                   "capacity_below_registered", ["capacity"])


def test_bad_activity_input_names_every_bad_field(setup):
    resp = setup["chair"].post(ev(setup["code"], "/activities"),
                               json={"kind": "party", "starts_at": "soon", "capacity": 0, "fee_per_person": 12.5})
    body = assert_problem(resp, 422, "validation_failed", ["title", "kind", "starts_at", "capacity", "fee_per_person"])
    assert body["errors"]


def test_a_member_registers_themselves_and_sees_their_registrations(admin, setup):
    chair, code, m = setup["chair"], setup["code"], setup["members"]
    username = f"m{uuid.uuid4().hex[:8]}"
    admin.ok("POST", "/api/v1/district/accounts", 201, json={"username": username, "password": "member-pass-1",
                                                              "role": "member", "school": code,
                                                              "member_id": m[4]["id"]})
    me = Client.login(admin.base_url, username, "member-pass-1")
    a = activity(chair, code, capacity=10)
    path = ev(code, f"/activities/{a['id']}/registrations")
    assert me.ok("POST", path, 201, json={})["member_id"] == m[4]["id"]
    assert_problem(me.post(path, json={"member_id": m[0]["id"]}), 403, "register_self_only")
    assert [r["activity_id"] for r in me.ok("GET", ev(code, "/my/registrations"))["items"]][0] == a["id"]
    assert_problem(me.get(path), 403, "role_forbidden")
    assert me.ok("POST", path + f"/{m[4]['id']}/cancel", json={})["status"] == "cancelled"


def test_another_schools_user_gets_404_and_another_schools_member_cannot_be_registered(setup, other_school):
    code = setup["code"]
    assert_problem(other_school.chair.get(ev(code, "/activities")), 404, "not_found")
    theirs = admit_members(other_school.chair, other_school.code, 1)[0]
    a = activity(setup["chair"], code)
    resp = setup["chair"].post(ev(code, f"/activities/{a['id']}/registrations"), json={"member_id": theirs["id"]})
    assert_problem(resp, 422, "member_not_in_school", ["member_id"])


def test_compulsory_participation_lists_who_has_not_registered_by_group(setup):
    chair, code, m = setup["chair"], setup["code"], setup["members"]
    a = activity(chair, code, capacity=None, compulsory=True, compulsory_group_ids=[setup["group"]["id"]])
    chair.ok("POST", ev(code, f"/activities/{a['id']}/registrations"), 201, json={"member_id": m[0]["id"]})
    gaps = chair.ok("GET", ev(code, f"/activities/{a['id']}/compulsory-gaps"))
    group = gaps["groups"][0]
    assert group["members"] == 5 and group["registered"] == 1
    assert {x["member_id"] for x in group["missing"]} == {x["id"] for x in m[1:]}


def test_a_round_robin_prelim_and_a_knockout_final(setup):
    chair, code, m = setup["chair"], setup["code"], setup["members"]
    prelim = chair.ok("POST", ev(code, "/tournaments"), 201, json={"title": "乒乓球预赛", "format": "round_robin"})
    tp = ev(code, f"/tournaments/{prelim['id']}")
    chair.ok("POST", tp + "/entrants", 201, json={"entrants": [{"member_id": x["id"]} for x in m[:4]]})
    draw = chair.ok("POST", tp + "/draw", json={})
    assert len(draw["matches"]) == 6
    for match in draw["matches"]:
        chair.ok("POST", tp + f"/matches/{match['id']}/result", json={"score_a": 3, "score_b": 1})
    assert_problem(chair.post(tp + "/matches/999999/result", json={"score_a": 3, "score_b": 0}), 404,
                   "match_not_in_draw")
    table = chair.ok("GET", tp + "/standings")["pools"][0]["rows"]
    assert [r["rank"] for r in table] == [1, 2, 3, 4] and table[0]["points"] >= table[-1]["points"]
    final = chair.ok("POST", ev(code, "/tournaments"), 201, json={"title": "乒乓球决赛", "format": "knockout"})
    tf = ev(code, f"/tournaments/{final['id']}")
    fdraw = chair.ok("POST", tf + "/draw", json={"from_tournament_id": prelim["id"], "qualifiers_per_pool": 2})
    (only,) = [x for x in fdraw["matches"] if x["status"] == "scheduled"]
    chair.ok("POST", tf + f"/matches/{only['id']}/result", json={"score_a": 3, "score_b": 2})
    placing = chair.ok("GET", tf + "/standings")["placing"]
    assert placing[0]["entrant_id"] == only["a_id"]
    award = chair.ok("POST", tf + "/awards", 201, json={"title": "冠军", "rank": 1, "entrant_id": only["a_id"]})
    assert award["name"] == only["a_name"]
    speech = activity(chair, code, kind="speech", title="演讲比赛", capacity=None)
    chair.ok("POST", ev(code, f"/activities/{speech['id']}/awards"), 201,
             json={"title": "一等奖", "rank": 1, "member_id": m[3]["id"]})
    awards = chair.ok("GET", ev(code, "/awards"))["items"]
    assert {a["title"] for a in awards} >= {"冠军", "一等奖"}


def test_a_trip_survey_routes_and_a_subsidy_request_to_finance(setup):
    chair, code, m = setup["chair"], setup["code"], setup["members"]
    trip = activity(chair, code, kind="trip", title="暑期教工出游", capacity=30, survey_open=True,
                    subsidy_per_person="300.00")
    base = ev(code, f"/activities/{trip['id']}")
    # a member who is not on the union committee does not lead a route; nothing is written
    assert_problem(chair.post(base + "/routes", json={"name": "黄山线", "leader_member_id": m[0]["id"]}), 422,
                   "leader_not_on_committee", ["leader_member_id"])
    assert chair.ok("GET", base + "/routes")["items"] == []
    # 委员分工 in membership reaches events by membership.committee_changed
    chair.ok("POST", f"/api/v1/schools/{code}/committee", 201,
             json={"member_id": m[0]["id"], "portfolio": "culture_sports"})

    def route_added():
        resp = chair.post(base + "/routes", json={"name": "黄山线", "leader_member_id": m[0]["id"]})
        assert resp.status_code in (201, 422), resp.text
        return resp.json() if resp.status_code == 201 else None
    route = testing.wait_for(route_added, 30, interval=0.3, what="events to know the new committee member")
    assert (route["leader_name"], route["leader_portfolio"]) == (m[0]["name"], "culture_sports")
    assert_problem(chair.post(base + "/routes", json={"name": "黄山线", "leader_member_id": m[3]["id"]}), 422,
                   "validation_failed", ["name", "leader_member_id"])
    chair.ok("POST", base + "/survey", json={"member_id": m[1]["id"], "joining": True, "route_id": route["id"]})
    chair.ok("POST", base + "/survey", json={"member_id": m[2]["id"], "joining": False})
    results = chair.ok("GET", base + "/survey")
    assert results["joining"] == 1 and results["not_joining"] == 1 and results["routes"][0]["joining"] == 1
    chair.ok("POST", base + "/registrations", 201, json={"member_id": m[1]["id"], "route_id": route["id"]})
    expense = chair.ok("POST", base + "/expenses", 201, json={"kind": "subsidy", "purpose": "每人补贴"})
    assert expense["amount"] == "300.00" and expense["status"] == "requested"
    assert expense["request_id"] == f"events:{expense['id']}"
    assert_problem(chair.post(base + "/expenses", json={"kind": "expense", "purpose": "药品"}), 422,
                   "validation_failed", ["amount"])


def test_the_district_sets_a_task_and_sees_which_schools_planned_it(admin, setup):
    chair, code = setup["chair"], setup["code"]
    task = admin.ok("POST", "/api/v1/district/events/tasks", 201, json={"year": 2027, "month": 9,
                                                                         "title": "参加全区教职工乒乓球赛"})
    chair.ok("POST", ev(code, "/plans/2026"), 201, json={})
    chair.ok("POST", ev(code, "/plans/2026/items"), 201, json={"month": 3, "title": "三八活动", "owner": "女工委"})
    plan = chair.ok("POST", ev(code, "/plans/2027"), 201, json={"copy_from_year": 2026})
    assert [i["title"] for i in plan["items"]] == ["三八活动"] and plan["missing_district_tasks"] == [task["id"]]
    assert_problem(chair.post(ev(code, "/plans/2027/publish"), json={}), 409, "plan_missing_district_tasks")
    contest = activity(chair, code, title="全区教职工乒乓球赛选拔", starts_at="2027-09-05T08:00:00")
    link = {"service": "events", "kind": "activity", "id": str(contest["id"])}
    item = chair.ok("POST", ev(code, "/plans/2027/items"), 201,
                    json={"month": 9, "title": "区乒乓球赛", "district_task_id": task["id"], "link": link})
    assert chair.ok("POST", ev(code, "/plans/2027/publish"), json={})["status"] == "published"
    report = admin.ok("GET", "/api/v1/district/events/tasks/compliance", params={"year": 2027})
    mine = next(s for s in report["schools"] if s["school"] == code)
    assert mine["planned"] and mine["missing_tasks"] == [] and mine["not_done_tasks"] == [task["id"]]
    chair.ok("PATCH", ev(code, f"/plans/2027/items/{item['id']}"), json={"status": "done"})
    report = admin.ok("GET", "/api/v1/district/events/tasks/compliance", params={"year": 2027})
    assert next(s for s in report["schools"] if s["school"] == code)["not_done_tasks"] == []
    cal = chair.ok("GET", ev(code, "/calendar"), params={"year": 2027, "month": 9})
    assert cal["months"][0]["items"][0]["link"] == link
    assert_problem(chair.post("/api/v1/district/events/tasks", json={"year": 2027, "title": "x"}), 403,
                   "role_forbidden")
    assert_problem(chair.get(ev(code, "/plans/twenty")), 404, "not_found")
    assert_problem(chair.get(ev(code, "/summary/1850")), 404, "not_found")


def test_schools_enter_a_district_competition_and_the_district_ranks_them(admin, setup, other_school):
    chair, code, m = setup["chair"], setup["code"], setup["members"]
    comp = admin.ok("POST", "/api/v1/district/events/competitions", 201,
                    json={"title": "全区教职工乒乓球赛", "kind": "sport", "year": 2026})
    entries = ev(code, f"/competitions/{comp['id']}/entries")
    entry = chair.ok("POST", entries, 201, json={"team_name": "一队", "athlete_ids": [m[0]["id"], m[1]["id"]]})
    assert_problem(chair.post(entries, json={"team_name": "一队", "athlete_ids": [m[2]["id"]]}), 409,
                   "team_already_entered")
    theirs = admit_members(other_school.chair, other_school.code, 1)[0]
    assert_problem(chair.post(entries, json={"team_name": "二队", "athlete_ids": [theirs["id"]]}), 422,
                   "member_not_in_school", ["athlete_ids.0"])
    ranks = admin.ok("POST", f"/api/v1/district/events/competitions/{comp['id']}/results",
                     json={"results": [{"entry_id": entry["id"], "rank": 2, "award": "二等奖"}]})
    assert ranks["entries"][0]["school"] == code and ranks["entries"][0]["rank"] == 2


def test_the_year_end_summary_gathers_every_service_and_exports_docx(setup):
    chair, code = setup["chair"], setup["code"]
    summary = chair.ok("GET", ev(code, "/summary/2026"))
    by_service = {s["service"]: s for s in summary["sections"]}
    assert by_service["events"]["status"] == "ok"
    assert by_service["events"]["data"]["items"]["activities"] >= 1
    assert by_service["membership"]["status"] == "ok"
    resp = chair.get(ev(code, "/summary/2026/document"))
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    from docx import Document
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.content)).paragraphs)
    assert "2026年度工会工作总结" in text


def test_the_demo_school_has_its_plan_from_the_seed_calendar_and_a_compulsory_prelim(demo_chair):
    chair = demo_chair("XQ-SY")
    plan = chair.ok("GET", ev("XQ-SY", "/plans/2026"))
    titles = [i["title"] for i in plan["items"]]
    assert "教工乒乓球赛预赛（按工会小组，必须人人参加）" in titles and len(titles) >= 30
    acts = chair.ok("GET", ev("XQ-SY", "/activities"), params={"year": 2026})["items"]
    prelim = next(a for a in acts if a["title"] == "教工乒乓球赛预赛")
    gaps = chair.ok("GET", ev("XQ-SY", f"/activities/{prelim['id']}/compulsory-gaps"))
    assert gaps["compulsory"] and gaps["expected"] > 0 and gaps["missing"] == gaps["expected"]


def test_the_district_sees_participation_by_school_and_schools_may_not(admin, setup):
    report = admin.ok("GET", "/api/v1/district/events/participation", params={"year": 2026})
    mine = next(s for s in report["schools"] if s["school"] == setup["code"])
    assert mine["activities"] >= 1 and mine["members"] == 5
    assert_problem(setup["chair"].get("/api/v1/district/events/participation", params={"year": 2026}), 403,
                   "role_forbidden")
    assert_problem(setup["chair"].get(ev(setup["code"], "/participation")), 422, "validation_failed", ["year"])


def test_plan_items_link_only_to_records_that_exist_in_the_owning_service(setup, other_school):
    chair, code = setup["chair"], setup["code"]
    chair.ok("POST", ev(code, "/plans/2028"), 201, json={})
    items = ev(code, "/plans/2028/items")
    audit = chair.ok("POST", f"/api/v1/schools/{code}/finance/audits", 201,
                     json={"year": 2028, "kind": "internal", "title": "经审会内部审计"})
    campaign = chair.ok("POST", f"/api/v1/schools/{code}/welfare/health/campaigns", 201,
                        json={"year": 2028, "kind": "annual", "title": "2028年教工体检"})
    theirs = other_school.chair.ok("POST", f"/api/v1/schools/{other_school.code}/finance/audits", 201,
                                   json={"year": 2028, "title": "别校审计"})
    done = chair.ok("POST", items, 201, json={"month": 6, "title": "经审会审查财务",
                                              "link": {"service": "finance", "kind": "audit", "id": str(audit["id"])}})
    assert done["link"]["id"] == str(audit["id"])
    chair.ok("POST", items, 201, json={"month": 10, "title": "会员体检",
                                       "link": {"service": "welfare", "kind": "health_campaign",
                                                "id": str(campaign["id"])}})
    missing = "linked_record_not_found"
    for bad, problem, field in (({"service": "finance", "kind": "audit", "id": str(theirs["id"])}, missing, "link.id"),
                                ({"service": "finance", "kind": "audit", "id": "99999999"}, missing, "link.id"),
                                ({"service": "welfare", "kind": "health_campaign", "id": "99999999"}, missing,
                                 "link.id"),
                                ({"service": "congress", "kind": "banquet", "id": "1"}, "unknown_link_kind",
                                 "link.kind"),
                                ({"service": "events", "kind": "activity", "id": "八"}, "invalid_link_id", "link.id")):
        assert_problem(chair.post(items, json={"month": 6, "title": "x", "link": bad}), 422, problem, [field])
    assert_problem(chair.patch(f"{items}/{done['id']}", json={"status": "done", "link": {
        "service": "finance", "kind": "audit", "id": "99999999"}}), 422, "linked_record_not_found", ["link.id"])
    plan = chair.ok("GET", ev(code, "/plans/2028"))
    assert [(i["title"], i["status"]) for i in plan["items"]] == [("经审会审查财务", "planned"), ("会员体检", "planned")]
    kinds = chair.ok("GET", ev(code, "/plans/link-kinds"))["items"]
    assert {"service": "finance", "kind": "audit", "label": "经费审查"} in kinds


def test_a_finished_district_competition_is_published_to_every_school(admin, setup, other_school):
    chair, code, m = setup["chair"], setup["code"], setup["members"]
    comp = admin.ok("POST", "/api/v1/district/events/competitions", 201,
                    json={"title": "全区教职工拔河比赛", "kind": "sport", "year": 2026})
    mine = chair.ok("POST", ev(code, f"/competitions/{comp['id']}/entries"), 201,
                    json={"team_name": "拔河队", "athlete_ids": [m[0]["id"], m[1]["id"]]})
    rankings = ev(other_school.code, f"/competitions/{comp['id']}/rankings")
    assert_problem(other_school.chair.get(rankings), 409, "results_not_published")
    assert_problem(admin.post(f"/api/v1/district/events/competitions/{comp['id']}/results",
                              json={"results": [{"entry_id": mine["id"], "rank": 0, "score": "abc"}]}),
                   422, "validation_failed", ["results.0.rank", "results.0.score"])
    admin.ok("POST", f"/api/v1/district/events/competitions/{comp['id']}/results",
             json={"results": [{"entry_id": mine["id"], "rank": 1, "award": "一等奖"}]})
    seen = other_school.chair.ok("GET", rankings)
    assert seen["schools"][0]["school"] == code and seen["schools"][0]["place"] == 1
    assert seen["entries"][0]["athletes"] == []
    assert len(chair.ok("GET", ev(code, f"/competitions/{comp['id']}/rankings"))["entries"][0]["athletes"]) == 2
