"""Unit of work: one database transaction holding a state change, its outbox rows and, for an
event consumer, the dedupe record of the event it handles. Nothing is half-written: either all of
it commits or none does (STYLE: load, call the model, commit)."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from shared import contracts
from shared.db.base import utcnow
from shared.errors import CrossTenantWrite
from shared.jsonutil import dumps, json_ready
from shared.tenancy import CallContext


FULL_CHECK = 100


class AlreadyProcessed(Exception):
    """Raised inside a handler's unit of work when its event was handled before."""


class UnitOfWork:
    def __init__(self, session_factory, kit, *, schools, context: CallContext, on_commit=None, direct=None):
        """``direct``: on PostgreSQL, a factory of context managers yielding an autocommit
        connection, for use cases that write in one statement (``stage`` and ``written``)."""
        self._factory = session_factory
        self.direct = direct
        self._kit = kit
        self._schools = None if schools is None else frozenset(schools)
        self.context = context
        self._on_commit = on_commit
        self.session = None
        self.published: list[dict] = []
        self._committed = False
        self._after_commit: list = []

    def __enter__(self) -> "UnitOfWork":
        self.session = self._factory(self._schools)
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()
        return False

    def publish(self, type_: str, payload: dict, *, school: str | None = None, version: int = 1) -> dict:
        """Record an integration event in the outbox, in this transaction."""
        return self.publish_many(type_, [payload], school=school, version=version)[0]

    def publish_many(self, type_: str, payloads: list[dict], *, school: str | None = None,
                     version: int = 1) -> list[dict]:
        envelopes, rows = self._outbox_rows(type_, payloads, school=school, version=version)
        if rows:
            self.session.execute(insert(self._kit.outbox), rows)
        self.published.extend(envelopes)
        return envelopes

    def stage(self, type_: str, payload: dict, *, school: str | None = None, version: int = 1) -> tuple[dict, dict]:
        """An integration event's envelope and outbox row, not yet written: for a use case that
        writes its change and its outbox row in one statement of its own (then ``written``)."""
        envelopes, rows = self._outbox_rows(type_, [payload], school=school, version=version)
        return envelopes[0], rows[0]

    def written(self, envelopes: list[dict]) -> None:
        """A one-statement write (``direct``) committed with these events in it: the relay is woken."""
        self.published.extend(envelopes)
        self._committed = True
        if envelopes and self._on_commit:
            self._on_commit()

    def require_scope(self, school: str) -> None:
        """What the tenant guard checks on a flush, for writes that bypass the session."""
        if self._schools is not None and school not in self._schools:
            raise CrossTenantWrite(params={"school": school})

    @property
    def outbox(self):
        return self._kit.outbox

    def _outbox_rows(self, type_: str, payloads: list[dict], *, school: str | None, version: int):
        source, name = type_.split(".", 1)
        now = utcnow()
        envelopes, rows = [], []
        # a bulk publish builds every payload with one function: validating an even sample of it
        # against the contract catches a wrong shape without paying marshmallow 20,000 times
        step = max(1, len(payloads) // FULL_CHECK)
        for i, payload in enumerate(payloads):
            env = contracts.make_envelope(type_, json_ready(payload), school=school or self.context.school,
                                          actor=self.context.actor, version=version,
                                          validate=i % step == 0 or i == len(payloads) - 1)
            envelopes.append(env)
            headers = {f"nameko.{k}": v for k, v in self.context.to_context_data().items()}
            headers["nameko.school"] = env["school"]
            headers = {k: v for k, v in headers.items() if v is not None}
            rows.append(dict(event_id=env["event_id"], exchange=f"{source}.events", routing_key=name,
                             type=type_, school=env["school"], body=dumps(env), headers=headers,
                             created_at=now, attempts=0, next_attempt_at=now))
        return envelopes, rows

    def claim(self, consumer: str, event_id: str) -> None:
        """Record that ``consumer`` handles ``event_id`` in this transaction; raises
        ``AlreadyProcessed`` when it was handled before."""
        processed = self._kit.processed
        dialect = self.session.get_bind().dialect.name
        insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # one round trip: the record is taken, or it was there already
        taken = self.session.execute(
            insert_(processed).values(consumer=consumer, event_id=event_id, processed_at=utcnow())
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"]).returning(processed.c.id)
        ).first()
        if taken is None:
            raise AlreadyProcessed(event_id)

    def flush(self) -> None:
        self.session.flush()

    def scope_to(self, schools, context: CallContext) -> None:
        """Act for another caller inside the same transaction (a batch of events, each of its own
        school): what is pending is flushed under the previous scope first, and when the scope
        changes the identity map is emptied, so that no row loaded for one school is handed to
        the next."""
        schools = None if schools is None else frozenset(schools)
        self.session.flush()
        if schools != self._schools:
            self.session.expunge_all()
        self._schools = schools
        self.session.info["schools"] = schools
        self.context = context

    def commit(self) -> None:
        try:
            self.session.commit()
        except IntegrityError:
            self.session.rollback()
            raise
        self._committed = True
        if self.published and self._on_commit:
            self._on_commit()
        after, self._after_commit = self._after_commit, []
        for fn in after:
            fn()

    def after_commit(self, fn) -> None:
        """Call ``fn()`` once this unit of work has committed (not at all when it rolls back)."""
        self._after_commit.append(fn)
