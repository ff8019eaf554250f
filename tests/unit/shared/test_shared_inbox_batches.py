"""Batches of events in the inbox (shared/inbox.py), without a broker: one transaction for the
batch, each event in its own school's scope, a failing event taken out and retried alone (one
failed handling, the others committed), duplicates skipped, broken messages refused."""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from kit_schema import KIT, Note, everything
from shared import contracts
from shared.db import UnitOfWork
from shared.errors import CrossTenantWrite
from shared.inbox import consumes
from shared.tenancy import CallContext


class _Db:
    """What ``self.db`` gives a service: units of work on the test database."""

    def __init__(self, sessions):
        self.sessions = sessions
        self.transactions = 0

    def unit_of_work(self, school=None, *, district=False):
        self.transactions += 1
        return UnitOfWork(self.sessions, KIT, schools=None if district else {school}, context=CallContext())


class NoteService:
    name = "notes"

    def __init__(self, sessions, fail_on=()):
        self.db = _Db(sessions)
        self.fail_on = set(fail_on)
        self.calls: list[str] = []
        self.contexts: list[CallContext] = []

    @consumes("membership", "member_admitted")
    def on_admitted(self, uow, event):
        name = event.payload["member"]["name"]
        self.calls.append(name)
        self.contexts.append(uow.context)
        if name in self.fail_on:
            raise RuntimeError(f"told to fail on {name}")
        uow.session.add(Note(school=event.payload["member"]["school"], title=name))

    @consumes("membership", "member_admitted", dedupe=False, batch=True)
    def on_admitted_batch(self, uow, events):
        self.calls.append(",".join(e.payload["member"]["name"] for e in events))
        if any(e.payload["member"]["name"] in self.fail_on for e in events):
            raise RuntimeError("the batch handler failed")
        for event in events:
            uow.scope_to({event.school}, CallContext(school=event.school))
            uow.session.add(Note(school=event.school, title=event.payload["member"]["name"]))
        uow.scope_to(None, CallContext())


def delivery(name, school="A", *, event_id=None, member_school=None):
    member = {"id": abs(hash(name)) % 100000, "school": member_school or school, "person_key": "p", "name": name,
              "gender": "female", "birth_date": "1980-05-04", "category": "teacher", "status": "active",
              "version": 1}
    body = contracts.make_envelope("membership.member_admitted", {"member": member, "admitted_on": "2026-09-01",
                                                                  "via": "enrolment"}, school=school, actor="chair")
    if event_id:
        body["event_id"] = event_id
    return body, {"nameko.school": school, "nameko.actor": f"chair_{school}", "nameko.role": "school_admin"}


def run(service, handler, deliveries):
    return handler(service, deliveries)


@pytest.fixture(autouse=True)
def _contracts():
    contracts.load_all()


def test_a_batch_is_one_transaction_and_each_event_acts_for_its_own_sender(sessions):
    svc = NoteService(sessions)
    outcomes = run(svc, NoteService.on_admitted, [delivery("王芳", "A"), delivery("李雷", "B"), delivery("韩梅", "A")])
    assert outcomes == [None, None, None]
    assert svc.db.transactions == 1
    assert everything(sessions) == [("A", "王芳"), ("A", "韩梅"), ("B", "李雷")]
    assert [(c.school, c.actor) for c in svc.contexts] == [("A", "chair_A"), ("B", "chair_B"), ("A", "chair_A")]


def test_a_failing_event_is_taken_out_and_handled_once_while_the_others_commit(sessions):
    svc = NoteService(sessions, fail_on={"李雷"})
    outcomes = run(svc, NoteService.on_admitted, [delivery("王芳"), delivery("李雷"), delivery("韩梅")])
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], RuntimeError)
    assert svc.calls.count("李雷") == 1                  # one failed handling per delivery, as if alone
    assert everything(sessions) == [("A", "王芳"), ("A", "韩梅")]


def test_an_event_delivered_twice_in_one_batch_is_handled_once(sessions):
    svc = NoteService(sessions)
    same = str(uuid.uuid4())
    outcomes = run(svc, NoteService.on_admitted, [delivery("王芳", event_id=same), delivery("王芳", event_id=same)])
    assert outcomes == [None, None]
    assert everything(sessions) == [("A", "王芳")]
    with sessions(None) as s:
        assert s.execute(select(func.count()).select_from(KIT.processed)).scalar_one() == 1


def test_an_event_writing_into_another_school_fails_alone(sessions):
    svc = NoteService(sessions)
    outcomes = run(svc, NoteService.on_admitted, [delivery("王芳", "A"), delivery("越界", "A", member_school="B")])
    assert outcomes[0] is None and isinstance(outcomes[1], CrossTenantWrite)
    assert everything(sessions) == [("A", "王芳")]


def test_a_message_breaking_its_contract_is_refused_and_the_rest_handled(sessions):
    svc = NoteService(sessions)
    broken = ({"event_id": "x", "type": "membership.member_admitted"}, {})
    outcomes = run(svc, NoteService.on_admitted, [delivery("王芳"), broken])
    assert outcomes[0] is None and isinstance(outcomes[1], contracts.ContractViolation)
    assert everything(sessions) == [("A", "王芳")]


def test_a_whole_batch_handler_that_fails_is_retried_one_event_at_a_time(sessions):
    svc = NoteService(sessions, fail_on={"李雷"})
    outcomes = run(svc, NoteService.on_admitted_batch, [delivery("王芳"), delivery("李雷", "B"), delivery("韩梅")])
    assert outcomes[0] is None and outcomes[2] is None and isinstance(outcomes[1], RuntimeError)
    assert svc.calls == ["王芳,李雷,韩梅", "王芳", "李雷", "韩梅"]
    assert everything(sessions) == [("A", "王芳"), ("A", "韩梅")]


def test_a_batch_handler_must_keep_its_events_apart_itself(sessions):
    with pytest.raises(ValueError):
        consumes("membership", "member_admitted", batch=True)      # dedupe records are per event
