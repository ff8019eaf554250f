"""Members (会员管理) over HTTP: admission, masking, reading, editing, listing, status changes,
transfers and the personal-data read audit."""
import re
from datetime import date

import pytest

from .support import Client, assert_problem, field_codes, masked_id, masked_phone, member_body, new_id_number, unique

pytestmark = pytest.mark.e2e


def members_path(school, member_id=None, tail=""):
    path = f"/api/v1/schools/{school}/members"
    return path + (f"/{member_id}" if member_id is not None else "") + tail


@pytest.fixture(scope="module")
def welfare(school, stack) -> Client:
    """A welfare officer (生活福利委员) of the module's school: may read members, not unmask them."""
    username = f"{school.code.lower()}-welfare"
    school.chair.ok("POST", f"/api/v1/schools/{school.code}/accounts", 201,
                    json={"username": username, "password": "welfare-pass-1", "role": "welfare_officer"})
    return Client.login(stack.url, username, "welfare-pass-1")


def test_admitting_a_member_is_201_with_id_and_phone_masked_in_the_response_and_in_lists(school):
    idn, phone = new_id_number(birth=date(1988, 3, 14), gender="male"), "13912345678"
    resp = school.chair.post(members_path(school.code),
                             json={"name": "李建国", "id_number": idn, "category": "teacher", "phone": phone})
    assert resp.status_code == 201, resp.text
    member = resp.json()
    assert member["id_number"] == masked_id(idn) == idn[:3] + "***********" + idn[-4:]
    assert member["phone"] == masked_phone(phone) == "139****5678"
    assert member["status"] == "active" and member["status_label"] == "在册会员"
    assert member["school"] == school.code and member["category_label"] == "教师"
    assert member["birth_date"] == "1988-03-14" and member["gender"] == "male"  # derived from the ID number
    assert member["join_date"] == date.today().isoformat()
    listed = next(m for m in school.chair.all_members(school.code) if m["id"] == member["id"])
    assert listed["id_number"] == masked_id(idn) and listed["phone"] == masked_phone(phone)
    assert idn not in school.chair.get(members_path(school.code), params={"page_size": 500}).text
    assert phone not in school.chair.get(members_path(school.code), params={"page_size": 500}).text


def test_a_member_is_read_with_get_and_changed_with_patch(school):
    created = school.chair.admit(school.code, name="赵敏", category="staff")
    got = school.chair.ok("GET", members_path(school.code, created["id"]))
    assert got == created
    new_phone = "13800001111"
    patched = school.chair.ok("PATCH", members_path(school.code, created["id"]),
                              json={"position": "会计", "phone": new_phone, "category": "logistics"})
    assert patched["position"] == "会计" and patched["category"] == "logistics"
    assert patched["phone"] == masked_phone(new_phone)
    assert patched["version"] == created["version"] + 1
    assert school.chair.ok("GET", members_path(school.code, created["id"])) == patched
    bad = school.chair.patch(members_path(school.code, created["id"]), json={"phone": "12345", "nickname": "x"})
    assert_problem(bad, 422, "validation_failed", fields={"nickname"})
    assert school.chair.ok("GET", members_path(school.code, created["id"])) == patched
    assert_problem(school.chair.get(members_path(school.code, 99_999_999)), 404, "member_not_found")


def test_the_member_list_filters_by_status_category_group_and_name_and_pages(school):
    chair = school.chair
    group = chair.ok("POST", f"/api/v1/schools/{school.code}/groups", 201, json={"name": unique("筛选组")})
    marker = unique("Q")
    in_group = [chair.admit(school.code, name=f"孙{marker}{i}", category="logistics", union_group_id=group["id"])
                for i in range(3)]
    applicant = chair.admit(school.code, name=f"周{marker}", category="temporary_teacher", admission="application")
    by_group = chair.ok("GET", members_path(school.code), params={"group": group["id"]})
    assert by_group["total"] == 3 and {m["id"] for m in by_group["items"]} == {m["id"] for m in in_group}
    assert all(m["union_group"] == group["name"] for m in by_group["items"])
    by_name = chair.ok("GET", members_path(school.code), params={"q": marker})
    assert by_name["total"] == 4
    assert chair.ok("GET", members_path(school.code), params={"q": marker, "status": "applicant"})["items"] == [
        {**applicant}]
    logistics = chair.ok("GET", members_path(school.code), params={"category": "logistics", "page_size": 500})
    assert {m["id"] for m in in_group} <= {m["id"] for m in logistics["items"]}
    assert all(m["category"] == "logistics" for m in logistics["items"])
    active = chair.ok("GET", members_path(school.code), params={"status": "active", "page_size": 500})
    assert all(m["status"] == "active" for m in active["items"]) and applicant["id"] not in {
        m["id"] for m in active["items"]}
    everyone = chair.ok("GET", members_path(school.code), params={"page_size": 500})
    assert everyone["total"] == len(everyone["items"]) >= 4
    pages = [chair.ok("GET", members_path(school.code), params={"page": p, "page_size": 2}) for p in (1, 2)]
    assert [p["page"] for p in pages] == [1, 2] and all(p["page_size"] == 2 for p in pages)
    assert all(p["total"] == everyone["total"] for p in pages)
    assert [m["id"] for p in pages for m in p["items"]] == [m["id"] for m in everyone["items"][:4]]
    for params, field in (({"status": "sleeping"}, "status"), ({"page_size": 501}, "page_size"),
                          ({"group": "abc"}, "group"), ({"colour": "red"}, "colour")):
        assert_problem(chair.get(members_path(school.code), params=params), 422, "validation_failed", fields={field})


def test_a_school_admin_reveals_the_full_id_number_and_the_read_is_audited(school):
    idn = new_id_number()
    created = school.chair.admit(school.code, id_number=idn)
    before = school.chair.ok("GET", f"/api/v1/schools/{school.code}/audit/pii-reads")["total"]
    revealed = school.chair.ok("GET", members_path(school.code, created["id"]), params={"reveal": "id_number"})
    assert revealed["id_number"] == idn
    assert re.fullmatch(r"\d{3}\*{4}\d{4}", revealed["phone"])  # only what was asked for
    audit = school.chair.ok("GET", f"/api/v1/schools/{school.code}/audit/pii-reads")
    assert audit["total"] == before + 1
    entry = audit["items"][0]
    assert entry["member_id"] == created["id"] and entry["fields"] == "id_number"
    assert entry["actor"] == school.chair_username and entry["role"] == "school_admin" and entry["read_at"]
    assert school.chair.ok("GET", members_path(school.code, created["id"]))["id_number"] == masked_id(idn)
    both = school.chair.ok("GET", members_path(school.code, created["id"]), params={"reveal": "all"})
    assert both["id_number"] == idn and re.fullmatch(r"1[3-9]\d{9}", both["phone"])
    assert school.chair.ok("GET", f"/api/v1/schools/{school.code}/audit/pii-reads")["items"][0]["fields"] == \
        "id_number,phone"


def test_a_member_account_reads_its_own_record_and_history_and_nothing_else(school, stack):
    mine = school.chair.admit(school.code, name="许会员")
    other = school.chair.admit(school.code, name="韩同事")
    username = f"{school.code.lower()}-member-{mine['id']}"
    school.chair.ok("POST", f"/api/v1/schools/{school.code}/accounts", 201,
                    json={"username": username, "password": "member-pass-1", "role": "member",
                          "member_id": mine["id"]})
    member = Client.login(stack.url, username, "member-pass-1")
    assert member.ok("GET", "/api/v1/auth/me")["member_id"] == mine["id"]
    assert member.ok("GET", members_path(school.code, mine["id"]))["name"] == "许会员"
    assert [h["to_status"] for h in member.ok("GET", members_path(school.code, mine["id"], "/history"))["items"]] == [
        "active"]
    assert_problem(member.get(members_path(school.code, other["id"])), 403, "role_forbidden")
    assert_problem(member.get(members_path(school.code)), 403, "role_forbidden")
    assert_problem(member.patch(members_path(school.code, mine["id"]), json={"position": "校长"}), 403, "role_forbidden")
    no_member = school.chair.post(f"/api/v1/schools/{school.code}/accounts",
                                  json={"username": unique("nomember").lower(), "password": "member-pass-1",
                                        "role": "member"})
    assert_problem(no_member, 422, "validation_failed", fields={"member_id"})


def test_a_welfare_officer_reads_members_masked_and_may_not_reveal_them(school, welfare):
    idn = new_id_number()
    created = school.chair.admit(school.code, id_number=idn)
    assert welfare.ok("GET", members_path(school.code, created["id"]))["id_number"] == masked_id(idn)
    before = school.chair.ok("GET", f"/api/v1/schools/{school.code}/audit/pii-reads")["total"]
    resp = welfare.get(members_path(school.code, created["id"]), params={"reveal": "id_number"})
    assert_problem(resp, 403, "reveal_forbidden")
    assert idn not in resp.text
    assert school.chair.ok("GET", f"/api/v1/schools/{school.code}/audit/pii-reads")["total"] == before
    assert_problem(welfare.get(f"/api/v1/schools/{school.code}/audit/pii-reads"), 403, "role_forbidden")
    assert_problem(welfare.post(members_path(school.code), json=member_body()), 403, "role_forbidden")


def test_an_application_waits_as_applicant_until_it_is_approved(school):
    applied = school.chair.admit(school.code, name="吴申请", admission="application")
    assert applied["status"] == "applicant" and applied["join_date"] is None
    approved = school.chair.ok("POST", members_path(school.code, applied["id"], "/approve"), json={})
    assert approved["status"] == "active" and approved["join_date"] == date.today().isoformat()
    history = school.chair.ok("GET", members_path(school.code, applied["id"], "/history"))["items"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [(None, "applicant"), ("applicant", "active")]
    assert_problem(school.chair.post(members_path(school.code, applied["id"], "/approve"), json={}), 409,
                   "invalid_transition")


def test_a_rejected_application_is_closed_with_the_reason_application_rejected(school):
    applied = school.chair.admit(school.code, name="冯未通过", admission="application")
    closed = school.chair.ok("POST", members_path(school.code, applied["id"], "/leave"),
                             json={"reason": "application_rejected"})
    assert closed["status"] == "left" and closed["join_date"] is None
    history = school.chair.ok("GET", members_path(school.code, applied["id"], "/history"))["items"]
    assert [h["to_status"] for h in history] == ["applicant", "left"]
    assert_problem(school.chair.post(members_path(school.code, applied["id"], "/approve"), json={}), 409,
                   "invalid_transition")


def test_a_retiring_member_keeps_the_membership_as_retired(school):
    member = school.chair.admit(school.code, name="钱退休", category="teacher")
    retired = school.chair.ok("POST", members_path(school.code, member["id"], "/retire"), json={})
    assert retired["status"] == "retired" and retired["category"] == "retiree"
    assert retired["join_date"] == member["join_date"]
    listed = school.chair.ok("GET", members_path(school.code), params={"status": "retired", "page_size": 500})
    assert member["id"] in {m["id"] for m in listed["items"]}


def test_leaving_needs_a_reason_and_the_history_lists_every_status(school):
    member = school.chair.admit(school.code, name="郑离开")
    school.chair.ok("POST", members_path(school.code, member["id"], "/retire"), json={})
    missing = school.chair.post(members_path(school.code, member["id"], "/leave"), json={})
    assert field_codes(assert_problem(missing, 422, "validation_failed", fields={"reason"}))["reason"] == {"required"}
    assert school.chair.ok("GET", members_path(school.code, member["id"]))["status"] == "retired"
    bad = school.chair.post(members_path(school.code, member["id"], "/leave"), json={"reason": "bored"})
    assert_problem(bad, 422, "validation_failed", fields={"reason"})
    left = school.chair.ok("POST", members_path(school.code, member["id"], "/leave"),
                           json={"reason": "deceased", "note": "因病去世"})
    assert left["status"] == "left" and "deceased" in left["left_reason"] and "因病去世" in left["left_reason"]
    history = school.chair.ok("GET", members_path(school.code, member["id"], "/history"))["items"]
    assert [h["to_status"] for h in history] == ["active", "retired", "left"]
    assert [h["from_status"] for h in history] == [None, "active", "retired"]
    assert all(h["actor"] == school.chair_username for h in history)
    assert_problem(school.chair.patch(members_path(school.code, member["id"]), json={"position": "x"}), 409,
                   "member_closed")


def test_a_transfer_closes_the_old_membership_and_opens_an_active_one_at_the_new_school(school, other_school):
    idn = new_id_number()
    member = school.chair.admit(school.code, name="冯调动", id_number=idn, category="teacher")
    new_total = other_school.chair.member_total(other_school.code)
    resp = school.chair.post(members_path(school.code, member["id"], "/transfer"),
                             json={"to_school": other_school.code})
    assert resp.status_code == 200, resp.text
    moved = resp.json()
    assert moved["from"]["status"] == "transferred_out" and moved["from"]["id"] == member["id"]
    assert moved["to"]["status"] == "active" and moved["to"]["school"] == other_school.code
    old = school.chair.ok("GET", members_path(school.code, member["id"]))
    assert old["status"] == "transferred_out" and old["transferred_to_school"] == other_school.code
    assert member["id"] not in {m["id"] for m in school.chair.all_members(school.code, status="active")}

    arrived = other_school.chair.all_members(other_school.code, status="active")
    new = next(m for m in arrived if m["id"] == moved["to"]["id"])
    assert new["name"] == "冯调动" and new["id_number"] == masked_id(idn) and new["category"] == "teacher"
    assert other_school.chair.member_total(other_school.code) == new_total + 1
    old_history = school.chair.ok("GET", members_path(school.code, member["id"], "/history"))["items"]
    assert [(h["to_status"], h["counterpart_school"]) for h in old_history] == [
        ("active", None), ("transferred_out", other_school.code)]
    new_history = other_school.chair.ok("GET", members_path(other_school.code, new["id"], "/history"))["items"]
    assert [(h["from_status"], h["to_status"], h["counterpart_school"]) for h in new_history] == [
        (None, "active", school.code)]
    # each school sees only its own side
    assert other_school.chair.get(members_path(other_school.code, member["id"])).status_code == 404
    assert other_school.chair.get(members_path(school.code, member["id"])).status_code in (403, 404)


@pytest.mark.parametrize("target, code", [("same", "transfer_same_school"), ("missing", "transfer_target_missing")])
def test_a_transfer_to_the_same_or_a_missing_school_is_refused_naming_to_school(school, other_school, target, code):
    member = school.chair.admit(school.code)
    to_school = school.code if target == "same" else unique("GONE")
    totals = school.chair.member_total(school.code), other_school.chair.member_total(other_school.code)
    resp = school.chair.post(members_path(school.code, member["id"], "/transfer"), json={"to_school": to_school})
    problem = assert_problem(resp, 422, "validation_failed", fields={"to_school"})
    assert field_codes(problem)["to_school"] == {code}
    assert school.chair.ok("GET", members_path(school.code, member["id"])) == member
    assert school.chair.ok("GET", members_path(school.code, member["id"], "/history"))["items"][-1]["to_status"] == "active"
    assert (school.chair.member_total(school.code), other_school.chair.member_total(other_school.code)) == totals
