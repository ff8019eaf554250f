"""The congress demo data: seeded from membership's snapshots, and only once."""
from __future__ import annotations

from sqlalchemy import func, select

from services.congress.orm import Base, CongressSession, Delegate, Notice, Proposal
from services.congress.seed import seed_demo
from shared.plugins import discover
from shared.runtime import Runtime

from .support import snapshot


class Settings:
    def __init__(self, url):
        self.url = url

    def database_for(self, plugin):
        return self.url


def test_the_demo_gives_each_school_delegates_a_session_a_proposal_and_notices_once(tmp_path, sqlite_schema):
    engine = sqlite_schema(Base.metadata, "demo.db")
    runtime = Runtime(Settings(str(engine.url)), discover(["congress"]))
    members = [snapshot(i, "XQ-SY", category="teacher" if i % 4 else "staff") for i in range(1, 41)]
    context = {"schools": ["XQ-SY"], "members": {"XQ-SY": members}}
    seed_demo(runtime, context)
    seed_demo(runtime, {"schools": ["XQ-SY"], "members": {"XQ-SY": members}})
    with engine.connect() as conn:
        count = lambda model: conn.execute(select(func.count()).select_from(model)).scalar()  # noqa: E731
        assert count(CongressSession) == 1 and count(Delegate) == 30
        assert count(Proposal) == 1 and count(Notice) == 3
    assert any("XQ-SY" in line for line in context["report"])
    runtime.close()
