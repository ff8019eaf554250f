"""The rest of the congress work over HTTP: proposals answered and tracked, an election with a
runoff, a rating exported for pay, disclosure with filing, the session record, district views."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from shared import testing

from .support import assert_problem
from .test_congress_voting import account, add_delegate, cpath

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seated(stack, school):
    chair, code = school.chair, school.code
    members = [chair.admit(code, name=f"委员{i}")["id"] for i in range(6)]
    for m in members:
        add_delegate(chair, code, m, term_no=2)
    voters = [account(stack, chair, code, m) for m in members]
    s = chair.ok("POST", cpath(code, "/sessions"), 201, json={
        "term_no": 2, "session_no": 1, "sitting_dates": [date.today().isoformat()], "min_cosigners": 1,
        "agenda": [{"title": "选举工会委员会", "power": "decide"}, {"title": "中层干部述职测评",
                                                               "power": "evaluate_supervise"}]})
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/convene"))
    for m in members:
        chair.ok("POST", cpath(code, f"/sessions/{s['id']}/sittings/{s['sittings'][0]['id']}/check-ins"), 201,
                 json={"member_id": m})
    return {"members": members, "voters": voters, "session": s}


def test_a_proposal_is_answered_tracked_and_rated_by_its_submitter(school, seated):
    chair, code, s = school.chair, school.code, seated["session"]
    author = seated["voters"][0]
    p = author.ok("POST", cpath(code, f"/sessions/{s['id']}/proposals"), 201,
                  json={"title": "增设教工活动室", "content": "建议利用三楼空教室", "cosigners": [seated["members"][1]]})
    assert p["submitter_member_id"] == seated["members"][0]
    assert_problem(author.post(cpath(code, f"/sessions/{s['id']}/proposals"),
                               json={"title": "x", "content": "y", "cosigners": []}), 422, "too_few_cosigners",
                   fields={"cosigners"})
    chair.ok("POST", cpath(code, f"/proposals/{p['id']}/review"), json={"decision": "register"})
    chair.ok("POST", cpath(code, f"/proposals/{p['id']}/assign"),
             json={"department": "总务处", "due_on": (date.today() + timedelta(days=14)).isoformat()})
    chair.ok("POST", cpath(code, f"/proposals/{p['id']}/answer"), json={"reply": "暑期改造"})
    chair.ok("POST", cpath(code, f"/proposals/{p['id']}/track"), json={"status": "implemented", "note": "已开放"})
    assert_problem(seated["voters"][1].post(cpath(code, f"/proposals/{p['id']}/satisfaction"),
                                            json={"satisfaction": "satisfied"}), 403, "not_the_submitter")
    rated = author.ok("POST", cpath(code, f"/proposals/{p['id']}/satisfaction"), json={"satisfaction": "satisfied"})
    assert rated["satisfaction"] == "satisfied" and rated["status"] == "implemented"
    stats = chair.ok("GET", cpath(code, f"/sessions/{s['id']}/proposal-stats"))
    assert stats["reply_rate"] == 100.0 and stats["implementation_rate"] == 100.0
    assert chair.ok("GET", cpath(code, "/proposals"), params={"status": "implemented"})["total"] == 1
    declined = author.ok("POST", cpath(code, f"/sessions/{s['id']}/proposals"), 201,
                         json={"title": "涨工资", "content": "…", "cosigners": [seated["members"][2]]})
    chair.ok("POST", cpath(code, f"/proposals/{declined['id']}/review"),
             json={"decision": "decline", "reason": "不属于学校职权"})
    assert_problem(chair.post(cpath(code, f"/proposals/{declined['id']}/answer"), json={"reply": "x"}), 409,
                   "proposal_action_not_allowed")


def test_an_election_without_a_majority_leaves_the_seat_open_and_a_tie_goes_to_a_runoff(school, seated):
    chair, code, s = school.chair, school.code, seated["session"]
    candidates = seated["members"][:3]
    e = chair.ok("POST", cpath(code, f"/sessions/{s['id']}/elections"), 201, json={
        "title": "选举工会委员", "purpose": "union_committee", "seats": 1,
        "candidates": [{"member_id": c} for c in candidates], "agenda_item_id": s["agenda"][0]["id"]})
    chair.ok("POST", cpath(code, f"/polls/{e['id']}/open"), json={})
    for voter, choice in zip(seated["voters"], [[1], [1], [1], [2], [2], [2]]):
        voter.ok("POST", cpath(code, f"/polls/{e['id']}/ballots"), 201, json={"choice": choice})
    result = chair.ok("POST", cpath(code, f"/polls/{e['id']}/close"))["result"]
    assert result["winners"] == [] and result["unfilled"] == 1 and result["runoff"] is None   # 3 of 6 is not over half
    e2 = chair.ok("POST", cpath(code, f"/sessions/{s['id']}/elections"), 201, json={
        "title": "选举经审委员", "seats": 2, "candidates": [{"member_id": c} for c in candidates]})
    chair.ok("POST", cpath(code, f"/polls/{e2['id']}/open"), json={})
    for voter, choice in zip(seated["voters"], [[1, 2], [1, 2], [1, 3], [1, 3], [2, 3], [2, 3]]):
        voter.ok("POST", cpath(code, f"/polls/{e2['id']}/ballots"), 201, json={"choice": choice})
    tied = chair.ok("POST", cpath(code, f"/polls/{e2['id']}/close"))["result"]
    assert tied["winners"] == [] and tied["runoff"] == {"candidates": [1, 2, 3], "seats": 2}   # 4, 4 and 4 of 6
    runoff = chair.ok("GET", cpath(code, f"/polls/{tied['runoff_poll_id']}"))
    assert runoff["runoff_of"] == e2["id"] and runoff["seats"] == 2 and runoff["status"] == "draft"
    chair.ok("POST", cpath(code, f"/polls/{runoff['id']}/open"), json={})
    for voter, choice in zip(seated["voters"], [[1, 2]] * 4 + [[3]] * 2):
        voter.ok("POST", cpath(code, f"/polls/{runoff['id']}/ballots"), 201, json={"choice": choice})
    decided = chair.ok("POST", cpath(code, f"/polls/{runoff['id']}/close"))["result"]
    assert decided["decided"] and decided["winners"] == [1, 2]


def test_a_rating_is_exported_for_pay(school, seated):
    chair, code, s = school.chair, school.code, seated["session"]
    ev = chair.ok("POST", cpath(code, f"/sessions/{s['id']}/evaluations"), 201, json={
        "title": "中层干部述职测评", "subjects": [{"name": "张主任", "post": "教务主任"}]})
    chair.ok("POST", cpath(code, f"/polls/{ev['id']}/open"), json={})
    for voter, grade in zip(seated["voters"], ["excellent"] * 3 + ["competent", "basically_competent",
                                                                     "incompetent"]):
        voter.ok("POST", cpath(code, f"/polls/{ev['id']}/ballots"), 201, json={"choice": {"1": grade}})
    result = chair.ok("POST", cpath(code, f"/polls/{ev['id']}/close"))["result"]
    assert result["subjects"][0]["satisfaction_rate"] == 66.7
    resp = chair.get(cpath(code, f"/polls/{ev['id']}/export"))
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    from openpyxl import load_workbook
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "张主任" and rows[1][7] == 66.7


def test_disclosure_is_published_filed_and_seen_by_the_district(school, seated, admin):
    chair, code = school.chair, school.code
    notice = chair.ok("POST", cpath(code, "/disclosures"), 201, json={
        "category": "staff_welfare", "title": "教职工节日慰问品发放公示", "body": "每人 300 元",
        "channels": ["internal_board", "campus_network"]})
    assert notice["filed"] and notice["month"] == date.today().strftime("%Y-%m")
    assert seated["voters"][0].ok("GET", cpath(code, "/disclosures"))["total"] >= 1
    cadence = chair.ok("GET", cpath(code, "/disclosures/cadence"), params={"year": date.today().year})
    assert date.today().strftime("%Y-%m") not in cadence["missing"]
    assert_problem(chair.post(cpath(code, "/disclosures"), json={"category": "gossip", "body": ""}), 422,
                   "validation_failed", fields={"category", "title", "body"})
    filed = admin.ok("GET", "/api/v1/district/congress/disclosures")
    assert any(i["school"] == code and i["filed"] >= 1 for i in filed["items"])
    overview = admin.ok("GET", "/api/v1/district/congress/overview")
    assert code not in {i["school"] for i in overview["without_session"]}
    assert_problem(chair.get("/api/v1/district/congress/overview"), 403, "role_forbidden")
    rates = admin.ok("GET", "/api/v1/district/congress/proposal-rates")
    assert any(i["school"] == code for i in rates["items"])


def test_the_session_record_downloads_as_docx_and_json(school, seated):
    chair, code, s = school.chair, school.code, seated["session"]
    docx = chair.get(cpath(code, f"/sessions/{s['id']}/record"))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "wordprocessingml" in docx.headers["Content-Type"]
    from docx import Document
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "二届一次" in text and "选举工会委员" in text
    record = chair.get(cpath(code, f"/sessions/{s['id']}/record"), params={"format": "json"})
    assert record.status_code == 200 and record.json()["delegates"] == 6


def test_the_suggestion_box_gets_replies(school, seated):
    chair, code = school.chair, school.code
    mine = seated["voters"][3].ok("POST", cpath(code, "/suggestions"), 201, json={"content": "重开咖啡吧"})
    chair.ok("POST", cpath(code, f"/suggestions/{mine['id']}/reply"), json={"reply": "已安排"})
    assert seated["voters"][3].ok("GET", cpath(code, "/suggestions"))["items"][0]["reply"] == "已安排"
    assert_problem(chair.post(cpath(code, f"/suggestions/{mine['id']}/reply"), json={"reply": "again"}), 409,
                   "already_replied")


def test_the_demo_district_has_a_congress_and_open_proposals_show_in_metrics(stack, demo_chair):
    import requests
    chair = demo_chair("XQ-SY")
    sessions = chair.ok("GET", cpath("XQ-SY", "/sessions"))
    assert [s["label"] for s in sessions["items"]] == ["八届五次"]
    delegates = chair.ok("GET", cpath("XQ-SY", "/delegates"))
    assert delegates["active"] >= 3 and delegates["term_no"] == 8
    assert chair.ok("GET", cpath("XQ-SY", "/proposals"))["items"][0]["status"] == "assigned"
    metrics = requests.get(f"{stack.service_urls['congress']}/metrics", timeout=10).text
    assert 'unionhub_congress_open_proposals{school="XQ-SY"} 1.0' in metrics


def test_an_unsatisfied_submitter_reopens_the_proposal_and_overdue_ones_are_reminded(school, seated):
    chair, code, s = school.chair, school.code, seated["session"]
    author = seated["voters"][4]
    p = author.ok("POST", cpath(code, f"/sessions/{s['id']}/proposals"), 201,
                  json={"title": "改善教工午餐", "content": "增加菜品", "cosigners": [seated["members"][5]]})
    chair.ok("POST", cpath(code, f"/proposals/{p['id']}/review"), json={"decision": "register"})
    chair.ok("POST", cpath(code, f"/proposals/{p['id']}/assign"),
             json={"department": "总务处", "due_on": (date.today() - timedelta(days=2)).isoformat()})
    overdue = chair.ok("GET", cpath(code, "/proposals"), params={"overdue": "true"})
    assert [i["id"] for i in overdue["items"]] == [p["id"]]
    reminded = chair.ok("POST", cpath(code, "/proposals/reminders"))
    assert reminded["reminded"] == [p["id"]] and chair.ok("POST", cpath(code, "/proposals/reminders"))["total"] == 0
    chair.ok("POST", cpath(code, f"/proposals/{p['id']}/answer"), json={"reply": "下月调整"})
    reopened = author.ok("POST", cpath(code, f"/proposals/{p['id']}/satisfaction"),
                         json={"satisfaction": "unsatisfied", "note": "没有变化"})
    assert reopened["status"] == "reopened"
    assert chair.ok("GET", cpath(code, f"/proposals/{p['id']}"))["history"][-1]["status"] == "reopened"
    assert_problem(author.post(cpath(code, f"/proposals/{p['id']}/satisfaction"), json={"satisfaction": "satisfied"}),
                   409, "proposal_action_not_allowed")


def test_an_election_of_delegates_seats_the_winners_as_the_next_terms_delegates(school, seated):
    chair, code, s = school.chair, school.code, seated["session"]
    newcomers = [chair.admit(code, name=f"新代表{i}")["id"] for i in range(2)]
    candidates = newcomers + seated["members"][:2]
    bad = chair.post(cpath(code, f"/sessions/{s['id']}/elections"), json={
        "title": "第三届教代会代表选举", "purpose": "delegates", "term_no": 7, "seats": 3,
        "candidates": [{"member_id": c} for c in candidates[:3]], "max_choices": 4})
    assert_problem(bad, 422, "validation_failed", fields={"term_no", "max_choices"})

    def create():       # the congress's member directory learns of the newcomers by event
        resp = chair.post(cpath(code, f"/sessions/{s['id']}/elections"), json={
            "title": "第三届教代会代表选举", "purpose": "delegates", "term_no": 3, "seats": 3,
            "candidates": [{"member_id": c} for c in candidates]})
        if resp.status_code == 201:
            return resp.json()
        assert_problem(resp, 422, "validation_failed", fields={"candidates"})
        return None
    e = testing.wait_for(create, 60, interval=0.3, what="the newcomers to reach the congress")
    chair.ok("POST", cpath(code, f"/polls/{e['id']}/open"), json={})
    for voter in seated["voters"]:
        voter.ok("POST", cpath(code, f"/polls/{e['id']}/ballots"), 201, json={"choice": [1, 2, 3]})
    result = chair.ok("POST", cpath(code, f"/polls/{e['id']}/close"))["result"]
    assert result["winners"] == [1, 2, 3] and result["enrolled"]["enrolled"] == candidates[:3]
    current = chair.ok("GET", cpath(code, "/delegates"))
    assert current["term_no"] == 3 and current["terms"][:2] == [3, 2]
    assert {d["member_id"] for d in current["items"]} == set(candidates[:3])
    assert all(d["poll_id"] == e["id"] and d["status"] == "active" for d in current["items"])
    assert chair.ok("GET", cpath(code, "/delegates"), params={"term_no": 2})["active"] == 6


def test_a_session_gets_a_further_sitting(school, seated):
    chair, code = school.chair, school.code
    s = chair.ok("POST", cpath(code, "/sessions"), 201, json={"term_no": 2, "session_no": 2,
                                                              "sitting_dates": [date.today().isoformat()]})
    later = (date.today() + timedelta(days=7)).isoformat()
    grown = chair.ok("POST", cpath(code, f"/sessions/{s['id']}/sittings"), 201, json={"date": later})
    assert [t["date"] for t in grown["sittings"]] == [date.today().isoformat(), later]
    assert_problem(chair.post(cpath(code, f"/sessions/{s['id']}/sittings"), json={"date": later}), 409,
                   "sitting_exists", fields={"date"})


def test_the_district_reads_the_filed_disclosures(school, seated, admin):
    chair, code = school.chair, school.code
    chair.ok("POST", cpath(code, "/disclosures"), 201, json={"category": "large_expenditure",
                                                            "title": "操场改造工程公示", "body": "工程款 48 万元"})
    filed = admin.ok("GET", "/api/v1/district/congress/filings", params={"school": code, "page_size": 50})
    assert "操场改造工程公示" in {i["title"] for i in filed["items"]} and all(i["school"] == code for i in filed["items"])
    assert_problem(chair.get("/api/v1/district/congress/filings"), 403, "role_forbidden")


def test_a_session_is_amended_while_prepared_and_its_rules_are_then_fixed(school, seated):
    chair, code = school.chair, school.code
    s = chair.ok("POST", cpath(code, "/sessions"), 201, json={"term_no": 2, "session_no": 3,
                                                              "sitting_dates": [date.today().isoformat()]})
    amended = chair.ok("PATCH", cpath(code, f"/sessions/{s['id']}"), json={
        "central_topic": "教职工考核方案", "min_group_size": 6})
    assert amended["central_topic"] == "教职工考核方案" and amended["min_group_size"] == 6
    bad = chair.patch(cpath(code, f"/sessions/{s['id']}"), json={
        "quorum_rule": {"base": "present", "num": 1, "den": 2, "strict": True}, "min_cosigners": -1, "colour": 1})
    assert_problem(bad, 422, "validation_failed", fields={"quorum_rule.base", "min_cosigners", "colour"})
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/convene"))
    assert_problem(chair.patch(cpath(code, f"/sessions/{s['id']}"), json={"min_group_size": 3}), 409,
                   "congress_session_not_planned", fields={"min_group_size"})
