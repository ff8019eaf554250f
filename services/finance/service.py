"""The finance service (工会经费服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

from nameko.dependency_providers import Config

from services.finance.orm import Base
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints


class FinanceService(OpsEndpoints):
    name = "finance"

    config = Config()
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()
