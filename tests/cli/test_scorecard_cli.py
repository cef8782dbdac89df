"""`telekpi scorecard` through the real entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "telekpi" / "targets" / "examples"


def test_scorecard_json_and_table(demo5, tmp_path, run, run_json):
    db = demo5
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
    assert out.splitlines()[0].startswith("agent,agent_name,team,level,calls,revenue,revenue_target,")


def test_bad_template_is_one_clear_message(demo5, tmp_path, run):
    db = demo5
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "in-house-sales.yaml").read_text().replace("metric: aht", "metric: ahtx"))
    code, out, err = run("--db", db, "scorecard", bad)
    assert code == 2 and "unknown metric 'ahtx'" in err and f"{bad}:" in err and "Traceback" not in err


def test_scores_are_shown_as_every_surface_shows_them(demo5, tmp_path, run, run_json, monkeypatch):
    """One rounding: a score is written by Formatter.attainment (to 0.1 %, rounded down) in the
    CLI table, and its tier is decided on the exact score kept in the JSON."""
    import re

    from telekpi.i18n.numbers import Formatter

    db = demo5
    template = tmp_path / "scorecards" / "in-house-sales.yaml"
    data = run_json("--db", db, "scorecard", template)
    monkeypatch.setenv("COLUMNS", "300")   # the boxed table, whose cells the pattern below reads
    code, out, _ = run("--db", db, "--lang", "en", "scorecard", template, "--format", "table", "--ids")
    assert code == 0
    fmt = Formatter("en")
    shown = dict(re.findall(r"│ (A\d+) .*?│ (\d+\.\d%)\s+│", out))
    assert shown == {a["agent"]: fmt.attainment(a["score"]) for a in data["agents"]}
    from telekpi.catalog.loader import load_catalog
    from telekpi.targets.template import load_template

    tiers = load_template(template, load_catalog(None)).tiers
    for a in data["agents"]:
        if not a["judged"]:
            continue
        tier = next(t for t in tiers if t.min <= a["score"] and (t.max is None or a["score"] < t.max))
        seen = float(shown[a["agent"]].rstrip("%")) / 100
        assert a["tier"] == tier.label and tier.min <= seen   # the score shown is in its tier
