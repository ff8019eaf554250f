"""Every error code the congress can answer with has a message in both languages."""
from __future__ import annotations

import re
from pathlib import Path

from services.congress.domain.errors import MESSAGES
from services.gateway.plugin import plugin as gateway
from shared.i18n import KIT_MESSAGES

SOURCE = Path(__file__).resolve().parents[3] / "services" / "congress"
RAISED = re.compile(r'(?:Conflict|Forbidden|NotFound|ValidationFailed|ValidationError)\(\s*"([a-z_]+)"')


def test_every_code_the_congress_raises_has_a_message_in_both_languages():
    catalogue = {**KIT_MESSAGES, **gateway.messages, **MESSAGES}
    raised = set(RAISED.findall("\n".join(p.read_text() for p in SOURCE.rglob("*.py"))))
    assert raised, "the scan found no error codes"
    missing = sorted(c for c in raised if c not in catalogue)
    assert missing == []
    for code, text in MESSAGES.items():
        assert text.get("zh-CN") and text.get("en"), code


def test_every_field_code_the_congress_names_has_a_message():
    catalogue = {**KIT_MESSAGES, **gateway.messages, **MESSAGES}
    text = "\n".join(p.read_text() for p in SOURCE.rglob("*.py"))
    named = set(re.findall(r'fields=\{[^}]*?\[\s*"([a-z_]+)"', text)) | set(re.findall(r'refuse\("\w+", "([a-z_]+)"\)',
                                                                                        text))
    named |= set(re.findall(r'errors(?:\.setdefault\("\w+", \[\]\)\.append\(|\["[\w.]+"\] = \[)"([a-z_]+)"', text))
    assert {"candidate_not_in_constituency", "quorum_counts_all_delegates", "sitting_exists"} <= named
    assert sorted(c for c in named if c not in catalogue) == []
