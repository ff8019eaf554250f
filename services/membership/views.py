"""Turning rows into the dicts that cross RPC (ORM objects never do). Personal data is masked
here unless the caller was allowed to see it."""
from __future__ import annotations

from services.membership.domain import model
from services.membership.domain.idcard import mask_id_number, mask_phone


def school(row, language: str = "zh-CN") -> dict:
    return {"code": row.code, "name": row.name, "kind": row.kind, "kind_label": model.label("school_kind", row.kind, language),
            "area": row.area, "staff_headcount": row.staff_headcount, "active": row.active}


def member(row, group_name: str | None = None, *, reveal: frozenset = frozenset(), language: str = "zh-CN") -> dict:
    return {
        "id": row.id, "school": row.school, "name": row.name, "gender": row.gender,
        "birth_date": row.birth_date.isoformat(), "category": row.category,
        "category_label": model.label("category", row.category, language),
        "status": row.status, "status_label": model.label("status", row.status, language),
        "hire_date": row.hire_date.isoformat() if row.hire_date else None, "position": row.position,
        "phone": (row.phone if "phone" in reveal else mask_phone(row.phone)) if row.phone else None,
        "id_number": row.id_number if "id_number" in reveal else mask_id_number(row.id_number),
        "union_group_id": row.union_group_id, "union_group": group_name,
        "join_date": row.join_date.isoformat() if row.join_date else None,
        "left_reason": row.left_reason, "transferred_to_school": row.transferred_to_school, "version": row.version,
    }


def snapshot(row) -> dict:
    """The member as integration events carry it: no ID or phone number."""
    return {"id": row.id, "school": row.school, "person_key": row.person_key, "name": row.name, "gender": row.gender,
            "birth_date": row.birth_date, "category": row.category, "status": row.status,
            "union_group_id": row.union_group_id, "position": row.position, "hire_date": row.hire_date,
            "join_date": row.join_date}


def status_change(row) -> dict:
    return {"from_status": row.from_status, "to_status": row.to_status, "effective_on": row.effective_on.isoformat(),
            "reason": row.reason, "counterpart_school": row.counterpart_school, "actor": row.actor}
