"""The events service as a plugin: its routes, events, messages and migrations."""
from shared.plugins import Plugin

SCHOOL = "/api/v1/schools/{school}/events"


def _metadata():
    from services.events.orm import Base
    return Base.metadata


plugin = Plugin(
    name="events",
    service="services.events.service:EventsService",
    migrations="services.events.migrations",
    metadata=_metadata,
    messages={"activity_not_found": {"zh-CN": "活动不存在", "en": "Activity not found"}},
    publishes=[],
    routes=[],
)
