"""会议与培训记录 over HTTP: a delegate training and a supervision-group meeting recorded by the
chair, the training coverage of the term, bad input named field by field, other schools and
voters kept out, the district's view, and the demo district's own preparation and training."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from .support import assert_problem
from .test_congress_voting import account, add_delegate, cpath

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def delegates(stack, school):
    chair, code = school.chair, school.code
    members = [chair.admit(code, name=f"代表{i}")["id"] for i in range(4)]
    for m in members:
        add_delegate(chair, code, m, term_no=3)
    return {"members": members, "voter": account(stack, chair, code, members[0])}


def test_a_training_is_recorded_and_the_untrained_delegates_show(school, delegates):
    chair, code, members = school.chair, school.code, delegates["members"]
    today = date.today().isoformat()
    training = chair.ok("POST", cpath(code, "/meetings"), 201, json={
        "kind": "delegate_training", "title": "教代会代表履职培训", "held_on": today, "host": "区教育工会",
        "attendee_ids": members[:3], "headcount": 5,
        "points": [{"issue": "提案须写明问题、建议和理由"}]})
    assert training["kind_label"] == "代表培训" and training["attendees"] == 3 and training["follow_ups_open"] == 1
    coverage = chair.ok("GET", cpath(code, "/trainings"), params={"term_no": 3})
    assert (coverage["delegates"], coverage["trained"], coverage["rate"]) == (4, 3, 75.0)
    assert [u["member_id"] for u in coverage["untrained"]] == [members[3]]
    followed = chair.ok("PATCH", cpath(code, f"/meetings/{training['id']}"), json={
        "minutes": "学习《教代会规定》", "attendee_ids": members,
        "points": [{"issue": "提案须写明问题、建议和理由", "follow_up": "已印发提案写作要求"}]})
    assert followed["follow_ups_open"] == 0 and followed["attendees"] == 4 and followed["headcount"] == 5
    assert chair.ok("GET", cpath(code, "/trainings"), params={"term_no": 3})["untrained"] == []
    got = chair.ok("GET", cpath(code, f"/meetings/{training['id']}"))
    assert got["minutes"] == "学习《教代会规定》" and {a["member_id"] for a in got["attendee_list"]} == set(members)
    listed = chair.ok("GET", cpath(code, "/meetings"), params={"kind": "delegate_training", "member_id": members[3]})
    assert [m["id"] for m in listed["items"]] == [training["id"]] and listed["total"] == 1


def test_bad_input_is_named_field_by_field_and_nothing_is_recorded(school, other_school, delegates):
    chair, code = school.chair, school.code
    stranger = other_school.chair.admit(other_school.code, name="外校教师")["id"]
    before = chair.ok("GET", cpath(code, "/meetings"))["total"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    body = assert_problem(chair.post(cpath(code, "/meetings"), json={
        "kind": "joint_meeting", "title": "党政工联席会", "held_on": tomorrow, "session_id": 999999,
        "attendee_ids": [delegates["members"][0], stranger], "headcount": 1}), 422, "validation_failed",
        fields={"held_on", "session_id", "attendee_ids", "headcount"})
    assert {e["field"]: e["code"] for e in body["errors"]}["attendee_ids"] == "attendee_not_a_member"
    assert_problem(chair.post(cpath(code, "/meetings"), json={"kind": "tea_party", "title": "", "held_on": "x",
                                                             "minutes_typo": 1}),
                   422, "validation_failed", fields={"kind", "title", "held_on", "minutes_typo"})
    assert chair.ok("GET", cpath(code, "/meetings"))["total"] == before


def test_other_schools_and_voters_are_kept_out(school, other_school, delegates):
    chair, code = school.chair, school.code
    m = chair.ok("POST", cpath(code, "/meetings"), 201, json={
        "kind": "pay_supervision", "title": "绩效工资监督小组会议", "held_on": date.today().isoformat(),
        "points": [{"issue": "考核结果公示期不足"}]})
    outsider = other_school.chair
    assert outsider.get(cpath(code, f"/meetings/{m['id']}")).status_code in (403, 404)
    assert outsider.get(cpath(other_school.code, f"/meetings/{m['id']}")).status_code == 404
    assert outsider.patch(cpath(code, f"/meetings/{m['id']}"), json={"minutes": "x"}).status_code in (403, 404)
    assert_problem(delegates["voter"].post(cpath(code, "/meetings"), json={
        "kind": "other", "title": "x", "held_on": date.today().isoformat()}), 403, "role_forbidden")
    assert delegates["voter"].get(cpath(code, "/meetings")).status_code == 403


def test_the_district_sees_meetings_by_school(school, admin, delegates):
    code = school.code
    view = admin.ok("GET", "/api/v1/district/congress/meetings", params={"year": date.today().year})
    mine = next(i for i in view["items"] if i["school"] == code)
    assert mine["delegate_trainings"] >= 1 and mine["by_kind"]["delegate_training"] >= 1
    assert code not in view["without_delegate_training"]
    assert_problem(school.chair.get("/api/v1/district/congress/meetings"), 403, "role_forbidden")


def test_the_demo_school_has_its_preparation_meeting_and_training(demo_chair):
    chair = demo_chair("XQ-SY")
    kinds = {m["kind"] for m in chair.ok("GET", cpath("XQ-SY", "/meetings"))["items"]}
    assert {"preparation", "delegate_training"} <= kinds
    coverage = chair.ok("GET", cpath("XQ-SY", "/trainings"))
    assert coverage["trained"] == 20 and coverage["delegates"] == 30 and len(coverage["untrained"]) == 10


def test_a_work_plan_item_links_to_the_training_that_fulfils_it(school, other_school, delegates):
    chair, code = school.chair, school.code
    training = chair.ok("POST", cpath(code, "/meetings"), 201, json={
        "kind": "delegate_training", "title": "代表履职培训（二）", "held_on": date.today().isoformat(),
        "attendee_ids": delegates["members"][:1]})
    theirs = other_school.chair.ok("POST", cpath(other_school.code, "/meetings"), 201, json={
        "kind": "joint_meeting", "title": "别校联席会", "held_on": date.today().isoformat()})
    chair.ok("POST", f"/api/v1/schools/{code}/events/plans/2029", 201, json={})
    items = f"/api/v1/schools/{code}/events/plans/2029/items"
    item = chair.ok("POST", items, 201, json={"month": 4, "title": "教代会代表培训", "link": {
        "service": "congress", "kind": "meeting", "id": str(training["id"])}})
    assert item["link"]["id"] == str(training["id"])
    assert_problem(chair.post(items, json={"month": 5, "title": "联席会", "link": {
        "service": "congress", "kind": "meeting", "id": str(theirs["id"])}}), 422, "linked_record_not_found",
        ["link.id"])


def _school_year(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def test_the_congress_archive_is_compiled_submitted_and_seen_by_the_district(school, other_school, admin, delegates):
    chair, code = school.chair, school.code
    year = _school_year(date.today())
    before = chair.ok("GET", cpath(code, "/archive"))
    assert before["school_year"] == year and "no_session_this_school_year" in before["missing"]
    assert_problem(chair.post(cpath(code, "/archive/submit"), json={"school_year": year}), 409,
                   "no_session_this_school_year")
    assert_problem(chair.post(cpath(code, "/archive/submit"), json={"school_year": "今年"}), 422,
                   "validation_failed", fields={"school_year"})
    s = chair.ok("POST", cpath(code, "/sessions"), 201, json={
        "term_no": 3, "session_no": 1, "sitting_dates": [date.today().isoformat()],
        "agenda": [{"title": "听取校长工作报告", "power": "hear_report"}]})
    chair.ok("POST", cpath(code, f"/sessions/{s['id']}/convene"))
    chair.ok("POST", cpath(code, "/meetings"), 201, json={
        "kind": "delegate_training", "title": "三届一次会前代表培训", "held_on": date.today().isoformat(),
        "session_id": s["id"], "attendee_ids": delegates["members"]})
    compiled = chair.ok("GET", cpath(code, "/archive"), params={"school_year": year})
    assert compiled["ready"] and compiled["sessions"][0]["label"] == "三届一次"
    assert "no_delegate_training" not in compiled["missing"] and "no_session_this_school_year" not in compiled["missing"]
    filed = chair.ok("POST", cpath(code, "/archive/submit"), 201, json={"school_year": year})
    assert filed["revision"] == 1 and filed["contents"]["sessions"][0]["session_id"] == s["id"]
    assert delegates["voter"].post(cpath(code, "/archive/submit"), json={"school_year": year}).status_code == 403
    assert other_school.chair.get(cpath(code, "/archive")).status_code in (403, 404)
    view = admin.ok("GET", "/api/v1/district/congress/archives", params={"school_year": year})
    assert code not in view["not_submitted"] and other_school.code in view["not_submitted"]
    one = admin.ok("GET", "/api/v1/district/congress/archives", params={"school_year": year, "school": code})
    assert one["items"][0]["contents"]["sessions"][0]["label"] == "三届一次"
    assert_problem(chair.get("/api/v1/district/congress/archives"), 403, "role_forbidden")
