"""User-facing messages (shared/i18n.py): zh-CN first, English on request."""
from __future__ import annotations

import pytest

from shared import i18n
from shared.plugins import discover


@pytest.fixture(autouse=True)
def own_catalogue(monkeypatch):
    """Registrations in these tests stay in these tests."""
    monkeypatch.setattr(i18n, "_catalogue", dict(i18n._catalogue))


@pytest.mark.parametrize("header,language", [
    (None, "zh-CN"),
    ("", "zh-CN"),
    ("en", "en"),
    ("en-US,en;q=0.9", "en"),
    ("EN-gb", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    ("zh-TW", "zh-CN"),
    ("fr-FR, en;q=0.5", "en"),
    ("fr-FR, de;q=0.5", "zh-CN"),
    ("*", "zh-CN"),
])
def test_pick_language_takes_the_first_supported_language_of_accept_language(header, language):
    assert i18n.pick_language(header) == language


def test_render_fills_the_template_with_params_in_the_requested_language():
    assert i18n.render("payload_too_large", "en", {"limit": 1024}) == "Request body too large (limit 1024 bytes)"
    assert i18n.render("payload_too_large", "zh-CN", {"limit": 1024}) == "请求体过大（上限 1024 字节）"


def test_render_defaults_to_chinese():
    assert i18n.render("not_found") == "未找到"


def test_a_code_without_the_requested_language_falls_back_to_chinese():
    i18n.register({"kit_only_zh": {"zh-CN": "仅中文"}})
    assert i18n.render("kit_only_zh", "en") == "仅中文"


def test_an_unsupported_language_falls_back_to_chinese():
    assert i18n.render("not_found", "fr") == "未找到"


def test_an_unknown_code_renders_as_the_code_itself():
    assert i18n.render("no_such_code", "en") == "no_such_code"
    assert not i18n.known("no_such_code")


def test_a_template_whose_params_are_missing_renders_unfilled_rather_than_failing():
    assert i18n.render("too_many_requests", "en") == "Too many attempts; retry in {retry_after} s"
    assert i18n.render("too_many_requests", "en", {"other": 1}) == "Too many attempts; retry in {retry_after} s"


def test_registered_codes_become_known_and_renderable():
    i18n.register({"proposal_closed": {"zh-CN": "提案已关闭", "en": "The proposal is closed"}})
    assert i18n.known("proposal_closed")
    assert i18n.render("proposal_closed", "en") == "The proposal is closed"


def test_the_same_code_registered_twice_with_the_same_texts_is_accepted():
    texts = {"zh-CN": "提案已关闭", "en": "The proposal is closed"}
    i18n.register({"proposal_closed": texts})
    i18n.register({"proposal_closed": dict(texts)})
    assert i18n.render("proposal_closed") == "提案已关闭"


def test_the_same_code_registered_twice_with_different_texts_fails_loudly():
    i18n.register({"proposal_closed": {"zh-CN": "提案已关闭", "en": "The proposal is closed"}})
    with pytest.raises(ValueError, match="proposal_closed"):
        i18n.register({"proposal_closed": {"zh-CN": "提案已结束", "en": "The proposal is closed"}})
    assert i18n.render("proposal_closed") == "提案已关闭"


def test_redefining_a_kit_code_fails_loudly():
    with pytest.raises(ValueError):
        i18n.register({"required": {"zh-CN": "必须填写", "en": "Required"}})


def test_every_installed_plugins_catalogue_registers_without_conflict():
    for plugin in discover().values():
        i18n.register(plugin.messages)
        for code, texts in plugin.messages.items():
            assert set(texts) == set(i18n.LANGUAGES), code
