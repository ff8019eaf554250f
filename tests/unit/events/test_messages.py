"""Every error code the events service raises has its zh-CN and English message, and its
catalogue sits with every other plugin's without redefining one of their codes."""
import re
from pathlib import Path

from services.events.messages import MESSAGES
from shared import i18n
from shared.plugins import discover

SOURCE = Path(__file__).resolve().parents[3] / "services" / "events"
RAISED = re.compile(r'(?:Error|Failed|Conflict|NotFound|Forbidden|Unavailable)\(\s*"([a-z_]+)"')
FIELD = re.compile(r'(?:[:=]\s*\[|\.append\()"([a-z_]+)"')     # {field: ["code"]}, errors.append("code")


def codes_in_source() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        found |= set(RAISED.findall(text))
        found |= {c for c in FIELD.findall(text) if "_" in c}
    return found


def test_every_code_the_service_raises_has_a_message_in_both_languages():
    for plugin in discover().values():
        i18n.register(plugin.messages)           # raises if two plugins define one code differently
    codes = codes_in_source()
    assert {"leader_not_on_committee", "linked_record_not_found", "already_registered"} <= codes
    unknown = sorted(c for c in codes if not i18n.known(c))
    assert unknown == []
    for code, texts in MESSAGES.items():
        assert texts.get("zh-CN") and texts.get("en"), code
