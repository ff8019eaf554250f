from types import SimpleNamespace as NS

import pytest

from services.events.domain import plan


def item(task=None, status="planned", month=1, title="x", id=1):
    return NS(district_task_id=task, status=status, month=month, title=title, owner="张", category=None, id=id)


def test_a_plan_without_every_district_task_cannot_be_published():
    items = [item(1), item(2, status="cancelled")]
    assert plan.missing_tasks([1, 2, 3], items) == [2, 3]
    with pytest.raises(plan.PlanError) as exc:
        plan.check_publish([1, 2], items)
    assert exc.value.code == "plan_missing_district_tasks"
    plan.check_publish([1], items)


def test_a_task_is_done_only_when_an_item_carrying_it_is_done():
    assert not plan.task_done(1, [item(1)])
    assert plan.task_done(1, [item(1), item(1, status="done")])


def test_last_years_plan_is_copied_as_planned_items_without_task_links():
    copied = plan.copy_items([item(5, status="done", month=3, title="三八", id=2), item(None, "cancelled"),
                              item(None, "in_progress", month=1, title="送温暖", id=3)])
    assert copied == [{"month": 1, "title": "送温暖", "owner": "张", "category": None, "status": "planned"},
                      {"month": 3, "title": "三八", "owner": "张", "category": None, "status": "planned"}]
