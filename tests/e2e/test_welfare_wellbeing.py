"""Women's special protection (四期), rights cases, working conditions, the summer sanatorium,
the women's programme and its district ledger, and the job-happiness index, through the gateway:
privacy and audit as for care cases, places never overbooked, bad input named field by field."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from .support import assert_problem, field_codes, new_id_number
from .test_welfare_flows import account, admit_known, w

pytestmark = pytest.mark.e2e
TODAY = date.today()


@pytest.fixture(scope="module")
def staff(school):
    school.chair.ok("PUT", f"/api/v1/schools/{school.code}/finance/budgets/{TODAY.year}", json={"items": [
        {"category": "staff_activities", "amount": "100000.00"}, {"category": "rights_welfare", "amount": "100000.00"}]})
    officer = account(school, "welfare_officer")
    lin = admit_known(school, name="林静", id_number=new_id_number(birth=date(1990, 5, 6), gender="female"))
    he = admit_known(school, name="何雪", id_number=new_id_number(birth=date(1988, 11, 2), gender="female"))
    sun = admit_known(school, name="孙强", id_number=new_id_number(birth=date(1979, 1, 9), gender="male"))
    return {"officer": officer, "lin": lin, "he": he, "sun": sun,
            "lin_client": account(school, "member", lin["id"]), "he_client": account(school, "member", he["id"])}


def test_four_periods_protection_is_seen_by_officers_and_the_woman_herself_and_every_officer_read_is_audited(
        school, staff):
    officer, lin, he = staff["officer"], staff["lin"], staff["he"]
    period = officer.ok("POST", w(school.code, "/protection-periods"), 201,
                        json={"member_id": lin["id"], "kind": "maternity", "starts_on": TODAY.isoformat(),
                              "measures": ["产假98天"]})
    assert period["label"] == "产期" and period["expected_end_on"] == (TODAY + timedelta(days=97)).isoformat()
    man = officer.post(w(school.code, "/protection-periods"), json={"member_id": staff["sun"]["id"], "kind": "pregnancy"})
    assert_problem(man, 422, "protection_women_only", fields={"member_id"})
    assert_problem(officer.post(w(school.code, "/protection-periods"), json={"member_id": he["id"], "kind": "menstruation"}),
                   403, "protection_self_report_only")
    hers = staff["he_client"].ok("POST", w(school.code, "/protection-periods"), 201,
                                 json={"member_id": he["id"], "kind": "menstruation", "measures": ["临时调整课务"]})
    assert hers["source"] == "member"

    lin_sees = staff["lin_client"].ok("GET", w(school.code, "/protection-periods"))
    assert [p["id"] for p in lin_sees["items"]] == [period["id"]]
    assert_problem(staff["lin_client"].get(w(school.code, f"/protection-periods/{hers['id']}")), 403,
                   "welfare_own_records_only")
    officer.ok("GET", w(school.code, f"/protection-periods/{period['id']}"))
    reads = school.chair.ok("GET", w(school.code, "/audit/case-reads"), params={"record": "protection",
                                                                                "page_size": 500})["items"]
    assert any(r["record_id"] == period["id"] and r["via"] == "detail" and r["role"] == "welfare_officer" for r in reads)
    assert all(r["record"] == "protection" for r in reads)
    assert_problem(school.chair.get(w(school.code, "/protection-periods"), params={"kind": "childbirth"}), 422,
                   "validation_failed", fields={"kind"})


def test_a_rights_case_keeps_confidential_notes_and_a_closed_case_takes_no_more(school, staff):
    officer, sun = staff["officer"], staff["sun"]
    case = officer.ok("POST", w(school.code, "/rights-cases"), 201,
                      json={"member_id": sun["id"], "kind": "reassignment", "title": "转岗安排"})
    officer.ok("POST", w(school.code, f"/rights-cases/{case['id']}/notes"), 201,
               json={"kind": "counselling", "text": "谈心，了解诉求"})
    collective = officer.ok("POST", w(school.code, "/rights-cases"), 201,
                            json={"kind": "rights_proposal", "title": "绩效工资方案征求意见"})
    assert collective["collective"] is True
    needs_member = officer.post(w(school.code, "/rights-cases"), json={"kind": "not_rehired", "title": "落聘"})
    assert_problem(needs_member, 422, "rights_case_member_required", fields={"member_id"})
    lin = staff["lin_client"]
    assert_problem(lin.get(w(school.code, f"/rights-cases/{case['id']}")), 403, "welfare_own_records_only")
    assert_problem(lin.get(w(school.code, f"/rights-cases/{collective['id']}")), 403, "welfare_own_records_only")
    assert lin.ok("GET", w(school.code, "/rights-cases"))["total"] == 0
    assert_problem(lin.post(w(school.code, f"/rights-cases/{case['id']}/notes"), json={"text": "x"}), 403,
                   "role_forbidden")
    closed = officer.ok("POST", w(school.code, f"/rights-cases/{case['id']}/close"),
                        json={"outcome": "resolved", "summary": "已安排至图书馆岗位"})
    assert closed["status"] == "resolved" and [n["label"] for n in closed["log"]] == ["谈心疏导"]
    assert_problem(officer.post(w(school.code, f"/rights-cases/{case['id']}/notes"), json={"text": "再记一笔"}), 409,
                   "rights_case_closed")
    reads = school.chair.ok("GET", w(school.code, "/audit/case-reads"), params={"record": "rights_case"})["items"]
    assert {r["record_id"] for r in reads} >= {case["id"]}


def test_working_conditions_are_raised_by_officers_followed_and_seen_by_every_member(school, staff):
    officer, lin = staff["officer"], staff["lin_client"]
    item = officer.ok("POST", w(school.code, "/working-conditions"), 201,
                      json={"category": "noon_rest", "title": "午休室", "raised_from": "教职工座谈会"})
    done = officer.ok("POST", w(school.code, f"/working-conditions/{item['id']}/progress"),
                      json={"status": "done", "note": "三楼空教室改为午休室", "beneficiaries": 40})
    assert done["status"] == "done" and [e["status"] for e in done["log"]] == ["open", "done"]
    assert_problem(officer.post(w(school.code, f"/working-conditions/{item['id']}/progress"),
                                json={"status": "in_progress"}), 409, "condition_step_out_of_order")
    listed = lin.ok("GET", w(school.code, "/working-conditions"), params={"year": TODAY.year})
    assert item["id"] in [i["id"] for i in listed["items"]]
    assert_problem(lin.post(w(school.code, "/working-conditions"), json={"category": "office", "title": "空调"}), 403,
                   "role_forbidden")


def test_a_sanatorium_never_overbooks_and_the_cost_of_those_who_went_is_asked_of_finance(school, staff):
    officer, lin, he = staff["officer"], staff["lin"], staff["he"]
    start = TODAY + timedelta(days=30)
    stay = officer.ok("POST", w(school.code, "/programmes"), 201,
                      json={"kind": "sanatorium", "title": "暑期疗养", "starts_on": start.isoformat(),
                            "ends_on": (start + timedelta(days=4)).isoformat(), "place": "莫干山", "places": 1,
                            "cost_per_person": "1200.00"})
    staff["lin_client"].ok("POST", w(school.code, f"/programmes/{stay['id']}/participants"),
                           json={"member_ids": [lin["id"]]})
    full = officer.post(w(school.code, f"/programmes/{stay['id']}/participants"), json={"member_ids": [he["id"]]})
    problem = assert_problem(full, 409, "programme_full")
    assert (problem["params"]["places"], problem["params"]["left"]) == ("1", "0")
    went = officer.ok("POST", w(school.code, f"/programmes/{stay['id']}/participants/{lin['id']}/attendance"),
                      json={"attended": True})
    payment = officer.ok("GET", w(school.code, f"/payments/{went['payment_id']}"))
    assert payment["kind"] == "sanatorium" and payment["amount"] == "1200.00" and payment["awaiting_finance"] is True
    listed = officer.ok("GET", w(school.code, f"/programmes/{stay['id']}"))
    assert [p["member_id"] for p in listed["items"]] == [lin["id"]] and listed["programme"]["places_left"] == 0


def test_bad_programme_input_names_every_bad_field_and_writes_nothing(school, staff):
    officer = staff["officer"]
    before = officer.ok("GET", w(school.code, "/programmes"))["total"]
    resp = officer.post(w(school.code, "/programmes"), json={"kind": "karaoke", "title": "", "starts_on": "2026-02-30",
                                                             "cost_per_person": "1.005", "places": 0, "extra": 1})
    codes = field_codes(assert_problem(resp, 422, "validation_failed",
                                       fields={"kind", "title", "starts_on", "cost_per_person", "places", "extra"}))
    assert codes["cost_per_person"] == {"money_decimals"} and codes["extra"] == {"unknown_field"}
    trip = officer.post(w(school.code, "/programmes"), json={"kind": "womens_trip", "title": "女职工春游",
                                                             "starts_on": "2026-03-07", "ends_on": "2026-03-06",
                                                             "cost_per_person": "80.00"})
    assert_problem(trip, 422, "programme_ends_before_start", fields={"ends_on", "cost_per_person"})
    assert officer.ok("GET", w(school.code, "/programmes"))["total"] == before


def test_the_womens_ledger_is_for_women_and_the_district_sees_it_by_school(admin, school, staff):
    officer = staff["officer"]
    salon = officer.ok("POST", w(school.code, "/programmes"), 201,
                       json={"kind": "womens_salon", "title": "女职工沙龙", "starts_on": TODAY.isoformat(),
                             "place": "工会活动室"})
    listed = officer.ok("POST", w(school.code, f"/programmes/{salon['id']}/participants"), json={"everyone": True})
    assert listed["enrolled"] == 2 and listed["audience"] == "women"          # 林静 and 何雪, not 孙强
    refused = officer.post(w(school.code, f"/programmes/{salon['id']}/participants"),
                           json={"member_ids": [staff["sun"]["id"], 99999999]})
    codes = field_codes(assert_problem(refused, 422, "programme_not_eligible", fields={"member_ids.0", "member_ids.1"}))
    assert codes["member_ids.1"] == {"welfare_member_unknown"}
    officer.ok("POST", w(school.code, f"/programmes/{salon['id']}/participants/{staff['he']['id']}/attendance"),
               json={"attended": True})
    ledger = officer.ok("GET", w(school.code, "/programmes"), params={"area": "women", "year": TODAY.year})
    assert salon["id"] in [p["id"] for p in ledger["items"]]
    district = admin.ok("GET", "/api/v1/district/welfare/womens-programme", params={"year": TODAY.year})
    (ours,) = [s for s in district["schools"] if s["school"] == school.code]
    assert ours["activities"] >= 1 and ours["women_members"] == 2 and ours["women_reached"] == 1
    assert_problem(school.chair.get("/api/v1/district/welfare/womens-programme"), 403, "role_forbidden")


def test_the_happiness_index_takes_one_anonymous_answer_per_member(school, staff):
    officer = staff["officer"]
    survey = officer.ok("POST", w(school.code, "/happiness-surveys"), 201,
                        json={"title": "职业幸福指数", "opens_on": TODAY.isoformat(),
                              "closes_on": (TODAY + timedelta(days=7)).isoformat()})
    lin = staff["lin_client"]
    assert lin.ok("POST", w(school.code, f"/happiness-surveys/{survey['id']}/answers"), 201, json={"score": 8}) == {
        "survey_id": survey["id"], "responded": True}
    assert_problem(lin.post(w(school.code, f"/happiness-surveys/{survey['id']}/answers"), json={"score": 3}), 409,
                   "happiness_already_responded")
    assert_problem(officer.post(w(school.code, f"/happiness-surveys/{survey['id']}/answers"), json={"score": 9}), 403,
                   "member_account_required")
    assert_problem(lin.post(w(school.code, f"/happiness-surveys/{survey['id']}/answers"), json={"score": 11}), 422,
                   "validation_failed", fields={"score"})
    result = lin.ok("GET", w(school.code, f"/happiness-surveys/{survey['id']}"))
    assert result["responses"] == 1 and result["index"] is None and result["too_few_responses"] is True
    assert result["you_responded"] is True


def test_another_schools_chair_gets_404_on_the_new_welfare_routes(school, other_school, staff):
    intruder = other_school.chair
    for method, tail in (("GET", "/protection-periods"), ("GET", "/rights-cases"), ("GET", "/programmes"),
                         ("GET", "/working-conditions"), ("GET", "/happiness-surveys"), ("POST", "/rights-cases")):
        resp = intruder.request(method, w(school.code, tail), json={} if method == "POST" else None)
        assert_problem(resp, 404, "not_found")
