"""Every user-visible message has a translation in every language, with the same
placeholders; languages are chosen from tags and headers as people and browsers send them."""

from __future__ import annotations

import re

import pytest

from telekpi.cli.app import root_command
from telekpi.cli.help_text import texts
from telekpi.i18n import LANGS, language, negotiate, normalize, translate
from telekpi.i18n.catalogs import extract, missing, read_catalog, translations

TEMPLATE = extract(texts(root_command()))
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def test_extraction_finds_code_templates_and_the_metric_catalog():
    ids = {m.id for m in TEMPLATE if m.id}
    assert {"Headline KPIs", "Log out", "Connection rate", "within the 3 % cap", "decision maker",
            "{n} leads not called within {minutes} minutes of arriving ({ids})"} <= ids
    assert ("{n} metric", "{n} metrics") in ids


@pytest.mark.parametrize("lang", LANGS[1:])
def test_every_message_is_translated(lang):
    gaps = missing(lang, TEMPLATE)
    assert not gaps, f"{len(gaps)} messages lack a {lang} translation, e.g. {gaps[:5]}; " \
                     f"run `python scripts/i18n.py update` and translate them"


@pytest.mark.parametrize("lang", LANGS[1:])
def test_translations_keep_their_placeholders(lang):
    bad = []
    for m in read_catalog(lang):
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        want = sorted(PLACEHOLDER.findall(ids[-1]))
        bad += [(m.id, s) for s in strings if s and sorted(PLACEHOLDER.findall(s)) != want]
    assert not bad, bad[:5]


def test_no_translation_is_left_over_from_removed_messages():
    ids = {m.id for m in TEMPLATE if m.id}
    for lang in LANGS[1:]:
        stale = [m.id for m in read_catalog(lang) if m.id and m.id not in ids]
        assert not stale, (lang, stale[:5])


@pytest.mark.parametrize("tag,want", [
    ("vi-VN", "vi"), ("vi", "vi"), ("th_TH", "th"), ("zh-CN", "zh_Hans"), ("zh", "zh_Hans"),
    ("zh-Hans-SG", "zh_Hans"), ("zh-TW", "zh_Hant"), ("zh_HK", "zh_Hant"), ("zh-Hant", "zh_Hant"),
    ("en-US", "en"), ("fr", None), ("", None), (None, None),
])
def test_normalize(tag, want):
    assert normalize(tag) == want


def test_negotiate_follows_quality_then_order():
    assert negotiate("fr-FR,fr;q=0.9,vi;q=0.8,en;q=0.7") == "vi"
    assert negotiate("en;q=0.5, zh-TW;q=0.9") == "zh_Hant"
    assert negotiate("de, fr") is None and negotiate(None) is None
    assert negotiate("th;q=0, en") == "en"
    assert negotiate("vi;q=abc, th") == "th"


def test_translations_are_used_and_english_is_the_source():
    with language("vi"):
        assert translate("Log out") == translations("vi").gettext("Log out") != "Log out"
    with language("en"):
        assert translate("Log out") == "Log out"
    assert translate("a message nobody wrote") == "a message nobody wrote"
