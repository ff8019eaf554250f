"""提案 as the service handles them: intake, co-signers, review, assignment, reply, tracking,
satisfaction, reminders and rates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.congress import proposals
from services.congress import schemas as s
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.validation import load

from .support import S1

DELEGATES = list(range(201, 211))


class Ctx:
    def __init__(self, role="delegate", member_id=None):
        self.role, self.member_id = role, member_id


@pytest.fixture
def setup(cg):
    cg.delegates(DELEGATES)
    return cg, cg.session(min_cosigners=2)


def submit(cg, session, member_id=DELEGATES[0], cosigners=(202, 203), **extra):
    data = load(s.ProposalCreateSchema, {"title": "改善教师食堂伙食", "content": "建议增加早餐品种",
                                         "cosigners": list(cosigners), **extra})
    return cg.run(proposals.submit, S1, session["id"], data, Ctx("delegate", member_id), role="delegate",
                  member_id=member_id)


def test_a_proposal_needs_the_minimum_of_co_signing_delegates(setup):
    cg, session = setup
    with pytest.raises(ValidationFailed) as exc:
        submit(cg, session, cosigners=[202])
    assert exc.value.fields == {"cosigners": ["too_few_cosigners"]} and exc.value.params == {"min": 2}
    with pytest.raises(ValidationFailed) as exc:
        submit(cg, session, cosigners=[202, 999])
    assert exc.value.fields == {"cosigners": ["cosigner_not_a_delegate", "too_few_cosigners"]}
    p = submit(cg, session)
    assert p["status"] == "submitted" and p["cosigners"] == [202, 203] and p["submitter_name"] == "代表201"


def test_only_delegates_submit_and_only_inside_the_intake_window(cg):
    cg.delegates(DELEGATES)
    cg.members([900])
    closed = cg.session(proposals_close_on=str(date.today() - timedelta(days=1)))
    with pytest.raises(Conflict) as exc:
        submit(cg, closed)
    assert exc.value.code == "proposal_window_closed"
    open_session = cg.session(session_no=6)
    with pytest.raises(Forbidden):
        submit(cg, open_session, member_id=900)


def test_a_proposal_runs_from_registration_to_implementation(setup):
    cg, session = setup
    p = submit(cg, session)
    p = cg.run(proposals.review, p["id"], {"decision": "register"})
    assert p["status"] == "registered" and p["number"] == 1
    p = cg.run(proposals.assign, p["id"], {"department": "总务处", "responsible": "李主任",
                                            "due_on": date.today() + timedelta(days=30)})
    p = cg.run(proposals.answer, p["id"], {"reply": "下月起增加早餐品种"})
    assert p["status"] == "answered" and cg.events("congress.proposal_answered")[0]["proposal_id"] == p["id"]
    p = cg.run(proposals.track, p["id"], {"status": "in_progress", "note": "已招标"})
    p = cg.run(proposals.track, p["id"], {"status": "implemented", "note": "已落实"})
    p = cg.run(proposals.rate, p["id"], {"satisfaction": "satisfied"}, Ctx("delegate", DELEGATES[0]))
    with cg.read() as session_:
        full = proposals.get(session_, p["id"])
        stats = proposals.stats(session_, session["id"])
    assert [h["action"] for h in full["history"]] == ["submit", "register", "assign", "answer", "track", "track",
                                                      "rate"]
    assert stats["reply_rate"] == 100.0 and stats["implementation_rate"] == 100.0
    assert stats["awaiting_reply"] == 0 and stats["warning"] is None


def test_a_session_with_a_proposal_still_owed_a_reply_is_warned(setup):
    cg, session = setup
    p = submit(cg, session)
    cg.run(proposals.review, p["id"], {"decision": "register"})
    with cg.read() as read:
        stats = proposals.stats(read, session["id"])
    assert stats["reply_rate"] == 0.0 and stats["awaiting_reply"] == 1 and stats["warning"] == "replies_outstanding"


def test_a_declined_proposal_needs_a_reason_and_cannot_be_answered(setup):
    cg, session = setup
    p = submit(cg, session)
    with pytest.raises(ValidationFailed):
        cg.run(proposals.review, p["id"], {"decision": "decline"})
    p = cg.run(proposals.review, p["id"], {"decision": "decline", "reason": "不属于教代会职权范围"})
    with pytest.raises(Conflict) as exc:
        cg.run(proposals.answer, p["id"], {"reply": "x"})
    assert exc.value.code == "proposal_action_not_allowed"
    with cg.read() as session_:
        assert proposals.get(session_, p["id"])["reply"] is None


def test_a_proposal_can_become_an_opinion_instead(setup):
    cg, session = setup
    p = cg.run(proposals.review, submit(cg, session)["id"], {"decision": "convert", "reason": "作为意见建议处理"})
    assert p["status"] == "opinion" and p["number"] is None


def test_an_unsatisfied_submitter_reopens_the_proposal_and_only_the_submitter_rates(setup):
    cg, session = setup
    p = submit(cg, session)
    cg.run(proposals.review, p["id"], {"decision": "register"})
    cg.run(proposals.answer, p["id"], {"reply": "研究后答复"})
    with pytest.raises(Forbidden):
        cg.run(proposals.rate, p["id"], {"satisfaction": "satisfied"}, Ctx("delegate", 202))
    p = cg.run(proposals.rate, p["id"], {"satisfaction": "unsatisfied"}, Ctx("delegate", DELEGATES[0]))
    assert p["status"] == "reopened"
    with cg.read() as session_:
        assert proposals.stats(session_, session["id"])["reply_rate"] == 0.0
    p = cg.run(proposals.answer, p["id"], {"reply": "已具体安排"})
    assert p["status"] == "answered"


def test_cannot_be_implemented_needs_a_reason(setup):
    cg, session = setup
    p = submit(cg, session)
    cg.run(proposals.review, p["id"], {"decision": "register"})
    cg.run(proposals.answer, p["id"], {"reply": "经费不足"})
    with pytest.raises(ValidationFailed):
        cg.run(proposals.track, p["id"], {"status": "not_implementable"})


def test_overdue_proposals_get_one_reminder_a_day(setup):
    cg, session = setup
    p = submit(cg, session)
    cg.run(proposals.review, p["id"], {"decision": "register"})
    cg.run(proposals.assign, p["id"], {"department": "教务处", "due_on": date.today() - timedelta(days=3)})
    first = cg.run(proposals.remind_overdue)
    again = cg.run(proposals.remind_overdue)
    assert first["reminded"] == [p["id"]] and again["reminded"] == []
    [event] = cg.events("congress.proposal_overdue")
    assert event["days_overdue"] == 3 and event["department"] == "教务处"
    with cg.read() as session_:
        assert [i["id"] for i in proposals.search(session_, {"overdue": True})["items"]] == [p["id"]]


def test_each_step_of_a_proposal_is_announced_for_the_people_it_concerns(setup):
    cg, session = setup
    p = submit(cg, session)
    cg.run(proposals.review, p["id"], {"decision": "register"})
    due = date.today() + timedelta(days=10)
    cg.run(proposals.assign, p["id"], {"department": "总务处", "responsible": "李主任", "due_on": due})
    cg.run(proposals.answer, p["id"], {"reply": "研究后答复"})
    cg.run(proposals.rate, p["id"], {"satisfaction": "unsatisfied"}, Ctx("delegate", DELEGATES[0]))
    [submitted] = cg.events("congress.proposal_submitted")
    assert submitted["submitter_member_id"] == DELEGATES[0] and submitted["cosigners"] == [202, 203]
    [reviewed] = cg.events("congress.proposal_reviewed")
    assert reviewed["decision"] == "register" and reviewed["number"] == 1 and reviewed["status"] == "registered"
    [assigned] = cg.events("congress.proposal_assigned")
    assert assigned["department"] == "总务处" and assigned["due_on"] == due.isoformat()
    [rated] = cg.events("congress.proposal_rated")
    assert rated["reopened"] and rated["status"] == "reopened" and rated["satisfaction"] == "unsatisfied"


def test_a_declined_proposal_tells_its_submitter_why(setup):
    cg, session = setup
    p = submit(cg, session)
    cg.run(proposals.review, p["id"], {"decision": "decline", "reason": "属个人诉求，建议通过意见箱反映"})
    [reviewed] = cg.events("congress.proposal_reviewed")
    assert reviewed["status"] == "declined" and reviewed["reason"] == "属个人诉求，建议通过意见箱反映"
    assert reviewed["number"] is None


def test_proposals_are_listed_a_page_at_a_time_and_the_overdue_filter_counts_in_the_database(setup):
    cg, session = setup
    ids = [submit(cg, session)["id"] for _ in range(5)]
    for pid in ids[:3]:
        cg.run(proposals.review, pid, {"decision": "register"})
        cg.run(proposals.assign, pid, {"department": "教务处", "due_on": date.today() - timedelta(days=1)})
    with cg.read() as read:
        overdue = proposals.search(read, {"overdue": True, "page": 1, "page_size": 2})
        not_overdue = proposals.search(read, {"overdue": False})
        second = proposals.search(read, {"page": 2, "page_size": 4})
    assert overdue["total"] == 3 and len(overdue["items"]) == 2 and all(i["overdue"] for i in overdue["items"])
    assert not_overdue["total"] == 2 and second["total"] == 5 and len(second["items"]) == 1
