"""Demo seeding puts the demo members into welfare's directory and adds its demo cases once."""
from __future__ import annotations

from sqlalchemy import func, select

from services.welfare.orm import CareCase, DirectoryMember, RetireeCareRecord
from services.welfare.seed import seed_demo

from .support import S1, snapshot


class FakeRuntime:
    def __init__(self, wf):
        self.wf = wf

    def unit_of_work(self, plugin, *, school=None, actor="system"):
        assert plugin == "welfare"
        return self.wf.uow(school)


def counts(wf):
    with wf.read(None) as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) for t in (DirectoryMember, CareCase,
                                                                                   RetireeCareRecord))


def test_seeding_twice_adds_the_demo_members_and_cases_once(wf):
    members = {S1: [snapshot(S1, 100, "演示甲"), snapshot(S1, 101, "演示乙", status="retired")]}
    before = counts(wf)
    context = {"members": members}
    seed_demo(FakeRuntime(wf), context)
    once = counts(wf)
    assert once == (before[0] + 2, before[1] + 1, before[2] + 1)
    assert "welfare: 2 members in the directory" in context["report"]
    seed_demo(FakeRuntime(wf), {"members": members})
    seed_demo(FakeRuntime(wf), {})
    assert counts(wf) == once
