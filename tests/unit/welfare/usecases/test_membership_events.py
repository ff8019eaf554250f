"""What welfare does when membership announces a change: a retirement opens a care case and
closes an approved hardship file; a transfer closes the file."""
from __future__ import annotations

from dataclasses import dataclass, field

from services.welfare import care, hardship
from services.welfare.service import WelfareService
from services.welfare.orm import DirectoryMember
from shared.directory import apply_member

from .support import OFFICER, S1, TODAY, snapshot


@dataclass
class Event:
    type: str
    payload: dict = field(default_factory=dict)
    event_id: str = "0" * 36


class Handler(WelfareService):
    """The service's hook without nameko's dependencies."""
    def __init__(self):
        pass


def changed(wf, event, snap):
    with wf.uow(S1) as uow:
        before, applied = apply_member(uow.session, DirectoryMember, snap)
        if applied:
            Handler().on_member_changed(uow, event, before, snap)
        uow.commit()


def cases(wf):
    with wf.uow(S1) as uow:
        return care.list_cases(uow, S1, {"page": 1, "page_size": 50, "kind": "retirement"}, OFFICER)["items"]


def test_a_retirement_opens_a_retirement_case(wf):
    changed(wf, Event("membership.member_retired", {"retired_on": "2026-05-01"}, "a" * 36),
            snapshot(S1, 2, "李明", gender="male", status="retired", version=2))
    (case,) = cases(wf)
    assert case["member_id"] == 2 and case["occurred_on"].isoformat() == "2026-05-01"


def test_an_update_of_a_retiree_opens_nothing_more(wf):
    changed(wf, Event("membership.member_retired", {"retired_on": "2026-05-01"}, "a" * 36),
            snapshot(S1, 2, "李明", status="retired", version=2))
    changed(wf, Event("membership.member_updated", {}, "b" * 36), snapshot(S1, 2, "李明", status="retired", version=3))
    assert len(cases(wf)) == 1


def test_a_member_admitted_as_a_retiree_opens_nothing(wf):
    changed(wf, Event("membership.member_admitted", {}, "c" * 36), snapshot(S1, 20, "老王", status="retired"))
    assert cases(wf) == []


def test_a_transfer_closes_the_members_approved_file(wf):
    from services.welfare.orm import HardshipFile
    with wf.uow(S1) as uow:
        uow.session.add(HardshipFile(school=S1, member_id=1, member_name="王芳", household=[], category="extreme",
                                     situation="x", status="approved", applied_on=TODAY, approved_on=TODAY))
        uow.commit()
    changed(wf, Event("membership.member_transferred", {}, "d" * 36),
            snapshot(S1, 1, "王芳", status="transferred_out", version=2))
    with wf.read(S1) as session:
        (f,) = hardship.search(session, {"page": 1, "page_size": 5}, TODAY)["items"]
    assert f["status"] == "closed" and f["close_reason"] == "transfer"
