"""Business gauges of the congress service, read on scrape: open proposals per school."""
from __future__ import annotations

from nameko.extensions import DependencyProvider

from services.congress import district
from shared import metrics
from shared.service import Database


class CongressGauges(DependencyProvider):
    def setup(self):
        self.database = next(d for d in self.container.dependencies if isinstance(d, Database))
        metrics.register_gauge_source("congress", "unionhub_congress_open_proposals",
                                      "Proposals not yet answered per school (待答复提案)", ["school"], self._open)

    def _open(self):
        session = self.database.sessions(None)
        try:
            for school, n in district.open_proposals_by_school(session):
                yield (school,), float(n)
        finally:
            session.close()
