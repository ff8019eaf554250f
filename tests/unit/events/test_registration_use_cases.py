import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from services.events import activities, registrations
from services.events.orm import Activity, Registration
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.tenancy import CallContext

from .conftest import SCHOOL

NOW = datetime(2026, 3, 1, 9, 0)


def make_activity(db, **kw):
    data = {"title": "教工乒乓球赛", "kind": "sport", "starts_at": datetime(2026, 3, 18, 8), "capacity": 2, **kw}
    with db.uow() as uow:
        return activities.create_activity(uow, SCHOOL, data, "tester")["id"]


def register(db, activity_id, member_id, now=NOW):
    with db.uow() as uow:
        return registrations.register(uow, SCHOOL, activity_id, member_id, None, now, "tester")


def change(db, activity_id, member_id, action, now=NOW, role="events_officer", me=None):
    with db.uow(role=role, member_id=me) as uow:
        return registrations.change(uow, activity_id, member_id, action, now,
                                 CallContext(school=SCHOOL, role=role, member_id=me))


def statuses(db, activity_id):
    with db.read() as s:
        return {r.member_id: r.status for r in s.execute(select(Registration).where(
            Registration.activity_id == activity_id)).scalars()}


def seats(db, activity_id):
    with db.read() as s:
        return s.get(Activity, activity_id).seats_taken


@pytest.fixture
def members(db):
    for i in range(1, 11):
        db.member(i, f"会员{i}")
    db.member(99, "外校会员", school="S2")


def test_seats_then_waiting_list_in_arrival_order(db, members):
    a = make_activity(db)
    views = [register(db, a, m) for m in (1, 2, 3, 4)]
    assert [v["status"] for v in views] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert [v["position"] for v in views[2:]] == [1, 2]
    assert seats(db, a) == 2
    assert db.outbox_types().count("events.registration_confirmed") == 2


def test_registering_twice_is_refused_and_changes_nothing(db, members):
    a = make_activity(db)
    register(db, a, 1)
    with pytest.raises(Conflict) as exc:
        register(db, a, 1)
    assert exc.value.code == "already_registered"
    assert seats(db, a) == 1 and len(statuses(db, a)) == 1


def test_a_member_of_another_school_cannot_be_registered(db, members):
    a = make_activity(db)
    with pytest.raises(ValidationFailed) as exc:
        register(db, a, 99)
    assert exc.value.fields == {"member_id": ["member_not_in_school"]}
    assert statuses(db, a) == {} and seats(db, a) == 0


def test_cancelling_offers_the_seat_to_the_first_waiting_who_accepts(db, members):
    a = make_activity(db)
    for m in (1, 2, 3, 4):
        register(db, a, m)
    change(db, a, 1, "cancel")
    assert statuses(db, a) == {1: "cancelled", 2: "registered", 3: "offered", 4: "waitlisted"}
    assert seats(db, a) == 2
    view = change(db, a, 3, "accept", role="member", me=3)
    assert view["status"] == "registered"
    assert "events.seat_offered" in db.outbox_types()


def test_an_expired_offer_passes_the_seat_on(db, members):
    a = make_activity(db, offer_hours=24)
    for m in (1, 2, 3, 4):
        register(db, a, m)
    change(db, a, 1, "cancel")
    with pytest.raises(Conflict) as exc:
        change(db, a, 3, "accept", now=NOW + timedelta(hours=25), role="member", me=3)
    assert exc.value.code == "offer_expired"
    assert statuses(db, a)[3] == "expired" and statuses(db, a)[4] == "offered"
    assert seats(db, a) == 2


def test_a_declined_offer_passes_the_seat_on(db, members):
    a = make_activity(db)
    for m in (1, 2, 3, 4):
        register(db, a, m)
    change(db, a, 2, "cancel")
    change(db, a, 3, "decline", role="member", me=3)
    assert statuses(db, a) == {1: "registered", 2: "cancelled", 3: "declined", 4: "offered"}


def test_a_member_cannot_change_someone_elses_registration(db, members):
    a = make_activity(db)
    register(db, a, 1)
    with pytest.raises(Forbidden):
        change(db, a, 1, "cancel", role="member", me=2)


def test_approval_holds_the_seat_until_the_chair_decides(db, members):
    a = make_activity(db, requires_approval=True, capacity=1)
    assert register(db, a, 1)["status"] == "pending_approval"
    assert register(db, a, 2)["status"] == "waitlisted"
    change(db, a, 1, "reject")
    assert statuses(db, a)[2] == "offered"


def test_check_in_only_for_a_confirmed_seat_and_no_shows_on_close(db, members):
    a = make_activity(db, capacity=2)
    for m in (1, 2, 3):
        register(db, a, m)
    with db.uow() as uow:
        assert registrations.check_in(uow, a, 1, NOW)["status"] == "attended"
    for member_id, code in ((3, "not_registered"), (7, "not_registered"), (1, "already_checked_in")):
        with db.uow() as uow, pytest.raises(Conflict) as exc:
            registrations.check_in(uow, a, member_id, NOW)
        assert exc.value.code == code
    with db.uow() as uow:
        result = registrations.close_attendance(uow, a, NOW)
    assert result == {"activity_id": a, "attended": 1, "no_show": 1, "attendance_rate": "50.0"}
    assert statuses(db, a)[2] == "no_show"


def test_capacity_below_the_seats_taken_is_refused_and_a_larger_one_offers_seats(db, members):
    a = make_activity(db, capacity=2)
    for m in (1, 2, 3, 4):
        register(db, a, m)
    with db.uow() as uow, pytest.raises(ValidationFailed) as exc:
        activities.update_activity(uow, a, {"capacity": 1}, NOW)
    assert exc.value.fields == {"capacity": ["capacity_below_registered"]}
    assert seats(db, a) == 2
    with db.uow() as uow:
        activities.update_activity(uow, a, {"capacity": 3}, NOW)
    assert statuses(db, a)[3] == "offered" and statuses(db, a)[4] == "waitlisted"


def test_registration_closes_at_the_window_end(db, members):
    a = make_activity(db, closes_at=NOW - timedelta(hours=1))
    with pytest.raises(Conflict) as exc:
        register(db, a, 1)
    assert exc.value.code == "registration_closed"


def test_unknown_activity_is_not_found(db, members):
    with pytest.raises(NotFound):
        register(db, 12345, 1)


def test_members_register_themselves_only():
    me = CallContext(school=SCHOOL, role="member", member_id=5)
    assert activities.resolve_member(me, None) == 5
    with pytest.raises(Forbidden):
        activities.resolve_member(me, 6)
    with pytest.raises(ValidationFailed):
        activities.resolve_member(CallContext(school=SCHOOL, role="events_officer"), None)
    assert activities.resolve_member(CallContext(school=SCHOOL, role="school_admin"), 6) == 6


def test_other_officers_and_the_auditor_register_only_themselves():
    auditor = CallContext(school=SCHOOL, role="auditor")
    with pytest.raises(Forbidden) as exc:
        activities.resolve_member(auditor, 6)
    assert exc.value.code == "member_account_required"
    treasurer = CallContext(school=SCHOOL, role="finance_officer", member_id=4)
    assert activities.resolve_member(treasurer, None) == 4
    with pytest.raises(Forbidden) as exc:
        activities.resolve_member(treasurer, 6)
    assert exc.value.code == "register_self_only"


def test_concurrent_releases_offer_each_freed_seat_to_exactly_one_person(db):
    for i in range(1, 31):
        db.member(i, f"会员{i}")
    a = make_activity(db, capacity=10)
    for m in range(1, 31):
        register(db, a, m)
    errors = []

    def cancel(member_id):
        try:
            change(db, a, member_id, "cancel")
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=cancel, args=(m,)) for m in range(1, 6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    st = statuses(db, a)
    offered = sorted(m for m, s in st.items() if s == "offered")
    assert offered == [11, 12, 13, 14, 15]
    assert seats(db, a) == 10
    assert sum(1 for s in st.values() if s in ("registered", "offered")) == 10


def test_concurrent_registrations_never_overbook(db):
    for i in range(1, 41):
        db.member(i, f"会员{i}")
    a = make_activity(db, capacity=7)
    barrier = threading.Barrier(8)

    def worker(ids):
        barrier.wait()
        for m in ids:
            register(db, a, m)
    threads = [threading.Thread(target=worker, args=(list(range(k * 5 + 1, k * 5 + 6)),)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    st = statuses(db, a)
    assert len(st) == 40
    assert sum(1 for s in st.values() if s == "registered") == 7 == seats(db, a)
    with db.read() as s:
        regs = s.execute(select(Registration).where(Registration.activity_id == a)).scalars().all()
    assert len({r.seq for r in regs}) == 40
    registered_seqs = sorted(r.seq for r in regs if r.status == "registered")
    assert registered_seqs == sorted(r.seq for r in regs)[:7]


def test_a_member_who_leaves_gives_up_future_seats_which_pass_on(db, members):
    a = make_activity(db, starts_at=NOW + timedelta(days=10))
    for m in (1, 2, 3):
        register(db, a, m)
    with db.uow() as uow:
        assert registrations.withdraw_member(uow, 1, NOW) == 1
        uow.commit()
    assert statuses(db, a) == {1: "cancelled", 2: "registered", 3: "offered"}


def test_the_sweep_expires_overdue_offers_in_every_school(db, members):
    a = make_activity(db, offer_hours=1)
    for m in (1, 2, 3, 4):
        register(db, a, m)
    change(db, a, 1, "cancel")
    assert registrations.sweep_expired_offers(lambda: db.uow(district=True), NOW + timedelta(minutes=30)) == 0
    assert registrations.sweep_expired_offers(lambda: db.uow(district=True), NOW + timedelta(hours=2)) == 1
    assert statuses(db, a) == {1: "cancelled", 2: "registered", 3: "expired", 4: "offered"}


def test_an_activity_award_goes_to_a_member_of_the_school_and_is_listed_by_year(db, members):
    from datetime import date

    from services.events import tournaments
    a = make_activity(db, kind="speech", title="“爱是无言的奉献”演讲比赛")
    with db.uow() as uow:
        award = tournaments.give_activity_award(uow, SCHOOL, a, {"title": "一等奖", "rank": 1, "member_id": 3},
                                                date(2026, 3, 20))
    assert award["name"] == "会员3"
    with db.uow() as uow, pytest.raises(ValidationFailed):
        tournaments.give_activity_award(uow, SCHOOL, a, {"title": "二等奖", "member_id": 99}, date(2026, 3, 20))
    with db.read() as s:
        assert [x["title"] for x in tournaments.list_awards(s, {"year": 2026})["items"]] == ["一等奖"]
        assert tournaments.list_awards(s, {"year": 2025})["items"] == []


def test_the_database_itself_refuses_an_overbooked_activity(db, members):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError
    a = make_activity(db, capacity=2)
    with db.uow() as uow, pytest.raises(IntegrityError):
        uow.session.execute(update(Activity).where(Activity.id == a).values(seats_taken=3))
        uow.commit()
    assert seats(db, a) == 0


def test_checking_in_someone_who_never_registered_changes_nothing(db, members):
    a = make_activity(db, capacity=1)
    register(db, a, 1)
    register(db, a, 2)
    before = statuses(db, a)
    for member_id in (2, 7, 99):        # waiting, never registered, another school's member
        with db.uow() as uow, pytest.raises(Conflict) as exc:
            registrations.check_in(uow, a, member_id, NOW)
        assert exc.value.code == "not_registered" and exc.value.fields == {"member_id": ["not_registered"]}
    assert statuses(db, a) == before and seats(db, a) == 1


def test_attendance_is_closed_once_and_a_cancelled_activity_takes_no_check_in(db, members):
    a = make_activity(db)
    register(db, a, 1)
    with db.uow() as uow:
        registrations.close_attendance(uow, a, NOW)
    with db.uow() as uow, pytest.raises(Conflict) as exc:
        registrations.close_attendance(uow, a, NOW)
    assert exc.value.code == "attendance_already_closed"
    with db.uow() as uow, pytest.raises(Conflict):
        activities.update_activity(uow, a, {"status": "open"}, NOW)
    assert db.outbox_types().count("events.attendance_recorded") == 1
    b = make_activity(db)
    register(db, b, 1)
    with db.uow() as uow:
        activities.update_activity(uow, b, {"status": "cancelled"}, NOW)
    with db.uow() as uow, pytest.raises(Conflict) as exc:
        registrations.check_in(uow, b, 1, NOW)
    assert exc.value.code == "activity_cancelled"


def test_an_activity_names_only_union_groups_of_the_school_and_keeps_its_times_in_order(db, members):
    db.group(1, "语文组")
    with db.uow() as uow, pytest.raises(ValidationFailed) as exc:
        activities.create_activity(uow, SCHOOL, {"title": "预赛", "kind": "sport", "starts_at": NOW,
                                                 "compulsory": True, "compulsory_group_ids": [1, 7]}, "t")
    assert exc.value.fields == {"compulsory_group_ids.1": ["no_such_union_group"]}
    a = make_activity(db, starts_at=datetime(2026, 3, 18, 8), closes_at=datetime(2026, 3, 10))
    with db.uow() as uow, pytest.raises(ValidationFailed) as exc:
        activities.update_activity(uow, a, {"ends_at": datetime(2026, 3, 17), "opens_at": datetime(2026, 3, 11)}, NOW)
    assert exc.value.fields == {"ends_at": ["ends_before_start"], "closes_at": ["ends_before_start"]}
    with db.read() as s:
        assert activities.get_activity(s, a)["ends_at"] is None


def test_lists_are_pages_with_their_total(db, members):
    for day in range(1, 6):
        make_activity(db, starts_at=datetime(2026, 4, day, 8))
    with db.read() as s:
        second = activities.list_activities(s, {"year": 2026, "page": 2, "page_size": 2})
    assert (second["total"], second["page"], second["page_size"]) == (5, 2, 2)
    assert [x["starts_at"][:10] for x in second["items"]] == ["2026-04-03", "2026-04-04"]
    a = make_activity(db)
    for m in (1, 2, 3):
        register(db, a, m)
    with db.read() as s:
        mine = registrations.my_registrations(s, 3, {"page": 1, "page_size": 10})
        listed = registrations.list_registrations(s, a, {"page": 2, "page_size": 2})
    assert mine["total"] == 1 and mine["items"][0]["position"] == 1 and mine["items"][0]["activity_title"]
    assert listed["total"] == 3 and [r["member_id"] for r in listed["items"]] == [3]
    assert listed["counts"] == {"registered": 2, "waitlisted": 1}
