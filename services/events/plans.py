"""年度工作计划与具体工作安排: a plan per school and year with monthly items, linkable to the record
that fulfils each (a congress session, an audit, an activity ...); last year's plan as template;
the district's annual tasks that every plan must carry, and which schools planned and did them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.events.domain import plan as rules
from services.events.domain.plan import PlanError
from services.events.orm import Activity, Competition, DistrictTask, PlanItem, Tournament, WorkPlan
from shared.errors import Conflict, NotFound, ValidationFailed


def task_view(row: DistrictTask) -> dict:
    return {"id": row.id, "year": row.year, "month": row.month, "title": row.title, "category": row.category}


def item_view(row: PlanItem) -> dict:
    link = {"service": row.link_service, "kind": row.link_kind, "id": row.link_id} if row.link_service else None
    return {"id": row.id, "plan_id": row.plan_id, "month": row.month, "title": row.title, "owner": row.owner,
            "category": row.category, "status": row.status, "district_task_id": row.district_task_id, "link": link}


def tasks_for(session, year: int) -> list[DistrictTask]:
    return list(session.execute(select(DistrictTask).where(DistrictTask.year == year)
                                .order_by(DistrictTask.month, DistrictTask.id)).scalars())


def _items(session, plan_id: int) -> list[PlanItem]:
    return list(session.execute(select(PlanItem).where(PlanItem.plan_id == plan_id)
                                .order_by(PlanItem.month, PlanItem.id)).scalars())


def _plan(session, year: int) -> WorkPlan:
    row = session.execute(select(WorkPlan).where(WorkPlan.year == year)).scalar_one_or_none()
    if row is None:
        raise NotFound("plan_not_found", params={"year": year})
    return row


def plan_view(session, row: WorkPlan) -> dict:
    items = _items(session, row.id)
    tasks = tasks_for(session, row.year)
    missing = set(rules.missing_tasks([t.id for t in tasks], items))
    return {"id": row.id, "school": row.school, "year": row.year, "title": row.title, "guiding_idea": row.guiding_idea,
            "status": row.status, "items": [item_view(i) for i in items],
            "district_tasks": [{**task_view(t), "included": t.id not in missing, "done": rules.task_done(t.id, items)}
                               for t in tasks],
            "missing_district_tasks": sorted(missing)}


def create_plan(uow, school: str, year: int, data: dict) -> dict:
    session = uow.session
    row = WorkPlan(school=school, year=year, title=data.get("title") or f"{year}年工会工作计划",
                   guiding_idea=data.get("guiding_idea"), status="draft")
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("plan_exists", params={"year": year}) from None
    source_year = data.get("copy_from_year")
    if source_year:
        source = session.execute(select(WorkPlan).where(WorkPlan.year == source_year)).scalar_one_or_none()
        if source is None:
            raise ValidationFailed("plan_not_found", fields={"copy_from_year": ["plan_not_found"]},
                                   params={"year": source_year})
        if row.guiding_idea is None:
            row.guiding_idea = source.guiding_idea
        for spec in rules.copy_items(_items(session, source.id)):
            session.add(PlanItem(school=school, plan_id=row.id, **spec))
    session.flush()
    uow.commit()
    return plan_view(session, row)


def get_plan(session, year: int) -> dict:
    return plan_view(session, _plan(session, year))


def own_record_exists(session, kind: str, record_id: int) -> bool:
    """A link to the events service's own records (the school's activity or tournament, a
    district competition)."""
    model = {"activity": Activity, "tournament": Tournament, "competition": Competition}[kind]
    return session.execute(select(model.id).where(model.id == record_id)).first() is not None


def _item_errors(session, year: int, data: dict, link_errors: dict | None) -> None:
    """Every bad field of a plan item at once (the link was checked before, by its owner)."""
    errors = dict(link_errors or {})
    task_id = data.get("district_task_id")
    if task_id is not None and session.execute(select(DistrictTask.id).where(
            DistrictTask.id == task_id, DistrictTask.year == year)).first() is None:
        errors["district_task_id"] = ["task_not_found"]
    if errors:
        codes = {code for codes in errors.values() for code in codes}
        raise ValidationFailed(codes.pop() if len(codes) == 1 else None, fields=errors)


def _apply(row: PlanItem, data: dict) -> None:
    for key in ("month", "title", "owner", "category", "status", "district_task_id"):
        if key in data:
            setattr(row, key, data[key])
    if "link" in data:
        link = data["link"] or {}
        row.link_service, row.link_kind, row.link_id = link.get("service"), link.get("kind"), link.get("id")


def add_item(uow, school: str, year: int, data: dict, link_errors: dict | None = None) -> dict:
    """具体工作安排: one month's item; ``link_errors`` are the link's problems found by its owner."""
    session = uow.session
    plan = _plan(session, year)
    _item_errors(session, year, data, link_errors)
    row = PlanItem(school=school, plan_id=plan.id, status="planned", month=data["month"], title=data["title"])
    _apply(row, data)
    session.add(row)
    uow.commit()
    return item_view(row)


def update_item(uow, year: int, item_id: int, data: dict, link_errors: dict | None = None) -> dict:
    session = uow.session
    plan = _plan(session, year)
    row = session.execute(select(PlanItem).where(PlanItem.id == item_id, PlanItem.plan_id == plan.id)).scalar_one_or_none()
    if row is None:
        raise NotFound("plan_item_not_found", params={"id": item_id})
    _item_errors(session, year, data, link_errors)
    _apply(row, data)
    uow.commit()
    return item_view(row)


def publish_plan(uow, year: int) -> dict:
    session = uow.session
    plan = _plan(session, year)
    try:
        rules.check_publish([t.id for t in tasks_for(session, year)], _items(session, plan.id))
    except PlanError as exc:
        raise Conflict(exc.code, params=exc.params) from None
    plan.status = "published"
    uow.publish("events.plan_published", {"plan_id": plan.id, "school": plan.school, "year": plan.year,
                                          "title": plan.title, "items": len(_items(session, plan.id))})
    uow.commit()
    return plan_view(session, plan)


def calendar(session, year: int, month: int | None) -> dict:
    """具体工作安排: the plan's items, the activities scheduled and the district's tasks, month by month."""
    plan = session.execute(select(WorkPlan).where(WorkPlan.year == year)).scalar_one_or_none()
    items = _items(session, plan.id) if plan else []
    acts = session.execute(select(Activity).where(Activity.starts_at >= datetime(year, 1, 1),
                                                  Activity.starts_at < datetime(year + 1, 1, 1),
                                                  Activity.status != "cancelled").order_by(Activity.starts_at)).scalars()
    months = {m: {"month": m, "items": [], "activities": [], "district_tasks": []} for m in range(1, 13)}
    for t in tasks_for(session, year):
        if t.month:
            months[t.month]["district_tasks"].append(task_view(t))
    for i in items:
        months[i.month]["items"].append(item_view(i))
    for a in acts:
        months[a.starts_at.month]["activities"].append({"id": a.id, "title": a.title, "kind": a.kind,
                                                        "starts_at": a.starts_at.isoformat(), "status": a.status})
    chosen = [months[month]] if month else list(months.values())
    return {"year": year, "plan_id": plan.id if plan else None, "months": chosen}


# district

def create_task(uow, data: dict) -> dict:
    row = DistrictTask(**data)
    uow.session.add(row)
    uow.session.flush()
    uow.publish("events.district_task_set", {"task_id": row.id, "year": row.year, "month": row.month,
                                             "title": row.title}, school=None)
    uow.commit()
    return task_view(row)


def list_tasks(session, year: int) -> dict:
    rows = tasks_for(session, year)
    return {"items": [task_view(r) for r in rows], "total": len(rows)}


def compliance(session, year: int, schools: list[str]) -> dict:
    """Per school: has it a plan, which district tasks are not in it, which are not done."""
    tasks = tasks_for(session, year)
    plans = {p.school: p for p in session.execute(select(WorkPlan).where(WorkPlan.year == year)).scalars()}
    items_by_plan: dict[int, list] = {}
    if plans:
        for i in session.execute(select(PlanItem).where(PlanItem.plan_id.in_([p.id for p in plans.values()]))).scalars():
            items_by_plan.setdefault(i.plan_id, []).append(i)
    rows = []
    for school in sorted(set(schools) | set(plans)):
        plan = plans.get(school)
        items = items_by_plan.get(plan.id, []) if plan else []
        missing = rules.missing_tasks([t.id for t in tasks], items) if plan else [t.id for t in tasks]
        not_done = [t.id for t in tasks if not rules.task_done(t.id, items)]
        rows.append({"school": school, "planned": plan is not None, "plan_status": plan.status if plan else None,
                     "missing_tasks": missing, "not_done_tasks": not_done})
    return {"year": year, "tasks": [task_view(t) for t in tasks], "schools": rows,
            "not_planned": [r["school"] for r in rows if not r["planned"] or r["missing_tasks"]],
            "not_done": [r["school"] for r in rows if r["not_done_tasks"]]}
