"""`telekpi report -o FILE.json`: the report as data. Every section, table, row and chart of
the report is there with raw numbers and units, with the scope, the previous window and
the alerts' windows; the same report gives the same bytes."""

from __future__ import annotations

import json
from datetime import date

import pytest

from telekpi.i18n import language
from telekpi.reports.build import build_report
from telekpi.reports.model import Report
from telekpi.reports.write import write_report

from .conftest import END, START

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)


@pytest.fixture(scope="module")
def reports(centre) -> dict[str, Report]:
    from telekpi.engine.engine import Engine

    e = Engine.open(centre)
    try:
        out = {}
        for lang in ("en", "vi"):
            with language(lang):
                out[lang] = build_report(e, START, END, where=(("team", "T3"), ("team", "T5")))
        return out
    finally:
        e.close()


def data_of(report: Report, path) -> dict:
    return json.loads(write_report(report, path).read_text(encoding="utf-8"))


def test_every_section_table_row_and_chart_is_there_as_numbers(reports, tmp_path):
    r = reports["en"]
    d = data_of(r, tmp_path / "r.json")
    assert [s["id"] for s in d["sections"]] == [s.id for s in r.sections]
    for s, ds in zip(r.sections, d["sections"], strict=True):
        assert (ds["title"], ds["paragraphs"]) == (s.title, s.paragraphs)
        assert [t["id"] for t in ds["tables"]] == [t.id for t in s.tables]
        for t, dt in zip(s.tables, ds["tables"], strict=True):
            assert [c["key"] for c in dt["columns"]] == [c.key for c in t.columns]
            assert [c["unit"] for c in dt["columns"]] == [c.unit for c in t.columns]
            assert len(dt["rows"]) == len(t.rows), t.id
            for row, drow in zip(t.rows, dt["rows"], strict=True):
                for k, v in row.items():
                    assert drow[k] == (v.isoformat() if isinstance(v, date) else v), (t.id, k)
        assert [c["id"] for c in ds["charts"]] == [c.id for c in s.charts]
        for c, dc in zip(s.charts, ds["charts"], strict=True):
            assert [x["values"] for x in dc["series"]] == list(c.series.values())
            assert dc["categories"] == list(c.categories) and dc["unit"] == c.unit
    calls = next(x for x in d["sections"][0]["tables"][0]["rows"] if x["id"] == "calls")
    assert isinstance(calls["value"], int) and calls["unit"] == "count"
    assert calls["value"] == r.table("headline").rows[0]["value"]


def test_scope_previous_window_and_what_the_report_is(reports, tmp_path):
    d = data_of(reports["en"], tmp_path / "r.json")
    assert {k: d[k] for k in ("title", "language", "currency", "timezone")} == {
        "title": "Telesales performance report", "language": "en", "currency": "VND",
        "timezone": "Asia/Ho_Chi_Minh"}
    assert d["scope"] == {"from": "2026-11-01", "to": "2026-11-20", "days": 20,
                          "words": "Nov 1\u2009–\u200920, 2026", "where": {"team": ["T3", "T5"]}}
    assert d["previous_window"] == {"from": "2026-10-12", "to": "2026-10-31", "days": 20,
                                    "words": "Oct 12\u2009–\u200931, 2026"}
    assert d["versus"] == "vs Oct 12\u2009–\u200931, 2026"


def test_labels_in_the_report_s_language_numbers_and_ids_raw(reports, tmp_path):
    en, vi = data_of(reports["en"], tmp_path / "en.json"), data_of(reports["vi"], tmp_path / "vi.json")
    assert vi["language"] == "vi" and vi["previous_window"]["words"] != en["previous_window"]["words"]
    head_en, head_vi = en["sections"][0]["tables"][0], vi["sections"][0]["tables"][0]
    assert head_vi["title"] != head_en["title"]
    assert [(x["id"], x["unit"], x["value"], x["previous"]) for x in head_vi["rows"]] == \
        [(x["id"], x["unit"], x["value"], x["previous"]) for x in head_en["rows"]]


def test_the_alerts_carry_their_window(reports, tmp_path):
    d = data_of(reports["en"], tmp_path / "r.json")
    alerts = next(s for s in d["sections"] if s["id"] == "alerts")["tables"][0]["rows"]
    drops = [a for a in alerts if a["previous_from"]]
    assert alerts and drops, "the T3/T5 report of 1–20 November fires alerts, a drop among them"
    for a in alerts:
        assert (a["from"], a["to"]) == ("2026-11-01", "2026-11-20")
        assert a["unit"] and isinstance(a["value"], (int, float))
    for a in drops:
        assert (a["previous_from"], a["previous_to"]) == ("2026-10-12", "2026-10-31")


def test_the_same_report_gives_the_same_bytes(reports, tmp_path):
    a = write_report(reports["vi"], tmp_path / "a.json").read_bytes()
    b = write_report(reports["vi"], tmp_path / "b.json").read_bytes()
    assert a == b and "Tỷ lệ".encode() in a       # UTF-8 text, not \\u escapes


def test_report_cli_writes_json(centre, tmp_path, run):
    code, out, err = run("--db", centre, "report", "-o", tmp_path / "r.json", "--from", "2026-11-01",
                         "--to", "2026-11-30", "--where", "team=T3")
    assert code == 0 and "r.json (2026-11-01 – 2026-11-30)" in out, err
    d = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert d["scope"]["where"] == {"team": ["T3"]} and d["versus"] == "vs October 2026"
    assert not list(tmp_path.glob(".r-*"))
