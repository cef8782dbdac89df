"""The QA metrics by hand on a small warehouse, and in a scorecard."""

from __future__ import annotations

from datetime import date

import pytest

from telekpi.engine.request import Request
from telekpi.targets.scorecard import scorecard
from telekpi.targets.template import load_template
from telekpi.workspace import Workspace


@pytest.fixture
def ws(tmp_path):
    w = Workspace(tmp_path / "telekpi.duckdb")
    con = w.warehouse.con
    con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('a1', 't1'), ('a2', 't1')")
    con.execute("INSERT INTO calls (call_id, started_at, agent_id, status) VALUES "
                "('c1', '2026-03-02 09:00:00+00', 'a1', 'answered'), "
                "('c2', '2026-03-03 09:00:00+00', 'a1', 'answered'), "
                "('c3', '2026-03-04 09:00:00+00', 'a2', 'answered'), "
                "('c4', '2026-03-05 09:00:00+00', 'a2', 'answered')")
    # a1: 1.0 passed, 0.5 not passed; a2: auto-failed (0, not compliant), no score (nothing scorable)
    con.execute("INSERT INTO qa_results VALUES "
                "('c1', 'f', '2026-03-02 09:00:00+00', 'a1', 1.0, 1, 1, 0, 'h', 't', now()), "
                "('c2', 'f', '2026-03-03 09:00:00+00', 'a1', 0.5, 0, 1, 0, 'h', 't', now()), "
                "('c3', 'f', '2026-03-04 09:00:00+00', 'a2', 0.0, 0, 0, 0, 'h', 't', now()), "
                "('c4', 'f', '2026-03-05 09:00:00+00', 'a2', NULL, NULL, 1, 2, 'h', 't', now())")
    con.execute("INSERT INTO call_sentiment VALUES "
                "('c1', '2026-03-02 09:00:00+00', 'a1', 0.6, 0, 2, 0.9, 't'), "
                "('c2', '2026-03-03 09:00:00+00', 'a1', -0.5, 1, 3, 0.3, 't'), "
                "('c3', '2026-03-04 09:00:00+00', 'a2', -0.3, 1, 1, NULL, 't'), "
                "('c4', '2026-03-05 09:00:00+00', 'a2', NULL, NULL, 0, NULL, 't')")
    yield w
    w.close()


METRICS = ("qa_score", "qa_pass_rate", "compliance_rate", "negative_sentiment_rate", "predicted_csat")


def test_by_hand(ws):
    rows = {r["agent"]: r for r in ws.query(Request(METRICS, by=("agent",))).rows}
    assert {m: rows["a1"][m] for m in METRICS} == pytest.approx(
        {"qa_score": 0.75, "qa_pass_rate": 0.5, "compliance_rate": 1.0, "negative_sentiment_rate": 0.5,
         "predicted_csat": 0.6})
    a2 = rows["a2"]   # c4 has no score: out of qa_score and qa_pass_rate, in compliance_rate
    assert (a2["qa_score"], a2["qa_pass_rate"], a2["compliance_rate"], a2["negative_sentiment_rate"],
            a2["predicted_csat"]) == (0.0, 0.0, 0.5, 1.0, None)
    total = ws.query(Request(METRICS)).rows[0]
    assert total["qa_score"] == pytest.approx(0.5) and total["compliance_rate"] == pytest.approx(0.75)
    assert total["negative_sentiment_rate"] == pytest.approx(2 / 3)


def test_in_a_scorecard(ws, tmp_path):
    f = tmp_path / "qa-card.yaml"
    f.write_text("name: QA card\nperiod: {start: 2026-03-01, end: 2026-03-31}\n"
                 "items:\n  - {metric: qa_score, target: 0.8, weight: 60}\n"
                 "  - {metric: compliance_rate, target: 1.0, weight: 40}\n")
    card = scorecard(ws.engine(), load_template(f, ws.catalog), date(2026, 3, 31))
    a1 = next(a for a in card["agents"] if a["agent"] == "a1")
    items = {i["metric"]: i for i in a1["items"]}
    assert items["qa_score"]["actual"] == pytest.approx(0.75)
    assert items["qa_score"]["target_attainment"] == pytest.approx(0.75 / 0.8)
    assert a1["score"] == pytest.approx(0.6 * 0.75 / 0.8 + 0.4 * 1.0)
