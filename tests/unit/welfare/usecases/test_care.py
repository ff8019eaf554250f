"""Care cases: reported by officers or members, visits with money checked against the caps,
what is owed, and every officer's read audited."""
from __future__ import annotations

import pytest

from services.welfare import care
from shared.errors import Forbidden, ValidationFailed

from .support import CHAIR, OFFICER, S1, TODAY, as_member, money


def open_case(wf, context=OFFICER, **kw):
    data = {"member_id": 1, "kind": "hospitalisation", "description": "阑尾炎手术住院", **kw}
    with wf.uow(S1, context) as uow:
        return care.open_case(uow, S1, data, context, TODAY)


def visit(wf, case_id, **kw):
    data = {"visitors": ["工会主席"], "leaders": ["张校长"], "gifts": "营养品", **kw}
    with wf.uow(S1, OFFICER) as uow:
        return care.record_visit(uow, S1, case_id, data, OFFICER, TODAY)


def listing(wf, context=OFFICER, **query):
    with wf.uow(S1, context) as uow:
        return care.list_cases(uow, S1, {"page": 1, "page_size": 50, **query}, context)


def reads(wf):
    with wf.read(S1) as session:
        return care.reads(session, {"page": 1, "page_size": 100})["items"]


def test_a_reported_event_is_owed_a_visit_until_one_is_recorded(wf):
    case = open_case(wf)
    assert case["status"] == "open" and case["must_visit"] and case["source"] == "officer"
    assert [c["id"] for c in listing(wf, owed=True)["items"]] == [case["id"]]
    after = visit(wf, case["id"])
    assert after["status"] == "visited" and after["visits"] == 1
    assert after["visit_log"][0]["leaders"] == ["张校长"]
    assert listing(wf, owed=True)["total"] == 0


def test_a_visit_with_money_requests_a_payment_of_the_cases_kind(wf):
    case = open_case(wf)
    after = visit(wf, case["id"], payment={"amount": money("800.00"), "form": "transfer"})
    payment = after["visit_log"][0]["payment"]
    assert payment["kind"] == "hospitalisation" and payment["status"] == "pending" and payment["case_id"] == case["id"]
    assert len(wf.outbox("welfare.payment_requested")) == 1


def test_a_visit_whose_money_breaks_the_cap_is_refused_and_not_recorded(wf):
    case = open_case(wf)
    with pytest.raises(ValidationFailed) as exc:
        visit(wf, case["id"], payment={"amount": money("1000.01"), "form": "transfer"})
    assert exc.value.code == "payment_over_cap_per_event"
    assert listing(wf, owed=True)["total"] == 1
    assert wf.outbox() == []


def test_a_member_reports_their_own_event_but_not_someone_elses(wf):
    mine = open_case(wf, as_member(1), kind="childbirth")
    assert mine["source"] == "member"
    with pytest.raises(Forbidden):
        open_case(wf, as_member(1), member_id=2)


def test_a_member_sees_only_their_own_cases_and_their_reads_are_not_officer_reads(wf):
    open_case(wf)
    other = open_case(wf, member_id=2, kind="wedding")
    before = len(reads(wf))
    assert {c["member_id"] for c in listing(wf, as_member(1))["items"]} == {1}
    with wf.uow(S1, as_member(1)) as uow:
        with pytest.raises(Forbidden):
            care.get_case(uow, S1, other["id"], as_member(1))
    assert len(reads(wf)) == before


def test_every_read_of_a_case_by_an_officer_is_audited(wf):
    case = open_case(wf)
    with wf.uow(S1, CHAIR) as uow:
        care.get_case(uow, S1, case["id"], CHAIR)
    listing(wf)
    audit = reads(wf)
    assert {(r["actor"], r["via"], r["case_id"]) for r in audit} == {("chair1", "detail", case["id"]),
                                                                     ("welfare1", "list", case["id"])}


def test_an_unknown_kind_is_refused_until_the_school_adds_it(wf):
    with pytest.raises(ValidationFailed) as exc:
        open_case(wf, kind="sick_leave")
    assert exc.value.fields == {"kind": ["care_kind_unknown"]}
    with wf.uow(S1) as uow:
        care.add_kind(uow, S1, {"code": "sick_leave", "label": "病休", "must_visit": True, "payment_kind": "sick_leave"})
    case = open_case(wf, kind="sick_leave")
    after = visit(wf, case["id"], payment={"amount": money("300.00"), "form": "goods"})
    assert after["visit_log"][0]["payment"]["kind"] == "sick_leave"


def test_a_closed_case_takes_no_more_visits(wf):
    case = open_case(wf)
    with wf.uow(S1) as uow:
        care.close_case(uow, case["id"], TODAY)
    from shared.errors import Conflict
    with pytest.raises(Conflict):
        visit(wf, case["id"])


def test_a_retirement_opens_one_case_however_often_the_event_arrives(wf):
    from .support import snapshot
    with wf.uow(S1) as uow:
        care.open_retirement_case(uow.session, snapshot(S1, 2, "李明", status="retired"), TODAY, "e" * 36)
        care.open_retirement_case(uow.session, snapshot(S1, 2, "李明", status="retired"), TODAY, "e" * 36)
        uow.commit()
    items = listing(wf, kind="retirement")["items"]
    assert len(items) == 1 and items[0]["source"] == "membership" and items[0]["member_id"] == 2


def test_two_visits_to_one_hospitalisation_share_its_per_event_cap(wf):
    case = open_case(wf)
    visit(wf, case["id"], payment={"amount": money("600.00"), "form": "transfer"})
    with pytest.raises(ValidationFailed) as exc:
        visit(wf, case["id"], payment={"amount": money("400.01"), "form": "transfer"})
    assert exc.value.code == "payment_over_cap_per_event" and exc.value.params["remaining"] == "400.00"
    after = visit(wf, case["id"], payment={"amount": money("400.00"), "form": "transfer"})
    assert after["visits"] == 2 and len(wf.outbox("welfare.payment_requested")) == 2
    # another hospitalisation of the same member is another event with its own cap
    second = open_case(wf, description="复发再次住院")
    assert visit(wf, second["id"], payment={"amount": money("1000.00"), "form": "transfer"})["visits"] == 1


def test_a_rejected_visit_payment_gives_its_event_the_amount_back(wf):
    from services.welfare import payments
    case = open_case(wf)
    first = visit(wf, case["id"], payment={"amount": money("1000.00"), "form": "transfer"})
    with wf.uow(S1) as uow:
        payments.apply_answer(uow, {"request_id": f"welfare:{first['visit_log'][0]['payment']['id']}",
                                    "origin": "welfare", "status": "rejected", "reason": "超预算"})
        uow.commit()
    assert visit(wf, case["id"], payment={"amount": money("1000.00"), "form": "transfer"})["visits"] == 2


def test_a_case_is_closed_once_and_not_before_its_event(wf):
    from datetime import timedelta
    from shared.errors import Conflict
    case = open_case(wf, occurred_on=TODAY)
    with pytest.raises(ValidationFailed) as exc:
        with wf.uow(S1) as uow:
            care.close_case(uow, case["id"], TODAY - timedelta(days=1))
    assert exc.value.fields == {"closed_on": ["care_case_closed_before_event"]}
    with wf.uow(S1) as uow:
        assert care.close_case(uow, case["id"], TODAY)["status"] == "closed"
    with pytest.raises(Conflict) as exc:
        with wf.uow(S1) as uow:
            care.close_case(uow, case["id"], TODAY)
    assert exc.value.code == "care_case_closed"
