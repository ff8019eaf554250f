"""The congress service (教代会服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

from nameko.dependency_providers import Config

from services.congress.orm import Base
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints


class CongressService(OpsEndpoints):
    name = "congress"

    config = Config()
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()
