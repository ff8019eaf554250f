"""Member use cases (services/membership/members.py) through the unit of work, each on SQLite
(the ORM path) and on PostgreSQL, where admission and update are one read and one statement
(services/membership/direct.py): the same rules must hold on both."""
from __future__ import annotations

from datetime import date

import pytest

from services.membership import members, organisation, schemas
from services.membership.domain import model
from shared.errors import Conflict, CrossTenantWrite, Forbidden, NotFound, ValidationFailed

from .support import S1, S2, S3, TODAY, person


class NewEvents:
    """The outbox rows written since it was created."""

    def __init__(self, ms):
        self.ms, self.start = ms, len(ms.events())

    @property
    def all(self):
        return self.ms.events()[self.start:]

    @property
    def types(self):
        return [e["type"] for e in self.all]


@pytest.fixture(params=["sqlite", "postgresql"])
def ms(request):
    return request.getfixturevalue("ms_sqlite" if request.param == "sqlite" else "ms_postgres")


# ---- admission ----------------------------------------------------------------------------------

def test_direct_enrolment_admits_an_active_member_with_history_and_one_event(ms):
    new = NewEvents(ms)
    wang = ms.admit(S1, person(1, name="王芳", phone="138 1234 5678"))
    assert (wang["status"], wang["school"], wang["join_date"]) == ("active", S1, TODAY.isoformat())
    assert (wang["birth_date"], wang["gender"]) == ("1986-03-15", "female")
    assert wang["id_number"] != person(1)["id_number"] and wang["id_number"].endswith(person(1)["id_number"][-4:])
    assert wang["phone"] == "138****5678"
    assert ms.status_changes(wang["id"]) == [(S1, None, "active", None)]
    assert new.types == ["membership.member_admitted"]
    event = new.all[0]
    assert (event["school"], event["actor"], event["payload"]["via"]) == (S1, "t", "enrolment")
    assert event["payload"]["member"]["id"] == wang["id"]


def test_an_application_records_an_applicant_and_announces_the_application_only(ms):
    new = NewEvents(ms)
    applicant = ms.admit(S1, person(1, admission="application"))
    assert applicant["status"] == "applicant" and applicant["join_date"] is None
    assert "membership.member_admitted" not in new.types
    assert new.types == ["membership.member_applied"]


def test_approving_an_application_makes_an_active_member_and_announces_the_admission(ms):
    applicant = ms.admit(S1, person(1, admission="application"))
    new = NewEvents(ms)
    approved = ms.approve(S1, applicant["id"], on=date(2024, 9, 10))
    assert (approved["status"], approved["join_date"]) == ("active", "2024-09-10")
    assert ms.status_changes(applicant["id"])[-1] == (S1, "applicant", "active", None)
    assert new.types == ["membership.member_admitted"]
    assert new.all[0]["payload"]["via"] == "application"


def test_approving_an_active_member_again_is_an_invalid_transition(ms):
    wang = ms.admit(S1, person(1))
    new = NewEvents(ms)
    with pytest.raises(Conflict) as refused:
        ms.approve(S1, wang["id"])
    assert refused.value.code == "invalid_transition"
    assert new.types == []


def test_the_same_id_number_twice_in_one_school_is_a_conflict_and_nothing_is_written(ms):
    ms.admit(S1, person(1))
    new = NewEvents(ms)
    with pytest.raises(Conflict) as refused:
        ms.admit(S1, person(1, name="另一个人"))
    assert refused.value.code == "id_number_taken" and refused.value.fields == {"id_number": ["id_number_taken"]}
    assert len(ms.members()) == 1 and new.types == []


def test_an_id_number_active_in_another_school_is_a_conflict(ms):
    ms.admit(S2, person(1))
    with pytest.raises(Conflict) as refused:
        ms.admit(S1, person(1))
    assert refused.value.code == "id_number_active_elsewhere"
    assert [m.school for m in ms.members()] == [S2]


def test_an_applicant_elsewhere_also_blocks_the_id_number(ms):
    ms.admit(S2, person(1, admission="application"))
    with pytest.raises(Conflict) as refused:
        ms.admit(S1, person(1))
    assert refused.value.code == "id_number_active_elsewhere"


def test_a_person_who_left_may_be_admitted_again(ms):
    first = ms.admit(S1, person(1))
    ms.leave(S1, first["id"], "resigned")
    again = ms.admit(S1, person(1))
    assert again["id"] != first["id"] and again["status"] == "active"


def test_a_bad_id_number_and_phone_are_both_named(ms):
    good = person(1)["id_number"]
    mistyped = good[:-1] + ("1" if good.endswith("0") else "0")
    with pytest.raises(ValidationFailed) as bad:
        ms.admit(S1, person(1, phone="12345", id_number=mistyped))
    assert bad.value.fields == {"id_number": ["id_checksum"], "phone": ["phone_invalid"]}
    assert ms.members() == []


def test_admission_into_an_unknown_school_is_not_found(ms):
    with pytest.raises(NotFound) as missing:
        ms.admit(S3, person(1))
    assert missing.value.code == "school_not_found"


def test_admission_into_an_unknown_union_group_is_a_field_error(ms):
    with pytest.raises(ValidationFailed) as bad:
        ms.admit(S1, person(1, union_group_id=99))
    assert bad.value.fields == {"union_group_id": ["group_not_found"]}


# ---- update --------------------------------------------------------------------------------------

def test_an_update_changes_the_member_bumps_the_version_and_announces_what_changed(ms):
    wang = ms.admit(S1, person(1))
    new = NewEvents(ms)
    updated = ms.update(S1, wang["id"], {"name": "王芳芳", "position": "教研组长"})
    assert (updated["name"], updated["position"], updated["version"]) == ("王芳芳", "教研组长", wang["version"] + 1)
    assert new.types == ["membership.member_updated"]
    assert sorted(new.all[0]["payload"]["changed"]) == ["name", "position"]


def test_a_change_of_personal_data_is_announced_without_naming_it(ms):
    wang = ms.admit(S1, person(1))
    new = NewEvents(ms)
    ms.update(S1, wang["id"], {"phone": "13912345678"})
    assert new.all[0]["payload"]["changed"] == ["personal_data"]
    assert "13912345678" not in str(new.all[0])


def test_an_update_that_changes_nothing_writes_no_event(ms):
    wang = ms.admit(S1, person(1))
    new = NewEvents(ms)
    assert ms.update(S1, wang["id"], {"name": wang["name"]})["version"] == wang["version"]
    assert new.types == []


def test_an_id_number_change_to_a_member_of_another_school_is_a_conflict(ms):
    ms.admit(S2, person(2))
    wang = ms.admit(S1, person(1))
    with pytest.raises(Conflict) as refused:
        ms.update(S1, wang["id"], {"id_number": person(2)["id_number"]})
    assert refused.value.code == "id_number_active_elsewhere"


def test_a_closed_membership_is_history_and_cannot_be_updated(ms):
    wang = ms.admit(S1, person(1))
    ms.leave(S1, wang["id"], "resigned")
    with pytest.raises(Conflict) as refused:
        ms.update(S1, wang["id"], {"name": "改名"})
    assert refused.value.code == "member_closed"


def test_another_schools_member_is_not_found(ms):
    li = ms.admit(S2, person(2))
    with pytest.raises(NotFound) as missing:
        ms.update(S1, li["id"], {"name": "改名"})
    assert missing.value.code == "member_not_found"
    assert ms.members(id=li["id"])[0].name == li["name"]


# ---- transfer ------------------------------------------------------------------------------------

def test_a_transfer_closes_the_old_membership_and_opens_an_active_one_at_the_target(ms):
    wang = ms.admit(S1, person(1, name="王芳", position="语文教师"))
    new = NewEvents(ms)
    moved = ms.transfer(S1, wang["id"], S2, on=date(2024, 9, 20))
    old, fresh = ms.members(id=moved["from"]["id"])[0], ms.members(id=moved["to"]["id"])[0]
    assert (old.school, old.status, old.live, old.transferred_to_school) == (S1, "transferred_out", False, S2)
    assert (fresh.school, fresh.status, fresh.live, fresh.transferred_from_id) == (S2, "active", True, old.id)
    assert (fresh.person_key, fresh.id_number, fresh.name, fresh.position) == (
        old.person_key, old.id_number, "王芳", "语文教师")
    assert ms.status_changes(old.id) == [(S1, None, "active", None), (S1, "active", "transferred_out", S2)]
    assert ms.status_changes(fresh.id) == [(S2, None, "active", S1)]
    assert [m.school for m in ms.members(id_number=old.id_number, live=True)] == [S2]
    assert new.types == ["membership.member_transferred"]
    payload = new.all[0]["payload"]
    assert (payload["previous_member_id"], payload["from_school"], payload["to_school"], payload["transferred_on"]) == (
        old.id, S1, S2, "2024-09-20")
    assert payload["member"]["id"] == fresh.id and payload["member"]["school"] == S2


def test_both_schools_see_their_side_of_the_transfer_in_the_history(ms):
    wang = ms.admit(S1, person(1))
    moved = ms.transfer(S1, wang["id"], S2)
    assert [h["to_status"] for h in ms.history(S1, wang["id"])] == ["active", "transferred_out"]
    assert [(h["to_status"], h["counterpart_school"]) for h in ms.history(S2, moved["to"]["id"])] == [("active", S1)]
    with pytest.raises(NotFound):
        ms.history(S2, wang["id"])


@pytest.mark.parametrize("target,code", [(S1, "transfer_same_school"), (S3, "transfer_target_missing")])
def test_a_transfer_to_the_same_or_a_missing_school_is_refused_on_to_school_and_writes_nothing(ms, target, code):
    wang = ms.admit(S1, person(1))
    new = NewEvents(ms)
    with pytest.raises(ValidationFailed) as bad:
        ms.transfer(S1, wang["id"], target)
    assert bad.value.fields == {"to_school": [code]}
    assert [(m.school, m.status) for m in ms.members()] == [(S1, "active")]
    assert ms.status_changes(wang["id"]) == [(S1, None, "active", None)]
    assert new.types == []


def test_a_transfer_to_a_closed_school_is_refused(ms):
    ms.register_school(S3)
    with ms.uow(None, role="district_admin") as uow:
        organisation.update_school(uow, S3, {"active": False})
    wang = ms.admit(S1, person(1))
    with pytest.raises(ValidationFailed) as bad:
        ms.transfer(S1, wang["id"], S3)
    assert bad.value.fields == {"to_school": ["transfer_target_missing"]}


def test_a_retired_member_cannot_be_transferred(ms):
    wang = ms.admit(S1, person(1))
    ms.retire(S1, wang["id"])
    with pytest.raises(Conflict) as refused:
        ms.transfer(S1, wang["id"], S2)
    assert refused.value.code == "invalid_transition"


def test_a_transfer_whose_unit_of_work_excludes_the_target_school_is_refused_by_the_tenant_guard(ms):
    wang = ms.admit(S1, person(1))
    new = NewEvents(ms)
    with pytest.raises(CrossTenantWrite):
        ms.transfer(S1, wang["id"], S2, also=())
    assert [(m.school, m.status) for m in ms.members()] == [(S1, "active")]
    assert new.types == []


# ---- retirement and leaving ------------------------------------------------------------------------

def test_retirement_keeps_the_membership_as_a_retiree(ms):
    wang = ms.admit(S1, person(1, category="teacher"))
    new = NewEvents(ms)
    retired = ms.retire(S1, wang["id"], on=date(2024, 12, 31))
    assert (retired["status"], retired["category"], retired["join_date"]) == ("retired", "retiree", wang["join_date"])
    assert ms.members(id=wang["id"])[0].live is True
    assert ms.status_changes(wang["id"])[-1] == (S1, "active", "retired", None)
    assert new.types == ["membership.member_retired"]
    assert new.all[0]["payload"]["retired_on"] == "2024-12-31"


def test_a_retiree_still_blocks_their_id_number_elsewhere(ms):
    wang = ms.admit(S1, person(1))
    ms.retire(S1, wang["id"])
    with pytest.raises(Conflict):
        ms.admit(S2, person(1))


def test_leaving_needs_a_reason(ms):
    wang = ms.admit(S1, person(1))
    new = NewEvents(ms)
    for reason, code in ((None, "leave_reason_required"), ("", "leave_reason_required"), ("bored", "invalid_choice")):
        with pytest.raises(ValidationFailed) as bad:
            ms.leave(S1, wang["id"], reason)
        assert list(bad.value.fields.values()) == [[code]]
    assert ms.members(id=wang["id"])[0].status == "active"
    assert new.types == []


def test_leaving_with_a_reason_closes_the_membership_and_announces_it(ms):
    wang = ms.admit(S1, person(1))
    new = NewEvents(ms)
    left = ms.leave(S1, wang["id"], "resigned", note="调往外省", on=date(2024, 10, 1))
    assert (left["status"], left["left_reason"]) == ("left", "resigned: 调往外省")
    assert ms.members(id=wang["id"])[0].live is False
    assert new.types == ["membership.member_left"]
    assert (new.all[0]["payload"]["reason"], new.all[0]["payload"]["left_on"]) == ("resigned", "2024-10-01")


def test_a_member_who_left_cannot_leave_again(ms):
    wang = ms.admit(S1, person(1))
    ms.leave(S1, wang["id"], "resigned")
    with pytest.raises(Conflict) as refused:
        ms.leave(S1, wang["id"], "deceased")
    assert refused.value.code == "invalid_transition"


def test_an_applicant_may_leave_but_not_retire(ms):
    applicant = ms.admit(S1, person(1, admission="application"))
    with pytest.raises(Conflict):
        ms.retire(S1, applicant["id"])
    assert ms.leave(S1, applicant["id"], "withdrawn")["status"] == "left"


def test_every_leave_reason_the_model_accepts_is_accepted_by_the_api():
    assert set(model.LEAVE_REASONS) <= set(schemas.LEAVE_REASONS)


# ---- search and birthdays ---------------------------------------------------------------------------

@pytest.fixture
def roster(ms):
    """Five members at S001 (one retired, one applicant, two in group 语文组) and one at S002."""
    with ms.uow(S1) as uow:
        group = organisation.create_group(uow, S1, {"name": "语文组"})
    ids = {}
    ids["wang"] = ms.admit(S1, person(1, name="王芳", union_group_id=group["id"]))["id"]
    ids["wangli"] = ms.admit(S1, person(2, name="王丽", category="staff", union_group_id=group["id"]))["id"]
    ids["li"] = ms.admit(S1, person(3, name="李明", born=date(1964, 9, 20), gender="male"))["id"]
    ids["zhao"] = ms.admit(S1, person(4, name="赵敏", admission="application", born=date(1994, 9, 1)))["id"]
    ids["sun"] = ms.admit(S1, person(5, name="孙强", born=date(1990, 9, 5), gender="male", category="logistics"))["id"]
    ids["other"] = ms.admit(S2, person(6, name="王五", born=date(1984, 9, 9)))["id"]
    ms.retire(S1, ids["li"])
    return {**ids, "group": group["id"]}


def names(result):
    return [m["name"] for m in result["items"]]


def test_the_list_is_paginated_with_the_total(ms, roster):
    page = ms.search(S1, page=2, page_size=2)
    assert (page["total"], page["page"], page["page_size"]) == (5, 2, 2)
    assert names(page) == ["李明", "赵敏"]
    assert names(ms.search(S1, page=3, page_size=2)) == ["孙强"]
    assert ms.search(S1, page=4, page_size=2)["items"] == []


def test_the_list_holds_only_the_schools_own_members(ms, roster):
    assert "王五" not in names(ms.search(S1))
    assert names(ms.search(S2)) == ["王五"]


@pytest.mark.parametrize("query,expected", [
    ({"status": "retired"}, ["李明"]),
    ({"status": "applicant"}, ["赵敏"]),
    ({"category": "staff"}, ["王丽"]),
    ({"q": "王"}, ["王芳", "王丽"]),
    ({"status": "active", "category": "teacher"}, ["王芳"]),
])
def test_the_list_filters_by_status_category_and_name(ms, roster, query, expected):
    result = ms.search(S1, **query)
    assert names(result) == expected and result["total"] == len(expected)


def test_the_list_filters_by_union_group_and_names_the_group(ms, roster):
    result = ms.search(S1, group=roster["group"])
    assert names(result) == ["王芳", "王丽"]
    assert {m["union_group"] for m in result["items"]} == {"语文组"}


def test_birthdays_of_a_month_list_active_and_retired_members_with_milestones(ms, roster):
    with ms.read(S1) as session:
        september = members.birthdays(session, S1, 9, 2024, milestone_only=False)
    assert [(i["name"], i["age"], i["milestone"]) for i in september["items"]] == [("孙强", 34, False),
                                                                                   ("李明", 60, True)]
    with ms.read(S1) as session:
        milestones = members.birthdays(session, S1, 9, 2024, milestone_only=True)
    assert [i["name"] for i in milestones["items"]] == ["李明"] and milestones["total"] == 1


def test_birthdays_of_a_month_without_any_are_empty(ms, roster):
    with ms.read(S1) as session:
        assert members.birthdays(session, S1, 2, 2024, False) == {"items": [], "total": 0}


# ---- reading personal data ------------------------------------------------------------------------------

def test_the_chair_may_reveal_an_id_number_and_the_read_is_audited(ms):
    wang = ms.admit(S1, person(1))
    with ms.uow(S1, actor="chair") as uow:
        shown = members.get(uow, wang["id"], "id_number", "school_admin")
    assert shown["id_number"] == person(1)["id_number"]
    with ms.read(S1) as session:
        audit = organisation.pii_reads(session, 1, 10)
    assert [(r["member_id"], r["fields"], r["actor"]) for r in audit["items"]] == [(wang["id"], "id_number", "chair")]


def test_an_officer_may_not_reveal_personal_data(ms):
    wang = ms.admit(S1, person(1))
    with ms.uow(S1, role="welfare_officer") as uow:
        with pytest.raises(Forbidden):
            members.get(uow, wang["id"], "all", "welfare_officer")
        assert members.get(uow, wang["id"], None, "welfare_officer")["id_number"] != person(1)["id_number"]



def test_a_school_closed_by_this_process_refuses_admission_at_once(ms):
    ms.admit(S1, person(1))                       # the school is now remembered as open
    with ms.uow(None, role="district_admin") as uow:
        organisation.update_school(uow, S1, {"active": False})
    with pytest.raises(NotFound) as exc:
        ms.admit(S1, person(2))
    assert exc.value.code == "school_not_found"
    assert S1 not in members._open_schools


# ---- PostgreSQL's one-statement writes under races (services/membership/direct.py) --------------

def _between_read_and_write(monkeypatch, action):
    """Run ``action`` once, after a use case's read and before its write (when it stages its event)."""
    from shared.db.uow import UnitOfWork
    staged = UnitOfWork.stage
    pending = [action]

    def stage(self, *args, **kwargs):
        if pending:
            pending.pop()()
        return staged(self, *args, **kwargs)
    monkeypatch.setattr(UnitOfWork, "stage", stage)


def test_an_update_overtaken_by_another_is_worked_out_again_from_the_newer_row(ms_postgres, monkeypatch):
    wang = ms_postgres.admit(S1, person(1))
    events = NewEvents(ms_postgres)
    _between_read_and_write(monkeypatch, lambda: ms_postgres.update(S1, wang["id"], {"position": "班主任"}))
    result = ms_postgres.update(S1, wang["id"], {"name": "王老师"})
    assert (result["name"], result["position"], result["version"]) == ("王老师", "班主任", 3)
    stored = ms_postgres.members(id=wang["id"])[0]
    assert (stored.name, stored.position, stored.version) == ("王老师", "班主任", 3)
    # each version announced once, in order, the later one carrying both changes
    assert [(e["payload"]["member"]["version"], e["payload"]["changed"]) for e in events.all] == [
        (2, ["position"]), (3, ["name"])]
    assert events.all[1]["payload"]["member"]["position"] == "班主任"


def test_the_same_id_number_admitted_twice_at_once_is_one_member_and_one_conflict(ms_postgres, monkeypatch):
    events = NewEvents(ms_postgres)
    _between_read_and_write(monkeypatch, lambda: ms_postgres.admit(S2, person(7)))
    with pytest.raises(Conflict) as exc:
        ms_postgres.admit(S1, person(7))
    assert exc.value.code == "id_number_active_elsewhere"
    assert [m.school for m in ms_postgres.members(id_number=person(7)["id_number"])] == [S2]
    assert events.types == ["membership.member_admitted"]
    assert ms_postgres.status_changes(ms_postgres.members(school=S2)[0].id) == [(S2, None, "active", None)]


def test_an_update_into_a_group_deleted_meanwhile_writes_nothing(ms_postgres, monkeypatch):
    from services.membership.orm import UnionGroup
    wang = ms_postgres.admit(S1, person(1))
    with ms_postgres.uow(S1) as uow:
        group = UnionGroup(school=S1, name="语文组")
        uow.session.add(group)
        uow.commit()
        group_id = group.id
    events = NewEvents(ms_postgres)

    def drop_group():
        with ms_postgres.engine.begin() as conn:
            conn.execute(UnionGroup.__table__.delete().where(UnionGroup.__table__.c.id == group_id))
    _between_read_and_write(monkeypatch, drop_group)
    with pytest.raises(ValidationFailed) as exc:
        ms_postgres.update(S1, wang["id"], {"union_group_id": group_id})
    assert exc.value.fields == {"union_group_id": ["group_not_found"]}
    assert ms_postgres.members(id=wang["id"])[0].version == 1 and events.all == []
