"""Hardship files through the use cases: the notice gates approval, one file per household, help
only against an approved file, closed on retirement."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.welfare import hardship, payments
from shared.errors import Conflict, ValidationFailed

from .support import CHAIR, OFFICER, S1, TODAY, as_member, money


def apply(wf, context=OFFICER, **kw):
    data = {"member_id": 1, "household": [], "category": "extreme", "situation": "配偶重病，子女上学", **kw}
    with wf.uow(S1, context) as uow:
        return hardship.apply(uow, S1, data, context, TODAY)


def step(wf, file_id, name, today=TODAY, **data):
    with wf.uow(S1, CHAIR) as uow:
        return hardship.step(uow, file_id, name, data, CHAIR, today)


def to_notice(wf, **kw):
    f = apply(wf, **kw)
    step(wf, f["id"], "home_visit", notes="入户走访，情况属实")
    step(wf, f["id"], "verify")
    return step(wf, f["id"], "start_notice", starts_on=TODAY, days=5)


def test_a_file_is_approved_only_after_its_notice_has_run(wf):
    f = to_notice(wf)
    assert f["status"] == "notice" and f["notice_ends_on"] == TODAY + timedelta(days=4)
    with pytest.raises(Conflict) as exc:
        step(wf, f["id"], "approve", today=TODAY + timedelta(days=4))
    assert exc.value.code == "hardship_notice_not_completed"
    with wf.read(S1) as session:
        assert hardship.get(session, f["id"], OFFICER)["status"] == "notice"
    approved = step(wf, f["id"], "approve", today=TODAY + timedelta(days=5))
    assert approved["status"] == "approved" and approved["approved_by"] == "chair1"


def test_an_objection_blocks_approval_until_answered_and_an_upheld_one_rejects_the_file(wf):
    f = to_notice(wf)
    with wf.uow(S1) as uow:
        f = hardship.object_to(uow, S1, f["id"], {"content": "家庭收入不实"}, TODAY)
    (objection,) = f["objections"]
    with pytest.raises(Conflict):
        step(wf, f["id"], "approve", today=TODAY + timedelta(days=30))
    with wf.uow(S1) as uow:
        f = hardship.resolve_objection(uow, f["id"], objection["id"], {"resolution": "经核实，收入属实", "upheld": True},
                                       TODAY)
    assert f["status"] == "rejected"
    with pytest.raises(Conflict) as exc:
        with wf.uow(S1) as uow:
            hardship.resolve_objection(uow, f["id"], objection["id"], {"resolution": "改判", "upheld": False}, TODAY)
    assert exc.value.code == "hardship_objection_resolved"


def test_an_answered_objection_that_does_not_stand_lets_the_file_through(wf):
    f = to_notice(wf)
    with wf.uow(S1) as uow:
        f = hardship.object_to(uow, S1, f["id"], {"content": "疑问"}, TODAY)
    with wf.uow(S1) as uow:
        hardship.resolve_objection(uow, f["id"], f["objections"][0]["id"], {"resolution": "已说明", "upheld": False}, TODAY)
    assert step(wf, f["id"], "approve", today=TODAY + timedelta(days=5))["status"] == "approved"


def test_one_open_file_per_household(wf):
    apply(wf, household=[2])
    with pytest.raises(Conflict) as exc:
        apply(wf, member_id=2)
    assert exc.value.code == "hardship_household_has_file"


def test_a_household_member_of_another_school_is_refused(wf):
    with pytest.raises(ValidationFailed) as exc:
        apply(wf, household=[3])
    assert exc.value.fields == {"household.0": ["welfare_member_unknown"]}


def test_a_member_applies_for_themself_only(wf):
    assert apply(wf, as_member(1))["status"] == "applied"
    from shared.errors import Forbidden
    with pytest.raises(Forbidden):
        apply(wf, as_member(1), member_id=2)


def test_help_is_given_against_an_approved_file_of_the_household_and_paired_leader_kept(wf):
    f = to_notice(wf, household=[2])
    step(wf, f["id"], "approve", today=TODAY + timedelta(days=5))
    with wf.uow(S1) as uow:
        paired = hardship.pair_leader(uow, f["id"], {"leader_name": "张校长", "leader_member_id": None})
    assert paired["leader_name"] == "张校长"
    with wf.uow(S1) as uow:
        p = payments.request(uow, S1, member_id=2, kind="hardship", form="transfer", amount=money("2000.00"),
                             purpose="困难帮扶", today=TODAY, actor="t")
        assert p.hardship_file_id == f["id"]
        uow.commit()


def test_the_yearly_recheck_keeps_or_closes_the_file(wf):
    f = to_notice(wf)
    step(wf, f["id"], "approve", today=TODAY + timedelta(days=5))
    with wf.uow(S1) as uow:
        kept = hardship.recheck(uow, S1, f["id"], {"still_eligible": True, "checked_on": date(2027, 5, 20)}, OFFICER, TODAY)
    assert kept["status"] == "approved" and kept["last_checked_on"] == date(2027, 5, 20)
    with wf.uow(S1) as uow:
        gone = hardship.recheck(uow, S1, f["id"], {"still_eligible": False}, OFFICER, TODAY)
    assert gone["status"] == "closed" and gone["close_reason"] == "recovery" and len(gone["checks"]) == 2


def test_a_file_due_for_recheck_is_listed_as_such(wf):
    f = to_notice(wf)
    step(wf, f["id"], "approve", today=TODAY + timedelta(days=5))
    with wf.read(S1) as session:
        query = {"recheck_due": True, "page": 1, "page_size": 10}
        assert hardship.search(session, query, TODAY + timedelta(days=300))["total"] == 0
        due = hardship.search(session, query, TODAY + timedelta(days=5 + 365))
    assert [i["id"] for i in due["items"]] == [f["id"]]


def test_a_retirement_closes_the_members_approved_file(wf):
    f = to_notice(wf)
    step(wf, f["id"], "approve", today=TODAY + timedelta(days=5))
    with wf.uow(S1) as uow:
        hardship.close_for_member(uow.session, 1, "retirement", TODAY)
        uow.commit()
    with wf.read(S1) as session:
        closed = hardship.get(session, f["id"], OFFICER)
    assert closed["status"] == "closed" and closed["close_reason"] == "retirement"


def test_a_back_dated_notice_cannot_make_a_file_look_displayed(wf):
    f = apply(wf)
    step(wf, f["id"], "home_visit")
    step(wf, f["id"], "verify")
    with pytest.raises(ValidationFailed) as exc:
        step(wf, f["id"], "start_notice", starts_on=TODAY - timedelta(days=30), days=5)
    assert exc.value.fields == {"starts_on": ["hardship_date_before_previous_step"]}
    with wf.read(S1) as session:
        assert hardship.get(session, f["id"], OFFICER)["status"] == "verified"


def test_a_step_dated_in_the_future_or_before_the_application_is_refused(wf):
    f = apply(wf, applied_on=TODAY - timedelta(days=2))
    with pytest.raises(ValidationFailed) as exc:
        step(wf, f["id"], "home_visit", on=TODAY + timedelta(days=1))
    assert exc.value.fields == {"on": ["hardship_date_in_future"]}
    with pytest.raises(ValidationFailed) as exc:
        step(wf, f["id"], "home_visit", on=TODAY - timedelta(days=3))
    assert exc.value.fields == {"on": ["hardship_date_before_previous_step"]}
    assert step(wf, f["id"], "home_visit", on=TODAY - timedelta(days=1))["visited_on"] == TODAY - timedelta(days=1)
    with pytest.raises(ValidationFailed):
        apply(wf, member_id=2, applied_on=TODAY + timedelta(days=1))


def test_an_application_of_a_member_who_moved_away_is_closed_not_carried_on(wf):
    f = apply(wf)
    step(wf, f["id"], "home_visit")
    with wf.uow(S1) as uow:
        hardship.close_for_member(uow.session, 1, "transfer", TODAY)
        uow.commit()
    with wf.read(S1) as session:
        closed = hardship.get(session, f["id"], OFFICER)
    assert closed["status"] == "closed" and closed["close_reason"] == "transfer"
    assert apply(wf, member_id=2, household=[1])["status"] == "applied"   # the household is free again
