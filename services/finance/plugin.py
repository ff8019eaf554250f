"""The finance service as a plugin: its routes, events, messages and migrations."""
from shared.plugins import Plugin

SCHOOL = "/api/v1/schools/{school}/finance"


def _metadata():
    from services.finance.orm import Base
    return Base.metadata


plugin = Plugin(
    name="finance",
    service="services.finance.service:FinanceService",
    migrations="services.finance.migrations",
    metadata=_metadata,
    messages={"ledger_entry_not_found": {"zh-CN": "记账凭证不存在", "en": "Ledger entry not found"}},
    publishes=[],
    routes=[],
)
