"""Elections with runoffs and democratic ratings, as the service runs them."""
from __future__ import annotations

import base64
import io

import pytest

from services.congress import elections
from services.congress import schemas as s
from shared.errors import ValidationFailed
from shared.validation import load

from .support import S1

TEN = list(range(301, 311))


def election(cg, session, seats=2, candidates=(301, 302, 303), **extra):
    data = load(s.ElectionCreateSchema, {"title": "选举工会委员", "purpose": "union_committee", "seats": seats,
                                         "candidates": [{"member_id": c} for c in candidates], **extra})
    return cg.run(elections.create_election, S1, session["id"], data)


def test_an_election_needs_more_candidates_than_seats(cg):
    cg.delegates(TEN)
    session = cg.convened_with(TEN)
    with pytest.raises(ValidationFailed) as exc:
        election(cg, session, seats=2, candidates=(301, 302))
    assert "candidates_must_exceed_seats" in exc.value.fields["candidates"]


def test_an_approval_ballot_cannot_choose_more_than_the_maximum(cg):
    cg.delegates(TEN)
    session = cg.convened_with(TEN)
    poll = cg.open(election(cg, session))
    with pytest.raises(ValidationFailed) as exc:
        cg.cast(poll, 301, [1, 2, 3])
    assert exc.value.fields == {"choice": ["too_many_choices"]}


def test_an_election_with_a_tie_for_the_last_seat_opens_a_runoff_that_decides_it(cg):
    cg.delegates(TEN)
    session = cg.convened_with(TEN)
    poll = cg.open(election(cg, session))
    # candidate 1 on eight ballots; candidates 2 and 3 six each: both over half, tied for one seat
    ballots = [[2, 3]] * 2 + [[1, 2]] * 4 + [[1, 3]] * 4
    for m, choice in zip(TEN, ballots):
        cg.cast(poll, m, choice)
    closed = cg.close(poll)
    result = closed["result"]
    assert result["winners"] == [1] and result["runoff"] == {"candidates": [2, 3], "seats": 1}
    [decided] = cg.events("congress.election_decided")
    assert [w["member_id"] for w in decided["winners"]] == [301] and decided["runoff_poll_id"]
    runoff = cg.open({"id": decided["runoff_poll_id"]})
    assert [o["member_id"] for o in runoff["options"]] == [302, 303] and runoff["seats"] == 1
    for m in TEN:
        cg.cast(runoff, m, [2] if m < 307 else [3])      # candidates keep their numbers in a runoff
    second = cg.close(runoff)["result"]
    assert second["decided"] and second["winners"] == [2]
    assert cg.events("congress.election_decided")[1]["winners"][0]["member_id"] == 302


def test_a_candidate_without_more_than_half_of_the_ballots_is_not_elected(cg):
    cg.delegates(TEN)
    session = cg.convened_with(TEN)
    poll = cg.open(election(cg, session, seats=1))
    for m, choice in zip(TEN, [[1]] * 5 + [[2]] * 4 + [[]]):
        cg.cast(poll, m, choice)
    result = cg.close(poll)["result"]
    assert result["winners"] == [] and result["unfilled"] == 1 and result["blank"] == 1


def test_a_rating_gives_each_person_a_distribution_and_a_satisfaction_rate_exported_for_pay(cg):
    cg.delegates(TEN)
    session = cg.convened_with(TEN)
    data = load(s.EvaluationCreateSchema, {"title": "中层干部述职测评", "subjects": [
        {"name": "张主任", "post": "教务主任"}, {"name": "王主任", "post": "总务主任"}]})
    poll = cg.open(cg.run(elections.create_evaluation, S1, session["id"], data))
    with pytest.raises(ValidationFailed):
        cg.cast(poll, TEN[0], {"1": "excellent"})
    grades = ["excellent"] * 4 + ["competent"] * 4 + ["basically_competent", "incompetent"]
    for m, g in zip(TEN, grades):
        cg.cast(poll, m, {"1": g, "2": "competent"})
    result = cg.close(poll)["result"]
    zhang, wang = result["subjects"]
    assert zhang["counts"] == {"excellent": 4, "competent": 4, "basically_competent": 1, "incompetent": 1}
    assert zhang["satisfaction_rate"] == 80.0 and wang["satisfaction_rate"] == 100.0
    assert cg.events("congress.evaluation_decided")[0]["subjects"][0]["excellent_rate"] == 40.0
    with cg.read() as session_:
        exported = elections.evaluation_export(session_, poll["id"], "xlsx")
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(base64.b64decode(exported["content_b64"]))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("姓名", "职务", "优秀", "称职", "基本称职", "不称职")
    assert rows[1][:2] == ("张主任", "教务主任") and rows[1][6:] == (10, 80.0, 40.0)
