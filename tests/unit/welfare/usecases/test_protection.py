"""Women's "four periods" special protection (四期) through the use cases: recorded by an officer or
the woman herself, seen only by officers, the chair and her, every officer's read audited."""
from __future__ import annotations

from datetime import date

import pytest

from services.welfare import care, policies, protection
from shared.errors import Conflict, Forbidden, ValidationFailed

from .support import CHAIR, OFFICER, S1, TODAY, as_member


def record(wf, context=OFFICER, **kw):
    data = {"member_id": 1, "kind": "pregnancy", "measures": ["不安排夜班"], **kw}
    with wf.uow(S1, context) as uow:
        return protection.record(uow, S1, data, context, TODAY)


def search(wf, context=OFFICER, **query):
    with wf.uow(S1, context) as uow:
        return protection.search(uow, S1, {"page": 1, "page_size": 50, **query}, context, TODAY)


def audit(wf, record_kind="protection"):
    with wf.read(S1) as session:
        return care.reads(session, {"page": 1, "page_size": 100, "record": record_kind})["items"]


def test_an_officer_records_a_pregnancy_with_the_measures_granted(wf):
    p = record(wf)
    assert p["status"] == "active" and p["label"] == "孕期" and p["measures"] == ["不安排夜班"]
    assert p["source"] == "officer" and p["expected_end_on"] is None


def test_maternity_leave_defaults_to_the_district_setting_and_ends_the_pregnancy(wf):
    pregnancy = record(wf, starts_on=date(2025, 10, 1))
    maternity = record(wf, kind="maternity", starts_on=date(2026, 5, 1), measures=["产假98天"])
    assert maternity["expected_end_on"] == date(2026, 8, 6)
    with wf.uow(S1, OFFICER) as uow:
        ended = protection.get(uow, S1, pregnancy["id"], OFFICER, TODAY)
    assert ended["status"] == "ended" and ended["ended_on"] == date(2026, 4, 30)
    with wf.uow(None) as uow:
        policies.set_district(uow, {"rules": [], "forbidden_forms": [],
                                    "settings": {"protection_days": {"maternity": 158}}}, "admin")
    wf.member(S1, 5, "周敏", birth="1992-06-01")
    longer = record(wf, member_id=5, kind="maternity", starts_on=date(2026, 5, 1))
    assert longer["expected_end_on"] == date(2026, 10, 5)


def test_a_man_or_a_retired_woman_has_no_four_periods_record(wf):
    with pytest.raises(ValidationFailed) as exc:
        record(wf, member_id=2)
    assert exc.value.fields == {"member_id": ["protection_women_only"]}
    wf.member(S1, 8, "退休王老师", birth="1960-01-01", status="retired")
    with pytest.raises(ValidationFailed) as exc:
        record(wf, member_id=8)
    assert exc.value.fields == {"member_id": ["welfare_member_not_in_service"]}
    assert search(wf)["total"] == 0


def test_a_second_open_period_of_the_same_kind_is_refused(wf):
    record(wf)
    with pytest.raises(Conflict) as exc:
        record(wf)
    assert exc.value.code == "protection_period_open"


def test_menstruation_is_recorded_by_the_woman_herself_never_by_an_officer(wf):
    with pytest.raises(Forbidden) as exc:
        record(wf, kind="menstruation")
    assert exc.value.code == "protection_self_report_only"
    mine = record(wf, as_member(1), kind="menstruation", measures=["临时调整课务"])
    assert mine["source"] == "member"


def test_a_woman_sees_her_own_periods_and_not_another_womans(wf):
    wf.member(S1, 5, "周敏", birth="1992-06-01")
    mine = record(wf)
    other = record(wf, member_id=5)
    assert [p["id"] for p in search(wf, as_member(1))["items"]] == [mine["id"]]
    with wf.uow(S1, as_member(1)) as uow:
        with pytest.raises(Forbidden):
            protection.get(uow, S1, other["id"], as_member(1), TODAY)
    with pytest.raises(Forbidden):
        record(wf, as_member(1), member_id=5)
    assert audit(wf) == []


def test_every_officer_read_is_audited_as_a_protection_read(wf):
    p = record(wf)
    search(wf)
    with wf.uow(S1, CHAIR) as uow:
        protection.get(uow, S1, p["id"], CHAIR, TODAY)
    assert {(r["actor"], r["via"], r["record_id"]) for r in audit(wf)} == {("welfare1", "list", p["id"]),
                                                                           ("chair1", "detail", p["id"])}
    assert audit(wf, "care_case") == []


def test_ending_a_period_and_the_list_of_those_ending_soon(wf):
    p = record(wf, kind="breastfeeding", starts_on=date(2025, 5, 20))
    assert p["expected_end_on"] == date(2026, 5, 19) and p["ending_soon"] is True
    assert [i["id"] for i in search(wf, ending_soon=True)["items"]] == [p["id"]]
    with wf.uow(S1, as_member(1)) as uow:
        ended = protection.end(uow, S1, p["id"], {"ended_on": date(2026, 5, 9), "notes": "返岗"}, as_member(1), TODAY)
    assert ended["status"] == "ended" and ended["ending_soon"] is False
    with pytest.raises(Conflict):
        with wf.uow(S1, OFFICER) as uow:
            protection.end(uow, S1, p["id"], {}, OFFICER, TODAY)
    assert search(wf, ending_soon=True)["total"] == 0
