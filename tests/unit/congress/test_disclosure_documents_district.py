"""校务公开, the session record, the finance audit item and the district views."""
from __future__ import annotations

import base64
import io
import json
from datetime import date

import pytest

from services.congress import audit, disclosure, district, documents, elections, polls
from services.congress.orm import KnownSchool
from shared.errors import Conflict

from .support import S1, S2, TODAY


class Ctx:
    def __init__(self, role="member", member_id=None):
        self.role, self.member_id = role, member_id


def test_a_notice_is_published_and_filed_with_the_district_at_once(cg):
    notice = cg.run(disclosure.publish, S1, {"category": "large_expenditure", "title": "教学楼维修工程费用公示",
                                             "body": "工程款 35 万元", "published_on": date(2026, 3, 5)})
    assert notice["filed"] and notice["month"] == "2026-03" and notice["category_label"] == "大额开支"
    [event] = cg.events("congress.disclosure_published")
    assert event["notice_id"] == notice["id"] and event["month"] == "2026-03"


def test_months_without_a_disclosure_are_flagged(cg):
    for month in (1, 2, 4):
        cg.run(disclosure.publish, S1, {"category": "finance", "title": f"{month}月财务公开", "body": "…",
                                        "published_on": date(2025, month, 10)})
    with cg.read() as session:
        cadence = disclosure.cadence(session, 2025)
    assert "2025-03" in cadence["missing"] and "2025-01" not in cadence["missing"] and cadence["warning"]
    assert len(cadence["missing"]) == 9


def test_the_suggestion_box_keeps_anonymous_ones_anonymous_and_each_gets_one_reply(cg):
    mine = cg.run(disclosure.suggest, S1, {"content": "重开教工咖啡吧", "anonymous": True}, Ctx("member", 5))
    assert mine["member_id"] is None and mine["anonymous"]
    cg.run(disclosure.reply, mine["id"], {"reply": "已列入计划"})
    with pytest.raises(Conflict):
        cg.run(disclosure.reply, mine["id"], {"reply": "again"})


def test_an_audit_report_waits_for_the_next_session_and_becomes_its_motion(cg):
    cg.delegates(range(1, 7))
    payload = {"audit_id": 77, "school": S1, "year": 2026, "title": "2026年经费审查报告", "summary": "合规",
               "findings": 0, "submitted_on": "2026-11-01"}
    def consume(uow):                               # as the inbox does: handle, then commit
        audit.receive(uow, S1, payload)
        uow.commit()
    consume_twice = [cg.run(consume) for _ in range(2)]    # a redelivery adds nothing
    assert consume_twice == [None, None]
    session = cg.convened_with(range(1, 7))
    [agenda] = [a for a in session["agenda"] if a["audit_id"] == 77]
    assert len(session["agenda"]) == 2
    assert agenda["power"] == "deliberate_approve" and agenda["title"].startswith("审议经费审查报告")
    with cg.read() as read:
        [motion] = [p for p in polls.list_polls(read, session["id"])["items"] if p["audit_id"] == 77]
    cg.open(motion)
    for m in range(1, 7):
        cg.cast(motion, m, "no" if m < 5 else "yes")
    cg.close(motion)
    [decided] = cg.events("congress.audit_report_decided")
    assert decided["decision"] == "rejected" and decided["yes"] == 2 and decided["no"] == 4


def test_the_session_record_is_json_and_a_printable_docx(cg):
    cg.delegates(range(1, 7))
    session = cg.convened_with(range(1, 6))
    cg.run(lambda uow: (uow.session.add(KnownSchool(code=S1, name="一小", active=True)), uow.commit()))
    with cg.read() as read:
        as_json = json.loads(base64.b64decode(documents.export(read, session["id"], "json")["content_b64"]))
        as_docx = documents.export(read, session["id"], "docx")
    assert as_json["sittings"][0]["present"] == 5 and as_json["sittings"][0]["absent"] == ["代表6"]
    from docx import Document
    text = "\n".join(p.text for p in Document(io.BytesIO(base64.b64decode(as_docx["content_b64"]))).paragraphs)
    assert "八届五次" in text and "审议《奖励性绩效工资分配方案》" in text
    assert as_docx["filename"].endswith(".docx")


def test_the_district_sees_schools_without_a_session_this_school_year(cg):
    with cg.uow(None, role="district_admin") as uow:
        uow.session.add_all([KnownSchool(code=S1, name="一小", active=True), KnownSchool(code=S2, name="二小",
                                                                                       active=True)])
        uow.commit()
    cg.delegates(range(1, 4))
    session = cg.session(sitting_dates=[date.today()])
    from services.congress import sessions as sess
    cg.run(sess.convene, session["id"])
    with cg.read(None) as read:
        view = district.overview(read, None)
        filed = district.disclosures(read, None)
    assert [s["school"] for s in view["without_session"]] == [S2] and view["with_session"] == 1
    assert {i["school"] for i in filed["items"]} == {S1, S2}


def test_the_annual_summary_counts_the_years_congress_work(cg):
    cg.delegates(range(1, 7))
    session = cg.convened_with(range(1, 7))
    motion = cg.open(cg.motion(session))
    for m in range(1, 7):
        cg.cast(motion, m, "yes")
    cg.close(motion)
    with cg.read() as read:
        summary = district.annual_summary(read, S1, date.today().year)
    assert summary["motions"] == 1 and summary["motions_adopted"] == 1 and summary["resolutions"] == 1
    assert summary["sessions"][0]["label"] == "八届五次" and summary["delegates"] == 6


def test_the_month_in_progress_is_due_not_missing(cg):
    on = date.today()
    with cg.read() as session:
        before = disclosure.cadence(session, on.year)
    assert before["pending"] == f"{on:%Y-%m}" and f"{on:%Y-%m}" not in before["missing"]
    cg.run(disclosure.publish, S1, {"category": "finance", "title": "本月财务公开", "body": "…"})
    with cg.read() as session:
        assert disclosure.cadence(session, on.year)["pending"] is None


def test_the_district_reads_every_schools_filings_and_each_school_only_its_own(cg):
    for school, title in ((S1, "一小大额开支公示"), (S2, "二小评优公示"), (S2, "二小收费公示")):
        cg.run(disclosure.publish, school, {"category": "fees", "title": title, "body": "…"}, school=school)
    with cg.read(None) as read:
        everything = district.filings(read, {"page": 1, "page_size": 2})
        second = district.filings(read, {"school": S2})
    with cg.read(S1) as read:
        own = disclosure.notices(read, {})
    assert everything["total"] == 3 and len(everything["items"]) == 2
    assert {i["title"] for i in second["items"]} == {"二小评优公示", "二小收费公示"}
    assert [i["title"] for i in own["items"]] == ["一小大额开支公示"] and own["items"][0]["filed"]


def test_a_reply_in_the_suggestion_box_is_announced_without_naming_an_anonymous_author(cg):
    anonymous = cg.run(disclosure.suggest, S1, {"content": "增加教工停车位", "anonymous": True}, Ctx("member", 5))
    signed = cg.run(disclosure.suggest, S1, {"content": "食堂延长供应", "anonymous": False}, Ctx("member", 6))
    cg.run(disclosure.reply, anonymous["id"], {"reply": "已协调"})
    cg.run(disclosure.reply, signed["id"], {"reply": "下周起延长"})
    assert [e["member_id"] for e in cg.events("congress.suggestion_replied")] == [None, 6]
    with cg.read() as read:
        officer = disclosure.suggestions(read, Ctx("congress_officer"), {"answered": True, "page_size": 1})
        member = disclosure.suggestions(read, Ctx("member", 6), {})
    assert officer["total"] == 2 and len(officer["items"]) == 1 and officer["unanswered"] == 0
    assert [i["content"] for i in member["items"]] == ["食堂延长供应"]


def test_the_district_sees_rates_for_every_school_even_one_without_a_session(cg):
    with cg.uow(None, role="district_admin") as uow:
        uow.session.add_all([KnownSchool(code=S1, name="一小", active=True), KnownSchool(code=S2, name="二小",
                                                                                       active=True)])
        uow.commit()
    cg.session(sitting_dates=[date.today()])
    with cg.read(None) as read:
        rates = district.proposal_rates(read, None)
    assert [(i["school"], i["sessions"]) for i in rates["items"]] == [(S1, 1), (S2, 0)]
    assert rates["items"][1]["reply_rate"] is None


def test_the_printed_record_names_the_candidates_and_who_was_elected(cg):
    from services.congress import schemas as s
    from shared.validation import load
    cg.delegates(range(1, 7))
    session = cg.convened_with(range(1, 7))
    data = load(s.ElectionCreateSchema, {"title": "选举工会委员", "seats": 1,
                                         "candidates": [{"member_id": 1}, {"member_id": 2}]})
    poll = cg.open(cg.run(elections.create_election, S1, session["id"], data))
    for m in range(1, 7):
        cg.cast(poll, m, [1] if m < 5 else [2])
    cg.close(poll)
    with cg.read() as read:
        as_docx = documents.export(read, session["id"], "docx")
    from docx import Document
    text = "\n".join(p.text for p in Document(io.BytesIO(base64.b64decode(as_docx["content_b64"]))).paragraphs)
    assert "选举（无记名投票）：选举工会委员" in text and "代表1 4 票、代表2 2 票" in text and "当选：代表1" in text
