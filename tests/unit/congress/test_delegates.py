"""教代会代表 as the service keeps them: enrolled from a decided delegate election into the term and
constituency it was held for, by-elections filling vacancies, a new term seated, and delegates
following their members' records."""
from __future__ import annotations

from datetime import date

import pytest

from services.congress import delegates, elections
from services.congress import schemas as s
from services.congress.orm import Delegate, Poll
from services.congress.service import CongressService
from shared.errors import Conflict, ValidationFailed
from shared.validation import load

from .support import S1, snapshot

SLATE = list(range(401, 410))          # term 8, union group 1 (401-405) and group 2 (406-409)
STAFF = list(range(420, 426))          # in-service members who are not delegates, union group 1


@pytest.fixture
def seated(cg):
    cg.delegates(SLATE[:5], group=1)
    cg.delegates(SLATE[5:], group=2)
    cg.members(STAFF, group=1)
    return cg.convened_with(SLATE)


def delegate_election(cg, session, candidates, seats=1, **extra):
    data = load(s.ElectionCreateSchema, {"title": "补选教代会代表", "purpose": "delegates", "seats": seats,
                                         "candidates": [{"member_id": c} for c in candidates], **extra})
    return cg.run(elections.create_election, S1, session["id"], data)


def listing(cg, **query):
    with cg.read() as session:
        return delegates.list_delegates(session, query)


def test_the_winners_of_a_delegate_election_become_delegates_of_its_term_and_constituency(cg, seated):
    poll = cg.open(delegate_election(cg, seated, [420, 421, 422], seats=2, constituency_group_id=1))
    assert poll["eligible"] == 5 and poll["term_no"] == 8      # only constituency 1 votes
    for m, choice in zip(SLATE[:5], [[1, 2]] * 4 + [[3]]):
        cg.cast(poll, m, choice)
    closed = cg.close(poll)
    assert closed["result"]["winners"] == [1, 2] and closed["result"]["enrolled"]["enrolled"] == [420, 421]
    after = listing(cg, term_no=8)
    elected = {d["member_id"]: d for d in after["items"] if d["poll_id"] == poll["id"]}
    assert set(elected) == {420, 421} and after["active"] == 11
    assert all(d["constituency_group_id"] == 1 and d["status"] == "active" and d["elected_on"] == date.today().isoformat()
               for d in elected.values())
    [event] = [e for e in cg.events("congress.delegates_enrolled") if e["source"] == "election"]
    assert event["poll_id"] == poll["id"] and event["term_no"] == 8
    assert [d["member_id"] for d in event["delegates"]] == [420, 421]
    assert cg.events("congress.election_decided")[0]["term_no"] == 8


def test_a_union_committee_election_enrols_nobody(cg, seated):
    data = load(s.ElectionCreateSchema, {"title": "选举工会委员", "purpose": "union_committee", "seats": 1,
                                         "candidates": [{"member_id": 401}, {"member_id": 402}]})
    poll = cg.open(cg.run(elections.create_election, S1, seated["id"], data))
    for m in SLATE:
        cg.cast(poll, m, [1])
    cg.close(poll)
    assert listing(cg)["active"] == 9
    assert [e["source"] for e in cg.events("congress.delegates_enrolled")] == ["registration"] * 9


def test_a_by_election_fills_the_vacancy_a_delegate_left_in_the_same_constituency(cg, seated):
    with cg.uow() as uow:
        delegates.vacate_for_member(uow, 402, "left", date(2026, 11, 1))
        uow.commit()
    assert listing(cg)["vacancies"] == 1
    poll = cg.open(delegate_election(cg, seated, [420, 421], constituency_group_id=1))
    for m in (401, 403, 404, 405):
        cg.cast(poll, m, [2])
    cg.close(poll)
    after = listing(cg)
    [vacancy] = [d for d in after["items"] if d["status"] == "vacant"]
    [newcomer] = [d for d in after["items"] if d["member_id"] == 421]
    assert vacancy["filled_by"] == newcomer["id"] and after["vacancies"] == 0 and after["vacancies_filled"] == 1
    assert cg.events("congress.delegates_enrolled")[-1]["delegates"][0]["fills_vacancy_of"] == vacancy["id"]


def test_delegates_elected_for_the_next_term_seat_a_new_term_and_the_old_one_stays_on_record(cg, seated):
    poll = cg.open(delegate_election(cg, seated, [420, 421, 401], seats=2, term_no=9))
    for m in SLATE:
        cg.cast(poll, m, [1, 3])
    cg.close(poll)
    current = listing(cg)
    assert current["term_no"] == 9 and current["terms"] == [9, 8]
    assert {d["member_id"] for d in current["items"]} == {420, 401} and current["active"] == 2
    assert listing(cg, term_no=8)["active"] == 9
    # term 8's sessions still count term 8's delegates; the first session of term 9 counts the new slate
    first = cg.convened_with([420, 401], term_no=9, session_no=1)
    with cg.read() as session:
        from services.congress import sessions
        assert sessions.attendance(session, first["id"], first["sittings"][0]["id"])["total"] == 2
        assert sessions.attendance(session, seated["id"], seated["sittings"][0]["id"])["total"] == 9


def test_a_runoff_of_a_delegate_election_enrols_its_winner_in_the_same_term_and_constituency(cg, seated):
    poll = cg.open(delegate_election(cg, seated, [420, 421, 422], seats=2, constituency_group_id=1))
    for m, choice in zip(SLATE[:5], [[1, 2], [1, 2], [1, 3], [1, 3], [2, 3]]):
        cg.cast(poll, m, choice)
    decided = cg.close(poll)["result"]            # 4, 3 and 3 of 5: the last seat is tied
    assert decided["runoff"] == {"candidates": [2, 3], "seats": 1} and decided["enrolled"]["enrolled"] == [420]
    runoff = cg.open({"id": decided["runoff_poll_id"]})
    assert runoff["term_no"] == 8 and runoff["constituency_group_id"] == 1 and runoff["eligible"] == 5
    for m, choice in zip(SLATE[:5], [[3]] * 3 + [[2]] * 2):
        cg.cast(runoff, m, choice)
    cg.close(runoff)
    assert [d["member_id"] for d in listing(cg)["items"] if d["poll_id"] == runoff["id"]] == [422]
    with cg.read() as session:
        stored = session.get(Poll, poll["id"]).result
    assert stored["runoff_poll_id"] == runoff["id"]       # the runoff is kept with the first result


def test_a_delegate_election_is_refused_with_every_bad_field_named(cg, seated):
    cg.members([430], group=2)
    with pytest.raises(ValidationFailed) as exc:
        delegate_election(cg, seated, [401, 430, 430], seats=1, term_no=11, constituency_group_id=1)
    assert exc.value.fields == {"candidates": ["duplicate_candidate", "candidate_not_in_constituency"],
                                "term_no": ["delegate_term_out_of_range"]}
    with pytest.raises(ValidationFailed) as exc:
        delegate_election(cg, seated, [401, 420], seats=1)
    assert exc.value.fields == {"candidates": ["candidate_already_delegate"]}
    with pytest.raises(ValidationFailed) as exc:
        data = load(s.ElectionCreateSchema, {"title": "选举工会委员", "purpose": "union_committee", "seats": 1,
                                             "term_no": 9, "constituency_group_id": 1,
                                             "candidates": [{"member_id": 420}, {"member_id": 421}]})
        cg.run(elections.create_election, S1, seated["id"], data)
    assert exc.value.fields == {"term_no": ["only_for_delegate_elections"],
                                "constituency_group_id": ["only_for_delegate_elections"]}
    assert cg.all(Poll) == []


def test_a_constituency_with_nobody_on_the_roll_cannot_vote(cg, seated):
    cg.members([440, 441], group=7)
    poll = delegate_election(cg, seated, [440, 441], constituency_group_id=7)
    with pytest.raises(Conflict) as exc:
        cg.open(poll)
    assert exc.value.code == "constituency_empty"


def test_a_winner_who_left_before_the_count_is_not_enrolled(cg, seated):
    poll = cg.open(delegate_election(cg, seated, [420, 421], constituency_group_id=1))
    for m in SLATE[:5]:
        cg.cast(poll, m, [1])
    cg.members([420], group=1, status="left", version=2)
    result = cg.close(poll)["result"]
    assert result["winners"] == [1] and result["enrolled"] == {"term_no": 8, "enrolled": [], "skipped": [420]}
    assert 420 not in {d.member_id for d in cg.all(Delegate)}


class _Event:
    def __init__(self, payload):
        self.payload = payload


def test_a_delegate_follows_the_members_new_name_and_category_and_retiring_leaves_a_vacancy(cg, seated):
    before = {"member_id": 406, "name": "代表406", "category": "teacher", "status": "active"}
    renamed = snapshot(406, name="王老师", category="logistics", group=2)
    retired = snapshot(407, status="retired", category="retiree", group=2)
    with cg.uow(None) as uow:
        CongressService.on_member_changed(None, uow, _Event({}), before, renamed)
        CongressService.on_member_changed(None, uow, _Event({"retired_on": "2026-12-31"}),
                                          {**before, "member_id": 407, "name": "代表407"}, retired)
        uow.commit()
        published = uow.published
    rows = {d.member_id: d for d in cg.all(Delegate)}
    assert (rows[406].name, rows[406].category) == ("王老师", "logistics")
    assert rows[407].status == "vacant" and rows[407].vacancy_reason == "retired"
    assert [e["payload"]["vacated_on"] for e in published] == ["2026-12-31"]
    assert listing(cg)["teachers"] == 7


def test_the_delegate_list_is_paginated_and_filtered_while_its_figures_cover_the_whole_term(cg, seated):
    with cg.uow() as uow:
        delegates.vacate_for_member(uow, 409, "left", date(2026, 11, 1))
        uow.commit()
    page = listing(cg, page=2, page_size=4)
    assert page["total"] == 9 and len(page["items"]) == 4 and page["page"] == 2
    assert page["active"] == 8 and page["vacancies"] == 1 and page["delegates"] == 8
    first = listing(cg, page=1, page_size=4)["items"]
    assert not {d["id"] for d in first} & {d["id"] for d in page["items"]}
    assert listing(cg, status="vacant")["total"] == 1
    assert listing(cg, constituency_group_id=2)["total"] == 4


def test_registering_a_delegate_twice_is_a_conflict_that_keeps_nothing(cg, seated):
    with pytest.raises(Conflict) as exc:
        cg.run(delegates.add_delegate, S1, {"member_id": 401, "term_no": 8})
    assert exc.value.fields == {"member_id": ["delegate_exists"]}
    assert len([d for d in cg.all(Delegate) if d.member_id == 401]) == 1
