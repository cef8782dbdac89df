"""Diagnosis by hand: weakest KPIs against catalog targets and team averages, best time slots
ranked by their interval's lower end, and the whole report on the demo."""

from __future__ import annotations

import pytest

from telekpi.analysis.diagnose import best_time, diagnose, weakest_kpis
from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse


@pytest.fixture
def engine(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    con = wh.con
    con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('A1', 'T1'), ('A2', 'T1'), ('A3', 'T1')")
    rows = []
    # Mondays 09:00 local (02:00 UTC): A1 40 calls, 30 answered; A2 40 calls, 10 answered.
    # A3 only 5 calls: too few to judge. Tuesday 15:00: 40 calls, 20 answered.
    for agent, n, answered, ts in (("A1", 40, 30, "2026-03-02 02:00:00+00"),
                                   ("A2", 40, 10, "2026-03-02 02:00:00+00"),
                                   ("A3", 5, 5, "2026-03-02 02:00:00+00"),
                                   ("A1", 40, 20, "2026-03-03 08:00:00+00")):
        rows += [(f"{agent}-{ts}-{i}", ts, "answered" if i < answered else "no_answer", agent, 60)
                 for i in range(n)]
    con.executemany("INSERT INTO calls (call_id, started_at, status, agent_id, talk_s) VALUES "
                    "(?, CAST(? AS TIMESTAMPTZ), ?, ?, ?)", rows)
    return Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh", min_sample=30))


def test_weakest_kpis_against_team_average(engine):
    out = {a["agent"]: a for a in weakest_kpis(engine, Request(()))}
    assert set(out) == {"A1", "A2"}     # A3: 5 calls, too few to judge
    # Team T1 connection rate: (30 + 10 + 5 + 20) / 125 = 0.52; A2: 10/40 = 0.25 → 52 % short.
    gap = next(g for g in out["A2"]["weakest"] if g["metric"] == "connection_rate")
    assert gap["target"] == pytest.approx(65 / 125) and gap["actual"] == pytest.approx(0.25)
    assert gap["shortfall"] == pytest.approx((0.52 - 0.25) / 0.52)
    assert gap["target_source"] == "team T1 average"
    assert all(g["metric"] != "connection_rate" for g in out["A1"]["weakest"])   # 50/80 above


def test_best_time_ranks_by_the_lower_bound(engine):
    data = best_time(engine, Request(()))
    top = data["top"]
    # Mon 09:00: 45/85 answered (A3's 5 calls count for the slot); Tue 15:00: 20/40.
    assert [(s["day"], s["hour"]) for s in top] == [("Mon", 9), ("Tue", 15)]
    assert top[0]["connection_rate"] == pytest.approx(45 / 85)
    assert data["grids"]["connection_rate"][0][9] == pytest.approx(45 / 85)


def test_whole_diagnosis_on_the_demo(tmp_path):
    from telekpi.demo.generate import generate

    wh = Warehouse(tmp_path / "d.duckdb")
    generate(wh.con, size="small", seed=7)
    data = diagnose(Engine(wh, Settings()), Request(()))
    assert set(data) == {"funnel", "agents", "agents_compared", "best_time", "scripts", "campaigns"}
    assert data["best_time"]["top"] and data["agents"]
    assert any("beats" in t["verdict"] or "trails" in t["verdict"] for t in data["scripts"])
    troubled = [t for t in data["funnel"]["by_team"] if t["bottleneck"] and t["bottleneck"]["metric"]]
    assert troubled and all("check" in t["bottleneck"]["message"] for t in troubled)
