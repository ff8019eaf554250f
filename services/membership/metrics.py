"""Business gauges of the membership service, read on scrape: members and 入会率 per school."""
from __future__ import annotations

from nameko.extensions import DependencyProvider

from services.membership import organisation
from shared import metrics
from shared.service import Database


class MembershipGauges(DependencyProvider):
    def setup(self):
        self.database = next(d for d in self.container.dependencies if isinstance(d, Database))
        metrics.register_gauge_source("membership", "unionhub_members", "In-service members per school (在职会员)",
                                      ["school"], lambda: self._stat("members"))
        metrics.register_gauge_source("membership", "unionhub_membership_rate", "Membership rate per school (入会率)",
                                      ["school"], lambda: self._stat("rate"))

    def _stat(self, key):
        session = self.database.sessions(None)
        try:
            stats = organisation.membership_stats(session)
        finally:
            session.close()
        for row in stats["schools"]:
            if row[key] is not None:
                yield (row["school"],), float(row[key])
