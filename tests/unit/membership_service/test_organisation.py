"""Schools registry, union groups, the committee and the district statistics
(services/membership/organisation.py) against SQLite."""
from __future__ import annotations

from datetime import date

import pytest

from services.membership import organisation
from shared.errors import Conflict, NotFound, ValidationFailed

from .support import S1, S2, S3, person


def test_registering_a_school_announces_it_under_its_own_code(ms):
    school = ms.register_school(S3, staff=55, name="城南职校")
    assert (school["code"], school["name"], school["active"], school["staff_headcount"]) == (S3, "城南职校", True, 55)
    event = ms.events()[-1]
    assert (event["type"], event["school"], event["actor"]) == ("membership.school_registered", S3, "admin")
    assert event["payload"] == {"code": S3, "name": "城南职校", "kind": "primary", "area": "东区", "staff_headcount": 55}


def test_a_school_code_is_registered_once(ms):
    before = len(ms.events())
    with pytest.raises(Conflict) as taken:
        ms.register_school(S1)
    assert taken.value.code == "school_code_taken" and taken.value.fields == {"code": ["school_code_taken"]}
    assert len(ms.events()) == before


def test_updating_a_school_announces_its_new_state(ms):
    with ms.uow(None, role="district_admin") as uow:
        school = organisation.update_school(uow, S2, {"active": False, "staff_headcount": 25})
    assert (school["active"], school["staff_headcount"]) == (False, 25)
    event = ms.events()[-1]
    assert (event["type"], event["school"], event["payload"]["active"]) == ("membership.school_updated", S2, False)


def test_updating_an_unknown_school_is_not_found(ms):
    with ms.uow(None, role="district_admin") as uow:
        with pytest.raises(NotFound):
            organisation.update_school(uow, S3, {"name": "无"})


def test_schools_are_listed_by_code_with_the_total(ms):
    ms.register_school(S3)
    with ms.read(None) as session:
        page = organisation.list_schools(session, 2, 2)
    assert page["total"] == 3 and [s["code"] for s in page["items"]] == [S3]


# ---- membership rate ------------------------------------------------------------------------------

def test_membership_rate_counts_in_service_members_over_eligible_staff_per_school_and_in_total(ms):
    for seq in range(1, 4):
        ms.admit(S1, person(seq))
    retiree = ms.admit(S1, person(4))
    ms.retire(S1, retiree["id"])
    ms.admit(S1, person(5, admission="application"))
    ms.admit(S2, person(6))
    leaver = ms.admit(S2, person(7))
    ms.leave(S2, leaver["id"], "resigned")
    with ms.read(None) as session:
        stats = organisation.membership_stats(session)
    by_school = {row["school"]: row for row in stats["schools"]}
    assert (by_school[S1]["members"], by_school[S1]["retirees"], by_school[S1]["rate"]) == (3, 1, "0.3000")
    assert (by_school[S2]["members"], by_school[S2]["retirees"], by_school[S2]["rate"]) == (1, 0, "0.0500")
    assert (stats["total"]["members"], stats["total"]["eligible_staff"], stats["total"]["rate"]) == (4, 30, "0.1333")


def test_a_school_without_eligible_staff_has_no_rate(ms):
    ms.register_school(S3, staff=0)
    with ms.read(None) as session:
        rows = {r["school"]: r for r in organisation.membership_stats(session)["schools"]}
    assert rows[S3]["rate"] is None and rows[S3]["members"] == 0


def test_a_closed_school_leaves_the_statistics(ms):
    with ms.uow(None, role="district_admin") as uow:
        organisation.update_school(uow, S2, {"active": False})
    with ms.read(None) as session:
        assert [r["school"] for r in organisation.membership_stats(session)["schools"]] == [S1]


# ---- union groups ----------------------------------------------------------------------------------

def create_group(ms, school, **data):
    with ms.uow(school) as uow:
        return organisation.create_group(uow, school, data)


def test_a_union_group_is_created_with_its_leader_and_announced(ms):
    wang = ms.admit(S1, person(1, name="王芳"))
    group = create_group(ms, S1, name="语文组", leader_member_id=wang["id"])
    assert (group["name"], group["leader_name"], group["members"]) == ("语文组", "王芳", 0)
    event = ms.events()[-1]
    assert event["type"] == "membership.union_group_changed"
    assert (event["payload"]["id"], event["payload"]["leader_member_id"]) == (group["id"], wang["id"])


def test_a_group_name_is_unique_within_a_school_only(ms):
    create_group(ms, S1, name="语文组")
    with pytest.raises(Conflict) as taken:
        create_group(ms, S1, name="语文组")
    assert taken.value.code == "group_name_taken"
    assert create_group(ms, S2, name="语文组")["name"] == "语文组"


def test_a_group_leader_must_be_a_member_of_the_school(ms):
    other = ms.admit(S2, person(2))
    with pytest.raises(ValidationFailed) as bad:
        create_group(ms, S1, name="数学组", leader_member_id=other["id"])
    assert bad.value.fields == {"leader_member_id": ["member_not_found"]}


def test_a_group_counts_its_active_and_retired_members(ms):
    group = create_group(ms, S1, name="语文组")
    ms.admit(S1, person(1, union_group_id=group["id"]))
    retired = ms.admit(S1, person(2, union_group_id=group["id"]))
    ms.retire(S1, retired["id"])
    left = ms.admit(S1, person(3, union_group_id=group["id"]))
    ms.leave(S1, left["id"], "resigned")
    with ms.read(S1) as session:
        listed = organisation.list_groups(session)
    assert [(g["name"], g["members"]) for g in listed["items"]] == [("语文组", 2)]


def test_renaming_a_group_to_another_groups_name_is_a_conflict(ms):
    create_group(ms, S1, name="语文组")
    maths = create_group(ms, S1, name="数学组")
    with ms.uow(S1) as uow:
        with pytest.raises(Conflict):
            organisation.update_group(uow, S1, maths["id"], {"name": "语文组"})


def test_a_group_leader_must_belong_to_the_group(ms):
    chinese = create_group(ms, S1, name="语文组")
    maths = create_group(ms, S1, name="数学组")
    wang = ms.admit(S1, person(1, union_group_id=maths["id"]))
    with ms.uow(S1) as uow:
        with pytest.raises(ValidationFailed) as bad:
            organisation.update_group(uow, S1, chinese["id"], {"leader_member_id": wang["id"]})
    assert bad.value.fields == {"leader_member_id": ["group_leader_not_in_group"]}


# ---- the committee -----------------------------------------------------------------------------------

def appoint(ms, school, member_id, portfolio, started_on=date(2024, 9, 1)):
    with ms.uow(school) as uow:
        return organisation.appoint(uow, school, {"member_id": member_id, "portfolio": portfolio,
                                                  "started_on": started_on}, date(2024, 9, 2))


def test_an_active_member_is_appointed_to_a_portfolio(ms):
    wang = ms.admit(S1, person(1, name="王芳"))
    position = appoint(ms, S1, wang["id"], "women")
    assert (position["member_name"], position["portfolio_label"], position["started_on"]) == (
        "王芳", "女工委员", "2024-09-01")
    with ms.read(S1) as session:
        assert [p["member_id"] for p in organisation.committee(session)["items"]] == [wang["id"]]


def test_a_school_has_one_chair_in_office_at_a_time(ms):
    wang, li = ms.admit(S1, person(1)), ms.admit(S1, person(2))
    chair = appoint(ms, S1, wang["id"], "chair")
    with pytest.raises(Conflict) as taken:
        appoint(ms, S1, li["id"], "chair")
    assert taken.value.code == "chair_taken"
    with ms.uow(S1) as uow:
        organisation.end_position(uow, chair["id"], date(2024, 12, 31))
    assert appoint(ms, S1, li["id"], "chair")["member_id"] == li["id"]


def test_each_school_has_its_own_chair(ms):
    appoint(ms, S1, ms.admit(S1, person(1))["id"], "chair")
    assert appoint(ms, S2, ms.admit(S2, person(2))["id"], "chair")["portfolio"] == "chair"


def test_only_an_active_member_joins_the_committee(ms):
    applicant = ms.admit(S1, person(1, admission="application"))
    with pytest.raises(Conflict) as refused:
        appoint(ms, S1, applicant["id"], "publicity")
    assert refused.value.code == "member_not_active"


def test_a_position_ends_once(ms):
    position = appoint(ms, S1, ms.admit(S1, person(1))["id"], "welfare")
    with ms.uow(S1) as uow:
        assert organisation.end_position(uow, position["id"], date(2025, 1, 1))["ended_on"] == "2025-01-01"
    with ms.uow(S1) as uow:
        with pytest.raises(Conflict):
            organisation.end_position(uow, position["id"], date(2025, 2, 1))
    with ms.read(S1) as session:
        assert organisation.committee(session)["items"] == []


def test_appointing_and_ending_a_position_announce_the_committee_to_the_other_services(ms):
    wang = ms.admit(S1, person(1, name="王芳"))
    position = appoint(ms, S1, wang["id"], "culture_sports")
    with ms.uow(S1) as uow:
        organisation.end_position(uow, position["id"], date(2025, 7, 1))
    announced = [e for e in ms.events() if e["type"] == "membership.committee_changed"]
    assert [e["school"] for e in announced] == [S1, S1]
    assert [e["payload"] for e in announced] == [
        {"position_id": position["id"], "school": S1, "member_id": wang["id"], "member_name": "王芳",
         "portfolio": "culture_sports", "title": None, "started_on": "2024-09-01", "ended_on": None},
        {"position_id": position["id"], "school": S1, "member_id": wang["id"], "member_name": "王芳",
         "portfolio": "culture_sports", "title": None, "started_on": "2024-09-01", "ended_on": "2025-07-01"}]


def test_a_refused_appointment_announces_nothing(ms):
    applicant = ms.admit(S1, person(1, admission="application"))
    with pytest.raises(Conflict):
        appoint(ms, S1, applicant["id"], "publicity")
    assert "membership.committee_changed" not in ms.event_types()
