"""Labour-relations and rights cases (维权个案) through the use cases: confidential case notes with
the privacy and audit rules of care cases; a collective case is the officers' alone."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.welfare import care, rights
from shared.errors import Conflict, Forbidden, ValidationFailed

from .support import CHAIR, OFFICER, S1, TODAY, as_member


def open_case(wf, context=OFFICER, **kw):
    data = {"member_id": 2, "kind": "not_rehired", "title": "落聘后的岗位安排", "description": "本人情绪低落", **kw}
    with wf.uow(S1, context) as uow:
        return rights.open_case(uow, S1, data, context, TODAY)


def note(wf, case_id, context=OFFICER, **kw):
    data = {"kind": "counselling", "text": "谈心一次，说明聘任程序", **kw}
    with wf.uow(S1, context) as uow:
        return rights.add_note(uow, S1, case_id, data, context, TODAY)


def search(wf, context=OFFICER, **query):
    with wf.uow(S1, context) as uow:
        return rights.search(uow, S1, {"page": 1, "page_size": 50, **query}, context)


def audit(wf):
    with wf.read(S1) as session:
        return care.reads(session, {"page": 1, "page_size": 100, "record": "rights_case"})["items"]


def test_a_case_keeps_its_notes_in_order_and_closes_with_its_outcome(wf):
    case = open_case(wf)
    note(wf, case["id"])
    note(wf, case["id"], kind="proposal", text="建议学校安排后勤岗位")
    after = note(wf, case["id"], kind="reply", text="行政同意转岗")
    assert [n["label"] for n in after["log"]] == ["谈心疏导", "向行政提出建议", "行政答复"] and after["notes"] == 3
    with wf.uow(S1, OFFICER) as uow:
        closed = rights.close(uow, S1, case["id"], {"outcome": "resolved", "summary": "已转岗至图书馆"}, OFFICER, TODAY)
    assert closed["status"] == "resolved" and closed["closed_on"] == TODAY and closed["outcome"] == "已转岗至图书馆"
    with pytest.raises(Conflict) as exc:
        note(wf, case["id"])
    assert exc.value.code == "rights_case_closed"


def test_a_reassignment_needs_the_member_and_a_rights_proposal_may_be_collective(wf):
    with pytest.raises(ValidationFailed) as exc:
        open_case(wf, member_id=None, kind="reassignment")
    assert exc.value.fields == {"member_id": ["rights_case_member_required"]}
    collective = open_case(wf, member_id=None, kind="rights_proposal", title="绩效方案涉及教职工切身利益")
    assert collective["collective"] is True and collective["member_name"] is None
    assert [c["id"] for c in search(wf, collective=True)["items"]] == [collective["id"]]


def test_a_member_opens_and_reads_only_their_own_case(wf):
    mine = open_case(wf, as_member(2), member_id=None, kind="early_retirement", title="内退待遇咨询")
    assert mine["member_id"] == 2 and mine["source"] == "member"
    other = open_case(wf, member_id=1, kind="reassignment", title="转岗")
    collective = open_case(wf, member_id=None, kind="post_setting", title="岗位设置方案")
    assert [c["id"] for c in search(wf, as_member(2))["items"]] == [mine["id"]]
    for case_id in (other["id"], collective["id"]):
        with wf.uow(S1, as_member(2)) as uow:
            with pytest.raises(Forbidden):
                rights.get(uow, S1, case_id, as_member(2))
    with pytest.raises(Forbidden):
        open_case(wf, as_member(2), member_id=1)
    assert audit(wf) == []


def test_every_officer_read_of_a_rights_case_is_audited(wf):
    case = open_case(wf)
    search(wf)
    with wf.uow(S1, CHAIR) as uow:
        rights.get(uow, S1, case["id"], CHAIR)
    assert {(r["actor"], r["via"]) for r in audit(wf) if r["record_id"] == case["id"]} == {("welfare1", "list"),
                                                                                           ("chair1", "detail")}


def test_a_note_dated_before_the_case_or_in_the_future_is_refused_and_nothing_written(wf):
    case = open_case(wf, opened_on=TODAY - timedelta(days=3))
    for written_on in (TODAY - timedelta(days=4), TODAY + timedelta(days=1)):
        with pytest.raises(ValidationFailed) as exc:
            note(wf, case["id"], written_on=written_on)
        assert exc.value.fields == {"written_on": ["rights_note_date_out_of_case"]}
    with wf.uow(S1, OFFICER) as uow:
        assert rights.get(uow, S1, case["id"], OFFICER)["log"] == []
    with pytest.raises(ValidationFailed):
        open_case(wf, opened_on=TODAY + timedelta(days=1))


def test_a_case_for_a_member_of_another_school_is_refused(wf):
    with pytest.raises(ValidationFailed) as exc:
        open_case(wf, member_id=3)
    assert exc.value.fields == {"member_id": ["welfare_member_unknown"]}
    assert search(wf)["total"] == 0
