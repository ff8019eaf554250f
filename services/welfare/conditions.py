"""改善工作条件 use cases: raise an item (午餐补贴, 午休, 办公条件…), move it on with a dated log
entry each time, list a year's items for every member to see."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.welfare.domain import conditions as model
from services.welfare.domain.errors import WelfareInvalid, WelfareNotFound
from services.welfare.orm import ConditionItem
from services.welfare.paging import page


def raise_item(uow, school: str, data: dict, context, today: date) -> dict:
    on = data.get("raised_on") or today
    if on > today:
        raise WelfareInvalid("condition_date_in_future", fields={"raised_on": ["condition_date_in_future"]})
    item = ConditionItem(school=school, year=data.get("year") or on.year, category=data["category"],
                         title=data["title"], description=data.get("description"), raised_from=data.get("raised_from"),
                         raised_on=on, status="open", beneficiaries=data.get("beneficiaries"),
                         log=[{"on": on.isoformat(), "status": "open", "note": data.get("description"),
                               "by": context.actor}])
    uow.session.add(item)
    uow.session.flush()
    result = view(item)
    uow.commit()
    return result


def progress(uow, item_id: int, data: dict, context, today: date) -> dict:
    session = uow.session
    item = session.get(ConditionItem, int(item_id))
    if item is None:
        raise WelfareNotFound("condition_item_not_found")
    to = model.move(item.status, data["status"])
    on = data.get("on") or today
    if on > today or on < item.raised_on:
        raise WelfareInvalid("condition_date_in_future" if on > today else "condition_date_before_raised",
                             fields={"on": ["condition_date_in_future" if on > today else "condition_date_before_raised"]})
    item.status = to
    if data.get("beneficiaries") is not None:
        item.beneficiaries = data["beneficiaries"]
    if model.is_final(to):
        item.resolution, item.resolved_on = data.get("note"), on
    item.log = [*item.log, {"on": on.isoformat(), "status": to, "note": data.get("note"), "by": context.actor}]
    session.flush()
    result = view(item)
    uow.commit()
    return result


def search(session, query: dict) -> dict:
    stmt = select(ConditionItem)
    for name in ("year", "category", "status"):
        if query.get(name) is not None:
            stmt = stmt.where(getattr(ConditionItem, name) == query[name])
    return page(session, stmt.order_by(ConditionItem.raised_on.desc(), ConditionItem.id.desc()), query, view)


def view(item: ConditionItem) -> dict:
    return {"id": item.id, "year": item.year, "category": item.category, "label": model.LABELS[item.category],
            "title": item.title, "description": item.description, "raised_from": item.raised_from,
            "raised_on": item.raised_on, "status": item.status, "beneficiaries": item.beneficiaries,
            "resolution": item.resolution, "resolved_on": item.resolved_on, "log": item.log}
