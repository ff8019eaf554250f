"""Business gauges of the events service, read on scrape: registrations by status and pending
finance answers, per school (open activities only)."""
from __future__ import annotations

from nameko.extensions import DependencyProvider
from sqlalchemy import func, select

from services.events.orm import Activity, Expense, Registration
from shared import metrics
from shared.service import Database


class EventsGauges(DependencyProvider):
    def setup(self):
        self.database = next(d for d in self.container.dependencies if isinstance(d, Database))
        metrics.register_gauge_source("events", "unionhub_event_registrations",
                                      "Registrations of open activities per school and status (报名/候补)",
                                      ["school", "status"], self._registrations)
        metrics.register_gauge_source("events", "unionhub_event_expenses_awaiting_finance",
                                      "Activity expenses finance has not approved, rejected or paid yet",
                                      ["school"], self._awaiting)

    def _rows(self, stmt):
        session = self.database.sessions(None)
        try:
            return session.execute(stmt).all()
        finally:
            session.close()

    def _registrations(self):
        stmt = (select(Registration.school, Registration.status, func.count())
                .join(Activity, Activity.id == Registration.activity_id).where(Activity.status == "open")
                .group_by(Registration.school, Registration.status))
        for school, status, n in self._rows(stmt):
            yield (school, status), float(n)

    def _awaiting(self):
        stmt = (select(Expense.school, func.count()).where(Expense.status.in_(("requested", "received")))
                .group_by(Expense.school))
        for school, n in self._rows(stmt):
            yield (school,), float(n)
