"""The CLI speaks --lang, else TELEKPI_LANG, else the workspace's locale; JSON stays raw."""

from __future__ import annotations

import json

from telekpi.i18n.catalogs import translations


def test_lang_translates_tables_not_json(tiny_db, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "240")   # wide enough that no name is wrapped over two lines
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


def test_periods_in_tables_are_dates_the_local_way(tiny_db, run):
    """tiny_db's calls fall in January and February 2026."""
    want = {("vi", "month"): "01/2026", ("zh_Hans", "month"): "2026年1月", ("en", "month"): "Jan 2026",
            ("vi", "day"): "/01/2026", ("zh_Hant", "quarter"): "2026年第1季", ("th", "year"): "2026",
            ("en", "week"): "2026-01-"}
    for (lang, period), text in want.items():
        code, out, err = run("--db", tiny_db, "--lang", lang, "kpi", "calls", "--period", period)
        assert code == 0 and text in out, (lang, period, out)
    code, out, _ = run("--db", tiny_db, "--lang", "vi", "kpi", "calls", "--period", "month", "--format", "csv")
    assert "2026-01-01" in out                                          # CSV keeps ISO dates


def test_bad_languages_are_one_sentence(tiny_db, run):
    code, out, err = run("--db", tiny_db, "--lang", "fr", "metrics")
    assert code == 2 and "--lang 'fr'" in err and "en, vi, th, zh_Hans, zh_Hant" in err
    (tiny_db.parent / "telekpi.toml").write_text('locale = "fr"\n')
    code, out, err = run("--db", tiny_db, "kpi", "calls")
    assert code == 2 and "telekpi.toml" in err and "locale" in err and "Traceback" not in err


def test_errors_and_quarantine_reasons_speak_the_language(tiny_db, run):
    """Bad usage, a bad file's location and each quarantined row's reason, in vi and th."""
    from telekpi.i18n import _, language

    def said(lang: str, msgid: str, **values) -> str:
        with language(lang):
            text = _(msgid).format(**values)
        assert text != msgid.format(**values), f"{msgid!r} has no {lang} translation"
        return text

    code, out, err = run("--db", tiny_db, "--lang", "vi", "kpi", "calls", "--from", "31/01/2026")
    assert code == 2 and said("vi", "{name} {value} is not a date; expected YYYY-MM-DD",
                              name="--from", value="'31/01/2026'") in err
    bad = tiny_db.parent / "calls.csv"
    bad.write_text("call_id,started_at,status,talk_s\nx1,2026-03-01 09:00:00,answered,-5\n"
                   "x2,yesterday,answered,10\n", encoding="utf-8")
    code, out, err = run("--db", tiny_db, "--lang", "th", "import", "calls", str(bad))
    assert code == 1, err   # every row quarantined: nothing imported (docs/import.md, exit status)
    code, out, err = run("--db", tiny_db, "--lang", "th", "quarantine")
    assert said("th", "{column}: {value} is negative", column="talk_s", value="'-5'") in out.replace("\n", "")
    assert "is not" not in out and "negative" not in out
    code, out, err = run("--db", tiny_db, "--lang", "vi", "kpi", "nope")
    assert code == 2 and said("vi", "unknown metric {value}; {catalog} lists the ids",
                              value="'nope'", catalog="`telekpi metrics`") in err


def test_help_speaks_the_language(tiny_db, run, monkeypatch):
    """Each command's and option's --help text comes from the catalog; Click's own
    framing words (Usage, Options) stay as Click writes them."""
    from telekpi.cli.app import root_command
    from telekpi.cli.help_text import texts

    vi, th = translations("vi"), translations("th")
    kpi = next(t for t in texts(root_command()) if t.startswith("Compute KPIs"))
    where = next(t for t in texts(root_command()) if t.startswith("Warehouse file"))
    code, out, _ = run("--db", tiny_db, "--lang", "vi", "kpi", "--help")
    assert code == 0 and vi.gettext(kpi).split("\n")[0] in out and kpi not in out
    code, out, _ = run("kpi", "--help", "--lang", "vi")               # --lang after the command
    assert vi.gettext(kpi).split("\n")[0] in out
    monkeypatch.setenv("TELEKPI_LANG", "th")
    code, out, _ = run("--help")                                       # before any callback runs
    assert code == 0 and " ".join(th.gettext(where).split()[:2]) in " ".join(out.split())
    code, out, _ = run("--lang", "en", "kpi", "--help")                # and back, in one process
    assert kpi.split("\n")[0] in out
