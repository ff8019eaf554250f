"""Tenancy: a tenant is a school union (学校工会), named by its school code.

The caller's identity travels in nameko context data on every RPC and event (headers
``nameko.school``, ``nameko.actor``, ``nameko.role``, ``nameko.member_id``); ``CallContext`` is
its typed view. The database layer (``shared.db``) turns it into read filters and a write guard.
"""
from __future__ import annotations

from dataclasses import dataclass

DISTRICT_ROLES = frozenset({"district_admin"})
OFFICER_ROLES = frozenset({"finance_officer", "welfare_officer", "congress_officer", "events_officer"})
ROLES = ("district_admin", "school_admin", "finance_officer", "welfare_officer", "congress_officer",
         "events_officer", "auditor", "delegate", "member")
ROLE_LABELS = {
    "district_admin": {"zh-CN": "区教育工会管理员", "en": "District union administrator"},
    "school_admin": {"zh-CN": "学校工会主席", "en": "School union chair"},
    "finance_officer": {"zh-CN": "财务委员", "en": "Finance officer"},
    "welfare_officer": {"zh-CN": "生活福利委员", "en": "Welfare officer"},
    "congress_officer": {"zh-CN": "教代会秘书", "en": "Congress secretary"},
    "events_officer": {"zh-CN": "文体委员", "en": "Events officer"},
    "auditor": {"zh-CN": "经费审查委员", "en": "Funds review auditor"},
    "delegate": {"zh-CN": "教代会代表", "en": "Congress delegate"},
    "member": {"zh-CN": "工会会员", "en": "Union member"},
}
CONTEXT_KEYS = ("school", "actor", "role", "member_id", "request_id", "language")


@dataclass(frozen=True)
class CallContext:
    school: str | None = None
    actor: str | None = None
    role: str | None = None
    member_id: int | None = None
    request_id: str | None = None
    language: str | None = None

    @property
    def is_district(self) -> bool:
        return self.role in DISTRICT_ROLES

    @classmethod
    def from_context_data(cls, data: dict) -> "CallContext":
        member_id = data.get("member_id")
        return cls(school=data.get("school") or None, actor=data.get("actor") or None,
                   role=data.get("role") or None,
                   member_id=int(member_id) if member_id not in (None, "") else None,
                   request_id=data.get("request_id") or None, language=data.get("language") or None)

    def to_context_data(self) -> dict:
        return {k: getattr(self, k) for k in CONTEXT_KEYS if getattr(self, k) is not None}
