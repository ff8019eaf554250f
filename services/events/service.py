"""The events service (文体活动与工作计划服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

from nameko.dependency_providers import Config

from services.events.orm import Base
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints


class EventsService(OpsEndpoints):
    name = "events"

    config = Config()
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()
