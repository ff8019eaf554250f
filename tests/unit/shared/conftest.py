"""Fixtures of the platform-kit tests: a SQLite file holding the tiny schema of ``kit_schema``."""
from __future__ import annotations

import pytest

from kit_schema import Base, Comment, Note, Region
from shared.db import TenantSessionFactory


@pytest.fixture
def engine(sqlite_schema):
    return sqlite_schema(Base.metadata, "kit.db")


@pytest.fixture
def sessions(engine):
    return TenantSessionFactory(engine)


@pytest.fixture
def seeded(sessions):
    """Notes A1, A2 (school A) and B1 (school B), each with one comment; returns their ids by title."""
    with sessions(None) as district:
        notes = {title: Note(school=title[0], title=title) for title in ("A1", "A2", "B1")}
        district.add_all(notes.values())
        district.flush()
        district.add_all(Comment(school=n.school, note_id=n.id, text=f"on {t}") for t, n in notes.items())
        district.add(Region(code="R1"))
        district.commit()
        return {t: n.id for t, n in notes.items()}
