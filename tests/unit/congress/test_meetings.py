"""会议与培训记录: meetings between sessions, delegate training coverage, the district's view."""
from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest

from services.congress import documents, district, meetings
from services.congress import schemas as s
from services.congress.common import today
from services.congress.orm import KnownSchool, Meeting
from shared.errors import NotFound, ValidationFailed
from shared.validation import load

from .support import S1, S2

DAY = date(2026, 4, 7)


def _meeting(cg, school=S1, **data):
    body = {"kind": "delegate_training", "title": "教代会代表履职培训", "held_on": str(DAY)}
    body.update(data)
    return cg.run(meetings.record, school, load(s.MeetingCreateSchema, body), school=school)


def test_a_training_is_recorded_with_its_attendees_and_announced_without_names(cg):
    cg.delegates([1, 2, 3], name="代表")
    got = _meeting(cg, attendee_ids=[1, 2, 2], host="区教育工会主席",
                   points=[{"issue": "提案须写明理由"}, {"issue": "会前征求组员意见", "follow_up": "已布置"}])
    assert got["kind_label"] == "代表培训" and got["attendees"] == 2 and got["headcount"] == 2
    assert [a["member_id"] for a in got["attendee_list"]] == [1, 2] and got["attendee_list"][0]["name"] == "代表"
    assert got["points"] == 2 and got["follow_ups_open"] == 1
    [event] = cg.events("congress.meeting_recorded")
    assert event == {"meeting_id": got["id"], "school": S1, "kind": "delegate_training", "title": "教代会代表履职培训",
                     "held_on": str(DAY), "session_id": None, "attendees": 2, "headcount": 2}


def test_every_bad_field_is_named_at_once_and_nothing_is_written(cg):
    cg.members([1])
    cg.members([9], school=S2)
    with pytest.raises(ValidationFailed) as exc:
        _meeting(cg, held_on=str(today() + timedelta(days=1)), session_id=999, attendee_ids=[1, 9, 77], headcount=1)
    assert exc.value.fields == {"held_on": ["meeting_in_future"], "session_id": ["congress_session_not_found"],
                                "attendee_ids": ["attendee_not_a_member"], "headcount": ["headcount_below_attendees"]}
    assert exc.value.params["member_ids"] == [9, 77]          # another school's member is not found here
    assert cg.all(Meeting) == [] and cg.events("congress.meeting_recorded") == []


def test_a_retiree_symposium_takes_retired_members_but_not_those_who_left(cg):
    cg.members([5], status="retired")
    cg.members([6], status="left")
    got = _meeting(cg, kind="retiree_symposium", title="退休教职工座谈会", attendee_ids=[5], headcount=12)
    assert got["headcount"] == 12 and got["attendees"] == 1
    with pytest.raises(ValidationFailed) as exc:
        _meeting(cg, kind="retiree_symposium", title="退休教职工座谈会", attendee_ids=[6])
    assert exc.value.params["member_ids"] == [6]


def test_minutes_and_follow_up_are_added_later_and_the_headcount_keeps_up(cg):
    cg.members([1, 2, 3])
    m = _meeting(cg, kind="pay_supervision", title="绩效工资监督小组会议", attendee_ids=[1], headcount=4,
                 points=[{"issue": "考核细则公示期不足"}])
    got = cg.run(meetings.update, m["id"], load(s.MeetingUpdateSchema, {
        "minutes": "小组核对了考核结果。", "points": [{"issue": "考核细则公示期不足", "follow_up": "已延长公示至5个工作日"}],
        "attendee_ids": [1, 2, 3, 3, 2, 1]}))
    assert got["minutes"] == "小组核对了考核结果。" and got["follow_ups_open"] == 0
    assert got["attendees"] == 3 and got["headcount"] == 4
    got = cg.run(meetings.update, m["id"], load(s.MeetingUpdateSchema, {"attendee_ids": [1, 2, 3], "headcount": 3}))
    assert got["headcount"] == 3
    with pytest.raises(ValidationFailed) as exc:
        cg.run(meetings.update, m["id"], load(s.MeetingUpdateSchema, {"headcount": 2}))
    assert exc.value.fields == {"headcount": ["headcount_below_attendees"]}
    with pytest.raises(NotFound):
        cg.run(meetings.update, m["id"], {"title": "x"}, school=S2)     # another school's record is not found


def test_the_list_filters_by_kind_year_session_and_attendee_and_pages(cg):
    cg.members([1, 2])
    session = cg.session()
    _meeting(cg, kind="preparation", title="筹备会", session_id=session["id"], attendee_ids=[1])
    _meeting(cg, attendee_ids=[1, 2], held_on="2026-04-08")
    _meeting(cg, kind="joint_meeting", title="党政工联席会", held_on="2025-12-30")
    with cg.read() as read:
        everything = meetings.search(read, load(s.MeetingListQuery, {}))
        assert [m["held_on"] for m in everything["items"]] == ["2026-04-08", "2026-04-07", "2025-12-30"]
        assert meetings.search(read, load(s.MeetingListQuery, {"year": 2025}))["total"] == 1
        assert meetings.search(read, load(s.MeetingListQuery, {"session_id": session["id"]}))["items"][0]["kind"] \
            == "preparation"
        assert meetings.search(read, load(s.MeetingListQuery, {"member_id": 2}))["total"] == 1
        second = meetings.search(read, load(s.MeetingListQuery, {"page": 2, "page_size": 2}))
        assert second["total"] == 3 and [m["held_on"] for m in second["items"]] == ["2025-12-30"]
        assert "minutes" not in second["items"][0]


def test_training_coverage_lists_the_delegates_never_trained(cg):
    cg.delegates([1, 2, 3, 4])
    _meeting(cg, attendee_ids=[1, 2])
    _meeting(cg, attendee_ids=[2], held_on="2026-05-01")
    _meeting(cg, kind="staff_symposium", title="教职工座谈会", attendee_ids=[3])   # not a training
    with cg.read() as read:
        got = meetings.training_coverage(read, None)
    assert (got["term_no"], got["delegates"], got["trained"], got["rate"]) == (8, 4, 2, 50.0)
    assert [u["member_id"] for u in got["untrained"]] == [3, 4] and got["warning"]
    assert {i["member_id"]: i["trainings"] for i in got["items"]} == {1: 1, 2: 2, 3: 0, 4: 0}


def test_the_session_record_lists_its_preparation_and_training(cg):
    cg.delegates(range(1, 7))
    session = cg.session()
    _meeting(cg, kind="preparation", title="八届五次教代会筹备会", session_id=session["id"], attendee_ids=[1, 2])
    with cg.read() as read:
        out = documents.export(read, session["id"], "json")
        docx = documents.export(read, session["id"], "docx")
    data = json.loads(base64.b64decode(out["content_b64"]))
    assert data["meetings"] == [{"kind": "preparation", "kind_label": "教代会筹备会", "title": "八届五次教代会筹备会",
                                 "held_on": str(DAY), "headcount": 2, "points": 0}]
    from docx import Document
    import io
    text = "\n".join(p.text for p in Document(io.BytesIO(base64.b64decode(docx["content_b64"]))).paragraphs)
    assert "筹备与培训" in text and "八届五次教代会筹备会" in text


def test_the_district_sees_meetings_by_school_and_who_trained_no_delegates(cg):
    with cg.uow(None, role="district_admin") as uow:
        uow.session.add_all([KnownSchool(code=S1, name="一小", active=True), KnownSchool(code=S2, name="二中", active=True)])
        uow.commit()
    cg.members([1])
    _meeting(cg, attendee_ids=[1])
    _meeting(cg, kind="joint_meeting", title="党政工联席会", school=S2)
    with cg.read(None) as read:
        got = meetings.district_view(read, 2026)
    with cg.read() as read:
        summary = district.annual_summary(read, S1, 2026)
    assert [(i["school"], i["meetings"], i["delegate_trainings"]) for i in got["items"]] == [(S1, 1, 1), (S2, 1, 0)]
    assert got["without_delegate_training"] == [S2] and got["warning"]
    assert summary["meetings"] == {"delegate_training": 1}
