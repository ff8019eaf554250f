"""The welfare service as a plugin: its routes, events, messages and migrations."""
from shared.plugins import Plugin

SCHOOL = "/api/v1/schools/{school}/welfare"


def _metadata():
    from services.welfare.orm import Base
    return Base.metadata


plugin = Plugin(
    name="welfare",
    service="services.welfare.service:WelfareService",
    migrations="services.welfare.migrations",
    metadata=_metadata,
    messages={"care_case_not_found": {"zh-CN": "慰问记录不存在", "en": "Care case not found"}},
    publishes=[],
    routes=[],
)
