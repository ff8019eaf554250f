"""The member roster as a read model the gateway hosts (会员名册查询), fed by membership events:
list and get members are answered without a call to this service. Revealed personal data and
anything the model does not hold yet still go to the service."""
from __future__ import annotations

from services.membership import views
from services.membership.schemas import MemberListQuery
from shared.plugins import MISS, Doc, ReadModel, Settle

MEMBERS, GROUPS = "members", "union_groups"


def _member_doc(snap: dict) -> Doc:
    view = views.member_from_snapshot(snap)
    return Doc(MEMBERS, snap["school"], snap["id"], snap.get("version", 1), view,
               tags=(snap["status"], snap["category"], snap.get("union_group_id")), search=snap["name"])


def _member_docs(payload: dict) -> list[Doc]:
    docs = [_member_doc(payload["member"])]
    if payload.get("previous_member"):
        docs.append(_member_doc(payload["previous_member"]))
    return docs


def _group_docs(payload: dict) -> list[Doc]:
    return [Doc(GROUPS, payload["school"], payload["id"], payload.get("version", 1),
                {"id": payload["id"], "name": payload["name"]})]


def _view_doc(view: dict) -> Doc:
    return Doc(MEMBERS, view["school"], view["id"], view["version"], view,
               tags=(view["status"], view["category"], view.get("union_group_id")), search=view["name"])


def _absorb_member(result: dict) -> list:
    return [_view_doc(result)]


def _absorb_transfer(result: dict) -> list:
    return [_view_doc(result["from"]), _view_doc(result["to"])]


def _absorb_import(result: dict) -> list:
    return [Settle(MEMBERS, result["school"], result["members_total"])] if "members_total" in result else []


def _with_group_names(store, school: str, items: list[dict]) -> list[dict]:
    groups = {g["id"]: g["name"] for g in store.small(GROUPS, school)} if any(i.get("union_group_id") for i in items) else {}
    for item in items:
        if item.get("union_group_id") in groups:
            item["union_group"] = groups[item["union_group_id"]]
    return items


def serve_get(store, kwargs: dict):
    if (kwargs.get("query") or {}).get("reveal"):
        return MISS
    doc = store.get(MEMBERS, kwargs["school"], int(kwargs["member_id"]))
    if doc is None:
        return MISS
    return _with_group_names(store, kwargs["school"], [doc])[0]


_LIST_QUERY = MemberListQuery()


def serve_list(store, kwargs: dict):
    query = _LIST_QUERY.load(kwargs.get("query") or {})
    page, size = query["page"], query["page_size"]
    items, total = store.query(MEMBERS, kwargs["school"],
                               tags={"tag1": query.get("status"), "tag2": query.get("category"), "tag3": query.get("group")},
                               search=query.get("q"), offset=(page - 1) * size, limit=size)
    return {"items": _with_group_names(store, kwargs["school"], items), "total": total, "page": page, "page_size": size}


def members_read_model() -> ReadModel:
    project = {f"membership.{t}": _member_docs for t in
               ("member_applied", "member_admitted", "member_updated", "member_transferred", "member_retired", "member_left")}
    project["membership.union_group_changed"] = _group_docs
    return ReadModel(
        name="membership.members",
        project=project,
        absorb={f"membership.{rpc}": _absorb_member for rpc in
                ("admit_member", "update_member", "approve_member", "retire_member", "leave_member")}
        | {"membership.transfer_member": _absorb_transfer, "membership.import_members": _absorb_import},
        serve={"membership.get_member": serve_get, "membership.list_members": serve_list},
    )
