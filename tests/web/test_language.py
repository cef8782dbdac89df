"""The dashboard in each language: ?lang= (remembered), Accept-Language, else the workspace."""

from __future__ import annotations

import re

import pytest

from telekpi.i18n import LANGS, language, translate
from telekpi.i18n.catalogs import translations


def words(lang: str, *messages: str) -> list[str]:
    return [translations(lang).gettext(m) for m in messages]


@pytest.mark.parametrize("lang", LANGS)
def test_accept_language_picks_the_language(as_user, lang):
    c = as_user("boss")
    tag = {"zh_Hans": "zh-CN", "zh_Hant": "zh-TW"}.get(lang, lang)
    r = c.get("/", headers={"Accept-Language": f"{tag},en;q=0.5"})
    assert r.status_code == 200
    assert f'<html lang="{lang.replace("_", "-")}">' in r.text
    overview, logout = words(lang, "Overview", "Log out") if lang != "en" else ("Overview", "Log out")
    assert f">{overview}<" in r.text and logout in r.text
    name = translations(lang).gettext("Connection rate") if lang != "en" else "Connection rate"
    assert name in r.text                                  # metric names from the catalog too


def test_lang_parameter_is_remembered_and_keeps_the_view(as_user):
    c = as_user("boss")
    r = c.get("/agents?group=team&lang=th", headers={"Accept-Language": "vi"})
    assert '<html lang="th">' in r.text and "telekpi_lang=th" in r.headers["set-cookie"]
    r = c.get("/funnel", headers={"Accept-Language": "vi"})
    assert '<html lang="th">' in r.text                     # the cookie beats the header
    # The switcher links keep the page's filters.
    links = re.findall(r'href="\?([^"]*lang=vi[^"]*)"', c.get("/agents?group=team&team=T1").text)
    assert links and "group=team" in links[0] and "team=T1" in links[0]


def test_numbers_follow_the_language(as_user):
    c = as_user("boss")
    en = c.get("/wallboard", headers={"Accept-Language": "en"}).text
    vi = c.get("/wallboard?lang=vi").text
    rate_en = re.search(r'data-metric="connection_rate".*?class="big">([^<]+)<', en, re.S).group(1)
    rate_vi = re.search(r'data-metric="connection_rate".*?class="big">([^<]+)<', vi, re.S).group(1)
    assert rate_en.replace(".", ",") == rate_vi and "." in rate_en


def test_unknown_languages_fall_back_to_the_workspace_locale(as_user):
    c = as_user("boss")
    r = c.get("/?lang=klingon", headers={"Accept-Language": "de-DE, fr"})
    assert '<html lang="en">' in r.text and "telekpi_lang" not in r.headers.get("set-cookie", "")


def test_errors_are_translated_pages_too(as_user):
    c = as_user("boss")
    r = c.get("/agents/NOBODY?lang=vi")
    assert r.status_code == 404 and words("vi", "Back to the overview")[0] in r.text


def test_charts_are_labelled_in_the_language(as_user):
    c = as_user("boss")
    r = c.get("/funnel?lang=zh_Hant")
    with language("zh_Hant"):
        assert translate("decision maker") in r.text and translate("Lead funnel") in r.text
