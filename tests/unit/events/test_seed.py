"""Demo seeding: the demo school's plan from the seed calendar, the compulsory prelim, and the
summer trip with three routes each led by a committee member; twice adds nothing."""
from datetime import date

from sqlalchemy import func, select

from services.events.orm import Activity, CommitteeSeat, PlanItem, TripRoute
from services.events.seed import seed_demo

from .conftest import SCHOOL


class FakeRuntime:
    def __init__(self, db):
        self.db = db

    def unit_of_work(self, plugin, *, school=None, actor="system"):
        assert plugin == "events"
        return self.db.uow(school) if school else self.db.uow(district=True, role="district_admin")


def committee():
    return [{"position_id": 10 + i, "school": SCHOOL, "member_id": i, "member_name": f"委员{i}", "portfolio": p,
             "title": None, "started_on": date(2026, 1, 1), "ended_on": None}
            for i, p in enumerate(("chair", "vice_chair", "women", "culture_sports"), start=1)]


def counts(db):
    with db.sessions(None) as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (PlanItem, Activity, TripRoute, CommitteeSeat))


def test_the_demo_trip_has_three_routes_led_by_committee_members_and_seeding_twice_adds_nothing(db):
    context = {"schools": [SCHOOL], "committee": {SCHOOL: committee()}}
    seed_demo(FakeRuntime(db), context)
    once = counts(db)
    assert once[1:] == (2, 3, 4) and once[0] >= 30
    with db.read() as s:
        leaders = [r.leader_name for r in s.execute(select(TripRoute).order_by(TripRoute.id)).scalars()]
    assert leaders == ["委员2", "委员3", "委员4"]        # the chair stays at school
    seed_demo(FakeRuntime(db), {"schools": [SCHOOL], "committee": {SCHOOL: committee()}})
    assert counts(db) == once
