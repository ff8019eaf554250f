"""关联记录: a work-plan item (具体工作安排) links to the record that fulfils it in any service
(a congress session, an audit, a health-check campaign, an activity ...). A link is checked
when it is set: the kind must be one this table knows, and the record must exist in the
school's own records; the owning service answers by RPC (a query), the events service's own
records are read locally. An owner that is not running makes the check, and the change, fail
with 503 rather than store a link nobody verified."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkKind:
    zh: str
    en: str
    method: str | None = None     # the owner's RPC: one record by id, or (``listing``) all of the school's
    id_arg: str | None = None
    listing: bool = False


KINDS: dict[tuple[str, str], LinkKind] = {
    ("congress", "session"): LinkKind("教代会会议", "Congress session", "get_session", "session_id"),
    ("congress", "proposal"): LinkKind("教代会提案", "Congress proposal", "get_proposal", "proposal_id"),
    ("congress", "notice"): LinkKind("校务公开", "School-affairs notice", "get_notice", "notice_id"),
    ("congress", "meeting"): LinkKind("会议与培训记录", "Congress meeting or training", "get_meeting", "meeting_id"),
    ("finance", "audit"): LinkKind("经费审查", "Funds review audit", "get_audit", "audit_id"),
    ("welfare", "health_campaign"): LinkKind("体检安排", "Health-check campaign", "health_campaigns", listing=True),
    ("welfare", "outreach_campaign"): LinkKind("慰问活动（送温暖等）", "Outreach campaign", "campaigns", listing=True),
    ("events", "activity"): LinkKind("文体活动", "Activity"),
    ("events", "tournament"): LinkKind("赛事", "Tournament"),
    ("events", "competition"): LinkKind("区级比赛", "District competition"),
}
SERVICES = frozenset(service for service, _kind in KINDS)
RECORD_NUMBER = re.compile(r"[1-9][0-9]{0,8}")     # ASCII digits, within what the owners' databases hold


def shape_errors(link: dict) -> dict[str, list[str]]:
    """What is wrong with a link before anyone is asked: an unknown service or kind, an id that
    is not a record number."""
    errors: dict[str, list[str]] = {}
    if link["service"] not in SERVICES:
        errors["link.service"] = ["unknown_link_service"]
    elif (link["service"], link["kind"]) not in KINDS:
        errors["link.kind"] = ["unknown_link_kind"]
    if not RECORD_NUMBER.fullmatch(link["id"]):
        errors["link.id"] = ["invalid_link_id"]
    return errors


def errors(link: dict | None, exists) -> dict[str, list[str]]:
    """Field errors of a link (``{}`` when it is good). ``exists(service, kind, spec, id)`` says
    whether the record is there; it raises ``Unavailable`` when its owner cannot answer."""
    if not link:
        return {}
    found = shape_errors(link)
    if found:
        return found
    key = (link["service"], link["kind"])
    if not exists(link["service"], link["kind"], KINDS[key], int(link["id"])):
        return {"link.id": ["linked_record_not_found"]}
    return {}


LISTING_PAGE = 500


def listing_has(answer, record_id: int) -> bool:
    """Whether an owner's ``{"items": [...]}`` answer lists the record."""
    return any(item.get("id") == record_id for item in (answer or {}).get("items", []))


def found_in_listing(ask, record_id: int) -> bool:
    """Whether an owner that lists its records lists this one. ``ask(query)`` is the owner's list
    (``query`` None: its default answer). An owner that answers in pages (``total`` beyond the
    items it sent) is read page by page until the record or the end."""
    answer = ask(None)
    if listing_has(answer, record_id):
        return True
    total = (answer or {}).get("total")
    if not isinstance(total, int) or total <= len((answer or {}).get("items", [])):
        return False
    for number in range(1, -(-total // LISTING_PAGE) + 1):
        if listing_has(ask({"page": number, "page_size": LISTING_PAGE}), record_id):
            return True
    return False


def catalogue(language: str | None) -> dict:
    english = (language or "zh-CN").startswith("en")
    items = [{"service": s, "kind": k, "label": spec.en if english else spec.zh} for (s, k), spec in KINDS.items()]
    return {"items": items, "total": len(items)}
