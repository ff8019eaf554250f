"""The welfare service (职工福利与关爱服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

from nameko.dependency_providers import Config

from services.welfare.orm import Base
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints


class WelfareService(OpsEndpoints):
    name = "welfare"

    config = Config()
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()
