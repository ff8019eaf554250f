"""工作计划 (the annual work plan) and 区教育工会年度任务 (district tasks): pure rules."""
from __future__ import annotations

ITEM_STATUSES = ("planned", "in_progress", "done", "cancelled")
PLAN_STATUSES = ("draft", "published")


class PlanError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def missing_tasks(task_ids: list[int], items: list) -> list[int]:
    """District tasks no (live) item of the plan carries."""
    covered = {i.district_task_id for i in items if i.district_task_id and i.status != "cancelled"}
    return [t for t in task_ids if t not in covered]


def check_publish(task_ids: list[int], items: list) -> None:
    """A plan is published only when it includes every task the district set for its year."""
    missing = missing_tasks(task_ids, items)
    if missing:
        raise PlanError("plan_missing_district_tasks", tasks=", ".join(map(str, missing)))


def task_done(task_id: int, items: list) -> bool:
    return any(i.district_task_id == task_id and i.status == "done" for i in items)


def copy_items(items: list) -> list[dict]:
    """Last year's items as this year's template: same months, owners and links to district tasks
    cleared (tasks are per year), all planned again, records not linked yet."""
    return [{"month": i.month, "title": i.title, "owner": i.owner, "category": i.category, "status": "planned"}
            for i in sorted(items, key=lambda i: (i.month, i.id or 0)) if i.status != "cancelled"]
