import pytest

from services.events import plans
from services.events.orm import KnownSchool
from shared.errors import Conflict, NotFound, ValidationFailed

from .conftest import SCHOOL


def task(db, year, title, month=None):
    with db.uow(district=True, role="district_admin") as uow:
        return plans.create_task(uow, {"year": year, "month": month, "title": title, "category": None})["id"]


def test_a_plan_copies_last_years_items_and_publishes_only_with_every_district_task(db):
    with db.uow() as uow:
        plans.create_plan(uow, SCHOOL, 2026, {"guiding_idea": "围绕中心"})
    with db.uow() as uow:
        plans.add_item(uow, SCHOOL, 2026, {"month": 3, "title": "三八活动", "owner": "女工委"})
    t = task(db, 2027, "迎接区教育工会检查", 11)
    with db.uow() as uow:
        plan = plans.create_plan(uow, SCHOOL, 2027, {"copy_from_year": 2026})
    assert plan["guiding_idea"] == "围绕中心" and [i["title"] for i in plan["items"]] == ["三八活动"]
    assert plan["missing_district_tasks"] == [t]
    with db.uow() as uow, pytest.raises(Conflict) as exc:
        plans.publish_plan(uow, 2027)
    assert exc.value.code == "plan_missing_district_tasks"
    with db.uow() as uow, pytest.raises(ValidationFailed):
        plans.add_item(uow, SCHOOL, 2027, {"month": 11, "title": "x", "district_task_id": 999})
    with db.uow() as uow:
        plans.add_item(uow, SCHOOL, 2027, {"month": 11, "title": "迎检", "district_task_id": t,
                                           "link": {"service": "congress", "kind": "session", "id": "8-5"}})
    with db.uow() as uow:
        assert plans.publish_plan(uow, 2027)["status"] == "published"
    assert "events.plan_published" in db.outbox_types()
    with db.uow() as uow, pytest.raises(Conflict):
        plans.create_plan(uow, SCHOOL, 2027, {})
    with db.read() as s, pytest.raises(NotFound):
        plans.get_plan(s, 2030)


def test_the_district_sees_schools_that_have_not_planned_or_done_a_task(db):
    t = task(db, 2026, "参加全区乒乓球赛", 9)
    with db.uow(district=True, role="district_admin") as uow:
        uow.session.add_all([KnownSchool(code=SCHOOL, name="甲校"), KnownSchool(code="S2", name="乙校")])
        uow.commit()
    with db.uow() as uow:
        plans.create_plan(uow, SCHOOL, 2026, {})
    with db.uow() as uow:
        item = plans.add_item(uow, SCHOOL, 2026, {"month": 9, "title": "乒乓球赛", "district_task_id": t})
    with db.sessions(None) as s:
        report = plans.compliance(s, 2026, [SCHOOL, "S2"])
    assert report["not_planned"] == ["S2"] and report["not_done"] == [SCHOOL, "S2"]
    with db.uow() as uow:
        plans.update_item(uow, 2026, item["id"], {"status": "done"})
    with db.sessions(None) as s:
        assert plans.compliance(s, 2026, [SCHOOL, "S2"])["not_done"] == ["S2"]


def test_the_calendar_shows_items_activities_and_district_tasks_by_month(db):
    from datetime import datetime

    from services.events import activities
    t = task(db, 2026, "迎接区教育工会检查", 11)
    with db.uow() as uow:
        plans.create_plan(uow, SCHOOL, 2026, {})
    with db.uow() as uow:
        plans.add_item(uow, SCHOOL, 2026, {"month": 11, "title": "整理台帐", "district_task_id": t})
    with db.uow() as uow:
        activities.create_activity(uow, SCHOOL, {"title": "登山比赛", "kind": "sport",
                                                 "starts_at": datetime(2026, 11, 8, 8)}, "t")
    with db.read() as s:
        cal = plans.calendar(s, 2026, 11)
    (nov,) = cal["months"]
    assert [i["title"] for i in nov["items"]] == ["整理台帐"]
    assert [a["title"] for a in nov["activities"]] == ["登山比赛"]
    assert [d["id"] for d in nov["district_tasks"]] == [t]
    with db.read() as s:
        assert len(plans.calendar(s, 2026, None)["months"]) == 12
