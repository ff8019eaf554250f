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


def snapshot(row, group_name: str | None = None) -> dict:
    """The member as integration events carry it: ID and phone numbers only masked."""
    return {"id": row.id, "school": row.school, "person_key": row.person_key, "name": row.name, "gender": row.gender,
            "birth_date": row.birth_date, "category": row.category, "status": row.status,
            "union_group_id": row.union_group_id, "position": row.position, "hire_date": row.hire_date,
            "join_date": row.join_date, "version": row.version, "union_group": group_name,
            "id_number_masked": mask_id_number(row.id_number), "phone_masked": mask_phone(row.phone) if row.phone else None,
            "left_reason": row.left_reason, "transferred_to_school": row.transferred_to_school}


def member_from_snapshot(snap: dict, group_name: str | None = None, language: str = "zh-CN") -> dict:
    """The API's member view rebuilt from an event snapshot (what read models serve)."""
    return {
        "id": snap["id"], "school": snap["school"], "name": snap["name"], "gender": snap["gender"],
        "birth_date": snap["birth_date"], "category": snap["category"],
        "category_label": model.label("category", snap["category"], language),
        "status": snap["status"], "status_label": model.label("status", snap["status"], language),
        "hire_date": snap.get("hire_date"), "position": snap.get("position"), "phone": snap.get("phone_masked"),
        "id_number": snap.get("id_number_masked"), "union_group_id": snap.get("union_group_id"),
        "union_group": group_name if group_name is not None else snap.get("union_group"),
        "join_date": snap.get("join_date"), "left_reason": snap.get("left_reason"),
        "transferred_to_school": snap.get("transferred_to_school"), "version": snap.get("version", 1),
    }


def status_change(row) -> dict:
    return {"from_status": row.from_status, "to_status": row.to_status, "effective_on": row.effective_on.isoformat(),
            "reason": row.reason, "counterpart_school": row.counterpart_school, "actor": row.actor}
