"""The congress service as a plugin: its routes, events, messages and migrations."""
from shared.plugins import Plugin

SCHOOL = "/api/v1/schools/{school}/congress"


def _metadata():
    from services.congress.orm import Base
    return Base.metadata


plugin = Plugin(
    name="congress",
    service="services.congress.service:CongressService",
    migrations="services.congress.migrations",
    metadata=_metadata,
    messages={"congress_session_not_found": {"zh-CN": "教代会会议不存在", "en": "Congress session not found"}},
    publishes=[],
    routes=[],
)
