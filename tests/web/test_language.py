"""The dashboard in each language: ?lang= (remembered), Accept-Language, else the workspace."""

from __future__ import annotations

import re
from pathlib import Path

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
    rate_en = re.search(r'data-metric="connection_rate".*?class="big"[^>]*>([^<]+)<', en, re.S).group(1)
    rate_vi = re.search(r'data-metric="connection_rate".*?class="big"[^>]*>([^<]+)<', vi, re.S).group(1)
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



def test_dates_weekdays_and_times_are_written_the_local_way(app, as_user):
    from zoneinfo import ZoneInfo

    from telekpi.engine.lookup import Lookup
    from telekpi.units import formatter

    c = as_user("boss")
    period = "from=2026-03-01&to=2026-03-31"
    assert "01/03/2026 – 31/03/2026" in c.get(f"/?{period}&lang=vi").text
    assert "2026/03/01 – 2026/03/31" in c.get(f"/funnel?{period}&lang=zh_Hant").text
    assert "2026-03-01 – 2026-03-31" in c.get(f"/?{period}&lang=en").text
    slots = c.get("/best-time?lang=th").text.split('<table class="slots"')[1]   # the demo's month
    thai_days = [formatter("th").weekday(d) for d in range(1, 8)]
    assert any(f"<td>{d}</td>" in slots for d in thai_days) and "<td>Mon</td>" not in slots
    with app.state.web.workspace.session() as engine:
        call = Lookup(engine).recent_calls("A003", 1).rows[0]["started_at"]
    local = call.astimezone(ZoneInfo(app.state.web.workspace.settings.timezone))
    assert local.strftime("%d/%m/%Y %H:%M") in c.get("/agents/A003?lang=vi").text


def test_times_are_shown_in_workspace_time():
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from fastapi.templating import Jinja2Templates

    import telekpi.web
    from telekpi.settings import Settings
    from telekpi.web.pages import setup_templates

    templates = Jinja2Templates(directory=str(Path(telekpi.web.__file__).parent / "templates"))
    setup_templates(templates, SimpleNamespace(settings=Settings(timezone="Asia/Bangkok"), catalog=None))
    shown = templates.env.filters["timestamp"]
    utc = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)      # 00:30 on 1 April in Bangkok
    with language("th"):
        assert shown(utc) == shown(utc.isoformat()) == shown(utc.timestamp()) == "01/04/2026 00:30"
    with language("en"):
        assert shown(datetime(2026, 4, 1, 0, 30)) == "2026-04-01 00:30"    # naive: already local
