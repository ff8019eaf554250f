"""Business gauges of the welfare service, read on scrape: this year's spend per school and kind
(not rejected), payments still awaiting finance, and must-visit cases with no visit yet."""
from __future__ import annotations

from datetime import date

from nameko.extensions import DependencyProvider
from sqlalchemy import func, select

from services.welfare import district
from services.welfare.orm import Payment
from shared import metrics
from shared.service import Database


class WelfareGauges(DependencyProvider):
    def setup(self):
        self.database = next(d for d in self.container.dependencies if isinstance(d, Database))
        metrics.register_gauge_source("welfare", "unionhub_welfare_spend_yuan",
                                      "Welfare payments this year, not rejected, per school and kind (元)",
                                      ["school", "kind"], self._spend)
        metrics.register_gauge_source("welfare", "unionhub_welfare_cap_share",
                                      "This year's spend as a share of the yearly cap room, per school and kind",
                                      ["school", "kind"], self._share)
        metrics.register_gauge_source("welfare", "unionhub_welfare_awaiting_finance",
                                      "Payments requested from finance and not yet decided", ["school"], self._awaiting)
        metrics.register_gauge_source("welfare", "unionhub_welfare_visits_owed",
                                      "Must-visit care cases with no visit yet (应访未访)", ["school"], self._owed)

    def _session(self):
        return self.database.sessions(None)

    def _spending(self):
        session = self._session()
        try:
            return district.spending(session, date.today().year)["schools"]
        finally:
            session.close()

    def _spend(self):
        for school in self._spending():
            for k in school["kinds"]:
                yield (school["school"], k["kind"]), float(k["counted"])

    def _share(self):
        for school in self._spending():
            for k in school["kinds"]:
                if k["share_of_cap"] is not None:
                    yield (school["school"], k["kind"]), float(k["share_of_cap"])

    def _awaiting(self):
        session = self._session()
        try:
            rows = session.execute(select(Payment.school, func.count(Payment.id))
                                   .where(Payment.status.in_(("pending", "received"))).group_by(Payment.school)).all()
        finally:
            session.close()
        for school, n in rows:
            yield (school,), float(n)

    def _owed(self):
        session = self._session()
        try:
            rows = district.visits_owed(session)["schools"]
        finally:
            session.close()
        for row in rows:
            yield (row["school"],), float(row["owed"])
