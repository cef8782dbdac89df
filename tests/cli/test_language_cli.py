"""The CLI speaks --lang, else TELEKPI_LANG, else the workspace's locale; JSON stays raw."""

from __future__ import annotations

import json

from telekpi.i18n.catalogs import translations


def test_lang_translates_tables_not_json(tiny_db, run):
    code, out, err = run("--db", tiny_db, "--lang", "vi", "metrics")
    assert code == 0, err
    assert translations("vi").gettext("Connection rate") in out
    code, out, err = run("--db", tiny_db, "metrics", "--lang", "vi", "--format", "json")
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["connection_rate"]["name"] == "Connection rate"       # JSON keeps the catalog's words
    code, out, _ = run("--db", tiny_db, "kpi", "connection_rate", "--lang", "vi", "--format", "json")
    assert json.loads(out)["rows"][0]["connection_rate"] == 0.5


def test_workspace_locale_and_env(tiny_db, run, monkeypatch):
    (tiny_db.parent / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\nlocale = "th"\n')
    code, out, err = run("--db", tiny_db, "funnel")
    assert code == 0, err
    assert translations("th").gettext("Lead funnel") in out
    monkeypatch.setenv("TELEKPI_LANG", "zh-TW")
    code, out, err = run("--db", tiny_db, "funnel")
    assert translations("zh_Hant").gettext("Lead funnel") in out
    code, out, err = run("--db", tiny_db, "--lang", "en", "funnel")
    assert "Lead funnel" in out


def test_numbers_in_tables_follow_the_language(tiny_db, run):
    code, out, _ = run("--db", tiny_db, "--lang", "vi", "kpi", "connection_rate")
    assert "50,0%" in out
    code, out, _ = run("--db", tiny_db, "kpi", "connection_rate")
    assert "50.0%" in out


def test_bad_languages_are_one_sentence(tiny_db, run):
    code, out, err = run("--db", tiny_db, "--lang", "fr", "metrics")
    assert code == 2 and "--lang 'fr'" in err and "en, vi, th, zh_Hans, zh_Hant" in err
    (tiny_db.parent / "telekpi.toml").write_text('locale = "fr"\n')
    code, out, err = run("--db", tiny_db, "kpi", "calls")
    assert code == 2 and "telekpi.toml" in err and "locale" in err and "Traceback" not in err
