"""The CLI over a warehouse written before values were checked: NaN and infinite seconds and
calls in years 0 and 10000 are shown as unknown, never an internal error; JSON stays JSON;
dates outside the days telekpi answers for are one sentence, exit 2."""

from __future__ import annotations

import json

import duckdb
import pytest


@pytest.fixture(scope="module")
def old_db(tmp_path_factory, small_demo):
    ws = tmp_path_factory.mktemp("old")
    (ws / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\ncurrency = "VND"\n')
    db = small_demo(ws / "telekpi.duckdb", 5)
    from telekpi.cli.demo_cmd import copy_example_templates

    copy_example_templates(ws)
    con = duckdb.connect(str(db))
    con.execute("""UPDATE calls SET talk_s = 'NaN'::DOUBLE, wait_s = 'Infinity'::DOUBLE
        WHERE call_id = (SELECT min(call_id) FROM calls WHERE status = 'answered')""")
    for i, when in enumerate(("10000-01-01 03:00:00+00", "0000-01-01 03:00:00+00", "9999-12-31 23:00:00+00")):
        con.execute("INSERT INTO calls (call_id, started_at, agent_id, status, talk_s) "
                    f"VALUES ('OLD{i}', TIMESTAMPTZ '{when}', 'A001', 'answered', 60)")
    con.close()
    return db


def test_kpis_over_nan_seconds_are_unknown_not_an_internal_error(old_db, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run("--db", old_db, "kpi", "aht", "talk_time")
    assert (code, err) == (0, "")
    assert "—" in out
    code, out, err = run("--db", old_db, "kpi", "aht", "talk_time", "calls", "--by", "agent", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert any(r["talk_time"] is None for r in data["rows"])
    assert any(isinstance(r["talk_time"], float) for r in data["rows"])   # the other agents


@pytest.mark.slow   # a report and a scorecard in subprocesses
def test_report_and_scorecard_over_an_old_warehouse(old_db, run, tmp_path):
    for ext in ("html", "xlsx"):
        code, out, err = run("--db", old_db, "report", "-o", tmp_path / f"r.{ext}")
        assert (code, err) == (0, ""), err
    code, out, err = run("--db", old_db, "scorecard", old_db.parent / "scorecards" / "in-house-sales.yaml")
    assert (code, err) == (0, ""), err


@pytest.mark.parametrize("args, said", [
    (("kpi", "calls", "--to", "9999-12-31"), "--to 9999-12-31"),
    (("kpi", "calls", "--from", "0001-01-01"), "--from 0001-01-01"),
    (("kpi", "revenue_growth", "--period", "month", "--from", "0001-01-01", "--to", "0001-03-31"),
     "--from 0001-01-01"),
    (("kpi", "calls", "--from", "1969-12-31"), "--from 1969-12-31"),
    (("funnel", "--to", "3000-01-01"), "--to 3000-01-01"),
    (("diagnose", "--to", "9999-12-31"), "--to 9999-12-31"),
    (("report", "-o", "r.html", "--from", "0001-01-01"), "--from 0001-01-01"),
    (("scorecard", "TEMPLATE", "--as-of", "9999-12-31"), "--as-of 9999-12-31"),
    (("alerts", "--at", "9999-12-31"), "--at 9999-12-31"),
    (("alerts", "--at", "0001-01-01 10:00"), "--at 0001-01-01"),
])
def test_dates_outside_the_range_are_one_sentence_exit_2(old_db, run, tmp_path, args, said):
    args = tuple(str(old_db.parent / "scorecards" / "in-house-sales.yaml") if a == "TEMPLATE" else
                 str(tmp_path / a) if a == "r.html" else a for a in args)
    code, out, err = run("--db", old_db, *args)
    assert code == 2
    assert err == f"telekpi: {said} is outside the days telekpi answers for, 1970-01-01 to 2999-12-31\n"


def test_the_edges_of_the_range_are_answered(old_db, run_json):
    data = run_json("--db", old_db, "kpi", "revenue_growth", "--period", "year", "--from", "1970-01-01",
                    "--to", "1971-12-31")
    assert data["rows"] == [] or all(r["revenue_growth"] is None for r in data["rows"])
    run_json("--db", old_db, "kpi", "calls", "--period", "month", "--from", "2999-11-01", "--to", "2999-12-31")


def test_a_template_period_outside_the_range_names_its_line(old_db, run, tmp_path):
    template = (old_db.parent / "scorecards" / "in-house-sales.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "t.yaml"
    bad.write_text(template.replace("start: 2026-09-01", "start: 0001-01-01"), encoding="utf-8")
    code, out, err = run("--db", old_db, "scorecard", bad)
    assert code == 2
    assert (f"{bad}:4: period 0001-01-01 – 2026-11-30 is outside the days telekpi answers for, "
            "1970-01-01 to 2999-12-31") in err
