"""暑期教工出游: routes each led by a serving union committee member (带队委员), kept from
membership's committee announcements; the intention survey."""
from datetime import date, datetime
from types import SimpleNamespace as NS

import pytest
from sqlalchemy import select

from services.events import activities, trips
from services.events.domain import committee as rules
from services.events.orm import CommitteeSeat, TripRoute
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.tenancy import CallContext

from .conftest import SCHOOL

TODAY = date(2026, 6, 1)


@pytest.fixture
def trip(db):
    for i, name in ((1, "王芳"), (2, "李明"), (3, "张强")):
        db.member(i, name)
    db.member(9, "外校委员", school="S2")
    db.committee(11, 1, "王芳", "culture_sports")
    db.committee(12, 2, "李明", "women", ended_on="2026-01-31")
    db.committee(19, 9, "外校委员", school="S2")
    with db.uow() as uow:
        return activities.create_activity(uow, SCHOOL, {"title": "暑期教工出游", "kind": "trip", "survey_open": True,
                                                        "starts_at": datetime(2026, 7, 15, 7)}, "t")["id"]


def add_route(db, activity_id, **data):
    with db.uow() as uow:
        return trips.add_route(uow, SCHOOL, activity_id, {"name": "黄山线", **data}, TODAY)


def routes(db):
    with db.read() as s:
        return list(s.execute(select(TripRoute)).scalars())


def test_a_route_led_by_a_serving_committee_member_is_added_with_the_leaders_portfolio(db, trip):
    route = add_route(db, trip, leader_member_id=1)
    assert (route["leader_name"], route["leader_portfolio"]) == ("王芳", "culture_sports")
    with db.read() as s:
        assert [r["leader_portfolio"] for r in trips.list_routes(s, trip, TODAY)["items"]] == ["culture_sports"]


@pytest.mark.parametrize("leader, code", [(3, "leader_not_on_committee"),      # a member, not on the committee
                                          (2, "leader_not_on_committee"),      # left the committee in January
                                          (9, "member_not_in_school"),         # another school's committee member
                                          (404, "member_not_in_school")])
def test_a_route_not_led_by_a_serving_committee_member_of_the_school_is_refused_and_not_written(db, trip, leader, code):
    with pytest.raises(ValidationFailed) as exc:
        add_route(db, trip, leader_member_id=leader)
    assert exc.value.code == code and exc.value.fields == {"leader_member_id": [code]}
    assert routes(db) == []


def test_every_bad_field_of_a_route_is_named_at_once(db, trip):
    add_route(db, trip, leader_member_id=1)
    with pytest.raises(ValidationFailed) as exc:
        add_route(db, trip, leader_member_id=3)
    assert exc.value.code == "validation_failed"
    assert exc.value.fields == {"name": ["route_name_taken"], "leader_member_id": ["leader_not_on_committee"]}
    assert len(routes(db)) == 1


def test_only_a_trip_has_routes(db, trip):
    with db.uow() as uow:
        party = activities.create_activity(uow, SCHOOL, {"title": "迎新联欢", "kind": "festival",
                                                         "starts_at": datetime(2026, 12, 30)}, "t")["id"]
    with pytest.raises(Conflict) as exc:
        add_route(db, party, leader_member_id=1)
    assert exc.value.code == "not_a_trip"


def test_a_route_gets_a_new_leader_only_from_the_committee(db, trip):
    route = add_route(db, trip, leader_member_id=1)
    db.committee(13, 3, "张强", "publicity", started_on="2026-05-01")
    with db.uow() as uow:
        changed = trips.update_route(uow, trip, route["id"], {"leader_member_id": 3, "name": "皖南线"}, TODAY)
    assert (changed["leader_name"], changed["leader_portfolio"], changed["name"]) == ("张强", "publicity", "皖南线")
    with db.uow() as uow, pytest.raises(ValidationFailed):
        trips.update_route(uow, trip, route["id"], {"leader_member_id": 2}, TODAY)
    with db.uow() as uow, pytest.raises(NotFound):
        trips.update_route(uow, trip, 999, {"name": "x"}, TODAY)
    assert [(r.leader_member_id, r.name) for r in routes(db)] == [(3, "皖南线")]


def test_a_leader_who_left_the_committee_shows_without_a_portfolio(db, trip):
    route = add_route(db, trip, leader_member_id=1)
    db.committee(11, 1, "王芳", "culture_sports", ended_on="2026-05-31")
    with db.read() as s:
        (listed,) = trips.list_routes(s, trip, TODAY)["items"]
    assert listed["id"] == route["id"] and listed["leader_portfolio"] is None


def test_an_ended_position_stays_ended_whatever_order_the_announcements_arrive_in(db):
    db.committee(21, 5, "赵敏", ended_on="2026-03-01")
    db.committee(21, 5, "赵敏")                       # the appointment, arriving late
    db.committee(21, 5, "赵敏")                       # and again
    with db.read() as s:
        (row,) = s.execute(select(CommitteeSeat)).scalars().all()
    assert (row.position_id, row.ended_on) == (21, date(2026, 3, 1))


def test_in_office_means_started_and_not_yet_ended():
    assert rules.in_office(date(2026, 1, 1), None, TODAY)
    assert rules.in_office(date(2026, 1, 1), date(2026, 6, 2), TODAY)
    assert not rules.in_office(date(2026, 1, 1), date(2026, 6, 1), TODAY)
    assert not rules.in_office(date(2026, 7, 1), None, TODAY)
    assert rules.can_lead_route([NS(started_on=date(2020, 1, 1), ended_on=date(2021, 1, 1)),
                                 NS(started_on=date(2026, 1, 1), ended_on=None)], TODAY)
    assert not rules.can_lead_route([], TODAY)


def test_the_intention_survey_counts_answers_by_route_and_a_second_answer_replaces_the_first(db, trip):
    route = add_route(db, trip, leader_member_id=1)
    officer = CallContext(school=SCHOOL, role="events_officer")
    me = CallContext(school=SCHOOL, role="member", member_id=2)
    with db.uow() as uow:
        trips.answer_survey(uow, SCHOOL, trip, {"member_id": 1, "joining": True, "route_id": route["id"]}, officer)
    with db.uow() as uow:
        trips.answer_survey(uow, SCHOOL, trip, {"joining": True}, me)
    with db.uow() as uow:
        trips.answer_survey(uow, SCHOOL, trip, {"joining": False}, me)
    with db.read() as s:
        results = trips.survey_results(s, trip)
    assert (results["answers"], results["joining"], results["not_joining"]) == (2, 1, 1)
    assert results["routes"] == [{"route_id": route["id"], "name": "黄山线", "joining": 1}]
    with db.uow() as uow, pytest.raises(ValidationFailed) as exc:
        trips.answer_survey(uow, SCHOOL, trip, {"member_id": 1, "joining": True, "route_id": 999}, officer)
    assert exc.value.fields == {"route_id": ["trip_route_not_found"]}
