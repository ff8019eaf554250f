"""The congress (教代会) over HTTP: delegates from members, a session with quorum, a secret-ballot
motion with receipts and the bulletin, and every way a ballot can be refused."""
from __future__ import annotations

from datetime import date
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared import testing

from .support import Client, assert_problem, unique

pytestmark = pytest.mark.e2e
PASSWORD = "delegate-pass-1"


def cpath(school: str, tail: str) -> str:
    return f"/api/v1/schools/{school}/congress{tail}"


def add_delegate(chair: Client, school: str, member_id: int, term_no: int = 8) -> dict:
    """The member reaches the congress directory by event: retry until it has arrived."""
    def attempt():
        resp = chair.post(cpath(school, "/delegates"), json={"member_id": member_id, "term_no": term_no})
        if resp.status_code == 201:
            return resp.json()
        assert resp.status_code == 422, resp.text
        return None
    return testing.wait_for(attempt, 120, interval=0.3, what=f"member {member_id} to reach the congress directory")


def account(stack, chair: Client, school: str, member_id: int, role: str = "delegate") -> Client:
    username = f"{school.lower()}-{role}-{member_id}"
    chair.ok("POST", f"/api/v1/schools/{school}/accounts", 201,
             json={"username": username, "password": PASSWORD, "role": role, "member_id": member_id})
    return Client.login(stack.url, username, PASSWORD)


@pytest.fixture(scope="module")
def congress(stack, school):
    """Nine delegates of term 8 with their accounts, and one plain member with an account."""
    members = [school.chair.admit(school.code, name=f"代表{i}")["id"] for i in range(9)]
    for m in members:
        add_delegate(school.chair, school.code, m)
    outsider = school.chair.admit(school.code, name="普通会员")["id"]
    with ThreadPoolExecutor(4) as pool:
        voters = list(pool.map(lambda m: account(stack, school.chair, school.code, m), members))
    return {"members": members, "voters": voters, "outsider": account(stack, school.chair, school.code, outsider,
                                                                         "member")}


def new_session(chair, school, session_no) -> dict:
    return chair.ok("POST", cpath(school, "/sessions"), 201, json={
        "term_no": 8, "session_no": session_no, "mode": "delegate_congress", "central_topic": "绩效工资分配",
        "sitting_dates": [date.today().isoformat()],
        "agenda": [{"title": "审议《奖励性绩效工资分配方案》", "power": "deliberate_approve"}]})


def test_a_secret_ballot_motion_runs_end_to_end_through_the_gateway(stack, school, congress, other_school):
    chair, code = school.chair, school.code
    listing = chair.ok("GET", cpath(code, "/delegates"))
    assert listing["active"] == 9 and listing["term_no"] == 8 and listing["warning"] is None
    s = new_session(chair, code, 5)
    assert s["label"] == "八届五次" and s["status"] == "planned"
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/convene"))
    sitting = s["sittings"][0]["id"]
    base = f"/sessions/{s['id']}/sittings/{sitting}"
    for m in congress["members"][:5]:
        chair.ok("POST", cpath(code, base + "/check-ins"), 201, json={"member_id": m})
    # the sixth checks in herself with the code the secretary announces
    the_code = chair.ok("GET", cpath(code, base + "/code"))["code"]
    live = congress["voters"][5].ok("POST", cpath(code, base + "/check-ins"), 201, json={"code": the_code})
    assert live["present"] == 6 and live["total"] == 9 and live["required"] == 6 and live["quorate"]

    motion = chair.ok("POST", cpath(code, f"/sessions/{s['id']}/motions"), 201,
                      json={"title": "审议《奖励性绩效工资分配方案》", "agenda_item_id": s["agenda"][0]["id"]})
    opened = chair.ok("POST", cpath(code, f"/polls/{motion['id']}/open"), json={})
    assert opened["status"] == "open" and opened["eligible"] == 9 and opened["present"] == 6
    poll = cpath(code, f"/polls/{motion['id']}")

    choices = ["yes"] * 6 + ["no", "abstain", "yes"]
    receipts = {}
    for voter, choice in zip(congress["voters"], choices):
        receipts[voter.username] = (voter.ok("POST", poll + "/ballots", 201, json={"choice": choice})["receipt"],
                                    choice)
    assert_problem(congress["voters"][0].post(poll + "/ballots", json={"choice": "no"}), 409, "already_voted")
    assert_problem(congress["outsider"].post(poll + "/ballots", json={"choice": "yes"}), 403, "not_on_roll")
    assert_problem(other_school.chair.get(poll), 404, "not_found")
    assert congress["voters"][0].ok("GET", poll + "/me") == {"poll_id": motion["id"], "on_roll": True,
                                                             "voted": True, "status": "open"}
    assert_problem(chair.get(poll + "/bulletin"), 409, "poll_not_closed")
    assert chair.ok("GET", poll)["result"] is None and chair.ok("GET", poll)["voted"] == 9

    closed = chair.ok("POST", poll + "/close")
    assert closed["result"]["yes"] == 7 and closed["result"]["adopted"] and closed["result"]["required"] == 5
    assert_problem(congress["voters"][1].post(poll + "/ballots", json={"choice": "no"}), 409, "poll_not_open")
    board = congress["voters"][2].ok("GET", poll + "/bulletin")
    assert {(i["receipt"], i["choice"]) for i in board["items"]} == set(receipts.values())
    mine, choice = receipts[congress["voters"][3].username]
    assert congress["voters"][3].ok("GET", poll + "/bulletin", params={"receipt": mine})["items"] == [
        {"receipt": mine, "choice": choice}]


def test_a_vote_cannot_open_without_quorum(school, congress):
    chair, code = school.chair, school.code
    s = new_session(chair, code, 6)
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/convene"))
    for m in congress["members"][:5]:
        chair.ok("POST", cpath(code, f"/sessions/{s['id']}/sittings/{s['sittings'][0]['id']}/check-ins"), 201,
                 json={"member_id": m})
    motion = chair.ok("POST", cpath(code, f"/sessions/{s['id']}/motions"), 201, json={"title": "考核方案"})
    body = assert_problem(chair.post(cpath(code, f"/polls/{motion['id']}/open"), json={}), 409, "quorum_not_met")
    assert body["params"] == {"present": "5", "required": "6", "total": "9"}
    assert chair.ok("GET", cpath(code, f"/polls/{motion['id']}"))["status"] == "draft"


def test_concurrent_ballots_from_one_delegate_produce_exactly_one(school, congress):
    chair, code = school.chair, school.code
    s = new_session(chair, code, 7)
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/convene"))
    for m in congress["members"]:
        chair.ok("POST", cpath(code, f"/sessions/{s['id']}/sittings/{s['sittings'][0]['id']}/check-ins"), 201,
                 json={"member_id": m})
    motion = chair.ok("POST", cpath(code, f"/sessions/{s['id']}/motions"), 201, json={"title": "岗位聘任办法"})
    chair.ok("POST", cpath(code, f"/polls/{motion['id']}/open"), json={})
    voter = congress["voters"][0]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: voter.post(cpath(code, f"/polls/{motion['id']}/ballots"),
                                                      json={"choice": "yes"}).status_code, range(8)))
    assert sorted(statuses) == [201] + [409] * 7
    closed = chair.ok("POST", cpath(code, f"/polls/{motion['id']}/close"))
    assert closed["result"]["cast"] == 1


def test_bad_input_names_every_bad_field_and_roles_are_checked(school, congress):
    chair, code = school.chair, school.code
    bad = chair.post(cpath(code, "/sessions"), json={"term_no": 0, "session_no": "x", "mode": "party",
                                                    "sitting_dates": [], "colour": 1,
                                                    "pass_rule": {"base": "all", "num": 3, "den": 2, "strict": True}})
    body = assert_problem(bad, 422, "validation_failed",
                          fields={"term_no", "session_no", "mode", "sitting_dates", "colour", "pass_rule.base",
                                  "pass_rule.num"})
    assert body["errors"]
    assert_problem(congress["voters"][0].post(cpath(code, "/sessions"), json={}), 403, "role_forbidden")
    assert_problem(chair.get(cpath(code, "/polls/99999999")), 404, "poll_not_found")
    assert_problem(chair.post(cpath(code, "/delegates"), json={"member_id": 99999999, "term_no": 8}), 422,
                   "validation_failed", fields={"member_id"})


def test_another_schools_chair_gets_404_on_every_congress_route(school, other_school):
    for path in ("/sessions", "/delegates"):
        assert_problem(other_school.chair.get(cpath(school.code, path)), 404, "not_found")
    assert_problem(other_school.chair.post(cpath(school.code, "/sessions"), json={}), 404, "not_found")


def test_the_gateway_keeps_no_replay_copy_of_a_ballot_sent_with_an_idempotency_key(school, congress):
    chair, code = school.chair, school.code
    s = new_session(chair, code, 8)
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/convene"))
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/sittings/{s['sittings'][0]['id']}/check-ins"), 201,
             json={"member_ids": congress["members"]})
    motion = chair.ok("POST", cpath(code, f"/sessions/{s['id']}/motions"), 201, json={"title": "校长工作规划"})
    chair.ok("POST", cpath(code, f"/polls/{motion['id']}/open"), json={})
    voter, key = congress["voters"][1], {"Idempotency-Key": unique("ballot")}
    first = voter.post(cpath(code, f"/polls/{motion['id']}/ballots"), json={"choice": "no"}, headers=key)
    again = voter.post(cpath(code, f"/polls/{motion['id']}/ballots"), json={"choice": "no"}, headers=key)
    assert first.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert_problem(again, 409, "already_voted")


def test_a_ballot_from_another_schools_delegate_is_refused_and_counts_nothing(stack, school, congress, other_school):
    chair, code = school.chair, school.code
    s = new_session(chair, code, 9)
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/convene"))
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/sittings/{s['sittings'][0]['id']}/check-ins"), 201,
             json={"member_ids": congress["members"]})
    motion = chair.ok("POST", cpath(code, f"/sessions/{s['id']}/motions"), 201, json={"title": "教学成果奖励办法"})
    opened = chair.ok("POST", cpath(code, f"/polls/{motion['id']}/open"), json={})
    assert opened["sitting_id"] == s["sittings"][0]["id"] and opened["eligible"] == 9
    stranger_id = other_school.chair.admit(other_school.code, name="外校代表")["id"]
    stranger = account(stack, other_school.chair, other_school.code, stranger_id)
    assert_problem(stranger.post(cpath(code, f"/polls/{motion['id']}/ballots"), json={"choice": "yes"}), 404,
                   "not_found")
    assert_problem(stranger.post(cpath(other_school.code, f"/polls/{motion['id']}/ballots"), json={"choice": "yes"}),
                   404, "poll_not_found")
    assert_problem(congress["voters"][0].post(cpath(code, f"/polls/{motion['id']}/ballots"), json={"choice": "maybe"}),
                   422, "validation_failed", fields={"choice"})
    assert chair.ok("GET", cpath(code, f"/polls/{motion['id']}"))["voted"] == 0
    closed = chair.ok("POST", cpath(code, f"/polls/{motion['id']}/close"))
    assert closed["result"]["cast"] == 0 and not closed["result"]["adopted"]


def test_lists_are_paginated_and_a_bad_page_names_its_field(school, congress):
    chair, code = school.chair, school.code
    first = chair.ok("GET", cpath(code, "/delegates"), params={"page_size": 4})
    second = chair.ok("GET", cpath(code, "/delegates"), params={"page_size": 4, "page": 2})
    assert first["total"] == 9 and len(first["items"]) == 4 and first["active"] == 9 and second["page"] == 2
    assert not {d["id"] for d in first["items"]} & {d["id"] for d in second["items"]}
    sessions = chair.ok("GET", cpath(code, "/sessions"), params={"page_size": 1})
    assert len(sessions["items"]) == 1 and sessions["total"] >= 1 and sessions["page_size"] == 1
    bad = chair.get(cpath(code, "/proposals"), params={"page_size": 0, "status": "lost", "overdue": "perhaps"})
    assert_problem(bad, 422, "validation_failed", fields={"page_size", "status", "overdue"})
