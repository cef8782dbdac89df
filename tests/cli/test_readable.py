"""Tables a manager can read (issue 21): metric names in the language in use as headers (ids
with --ids, and always in JSON and CSV), Thai columns aligned by display width, a scorecard
that fits 120 columns without cutting a header or wrapping a cell over four lines, and the
diagnosis naming only gaps that matter."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from wcwidth import wcswidth

from telekpi.cli.output import fit, pad, width
from telekpi.i18n.catalogs import translations

BOX = "┏┃┡│└"


def table_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line[:1] in BOX]


def test_kpi_headers_are_metric_names_in_the_language(tiny_db, run):
    vi = translations("vi").gettext
    code, out, err = run("--db", tiny_db, "--lang", "vi", "kpi", "calls", "connection_rate", "--by", "team",
                         "--ci")
    assert code == 0, err
    head = "\n".join(table_lines(out)[:4])
    assert vi("Connection rate") in head and vi("Calls") in head and vi("team").capitalize() in head
    assert "connection_rate" not in out and "_ci_" not in out
    assert "–" in out                                   # the interval in one column: "29,2% – 70,8%"
    code, out, _ = run("--db", tiny_db, "--lang", "vi", "kpi", "calls", "connection_rate", "--ids")
    assert "connection_rate" in out and vi("Connection rate") not in out
    code, out, _ = run("--db", tiny_db, "--lang", "vi", "kpi", "connection_rate", "--format", "csv")
    assert out.splitlines()[0] == "connection_rate"     # CSV keeps the ids


def test_thai_tables_and_lines_stay_aligned(tiny_db, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")   # a known width: xdist workers inherit the runner's COLUMNS
    th = translations("th").gettext
    code, out, err = run("--db", tiny_db, "--lang", "th", "kpi", "calls", "connection_rate", "aht",
                         "drop_rate", "--by", "site")
    assert code == 0, err
    assert th("Connection rate") in out
    lines = table_lines(out)
    assert len({wcswidth(line) for line in lines}) == 1, lines          # every row as wide
    code, out, err = run("--db", tiny_db, "--lang", "th", "funnel")
    assert code == 0, err
    # the stage rates are a table of their own: named in Thai, every row as wide on screen
    names = [th(n) for n in ("Contact rate", "Qualified rate", "Close rate")]
    assert all(n in out for n in names), out
    rows = [line for line in table_lines(out) if any(n in line for n in names)]
    assert len(rows) == 3 and len({wcswidth(line) for line in rows}) == 1, rows


def test_display_width_counts_marks_as_nothing_and_wide_characters_as_two():
    assert width("ผู้มีอำนาจตัดสินใจ") == 13 and width("接通率") == 6 and width("Tỷ lệ") == 5
    assert width(pad("ที่", 5)) == 5 and pad("ab", 4, right=True) == "  ab"


def test_fit_never_cuts_a_word_nor_wraps_over_three_lines():
    cols = [("Agent", ["A001"]), ("Call conversion rate", ["13.9% / 8.0% (150%)"]),
            ("Revenue", ["1,486,320,000 / 600,000,000 (150%)"])]
    assert fit(cols, 200) == []                          # fits as it is
    widths = fit(cols, 40)
    assert widths and sum(widths) <= 40
    assert widths[2] >= len("1,486,320,000") and widths[1] >= len("conversion")
    assert fit(cols, 20) is None                         # the words themselves do not fit
    # a Thai header may fold (no spaces between its words); its numbers may not
    assert fit([("อัตราการเชื่อมต่อของสายทั้งหมด", ["12.5%"])], 8) == [8]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, small_demo):
    from telekpi.cli.demo_cmd import copy_example_templates

    ws = tmp_path_factory.mktemp("readable")
    (ws / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\ncurrency = "VND"\n', encoding="utf-8")
    small_demo(ws / "telekpi.duckdb", 5)
    copy_example_templates(ws)
    return ws / "telekpi.duckdb"


@pytest.mark.parametrize("lang", ["en", "vi", "th"])
@pytest.mark.parametrize("template", ["in-house-sales.yaml", "outsourced-vendor.yaml"])
def test_scorecard_fits_120_columns(demo, run, monkeypatch, lang, template):
    monkeypatch.setenv("COLUMNS", "120")
    code, out, err = run("--db", demo, "--lang", lang, "scorecard", demo.parent / "scorecards" / template)
    assert code == 0, err
    lines = out.splitlines()
    assert max(wcswidth(line) for line in lines) <= 120
    assert "…" not in out                                # no header or cell cut short
    assert "call_conversion" not in out and "min_sample" not in out
    name = translations(lang).gettext("Call conversion rate") if lang != "en" else "Call conversion rate"
    assert name.split()[0] in out
    # Below the header's rule, a row per agent, each by name, none more than three lines tall.
    code, data, err = run("--db", demo, "--lang", lang, "scorecard", demo.parent / "scorecards" / template,
                          "--format", "json")
    agents = json.loads(data)["agents"]
    rule = next(i for i, line in enumerate(lines) if line.strip() and set(line.strip()) <= set("─━╇┡┩"))
    body = []
    for line in lines[rule + 1:]:
        if not line.strip() or set(line.strip()) <= set("─━└┴┘") or wcswidth(line) != wcswidth(lines[rule]):
            break
        body.append(line.strip("│ "))
    starts, i = [], 0   # each row starts with the first word of its agent's name, in order
    for a in agents:
        while i < len(body) and body[i].split()[0] != a["name"].split()[0]:
            i += 1
        assert i < len(body), (a["name"], out)
        starts.append(i)
        i += 1
    assert starts[0] == 0
    assert max(b - a for a, b in itertools.pairwise(starts)) <= 3, out
    assert not re.search(r"\bA\d{3}\b", "\n".join(body)), out   # names, not ids


def test_diagnose_names_only_clear_gaps(demo, run):
    code, out, err = run("--db", demo, "diagnose")
    assert code == 0, err
    for gap in re.findall(r"\((?:team \w+ average|catalog target); (\d+)% (?:short|over)\)", out):
        assert int(gap) >= 5                             # no "6.07 vs 6.09 (0 % short)"
    assert "p =" not in out and "z-test" not in out and "beats" not in out
    assert "unlikely to be chance" in out or "could be chance" in out
    code, out, _ = run("--db", demo, "diagnose", "--stats")
    assert "p =" in out and "95 % interval" in out       # the statistics, one flag away


def test_diagnose_says_so_when_no_agent_is_clearly_below(tmp_path, run):
    from telekpi.store.warehouse import Warehouse

    db = tmp_path / "telekpi.duckdb"
    with Warehouse(db) as wh:
        wh.con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('A1', 'T1'), ('A2', 'T1')")
        # two agents alike: 40 calls each, 20 and 19 answered, the same talk time
        rows = [(f"{a}-{i}", a, "answered" if i < n else "no_answer")
                for a, n in (("A1", 20), ("A2", 19)) for i in range(40)]
        wh.con.executemany("INSERT INTO calls (call_id, started_at, status, agent_id, talk_s) VALUES "
                           "(?, TIMESTAMPTZ '2026-03-02 03:00:00+00', ?, ?, 60)",
                           [(c, s, a) for c, a, s in rows])
    code, out, err = run("--db", db, "diagnose")
    assert code == 0, err
    assert "No agent is clearly below the team." in out
    assert "none below target" not in out
