"""Sessions, quorum and secret-ballot motions as the service runs them, on SQLite."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from services.congress import delegates, polls, resolutions, sessions
from services.congress.orm import Ballot, Delegate, PollVoter, Resolution
from shared.errors import Conflict, Forbidden, ValidationFailed

from .support import S1, S2

NINE = list(range(101, 110))


def test_a_session_is_numbered_and_has_sittings_and_a_typed_agenda(cg):
    s = cg.session(sitting_dates=["2026-03-31", "2026-04-07"], term_no=9, session_no=1)
    assert s["label"] == "九届一次" and len(s["sittings"]) == 2
    assert s["agenda"][0]["power"] == "deliberate_approve" and s["agenda"][0]["power_label"] == "审议通过"
    assert s["school_year"] == 2025


def test_the_same_term_and_session_number_cannot_be_prepared_twice(cg):
    cg.session()
    with pytest.raises(Conflict) as exc:
        cg.session()
    assert exc.value.code == "congress_session_exists"


def test_a_vote_cannot_open_without_two_thirds_of_all_delegates_present(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE[:5])
    motion = cg.motion(s)
    with pytest.raises(Conflict) as exc:
        cg.open(motion)
    assert exc.value.code == "quorum_not_met" and exc.value.params["required"] == 6
    cg.run(sessions.check_in, S1, s["id"], s["sittings"][0]["id"], {"member_id": NINE[5]},
           type("Ctx", (), {"role": "congress_officer", "member_id": None}))
    assert cg.open(motion)["status"] == "open"


def test_a_delegate_checks_in_with_the_sitting_code_only(cg):
    cg.delegates(NINE)
    s = cg.session()
    sitting = s["sittings"][0]["id"]
    with cg.read() as session:
        code = sessions.sitting_code(session, s["id"], sitting)["code"]
    ctx = type("Ctx", (), {"role": "delegate", "member_id": NINE[0]})
    with pytest.raises(ValidationFailed):
        cg.run(sessions.check_in, S1, s["id"], sitting, {"code": "xxxxxx"}, ctx)
    live = cg.run(sessions.check_in, S1, s["id"], sitting, {"code": code}, ctx)
    assert live["present"] == 1 and live["total"] == 9 and live["required"] == 6 and not live["quorate"]
    with pytest.raises(Conflict):
        cg.run(sessions.check_in, S1, s["id"], sitting, {"code": code}, ctx)
    stranger = type("Ctx", (), {"role": "member", "member_id": 999})
    with pytest.raises(Forbidden):
        cg.run(sessions.check_in, S1, s["id"], sitting, {"code": code}, stranger)


def test_a_motion_passes_with_more_than_half_of_all_delegates_and_enters_the_register(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE[:7])
    motion = cg.open(cg.motion(s))
    for m, choice in zip(NINE[:7], ["yes"] * 5 + ["no", "abstain"]):
        assert len(cg.cast(motion, m, choice)["receipt"]) == 14
    closed = cg.close(motion)
    assert closed["result"]["adopted"] is True and closed["result"]["required"] == 5
    assert closed["result"]["yes"] == 5 and closed["result"]["turnout"] == {"eligible": 9, "present": 7, "cast": 7}
    [decided] = cg.events("congress.motion_decided")
    assert decided["adopted"] and decided["yes"] == 5 and decided["resolution_id"]
    [resolution] = cg.all(Resolution)
    assert resolution.number == "八届五次决议第1号" and resolution.poll_id == motion["id"]


def test_four_yes_of_nine_delegates_is_not_adopted_even_if_nobody_says_no(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE[:6])
    motion = cg.open(cg.motion(s))
    for m in NINE[:4]:
        cg.cast(motion, m, "yes")
    assert cg.close(motion)["result"]["adopted"] is False
    assert cg.all(Resolution) == []


def test_a_second_ballot_from_the_same_delegate_is_refused_and_changes_nothing(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE[:6])
    motion = cg.open(cg.motion(s))
    cg.cast(motion, NINE[0], "yes")
    with pytest.raises(Conflict) as exc:
        cg.cast(motion, NINE[0], "no")
    assert exc.value.code == "already_voted"
    assert len(cg.all(Ballot)) == 1 and len(cg.all(PollVoter)) == 1


def test_a_non_delegate_and_another_schools_member_cannot_vote(cg):
    cg.delegates(NINE)
    cg.members([500])
    cg.members([700], school=S2)
    s = cg.convened_with(NINE[:6])
    motion = cg.open(cg.motion(s))
    with pytest.raises(Forbidden) as exc:
        cg.cast(motion, 500, "yes")
    assert exc.value.code == "not_on_roll"
    with pytest.raises(Exception):
        cg.cast(motion, 700, "yes", school=S2)       # the poll is not visible from S002
    assert cg.all(Ballot) == []


def test_a_ballot_after_close_is_refused(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE[:6])
    motion = cg.open(cg.motion(s))
    cg.close(motion)
    with pytest.raises(Conflict) as exc:
        cg.cast(motion, NINE[0], "yes")
    assert exc.value.code == "poll_not_open"


def test_an_invalid_choice_is_refused(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE[:6])
    motion = cg.open(cg.motion(s))
    with pytest.raises(ValidationFailed) as exc:
        cg.cast(motion, NINE[0], "maybe")
    assert exc.value.fields == {"choice": ["invalid_choice"]}
    assert cg.all(PollVoter) == []


def test_the_bulletin_lists_every_receipt_with_its_choice_after_close_only(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE)
    motion = cg.open(cg.motion(s))
    receipts = {m: cg.cast(motion, m, "yes" if m % 2 else "no")["receipt"] for m in NINE}
    with cg.read() as session, pytest.raises(Conflict):
        polls.bulletin(session, motion["id"])
    cg.close(motion)
    with cg.read() as session:
        board = polls.bulletin(session, motion["id"])
        mine = polls.bulletin(session, motion["id"], receipts[NINE[0]].lower())
    assert board["total"] == 9 and {i["receipt"] for i in board["items"]} == set(receipts.values())
    assert [i["receipt"] for i in board["items"]] == sorted(receipts.values())
    assert mine["items"] == [{"receipt": receipts[NINE[0]], "choice": "yes" if NINE[0] % 2 else "no"}]
    recount = sum(1 for i in board["items"] if i["choice"] == "yes")
    assert recount == 5


def test_a_delegate_who_leaves_the_union_leaves_a_vacancy_and_drops_off_the_roll(cg):
    cg.delegates(NINE)
    with cg.uow() as uow:
        delegates.vacate_for_member(uow, NINE[0], "left", date(2026, 11, 1))
        uow.commit()
    with cg.read() as session:
        listing = delegates.list_delegates(session, {"term_no": 8})
    assert listing["active"] == 8 and listing["vacancies"] == 1
    assert [d for d in cg.all(Delegate) if d.member_id == NINE[0]][0].status == "vacant"


def test_the_delegate_list_warns_when_teachers_are_below_sixty_percent(cg):
    cg.delegates([1, 2, 3], category="teacher")
    cg.delegates([4, 5, 6], category="logistics")
    with cg.read() as session:
        listing = delegates.list_delegates(session, {"term_no": 8})
    assert listing["warning"] == "teacher_share_low" and listing["teacher_share"] == 50.0


def test_an_all_staff_assembly_counts_every_in_service_member(cg):
    cg.members(range(1, 11))
    cg.members([50], status="retired")
    s = cg.convened_with(range(1, 8), mode="all_staff_assembly")
    motion = cg.open(cg.motion(s))
    assert motion["eligible"] == 10 and motion["present"] == 7


def test_results_by_constituency_never_show_a_group_smaller_than_the_minimum(cg):
    cg.delegates(range(1, 7), group=1)
    cg.delegates(range(7, 13), group=2)
    cg.delegates([13, 14], group=3)
    s = cg.convened_with(range(1, 15), min_group_size=5)
    motion = cg.open(cg.motion(s, breakdown=True))
    for m in range(1, 15):
        cg.cast(motion, m, "yes" if m < 10 else "no")
    result = cg.close(motion)["result"]
    assert all(g["n"] >= 5 for g in result["breakdown"].values())
    assert "3" not in result["breakdown"]


def test_the_stored_ballots_carry_nothing_but_poll_receipt_choice_and_bucket(cg):
    assert set(Ballot.__table__.columns.keys()) == {"school", "poll_id", "receipt", "choice", "bucket"}
    assert set(PollVoter.__table__.columns.keys()) == {"school", "poll_id", "member_id"}


def test_closing_rewrites_the_ballots_in_receipt_order(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE)
    motion = cg.open(cg.motion(s))
    for m in NINE:
        cg.cast(motion, m, "yes")
    cg.close(motion)
    with cg.engine.connect() as conn:
        from sqlalchemy import text
        stored = [r[0] for r in conn.execute(text("SELECT receipt FROM ballots ORDER BY rowid"))]
    assert stored == sorted(stored)


def test_a_whole_slate_is_registered_and_checked_in_at_once(cg):
    cg.members(NINE)
    cg.members([600], status="left")
    with pytest.raises(ValidationFailed):
        cg.run(delegates.add_delegates, S1, {"term_no": 8, "member_ids": NINE + [600]})
    added = cg.run(delegates.add_delegates, S1, {"term_no": 8, "member_ids": NINE + NINE[:2]})
    again = cg.run(delegates.add_delegates, S1, {"term_no": 8, "member_ids": NINE[:3]})
    assert added == {"term_no": 8, "added": 9, "already": 0} and again["added"] == 0 and again["already"] == 3
    s = cg.session()
    officer = type("Ctx", (), {"role": "congress_officer", "member_id": None})
    live = cg.run(sessions.check_in, S1, s["id"], s["sittings"][0]["id"], {"member_ids": NINE[:6]}, officer)
    assert live["present"] == 6 and live["quorate"]
    with pytest.raises(ValidationFailed):
        cg.run(sessions.check_in, S1, s["id"], s["sittings"][0]["id"], {"member_ids": [600]}, officer)


def test_the_school_is_warned_while_this_school_year_has_no_session(cg):
    with cg.read() as session:
        assert sessions.list_sessions(session, {})["warning"] == "no_session_this_school_year"
    s = cg.session(sitting_dates=[date.today()])
    cg.run(sessions.convene, s["id"])
    with cg.read() as session:
        listing = sessions.list_sessions(session, {})
    assert listing["warning"] is None and listing["held_this_school_year"] == 1


class _Event:
    def __init__(self, payload):
        self.payload = payload


def test_a_delegate_transferred_out_by_a_membership_event_leaves_a_vacancy(cg):
    from services.congress.service import CongressService
    cg.delegates(NINE)
    before = {"id": NINE[0], "status": "active"}
    after = {"id": NINE[0], "status": "transferred_out"}
    with cg.uow(None) as uow:
        CongressService.on_member_changed(None, uow, _Event({"transferred_on": "2026-09-01"}), before, after)
        CongressService.on_member_changed(None, uow, _Event({}), after, after)      # nothing more
        uow.commit()
        published = uow.published
    assert [e["payload"]["reason"] for e in published] == ["transferred_out"]
    assert published[0]["school"] == S1 and published[0]["payload"]["vacated_on"] == "2026-09-01"
    assert [d.status for d in cg.all(Delegate) if d.member_id == NINE[0]] == ["vacant"]


def test_a_show_of_hands_motion_is_counted_by_the_tellers_and_takes_no_ballots(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE[:7])
    motion = cg.open(cg.motion(s, secret=False))
    assert motion["secret"] is False
    with pytest.raises(Conflict) as exc:
        cg.cast(motion, NINE[0], "yes")
    assert exc.value.code == "show_of_hands_poll"
    with pytest.raises(ValidationFailed):
        cg.run(polls.record_hands, motion["id"], {"yes": 6, "no": 1, "abstain": 1})     # 8 hands, 7 present
    cg.run(polls.record_hands, motion["id"], {"yes": 5, "no": 1, "abstain": 1})
    result = cg.close(motion)["result"]
    assert result["adopted"] and result["show_of_hands"] and result["yes"] == 5


def test_a_secret_ballot_takes_no_show_of_hands(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE[:7])
    motion = cg.open(cg.motion(s))
    with pytest.raises(Conflict) as exc:
        cg.run(polls.record_hands, motion["id"], {"yes": 5, "no": 1, "abstain": 1})
    assert exc.value.code == "secret_poll_counts_ballots"


def test_a_vote_on_the_first_day_of_a_two_day_session_counts_that_days_attendance(cg):
    cg.delegates(NINE)
    s = cg.session(sitting_dates=[date.today(), date.today() + timedelta(days=7)])
    cg.run(sessions.convene, s["id"])
    officer = type("Ctx", (), {"role": "congress_officer", "member_id": None})
    first, second = (t["id"] for t in s["sittings"])
    cg.run(sessions.check_in, S1, s["id"], first, {"member_ids": NINE[:6]}, officer)
    opened = cg.open(cg.motion(s))
    assert opened["sitting_id"] == first and opened["present"] == 6
    with pytest.raises(Conflict) as exc:           # the second day has nobody checked in yet
        cg.run(polls.open_poll, S1, cg.motion(s)["id"], {"sitting_id": second})
    assert exc.value.code == "quorum_not_met"


def test_opening_a_poll_announces_the_counts_and_nobody_on_the_roll(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE[:7])
    motion = cg.open(cg.motion(s))
    [event] = cg.events("congress.poll_opened")
    assert event == {"poll_id": motion["id"], "session_id": s["id"], "school": S1, "kind": "motion",
                     "title": motion["title"], "secret": True, "sitting_id": s["sittings"][0]["id"], "eligible": 9,
                     "present": 7, "opened_on": date.today().isoformat()}


def test_the_resolution_number_is_kept_with_the_motions_result(cg):
    cg.delegates(NINE)
    s = cg.convened_with(NINE)
    motion = cg.open(cg.motion(s))
    for m in NINE:
        cg.cast(motion, m, "yes")
    cg.close(motion)
    with cg.read() as session:
        stored = polls.get_poll(session, motion["id"])["result"]
        register = resolutions.search(session, {"session_id": s["id"]})
    assert stored["resolution_id"] == register["items"][0]["id"] and register["total"] == 1


def test_a_session_is_refused_with_every_inconsistent_field_named(cg):
    from services.congress import schemas as s
    from shared.validation import load
    with pytest.raises(ValidationFailed) as exc:
        load(s.SessionCreateSchema, {"term_no": 8, "session_no": 5, "sitting_dates": ["2026-06-01", "2026-06-01",
                                                                                     "2026-09-02"],
                                     "proposals_open_on": "2026-05-10", "proposals_close_on": "2026-05-01",
                                     "quorum_rule": {"base": "votes_cast", "num": 2, "den": 3, "strict": False}})
    assert exc.value.fields == {"sitting_dates": ["duplicate_sitting_date", "sittings_span_school_years"],
                                "proposals_close_on": ["window_closes_before_it_opens"],
                                "quorum_rule.base": ["quorum_counts_all_delegates"]}


def test_a_further_sitting_is_added_within_the_school_year_and_only_once_per_day(cg):
    s = cg.session(sitting_dates=["2026-03-31"], term_no=9, session_no=1)
    added = cg.run(sessions.add_sitting, S1, s["id"], {"date": date(2026, 4, 7)})
    assert [t["date"] for t in added["sittings"]] == ["2026-03-31", "2026-04-07"]
    with pytest.raises(Conflict) as exc:
        cg.run(sessions.add_sitting, S1, s["id"], {"date": date(2026, 4, 7)})
    assert exc.value.fields == {"date": ["sitting_exists"]}
    with pytest.raises(ValidationFailed) as exc:
        cg.run(sessions.add_sitting, S1, s["id"], {"date": date(2026, 9, 7)})
    assert exc.value.fields == {"date": ["sitting_outside_school_year"]}


def test_sessions_are_listed_a_page_at_a_time_newest_first(cg):
    for n in range(1, 6):
        cg.session(session_no=n)
    with cg.read() as session:
        page = sessions.list_sessions(session, {"page": 2, "page_size": 2})
    assert page["total"] == 5 and [i["session_no"] for i in page["items"]] == [3, 2]


def test_a_session_is_amended_and_its_rules_change_only_while_it_is_prepared(cg):
    s = cg.session()
    amended = cg.run(sessions.update_session, s["id"], {"central_topic": "绩效工资分配",
                                                        "pass_rule": {"base": "present", "num": 2, "den": 3,
                                                                      "strict": False}})
    assert amended["central_topic"] == "绩效工资分配" and amended["pass_rule"]["base"] == "present"
    with pytest.raises(ValidationFailed) as exc:
        cg.run(sessions.update_session, s["id"], {"proposals_open_on": date(2026, 6, 10),
                                                  "proposals_close_on": date(2026, 6, 1)})
    assert exc.value.fields == {"proposals_close_on": ["window_closes_before_it_opens"]}
    cg.run(sessions.convene, s["id"])
    with pytest.raises(Conflict) as exc:
        cg.run(sessions.update_session, s["id"], {"min_group_size": 3, "central_topic": "x"})
    assert exc.value.fields == {"min_group_size": ["congress_session_not_planned"]}
    with cg.read() as session:
        kept = sessions.get_session(session, s["id"])
    assert kept["central_topic"] == "绩效工资分配" and kept["min_group_size"] == 5
    extended = cg.run(sessions.update_session, s["id"], {"proposals_close_on": date(2026, 12, 31)})
    assert extended["proposals_close_on"] == "2026-12-31"
