"""Predicted CSAT: learned only when there are enough surveyed calls, measured on held-out
calls beside the always-the-common-answer baseline, written to every analysed call."""

from __future__ import annotations

import random

import pytest

from telekpi.errors import InputError
from telekpi.qa.csat import MIN_SURVEYS, learn
from telekpi.store.warehouse import Warehouse


def centre(tmp_path, surveyed: int, analysed: int = 0):
    wh = Warehouse(tmp_path / "telekpi.duckdb")
    rnd = random.Random(7)
    sent, qa, surveys = [], [], []
    for n in range(surveyed + analysed):
        sentiment = rnd.uniform(-1, 1)
        sent.append([f"c{n}", sentiment, int(sentiment < -0.2)])
        qa.append([f"c{n}", rnd.uniform(0.5, 1)])
        if n < surveyed:   # satisfied mostly when the customer sounded positive
            satisfied = (sentiment + rnd.gauss(0, 0.3)) > 0
            surveys.append([f"r{n}", 5 if satisfied else 2, f"c{n}"])
    wh.con.executemany("INSERT INTO call_sentiment VALUES (?, '2026-03-01 09:00:00+00', 'a1', ?, ?, 3, NULL, 'h')",
                       sent)
    wh.con.executemany("INSERT INTO qa_results VALUES (?, 'f', '2026-03-01 09:00:00+00', 'a1', ?, 1, 1, 0, 'x', "
                       "'h', '2026-03-01 10:00:00+00')", qa)
    if surveys:
        wh.con.executemany("INSERT INTO surveys (response_id, answered_at, score, scale_max, call_id) "
                           "VALUES (?, '2026-03-01 11:00:00+00', ?, 5, ?)", surveys)
    return wh


def test_not_enough_surveys_says_so(tmp_path):
    wh = centre(tmp_path, 12)
    with pytest.raises(InputError, match=rf"not enough surveys to learn from \(12, need {MIN_SURVEYS}, at least "):
        learn(wh)
    assert wh.con.execute("SELECT count(predicted_csat) FROM call_sentiment").fetchone() == (0,)
    wh.close()


def test_learned_measured_and_written(tmp_path):
    wh = centre(tmp_path, 200, analysed=30)
    m = learn(wh)
    print(f"\npredicted CSAT on held-out calls: accuracy {m.accuracy:.0%}, baseline {m.baseline:.0%}")
    assert (m.surveyed, m.trained_on, m.tested_on, m.predicted) == (200, 150, 50, 230)
    assert m.accuracy > m.baseline and m.accuracy >= 0.75
    assert "sentiment" in m.features and "agent_talk_ratio" not in m.features   # no speech analytics here
    lo, hi = wh.con.execute("SELECT min(predicted_csat), max(predicted_csat) FROM call_sentiment").fetchone()
    assert 0 <= lo < 0.3 and 0.7 < hi <= 1
    wh.close()
