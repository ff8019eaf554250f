"""教代会档案 (C30): a school year's congress files compiled from the records, what is missing named,
submitted to the district in revisions, and the district's view of who submitted."""
from __future__ import annotations

from datetime import date

import pytest

from services.congress import archive, disclosure, meetings, proposals
from services.congress import schemas as s
from services.congress.common import today
from services.congress.orm import ArchiveFiling, KnownSchool
from shared.errors import Conflict
from shared.validation import load

from .support import S1, S2, None_ctx

YEAR = 2026          # the support's sitting day (2026-11-20) falls in the 2026—2027 school year


def _year_of_work(cg):
    cg.delegates([1, 2, 3])
    now = str(today())                                  # the intake window is checked against the clock
    session = cg.convened_with([1, 2, 3], proposals_open_on=now, proposals_close_on=now)
    p = cg.run(proposals.submit, S1, session["id"], {"title": "增设教工活动室", "content": "…", "cosigners": [2, 3],
                                                     "submitter_member_id": 1}, None_ctx())
    cg.run(proposals.review, p["id"], {"decision": "register"})        # registered: a reply is owed
    for month in (9, 11):
        cg.run(disclosure.publish, S1, {"category": "finance", "title": f"{month}月财务公开", "body": "…",
                                        "published_on": date(2026, month, 5)})
    cg.run(disclosure.publish, S1, {"category": "finance", "title": "上学年", "body": "…",
                                    "published_on": date(2026, 8, 5)})          # the school year before
    return session


def test_the_archive_compiles_the_school_years_records_and_names_what_is_missing(cg):
    session = _year_of_work(cg)
    with cg.read() as read:
        got = archive.compile_archive(read, S1, YEAR)
    [held] = got["sessions"]
    assert held["session_id"] == session["id"] and held["held"] and held["label"] == "八届五次"
    assert held["proposals"]["proposals"] == 1 and held["proposals"]["replied"] == 0
    assert got["disclosures"]["notices"] == 2 and "2026-10" in got["disclosures"]["months_missing"]
    assert got["missing"] == ["no_delegate_training", "replies_outstanding", "disclosure_months_missing"]
    assert got["missing_labels"][0] == "本学年未开展代表培训" and got["ready"]
    cg.run(meetings.record, S1, load(s.MeetingCreateSchema, {"kind": "delegate_training", "title": "代表培训",
                                                              "held_on": "2026-10-12", "attendee_ids": [1]}))
    with cg.read() as read:
        got = archive.compile_archive(read, S1, YEAR)
        earlier = archive.compile_archive(read, S1, YEAR - 1)
    assert "no_delegate_training" not in got["missing"] and got["meetings"][0]["kind_label"] == "代表培训"
    assert earlier["sessions"] == [] and not earlier["ready"] and earlier["disclosures"]["notices"] == 1


def test_it_is_submitted_in_revisions_and_each_submission_is_announced(cg):
    _year_of_work(cg)
    first = cg.run(archive.submit, S1, YEAR)
    assert (first["revision"], first["contents"]["school_year"]) == (1, YEAR)
    again = cg.run(archive.submit, S1, YEAR)
    assert again["id"] == first["id"] and again["revision"] == 2
    assert [e["revision"] for e in cg.events("congress.archive_submitted")] == [1, 2]
    assert len(cg.all(ArchiveFiling)) == 1


def test_a_school_year_without_a_session_held_cannot_be_submitted(cg):
    cg.delegates([1, 2, 3])
    cg.session()                                         # planned, not convened
    with pytest.raises(Conflict) as exc:
        cg.run(archive.submit, S1, YEAR)
    assert exc.value.code == "no_session_this_school_year"
    assert cg.all(ArchiveFiling) == [] and cg.events("congress.archive_submitted") == []


def test_the_district_sees_who_submitted_and_reads_one_schools_filing(cg):
    with cg.uow(None, role="district_admin") as uow:
        uow.session.add_all([KnownSchool(code=S1, name="一小", active=True), KnownSchool(code=S2, name="二中", active=True)])
        uow.commit()
    _year_of_work(cg)
    cg.run(archive.submit, S1, YEAR)
    with cg.read(None) as read:
        everyone = archive.district_view(read, YEAR, None)
        one = archive.district_view(read, YEAR, S1)
    assert [(i["school"], i["revision"]) for i in everyone["items"]] == [(S1, 1), (S2, 0)]
    assert everyone["not_submitted"] == [S2] and "contents" not in everyone["items"][0]
    assert one["items"][0]["contents"]["sessions"][0]["label"] == "八届五次" and one["not_submitted"] == []
