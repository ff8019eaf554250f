"""Birthdays, health checks, mutual aid, festival outreach, retirees and student aid through the
use cases."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.welfare import (birthdays, care, district, hardship, health, mutual_aid, outreach, payments, retirees,
                              student_aid)
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

from .support import CHAIR, OFFICER, S1, S2, TODAY, as_member, money


# --- 生日 ---------------------------------------------------------------------------------------

def deliver(wf, **kw):
    data = {"member_id": 1, "items": ["cake", "card"], "amount": money("150.00"), "form": "goods",
            "delivered_on": date(2026, 3, 15), **kw}
    with wf.uow(S1) as uow:
        return birthdays.deliver(uow, S1, data, OFFICER, TODAY)


def test_the_birthday_list_of_a_month_comes_from_the_directory_with_milestones_and_deliveries(wf):
    wf.member(S1, 5, "周敏", birth="1996-03-02")
    wf.member(S1, 6, "已退会", birth="1990-03-03", status="left")
    wf.member(S2, 7, "别校", birth="1990-03-04")
    deliver(wf)
    with wf.read(S1) as session:
        march = birthdays.month_list(session, 3, 2026, False)
        milestones = birthdays.month_list(session, 3, 2026, True)
    assert [(i["member_id"], i["age"], i["milestone"]) for i in march["items"]] == [(5, 30, True), (1, 40, True)]
    assert {i["member_id"]: i["delivered_on"] for i in march["items"]} == {5: None, 1: date(2026, 3, 15)}
    assert milestones["total"] == 2 and march["milestones"] == 2


def test_a_birthday_delivery_is_counted_against_the_birthday_cap_and_published(wf):
    row = deliver(wf)
    assert row["milestone"] is True and row["payment_id"]
    (event,) = wf.outbox("welfare.payment_requested")
    assert event["payload"]["kind"] == "birthday" and event["payload"]["budget_category"] == "staff_activities"


def test_a_second_birthday_delivery_in_a_year_is_refused(wf):
    deliver(wf)
    with pytest.raises(Conflict) as exc:
        deliver(wf, delivered_on=date(2026, 9, 1))
    assert exc.value.code == "birthday_already_delivered"
    assert len(wf.outbox()) == 1


def test_a_second_birthday_payment_in_a_year_is_refused_by_the_policy(wf):
    with wf.uow(S1) as uow:
        payments.request(uow, S1, member_id=1, kind="birthday", form="goods", amount=money("100.00"), purpose="蛋糕",
                         today=TODAY, actor="t")
        uow.commit()
    with pytest.raises(ValidationFailed) as exc:
        deliver(wf, delivered_on=TODAY)
    assert exc.value.code == "payment_over_times_per_year"
    with wf.read(S1) as session:
        assert birthdays.deliveries(session, 2026)["total"] == 0


def test_a_birthday_over_the_cap_is_refused(wf):
    with pytest.raises(ValidationFailed) as exc:
        deliver(wf, amount=money("300.01"))
    assert exc.value.code == "payment_over_cap_per_event"


# --- 健康 ---------------------------------------------------------------------------------------

def campaign(wf, kind):
    with wf.uow(S1) as uow:
        return health.create(uow, S1, {"year": 2026, "kind": kind, "title": "年度体检", "check_on": date(2026, 10, 15),
                                       "place": "区人民医院"})


def book(wf, campaign_id, member_id, context=OFFICER):
    with wf.uow(S1, context) as uow:
        return health.book(uow, S1, campaign_id, {"member_id": member_id}, context)


def test_a_womens_check_books_women_only_and_a_retiree_check_retirees_only(wf):
    women = campaign(wf, "women")
    assert book(wf, women["id"], 1)["member_name"] == "王芳"
    with pytest.raises(ValidationFailed) as exc:
        book(wf, women["id"], 2)
    assert exc.value.fields == {"member_id": ["health_not_eligible"]}
    retiree = campaign(wf, "retiree")
    wf.member(S1, 8, "老刘", gender="male", birth="1950-01-01", status="retired")
    book(wf, retiree["id"], 8)
    with pytest.raises(ValidationFailed):
        book(wf, retiree["id"], 1)


def test_a_booking_records_attendance_and_follow_up(wf):
    annual = campaign(wf, "annual")
    b = book(wf, annual["id"], 2)
    with pytest.raises(Conflict):
        book(wf, annual["id"], 2)
    with wf.uow(S1) as uow:
        health.record_result(uow, annual["id"], b["id"], {"attended": True, "follow_up": True,
                                                          "follow_up_note": "建议复查甲状腺"})
    with wf.read(S1) as session:
        follow = health.bookings(session, annual["id"], True)
    assert [i["member_id"] for i in follow["items"]] == [2]
    assert follow["campaign"]["attended"] == 1 and follow["campaign"]["follow_up"] == 1


def test_a_member_books_themself_only(wf):
    annual = campaign(wf, "annual")
    book(wf, annual["id"], 1, as_member(1))
    with pytest.raises(Forbidden):
        book(wf, annual["id"], 2, as_member(1))


# --- 互助保障 -----------------------------------------------------------------------------------

def test_a_claim_needs_an_enrolment_and_its_approval_requests_the_payout(wf):
    claim = {"member_id": 1, "year": 2026, "reason": "hospitalisation", "amount": money("1800.00"),
             "documents": ["出院小结", "发票"]}
    with pytest.raises(ValidationFailed) as exc:
        with wf.uow(S1) as uow:
            mutual_aid.claim(uow, S1, claim, OFFICER, TODAY)
    assert exc.value.code == "mutual_aid_not_enrolled"
    with wf.uow(S1) as uow:
        mutual_aid.enrol(uow, S1, {"member_id": 1, "year": 2026, "plan": "hospitalisation"}, TODAY)
    with pytest.raises(Conflict):
        with wf.uow(S1) as uow:
            mutual_aid.enrol(uow, S1, {"member_id": 1, "year": 2026, "plan": "hospitalisation"}, TODAY)
    with wf.uow(S1) as uow:
        submitted = mutual_aid.claim(uow, S1, claim, OFFICER, TODAY)
    with wf.uow(S1) as uow:
        decided = mutual_aid.decide(uow, S1, submitted["id"], {"approve": True, "form": "transfer"}, OFFICER, TODAY)
    assert decided["status"] == "approved" and decided["payout"]["status"] == "pending"
    assert decided["payout"]["amount"] == money("1800.00") and decided["payout"]["kind"] == "mutual_aid"
    with pytest.raises(Conflict):
        with wf.uow(S1) as uow:
            mutual_aid.decide(uow, S1, submitted["id"], {"approve": False, "form": "transfer"}, OFFICER, TODAY)


# --- 送温暖 -------------------------------------------------------------------------------------

def test_a_spring_festival_campaign_lists_the_sick_and_retirees_and_delivers_within_the_cap(wf):
    wf.member(S1, 8, "老刘", gender="male", birth="1950-01-01", status="retired")
    with wf.uow(S1) as uow:
        care.open_case(uow, S1, {"member_id": 1, "kind": "hospitalisation"}, OFFICER, TODAY)
    with wf.uow(S1) as uow:
        c = outreach.create(uow, S1, {"festival": "spring_festival", "year": 2026, "title": "春节送温暖", "gift": "米油",
                                      "amount": money("800.00"), "form": "goods", "payment_kind": "holiday_gift"})
    with wf.uow(S1) as uow:
        listed = outreach.add_recipients(uow, S1, c["id"], {"groups": ["sick", "retirees"], "member_ids": []})
    assert {(i["member_id"], i["reason"]) for i in listed["items"]} == {(1, "sick"), (8, "retiree")}
    with wf.uow(S1) as uow:
        again = outreach.add_recipients(uow, S1, c["id"], {"groups": ["all"], "member_ids": []})
    assert again["total"] == 3    # 李明 added once, nobody twice
    with wf.uow(S1) as uow:
        delivered = outreach.deliver(uow, S1, c["id"], {"member_id": 1}, OFFICER, TODAY)
    assert delivered["payment_id"]
    with pytest.raises(Conflict) as exc:
        with wf.uow(S1) as uow:
            outreach.deliver(uow, S1, c["id"], {"member_id": 1}, OFFICER, TODAY)
    assert exc.value.code == "campaign_gift_already_delivered" and exc.value.params == {"on": TODAY.isoformat()}
    # a second festival's gift beyond the yearly 1,500 is refused
    with wf.uow(S1) as uow:
        c2 = outreach.create(uow, S1, {"festival": "mid_autumn", "year": 2026, "title": "中秋慰问", "gift": "月饼",
                                       "amount": money("800.00"), "form": "goods", "payment_kind": "holiday_gift"})
    with wf.uow(S1) as uow:
        outreach.add_recipients(uow, S1, c2["id"], {"groups": [], "member_ids": [1]})
    with pytest.raises(ValidationFailed) as exc:
        with wf.uow(S1) as uow:
            outreach.deliver(uow, S1, c2["id"], {"member_id": 1}, OFFICER, TODAY)
    assert exc.value.code == "payment_over_cap_per_member_year"


def test_a_recipient_not_on_the_list_gets_nothing(wf):
    with wf.uow(S1) as uow:
        c = outreach.create(uow, S1, {"festival": "teachers_day", "year": 2026, "title": "教师节", "gift": "鲜花",
                                      "amount": None, "form": "goods", "payment_kind": "holiday_gift"})
    with pytest.raises(NotFound):
        with wf.uow(S1) as uow:
            outreach.deliver(uow, S1, c["id"], {"member_id": 2}, OFFICER, TODAY)


# --- 退休 ---------------------------------------------------------------------------------------

def test_members_retiring_within_three_years_show_whether_they_had_their_home_visit(wf):
    # 李明, male, born 1964-07-01: retires 2024 (already past); 老张 retires 2028
    wf.member(S1, 9, "老张", gender="male", birth="1968-02-01")
    today = date(2026, 8, 1)
    with wf.read(S1) as session:
        soon = retirees.upcoming(session, 3, today)
    assert [i["member_id"] for i in soon["items"]] == [9] and soon["not_visited_this_year"] == 1
    with wf.uow(S1) as uow:
        retirees.record(uow, S1, {"member_id": 9, "kind": "pre_retirement_visit", "happened_on": today,
                                  "leaders": ["李校长"], "notes": "家访"}, today)
    with wf.read(S1) as session:
        soon = retirees.upcoming(session, 3, today)
        assert soon["items"][0]["visited_this_year"] is True
        assert retirees.records(session, {"page": 1, "page_size": 10})["total"] == 1


# --- 金秋助学 -----------------------------------------------------------------------------------

def approved_file(wf, member_id=1):
    with wf.uow(S1, CHAIR) as uow:
        f = hardship.apply(uow, S1, {"member_id": member_id, "household": [], "category": "extreme", "situation": "困难"},
                           CHAIR, TODAY)
    for name, data in [("home_visit", {}), ("verify", {}), ("start_notice", {"starts_on": TODAY, "days": 5})]:
        with wf.uow(S1, CHAIR) as uow:
            hardship.step(uow, f["id"], name, data, CHAIR, TODAY)
    with wf.uow(S1, CHAIR) as uow:
        return hardship.step(uow, f["id"], "approve", {}, CHAIR, TODAY + timedelta(days=6))


def award(wf, **kw):
    data = {"member_id": 1, "student_name": "王小明", "year": 2026, "stage": "university", "funded_elsewhere": False,
            "form": "transfer", **kw}
    with wf.uow(S1) as uow:
        return student_aid.award(uow, S1, data, OFFICER, TODAY)


def test_student_aid_needs_an_approved_hardship_file_and_pays_by_tier(wf):
    with pytest.raises(ValidationFailed) as exc:
        award(wf)
    assert exc.value.code == "student_aid_not_eligible"
    approved_file(wf)
    aid = award(wf)
    assert aid["tier"] == "tier1" and aid["amount"] == money("3000.00") and aid["payment_id"]
    assert award(wf, student_name="王小红", stage="senior_high")["amount"] == money("1000.00")


def test_a_student_is_never_funded_twice_in_a_year(wf):
    approved_file(wf)
    award(wf)
    with pytest.raises(Conflict) as exc:
        award(wf, stage="senior_high")
    assert exc.value.code == "student_aid_double_funding"
    with pytest.raises(Conflict):
        award(wf, student_name="王小红", funded_elsewhere=True)
    assert award(wf, year=2027)["year"] == 2027


# --- 区教育工会 ---------------------------------------------------------------------------------

def test_the_district_sees_spending_against_caps_hardship_and_owed_visits_by_school(wf):
    with wf.uow(S1) as uow:
        payments.request(uow, S1, member_id=1, kind="holiday_gift", form="goods", amount=money("600.00"), purpose="春节",
                         today=TODAY, actor="t")
        uow.commit()
    with wf.uow(S2, OFFICER) as uow:
        care.open_case(uow, S2, {"member_id": 3, "kind": "wedding"}, OFFICER, TODAY)
    approved_file(wf)
    with wf.read(None) as session:
        spend = {s["school"]: s for s in district.spending(session, TODAY.year)["schools"]}
        hard = {s["school"]: s for s in district.hardship(session)["schools"]}
        owed = district.visits_owed(session)
    gift = spend[S1]["kinds"][0]
    assert gift["kind"] == "holiday_gift" and gift["counted"] == money("600.00") and gift["awaiting_finance"] == 1
    assert gift["cap_room"] == money("3000.00") and gift["share_of_cap"] == "0.2000"   # 2 members × 1,500
    assert spend[S2]["counted"] == 0 and spend[S2]["members"] == 1
    assert hard[S1]["approved"] == 1 and hard[S1]["by_category"] == {"extreme": 1}
    assert owed["schools"] == [{"school": S2, "owed": 1, "oldest": TODAY}]


def test_the_annual_summary_counts_the_years_work(wf):
    with wf.uow(S1, OFFICER) as uow:
        case = care.open_case(uow, S1, {"member_id": 1, "kind": "hospitalisation"}, OFFICER, TODAY)
    with wf.uow(S1, OFFICER) as uow:
        care.record_visit(uow, S1, case["id"], {"visitors": ["主席"], "visited_on": TODAY,
                                                "payment": {"amount": money("500.00"), "form": "transfer"}}, OFFICER, TODAY)
    with wf.read(S1) as session:
        summary = district.annual_summary(session, S1, TODAY.year)
    assert summary["care_cases"] == 1 and summary["care_visits"] == 1
    assert summary["payments"] == {"hospitalisation": {"amount": money("500.00"), "count": 1}}
    assert summary["payments_total"] == money("500.00")


def test_the_district_settings_change_retirement_ages_aid_tiers_and_notice_days(wf):
    from services.welfare import policies
    with wf.uow(None) as uow:
        view = policies.set_district(uow, {"rules": [], "forbidden_forms": [], "settings": {
            "retirement_age": {"female": 60}, "student_aid_tiers": {"university": money("5000.00")},
            "hardship_notice_days": 7}}, "admin")
    assert view["settings"]["retirement_age"] == {"male": 60, "female": 60}
    assert view["settings"]["student_aid_tiers"]["senior_high"] == "1000.00"
    wf.member(S1, 11, "陈老师", birth="1969-01-01")     # female: 55 -> 2024 (past), 60 -> 2029
    with wf.read(S1) as session:
        assert [i["member_id"] for i in retirees.upcoming(session, 3, date(2026, 8, 1))["items"]] == [11]
    approved_file(wf)
    assert award(wf)["amount"] == money("5000.00")
    with wf.uow(S1, CHAIR) as uow:
        f = hardship.apply(uow, S1, {"member_id": 2, "household": [], "category": "ordinary", "situation": "x"}, CHAIR,
                           TODAY)
    for name in ("home_visit", "verify"):
        with wf.uow(S1, CHAIR) as uow:
            hardship.step(uow, f["id"], name, {}, CHAIR, TODAY)
    with wf.uow(S1, CHAIR) as uow:
        noticed = hardship.step(uow, f["id"], "start_notice", {"starts_on": TODAY}, CHAIR, TODAY)
    assert noticed["notice_days"] == 7


def test_a_child_funded_under_one_parent_is_not_funded_again_under_the_other(wf):
    with wf.uow(S1, CHAIR) as uow:
        f = hardship.apply(uow, S1, {"member_id": 1, "household": [2], "category": "extreme", "situation": "困难"},
                           CHAIR, TODAY)
    for name, data in [("home_visit", {}), ("verify", {}), ("start_notice", {"starts_on": TODAY, "days": 5})]:
        with wf.uow(S1, CHAIR) as uow:
            hardship.step(uow, f["id"], name, data, CHAIR, TODAY)
    with wf.uow(S1, CHAIR) as uow:
        hardship.step(uow, f["id"], "approve", {}, CHAIR, TODAY + timedelta(days=6))
    award(wf)
    with pytest.raises(Conflict) as exc:
        award(wf, member_id=2)
    assert exc.value.fields == {"student_name": ["student_aid_double_funding"]}
    with wf.read(S1) as session:
        assert student_aid.listing(session, 2026)["total"] == 1


def test_a_follow_up_flag_needs_the_check_to_have_been_attended(wf):
    annual = campaign(wf, "annual")
    b = book(wf, annual["id"], 2)
    with pytest.raises(ValidationFailed) as exc:
        with wf.uow(S1) as uow:
            health.record_result(uow, annual["id"], b["id"], {"attended": False, "follow_up": True})
    assert exc.value.fields == {"follow_up": ["health_follow_up_needs_attendance"]}


def test_a_claim_outside_the_members_cover_is_refused(wf):
    with wf.uow(S1) as uow:
        mutual_aid.enrol(uow, S1, {"member_id": 1, "year": 2026, "plan": "hospitalisation"}, TODAY)
    with pytest.raises(ValidationFailed) as exc:
        with wf.uow(S1) as uow:
            mutual_aid.claim(uow, S1, {"member_id": 1, "year": 2026, "reason": "accident", "amount": money("500.00"),
                                       "documents": ["诊断书"]}, OFFICER, TODAY)
    assert exc.value.fields == {"reason": ["mutual_aid_not_covered"]} and exc.value.params == {"plan": "hospitalisation"}
    with wf.read(S1) as session:
        listed = mutual_aid.listing(session, 2026, {"page": 1, "page_size": 10})
    assert listed["total"] == 1 and listed["items"][0]["claims"] == [] and listed["claims_submitted"] == 0


def test_a_second_birthday_payment_is_refused_even_when_the_district_table_omits_birthdays(wf):
    from services.welfare import policies
    with wf.uow(None) as uow:
        policies.set_district(uow, {"rules": [], "forbidden_forms": []}, "admin")
    with wf.uow(S1) as uow:
        payments.request(uow, S1, member_id=1, kind="birthday", form="goods", amount=money("100.00"), purpose="蛋糕",
                         today=TODAY, actor="t")
        uow.commit()
    with pytest.raises(ValidationFailed) as exc:
        with wf.uow(S1) as uow:
            payments.request(uow, S1, member_id=1, kind="birthday", form="goods", amount=money("100.00"),
                             purpose="第二个蛋糕", today=TODAY, actor="t")
    assert exc.value.code == "payment_over_times_per_year"


def test_lists_come_in_pages_with_the_total(wf):
    for member_id in range(20, 27):
        wf.member(S1, member_id, f"老师{member_id}", birth="1990-03-01")
    for member_id in range(20, 27):
        deliver(wf, member_id=member_id, amount=None, delivered_on=date(2026, 3, 1))
    with wf.read(S1) as session:
        first = birthdays.deliveries(session, 2026, {"page": 1, "page_size": 5})
        second = birthdays.deliveries(session, 2026, {"page": 2, "page_size": 5})
        march = birthdays.month_list(session, 3, 2026, False, {"page": 2, "page_size": 5})
    assert (first["total"], len(first["items"]), len(second["items"])) == (7, 5, 2)
    assert {i["member_id"] for i in first["items"]}.isdisjoint({i["member_id"] for i in second["items"]})
    assert march["total"] == 8 and len(march["items"]) == 3 and march["delivered"] == 7
