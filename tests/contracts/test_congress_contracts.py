"""Contracts of the congress events, both sides: every event the congress publishes has a
realistic sample that round-trips and that the publisher's own code produces; the finance event
the congress consumes is handled from its contract sample."""
from __future__ import annotations

import json
from datetime import date

import pytest

from services.congress.orm import Base
from services.congress.plugin import plugin
from shared import contracts
from shared.jsonutil import dumps

contracts.load_all()

RULE = {"base": "all_delegates", "num": 1, "den": 2, "strict": True}
SAMPLES = {
    "congress.audit_report_decided": {"audit_id": 12, "school": "S001", "decision": "approved", "session_id": 3,
                                      "motion_id": 41, "yes": 30, "no": 2, "abstain": 1, "decided_on": "2026-06-28"},
    "congress.session_convened": {"session_id": 3, "school": "S001", "term_no": 8, "session_no": 5,
                                  "label": "八届五次", "mode": "delegate_congress",
                                  "title": "第八届教职工代表大会第五次会议", "central_topic": "奖励性绩效工资分配",
                                  "school_year": 2025, "sitting_dates": ["2026-06-28"], "delegates": 45},
    "congress.session_closed": {"session_id": 3, "school": "S001", "label": "八届五次", "school_year": 2025,
                                "closed_on": "2026-06-28"},
    "congress.delegate_vacated": {"delegate_id": 7, "school": "S001", "member_id": 1024, "term_no": 8,
                                  "reason": "transferred_out", "vacated_on": "2026-09-01"},
    "congress.motion_decided": {"poll_id": 41, "session_id": 3, "school": "S001", "agenda_item_id": 9,
                                "title": "审议《奖励性绩效工资分配方案》", "adopted": True, "yes": 38, "no": 4,
                                "abstain": 1, "eligible": 45, "present": 43, "required": 23, "rule": RULE,
                                "resolution_id": 5, "decided_on": "2026-06-28"},
    "congress.election_decided": {"poll_id": 42, "session_id": 3, "school": "S001", "title": "选举经费审查委员会",
                                  "purpose": "funds_review_committee", "seats": 3, "cast": 43, "required": 22,
                                  "winners": [{"member_id": 1024, "name": "王芳", "votes": 40}],
                                  "runoff_poll_id": 43, "runoff_of": None, "unfilled": 0, "term_no": None,
                                  "constituency_group_id": None, "decided_on": "2026-06-28"},
    "congress.evaluation_decided": {"poll_id": 44, "session_id": 3, "school": "S001", "title": "中层干部述职测评",
                                    "purpose": "cadre_rating", "cast": 43, "decided_on": "2026-06-28",
                                    "subjects": [{"id": 1, "name": "张主任", "post": "教务主任",
                                                  "counts": {"excellent": 30, "competent": 10,
                                                             "basically_competent": 2, "incompetent": 1},
                                                  "total": 43, "satisfaction_rate": 93.0, "excellent_rate": 69.8}]},
    "congress.proposal_answered": {"proposal_id": 8, "session_id": 3, "school": "S001", "number": 2,
                                   "title": "改善教师食堂伙食", "submitter_member_id": 1024, "department": "总务处",
                                   "replied_on": "2026-07-10"},
    "congress.proposal_overdue": {"proposal_id": 8, "school": "S001", "title": "改善教师食堂伙食",
                                  "department": "总务处", "responsible": "李主任", "due_on": "2026-07-01",
                                  "days_overdue": 9},
    "congress.proposal_tracked": {"proposal_id": 8, "school": "S001", "status": "implemented", "note": "已落实",
                                  "on": "2026-09-01"},
    "congress.disclosure_published": {"notice_id": 3, "school": "S001", "category": "large_expenditure",
                                      "title": "教学楼维修工程费用公示", "month": "2026-03",
                                      "published_on": "2026-03-05", "channels": ["internal_board"]},
    "congress.delegates_enrolled": {"school": "S001", "term_no": 9, "source": "election", "poll_id": 45,
                                    "delegates": [{"delegate_id": 70, "member_id": 1030, "name": "李娜",
                                                   "category": "teacher", "constituency_group_id": 4,
                                                   "elected_on": "2026-06-28", "fills_vacancy_of": None}]},
    "congress.poll_opened": {"poll_id": 41, "session_id": 3, "school": "S001", "kind": "motion",
                             "title": "审议《奖励性绩效工资分配方案》", "secret": True, "sitting_id": 6, "eligible": 45,
                             "present": 43, "opened_on": "2026-06-28"},
    "congress.proposal_submitted": {"proposal_id": 8, "session_id": 3, "school": "S001", "title": "改善教师食堂伙食",
                                    "category": "后勤", "submitter_member_id": 1024, "cosigners": [1025, 1026],
                                    "submitted_on": "2026-06-10"},
    "congress.proposal_reviewed": {"proposal_id": 8, "session_id": 3, "school": "S001", "title": "改善教师食堂伙食",
                                   "decision": "register", "status": "registered", "number": 2, "reason": None,
                                   "submitter_member_id": 1024, "reviewed_on": "2026-06-12"},
    "congress.proposal_assigned": {"proposal_id": 8, "session_id": 3, "school": "S001", "number": 2,
                                   "title": "改善教师食堂伙食", "department": "总务处", "responsible": "李主任",
                                   "due_on": "2026-07-01", "assigned_on": "2026-06-12"},
    "congress.proposal_rated": {"proposal_id": 8, "session_id": 3, "school": "S001", "satisfaction": "unsatisfied",
                                "reopened": True, "status": "reopened", "department": "总务处",
                                "rated_on": "2026-07-15"},
    "congress.suggestion_replied": {"suggestion_id": 5, "school": "S001", "member_id": None,
                                    "replied_on": "2026-06-20"},
    "congress.meeting_recorded": {"meeting_id": 4, "school": "S001", "kind": "delegate_training",
                                  "title": "教代会代表履职培训", "held_on": "2026-04-07", "session_id": 3,
                                  "attendees": 28, "headcount": 30},
    "congress.archive_submitted": {"filing_id": 2, "school": "S001", "school_year": 2025, "revision": 1,
                                   "sessions": 2, "meetings": 5, "notices": 11, "missing": ["replies_outstanding"],
                                   "submitted_on": "2026-10-20"},
}


def test_every_congress_contract_has_a_sample_and_is_published_by_the_plugin():
    congress = {t for t, _ in contracts.registered() if t.startswith("congress.")}
    assert congress == set(SAMPLES) == set(plugin.publishes)


@pytest.mark.parametrize("type_", sorted(SAMPLES))
def test_each_sample_round_trips_through_the_envelope_and_json(type_):
    envelope = contracts.make_envelope(type_, SAMPLES[type_], school="S001", actor="secretary")
    event = contracts.parse(json.loads(dumps(envelope)))
    assert event.payload == SAMPLES[type_]


@pytest.mark.parametrize("type_", sorted(SAMPLES))
def test_a_sample_without_a_required_field_breaks_its_contract(type_):
    schema = contracts.registered()[(type_, 1)]()
    for name, field in schema.fields.items():
        if field.required:
            broken = {k: v for k, v in SAMPLES[type_].items() if k != name}
            with pytest.raises(contracts.ContractViolation):
                contracts.make_envelope(type_, broken, school="S001", actor="x")


def test_the_consumer_side_turns_finances_audit_report_into_a_motion(sqlite_schema):
    """finance.audit_report_submitted, as its contract describes it, handled by the congress."""
    from services.congress import audit
    from services.congress.orm import KIT, AuditItem, Poll
    from shared.db import TenantSessionFactory, UnitOfWork
    from shared.tenancy import CallContext
    engine = sqlite_schema(Base.metadata, "congress-contracts.db")
    payload = {"audit_id": 9, "school": "S001", "year": 2026, "title": "经费审查报告", "summary": "合规",
               "findings": 2, "submitted_on": "2026-11-01"}
    envelope = contracts.parse(json.loads(dumps(contracts.make_envelope(
        "finance.audit_report_submitted", payload, school="S001", actor="finance"))))
    sessions = TenantSessionFactory(engine)
    with UnitOfWork(sessions, KIT, schools={"S001"}, context=CallContext(school="S001")) as uow:
        from services.congress.orm import CongressSession
        uow.session.add(CongressSession(school="S001", term_no=8, session_no=5, mode="delegate_congress", title="t",
                                        school_year=2026, status="planned", quorum_rule=RULE, pass_rule=RULE,
                                        election_rule=RULE))
        uow.session.flush()
        audit.receive(uow, envelope.school, envelope.payload)
        uow.commit()
    with sessions(frozenset({"S001"})) as session:
        item = session.get(AuditItem, 9)
        poll = session.get(Poll, item.poll_id)
        assert item.submitted_on == date(2026, 11, 1) and poll.audit_id == 9 and poll.kind == "motion"
