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


def test_best_time_asks_two_questions(tmp_path):
    """When people pick up (connected / calls) and when pick-ups turn into sales (successful /
    connected) are different grids, ranked apart: Monday 09:00 reaches people, Tuesday 15:00
    sells to those reached."""
    wh = Warehouse(tmp_path / "b.duckdb")
    rows = []
    for ts, answered, sales in (("2026-03-02 02:00:00+00", 36, 4), ("2026-03-03 08:00:00+00", 30, 15)):
        rows += [(f"{ts}-{i}", ts, "answered" if i < answered else "no_answer",
                  "SALE" if i < sales else ("NI" if i < answered else None)) for i in range(40)]
    wh.con.executemany("INSERT INTO calls (call_id, started_at, status, disposition, agent_id, talk_s) "
                       "VALUES (?, CAST(? AS TIMESTAMPTZ), ?, ?, 'A1', 60)", rows)
    data = best_time(Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh", min_sample=30)), Request(()))
    reach, sell = data["grids"]["connection_rate"], data["grids"]["connected_conversion"]
    assert reach != sell
    assert (reach[0][9], reach[1][15]) == (pytest.approx(36 / 40), pytest.approx(30 / 40))
    assert (sell[0][9], sell[1][15]) == (pytest.approx(4 / 36), pytest.approx(15 / 30))
    assert [(s["day"], s["hour"]) for s in data["top"]] == [("Mon", 9), ("Tue", 15)]
    assert [(s["day"], s["hour"]) for s in data["top_sales"]] == [("Tue", 15), ("Mon", 9)]
    assert data["top_sales"][0]["ci_low"] < 0.5 < data["top_sales"][0]["ci_high"]
    assert set(data["questions"]) == {"connection_rate", "connected_conversion"}
    assert "connected calls" in data["questions"]["connected_conversion"]["formula"]


@pytest.mark.slow   # a small demo: seconds to generate, out of the quick loop
def test_whole_diagnosis_on_the_demo(tmp_path, small_demo):
    wh = Warehouse(small_demo(tmp_path / "d.duckdb", 7))
    data = diagnose(Engine(wh, Settings()), Request(()))
    assert set(data) == {"funnel", "agents", "agents_compared", "best_time", "scripts", "campaigns",
                         "abandon_cap", "followups", "qa_items"}
    # the demo's K2 drops more than the 3 % cap allows over its last 30 days
    assert any(s.startswith("K2 is over the 3% abandon cap") for s in data["abandon_cap"]), data["abandon_cap"]
    assert data["best_time"]["top"] and data["agents"]
    assert any("converts better" in t["verdict"] or "converts worse" in t["verdict"] for t in data["scripts"])
    troubled = [t for t in data["funnel"]["by_team"] if t["bottleneck"] and t["bottleneck"]["metric"]]
    assert troubled and all("check" in t["bottleneck"]["message"] for t in troubled)


@pytest.fixture
def close_calls(tmp_path):
    """Team T1 over ten days: A1 and A2 at or above the team, A3 clearly below it on connection
    and handle time, A4 below on connection but on 30 calls, so it could be chance."""
    wh = Warehouse(tmp_path / "c.duckdb")
    wh.con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('A1', 'T1'), ('A2', 'T1'), "
                   "('A3', 'T1'), ('A4', 'T1')")
    rows = []
    # per day: calls, answered, talk seconds of each answered call (varying a little by day)
    plan = {"A1": (40, 20, 100), "A2": (40, 19, 101), "A3": (40, 8, 180), "A4": (3, 1, 100)}
    for day in range(1, 11):
        for agent, (n, answered, talk) in plan.items():
            ts = f"2026-03-{day:02d} 03:00:00+00"
            rows += [(f"{agent}-{day}-{i}", ts, "answered" if i < answered else "no_answer", agent,
                      talk + (day % 3) * 5) for i in range(n)]
    wh.con.executemany("INSERT INTO calls (call_id, started_at, status, agent_id, talk_s) VALUES "
                       "(?, CAST(? AS TIMESTAMPTZ), ?, ?, ?)", rows)
    return Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh", min_sample=30))


def test_only_gaps_that_matter_are_named(close_calls):
    out = {a["agent"]: a for a in weakest_kpis(close_calls, Request(()))}
    assert out["A1"]["weakest"] == [] and out["A2"]["weakest"] == []
    named = {g["metric"]: g for g in out["A3"]["weakest"]}
    assert set(named) == {"connection_rate", "aht"}
    conn = named["connection_rate"]
    assert conn["clear"] and conn["ci_high"] < conn["target"]           # its interval lies below the team
    aht = named["aht"]
    assert aht["ci_low"] > aht["target"]                                 # day to day, always slower
    # A4 (30 calls, 10 answered: 33 % against the team's 39 %) is short, but it could be chance.
    assert out["A4"]["weakest"] == [] and "connection_rate" in out["A4"]["unclear"]


def test_a_sure_gap_too_small_to_matter_is_not_named():
    from telekpi.analysis.diagnose import MATERIAL, _gap

    # 6.07 against 6.09 calls per hour, however tight the interval: 0.3 % short
    small = _gap("calls_per_hour", "Calls per hour", "count", "higher", 6.07, 6.09, "team", (6.06, 6.08), False)
    assert small["shortfall"] < MATERIAL and not small["clear"]
    big = _gap("calls_per_hour", "Calls per hour", "count", "higher", 5.0, 6.09, "team", (4.8, 5.2), False)
    assert big["clear"]
    unsure = _gap("calls_per_hour", "Calls per hour", "count", "higher", 5.0, 6.09, "team", (3.0, 7.0), False)
    assert not unsure["clear"]
    revenue = _gap("revenue", "Revenue", "money", "higher", 500.0, 600.0, "template", None, True)
    assert revenue["clear"]                       # an amount against its target is a fact
