"""`telekpi scorecard` through the real entry point."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "telekpi" / "targets" / "examples"


def test_scorecard_json_and_table(tmp_path, run, run_json):
    db = tmp_path / "telekpi.duckdb"
    code, _, err = run("--db", db, "demo", "--seed", "5")
    assert code == 0, err
    template = tmp_path / "scorecards" / "in-house-sales.yaml"
    assert template.exists(), "the demo writes the example templates into the workspace"
    report = (tmp_path / "report.html").read_text(encoding="utf-8")    # and the manager's report
    assert "Headline KPIs" in report and "data-table=\"agents\"" in report
    data = run_json("--db", db, "scorecard", template)
    assert data["template"]["name"] == "In-house sales, Q4 2026"
    assert data["agents"] and {a["team"] for a in data["agents"]} <= {"T1", "T2", "T3"}
    for a in data["agents"]:
        assert len(a["items"]) == 5
        assert (a["reward"] is None) == (not a["judged"])
    code, out, _ = run("--db", db, "scorecard", template, "--by", "team")
    assert code == 0 and "Scorecard by team" in out
    code, out, _ = run("--db", db, "scorecard", template, "--format", "csv")
    assert out.splitlines()[0].startswith("agent,team,level,calls,revenue,revenue_target,")


def test_bad_template_is_one_clear_message(tmp_path, run):
    db = tmp_path / "telekpi.duckdb"
    run("--db", db, "demo", "--seed", "5")
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "in-house-sales.yaml").read_text().replace("metric: aht", "metric: ahtx"))
    code, out, err = run("--db", db, "scorecard", bad)
    assert code == 2 and "unknown metric 'ahtx'" in err and f"{bad}:" in err and "Traceback" not in err
