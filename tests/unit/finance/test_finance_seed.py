"""The demo seeding gives every demo school a budget and a few entries, once."""
from __future__ import annotations

from sqlalchemy import func, select

from services.finance.orm import Budget, DirectoryMember, Entry, KnownSchool
from services.finance.plugin import plugin
from services.finance.seed import seed_demo
from shared.runtime import Runtime
from shared.settings import Settings


def test_seeding_twice_adds_nothing_the_second_time(engine, fin):
    runtime = Runtime(Settings(db_overrides={"finance": str(engine.url)}, secret_key="k"), {"finance": plugin})
    member = {"id": 7, "school": "XQ-SY", "person_key": "k7", "name": "王芳", "gender": "female",
              "birth_date": "1980-01-01", "category": "teacher", "status": "active", "version": 1}
    context = {"schools": ["XQ-SY", "XQ-ZX"], "members": {"XQ-SY": [member]}}
    seed_demo(runtime, context)
    seed_demo(runtime, {"schools": ["XQ-SY", "XQ-ZX"]})
    runtime.close()
    with fin.read(None) as session:
        assert session.scalar(select(func.count()).select_from(Budget)) == 10
        assert session.scalar(select(func.count()).select_from(Entry)) == 6
        assert session.scalar(select(func.count()).select_from(KnownSchool)) == 2
        assert session.get(DirectoryMember, 7).name == "王芳"
    assert fin.verify("XQ-SY")["valid"] and fin.verify("XQ-ZX")["entries"] == 3
