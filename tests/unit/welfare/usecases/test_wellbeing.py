"""Working conditions and the summer sanatorium (W21), the women's programme and its ledger (W23),
staff health promotion and the job-happiness index (W24), through the use cases, and what the
district and the year-end summary see of them."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.welfare import conditions, district, happiness, programmes, protection, rights
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .support import OFFICER, S1, S2, TODAY, as_member, money


def plan(wf, school=S1, **kw):
    data = {"kind": "sanatorium", "title": "暑期疗养", "starts_on": date(2026, 8, 3), "ends_on": date(2026, 8, 7),
            "place": "莫干山疗养院", "places": 2, "form": "service", **kw}
    with wf.uow(school) as uow:
        return programmes.create(uow, school, data, TODAY)


def enrol(wf, programme_id, member_ids=(), everyone=False, context=OFFICER, school=S1):
    with wf.uow(school, context) as uow:
        return programmes.add_participants(uow, school, programme_id, {"member_ids": list(member_ids),
                                                                       "everyone": everyone}, context, TODAY)


def attend(wf, programme_id, member_id, attended=True):
    with wf.uow(S1) as uow:
        return programmes.record_attendance(uow, S1, programme_id, member_id, {"attended": attended}, OFFICER, TODAY)


def participants(wf, programme_id, **query):
    with wf.read(S1) as session:
        return programmes.get(session, programme_id, {"page": 1, "page_size": 50, **query})


# --- 暑期疗养 -----------------------------------------------------------------------------------

def test_a_sanatorium_fills_its_places_and_refuses_one_more_writing_nothing(wf):
    wf.member(S1, 5, "周敏", birth="1992-06-01")
    stay = plan(wf)
    assert stay["area"] == "sanatorium" and stay["audience"] == "in_service" and stay["places_left"] == 2
    enrol(wf, stay["id"], [1])
    with pytest.raises(Conflict) as exc:
        enrol(wf, stay["id"], [2, 5])
    assert exc.value.code == "programme_full" and exc.value.params["left"] == 1
    listed = participants(wf, stay["id"])
    assert [p["member_id"] for p in listed["items"]] == [1] and listed["programme"]["places_left"] == 1


def test_every_bad_member_of_a_list_is_named(wf):
    wf.member(S1, 8, "老刘", gender="male", birth="1950-01-01", status="retired")
    stay = plan(wf, places=None)
    enrol(wf, stay["id"], [1])
    with pytest.raises(ValidationFailed) as exc:
        enrol(wf, stay["id"], [1, 3, 8, 2, 2])
    assert exc.value.fields == {"member_ids.0": ["programme_participant_exists"],
                                "member_ids.1": ["welfare_member_unknown"],
                                "member_ids.2": ["programme_not_eligible"],
                                "member_ids.4": ["programme_participant_exists"]}
    assert participants(wf, stay["id"])["total"] == 1


def test_a_member_puts_only_themself_down(wf):
    stay = plan(wf)
    assert enrol(wf, stay["id"], [1], context=as_member(1))["added"] == 1
    with pytest.raises(Forbidden):
        enrol(wf, stay["id"], [2], context=as_member(1))
    with pytest.raises(Forbidden):
        enrol(wf, stay["id"], everyone=True, context=as_member(2))


def test_a_sanatorium_stays_cost_is_asked_of_finance_once_when_the_member_went(wf):
    stay = plan(wf, cost_per_person=money("1200.00"))
    enrol(wf, stay["id"], [1, 2])
    went = attend(wf, stay["id"], 1)
    assert went["attended"] is True and went["payment_id"]
    again = attend(wf, stay["id"], 1)
    assert again["payment_id"] == went["payment_id"]
    (event,) = wf.outbox("welfare.payment_requested")
    assert event["payload"]["kind"] == "sanatorium" and event["payload"]["budget_category"] == "staff_activities"
    assert event["payload"]["amount"] == "1200.00"
    with pytest.raises(Conflict) as exc:
        attend(wf, stay["id"], 1, attended=False)
    assert exc.value.code == "programme_attendance_paid"
    assert attend(wf, stay["id"], 2, attended=False)["payment_id"] is None
    with pytest.raises(NotFound) as exc:
        attend(wf, stay["id"], 5)
    assert exc.value.code == "programme_participant_not_found"


def test_a_programme_whose_cost_breaks_the_policy_is_refused_before_anyone_is_listed(wf):
    with wf.uow(None) as uow:
        from services.welfare import policies
        policies.set_district(uow, {"rules": [{"kind": "sanatorium", "per_event": money("1000.00"),
                                               "per_member_year": None, "times_per_year": None}],
                                    "forbidden_forms": ["cash"]}, "admin")
    with pytest.raises(ValidationFailed) as exc:
        plan(wf, cost_per_person=money("1500.00"))
    assert exc.value.code == "payment_over_cap_per_event"
    with pytest.raises(ValidationFailed) as exc:
        plan(wf, cost_per_person=money("500.00"), form="cash")
    assert exc.value.code == "payment_form_forbidden"
    with wf.read(S1) as session:
        assert programmes.search(session, {"page": 1, "page_size": 10})["total"] == 0


# --- 工作条件 -----------------------------------------------------------------------------------

def test_a_working_conditions_item_is_followed_to_done_with_a_dated_log(wf):
    with wf.uow(S1) as uow:
        item = conditions.raise_item(uow, S1, {"category": "lunch_subsidy", "title": "教职工午餐补贴",
                                               "raised_from": "教代会提案", "raised_on": TODAY - timedelta(days=30)},
                                     OFFICER, TODAY)
    with wf.uow(S1) as uow:
        conditions.progress(uow, item["id"], {"status": "in_progress", "note": "与行政协商"}, OFFICER, TODAY)
    with wf.uow(S1) as uow:
        done = conditions.progress(uow, item["id"], {"status": "done", "note": "每人每月200元", "beneficiaries": 85},
                                   OFFICER, TODAY)
    assert done["status"] == "done" and done["resolved_on"] == TODAY and done["beneficiaries"] == 85
    assert [entry["status"] for entry in done["log"]] == ["open", "in_progress", "done"]
    with pytest.raises(Conflict):
        with wf.uow(S1) as uow:
            conditions.progress(uow, item["id"], {"status": "declined"}, OFFICER, TODAY)
    with wf.read(S1) as session:
        listed = conditions.search(session, {"year": TODAY.year, "status": "done", "page": 1, "page_size": 10})
    assert [i["id"] for i in listed["items"]] == [item["id"]] and listed["items"][0]["label"] == "午餐补贴"


# --- 女职工工作 and the district ------------------------------------------------------------------

def test_a_womens_activity_is_for_women_and_the_district_sees_each_schools_ledger(wf):
    wf.member(S1, 5, "周敏", birth="1992-06-01")
    wf.member(S2, 9, "别校女老师", birth="1985-01-01")
    salon = plan(wf, kind="womens_salon", title="女职工沙龙", starts_on=date(2026, 12, 11), ends_on=None, places=None,
                 place="工会活动室")
    assert salon["audience"] == "women"
    added = enrol(wf, salon["id"], everyone=True)
    assert added["added"] == 2                          # 王芳 and 周敏; 李明 is not in its audience
    with pytest.raises(ValidationFailed) as exc:
        enrol(wf, salon["id"], [2])
    assert exc.value.fields == {"member_ids.0": ["programme_not_eligible"]}
    attend(wf, salon["id"], 1)
    study = plan(wf, kind="rights_study", title="学习《妇女权益保障法》", starts_on=date(2026, 3, 8), ends_on=None,
                 places=None)
    enrol(wf, study["id"], [1])
    attend(wf, study["id"], 1)
    with pytest.raises(ValidationFailed) as exc:
        plan(wf, kind="womens_trip", cost_per_person=money("300.00"))
    assert exc.value.fields == {"cost_per_person": ["programme_cost_not_allowed"]}
    with wf.read(None) as session:
        ledger = {s["school"]: s for s in district.womens_programme(session, 2026)["schools"]}
    assert ledger[S1]["activities"] == 2 and ledger[S1]["by_kind"] == {"womens_salon": 1, "rights_study": 1}
    assert ledger[S1]["attendances"] == 2 and ledger[S1]["women_reached"] == 1 and ledger[S1]["women_members"] == 2
    assert ledger[S1]["share_reached"] == "0.5000"
    assert ledger[S2] == {"school": S2, "women_members": 1, "activities": 0, "by_kind": {}, "attendances": 0,
                          "women_reached": 0, "share_reached": "0.0000"}


# --- 职业幸福指数 -------------------------------------------------------------------------------

def survey(wf, **kw):
    data = {"title": "2026年教职工职业幸福指数", "opens_on": TODAY - timedelta(days=1), "closes_on": TODAY + timedelta(days=10),
            **kw}
    with wf.uow(S1) as uow:
        return happiness.create(uow, S1, data)


def answer(wf, survey_id, member_id, score, today=TODAY):
    context = as_member(member_id)
    with wf.uow(S1, context) as uow:
        return happiness.respond(uow, S1, survey_id, {"score": score}, context, today)


def test_the_happiness_index_is_anonymous_once_per_member_and_shown_only_when_enough_answered(wf):
    for member_id, name in ((5, "周敏"), (6, "吴老师"), (7, "郑老师")):
        wf.member(S1, member_id, name)
    s = survey(wf)
    for member_id, score in ((1, 8), (2, 9), (5, 7), (6, 10)):
        assert answer(wf, s["id"], member_id, score) == {"survey_id": s["id"], "responded": True}
    with wf.read(S1) as session:
        early = happiness.get(session, s["id"], as_member(1))
    assert early["responses"] == 4 and early["index"] is None and early["you_responded"] is True
    with pytest.raises(Conflict) as exc:
        answer(wf, s["id"], 1, 1)
    assert exc.value.code == "happiness_already_responded"
    answer(wf, s["id"], 7, 6)
    with wf.read(S1) as session:
        result = happiness.get(session, s["id"], OFFICER)
        from services.welfare.orm import HappinessScore
        stored = session.query(HappinessScore).all()
    assert result["index"] == "80.0" and result["responses"] == 5
    assert {c.name for c in HappinessScore.__table__.columns} == {"survey_id", "token", "score", "school"}
    assert sorted(row.score for row in stored) == [6, 7, 8, 9, 10]


def test_nobody_answers_for_another_or_outside_the_window(wf):
    s = survey(wf)
    with pytest.raises(Forbidden) as exc:
        with wf.uow(S1, OFFICER) as uow:
            happiness.respond(uow, S1, s["id"], {"score": 5}, OFFICER, TODAY)
    assert exc.value.code == "member_account_required"
    with pytest.raises(Conflict) as exc:
        answer(wf, s["id"], 1, 5, today=TODAY + timedelta(days=11))
    assert exc.value.code == "happiness_survey_closed"
    wf.member(S1, 8, "老刘", gender="male", birth="1950-01-01", status="retired")
    with pytest.raises(ValidationFailed) as exc:
        answer(wf, s["id"], 8, 5)
    assert exc.value.fields == {"member_id": ["welfare_member_not_in_service"]}


# --- 年度总结 -----------------------------------------------------------------------------------

def test_the_annual_summary_counts_the_wellbeing_work_without_names(wf):
    with wf.uow(S1, OFFICER) as uow:
        protection.record(uow, S1, {"member_id": 1, "kind": "pregnancy", "measures": []}, OFFICER, TODAY)
    with wf.uow(S1, OFFICER) as uow:
        rights.open_case(uow, S1, {"member_id": 2, "kind": "reassignment", "title": "转岗"}, OFFICER, TODAY)
    with wf.uow(S1) as uow:
        conditions.raise_item(uow, S1, {"category": "noon_rest", "title": "午休室"}, OFFICER, TODAY)
    stay = plan(wf, places=None)
    enrol(wf, stay["id"], [1, 2])
    attend(wf, stay["id"], 1)
    plan(wf, kind="pedometer", title="计步器发放", starts_on=date(2026, 4, 1), ends_on=None, form="goods")
    with wf.read(S1) as session:
        summary = district.annual_summary(session, S1, 2026)
    assert summary["protection_periods"] == {"pregnancy": 1}
    assert summary["rights_cases"] == {"opened": 1, "by_kind": {"reassignment": 1}, "closed": {}}
    assert summary["working_conditions"] == {"raised": 1, "by_status": {"open": 1}}
    assert summary["programmes"] == {"sanatorium": {"activities": 1, "attended": 1},
                                     "health_promotion": {"activities": 1, "attended": 0}}
    assert summary["happiness_index"] is None
    assert "王芳" not in repr(summary) and "李明" not in repr(summary)
