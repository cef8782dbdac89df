"""Caller-ID health and attempts worth making, by hand (analysis/caller_ids.py,
analysis/attempts.py): a number gone bad flagged against its peers with the drop and its
interval, a DID used by two campaigns judged in each, and the attempt cap from marginal
conversion × value per sale against cost per attempt."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from telekpi.analysis.attempts import attempts
from telekpi.analysis.caller_ids import drop_interval, number_health
from telekpi.analysis.compliance import Days
from telekpi.engine.engine import Engine
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

SHARED = "+84280000003"


def insert(con, rows: list[dict]) -> None:
    cols = ["call_id", "started_at", "agent_id", "campaign_id", "lead_id", "direction", "status",
            "disposition", "line"]
    table = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in cols})
    con.register("new_calls", table)
    con.execute(f"INSERT INTO calls ({', '.join(cols)}) SELECT call_id, CAST(started_at AS TIMESTAMPTZ), "
                f"{', '.join(cols[2:])} FROM new_calls")
    con.unregister("new_calls")


def line_day(campaign, line, day, calls, picked):
    return [{"call_id": f"{campaign}-{line}-{day}-{i}", "started_at": f"{day} 03:00:00+00",
             "campaign_id": campaign, "direction": "outbound", "line": line,
             "status": "answered" if i < picked else "no_answer"} for i in range(calls)]


@pytest.fixture
def wh(tmp_path):
    w = Warehouse(tmp_path / "w.duckdb")
    yield w
    w.close()


def test_a_number_gone_bad_is_flagged_against_its_peers_in_each_campaign(wh):
    rows = []
    # K1: three numbers; the shared DID picks up 10 of 100 on the 10th, its peers 40 and 42
    for line, picked in (("+84280000001", 40), ("+84280000002", 42), (SHARED, 10)):
        rows += line_day("K1", line, "2026-03-10", 100, picked)
        rows += line_day("K1", line, "2026-03-09", 100, 40)
    # K2 uses the same DID for other leads, where 10 % is what every number gets: healthy there
    for line in ("+84280000009", SHARED):
        rows += line_day("K2", line, "2026-03-10", 100, 10)
    insert(wh.con, rows)
    engine = Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh"))
    health = {c["campaign_id"]: c for c in number_health(engine, date(2026, 3, 10))["campaigns"]}
    k1 = {n["line"]: n for n in health["K1"]["numbers"]}
    bad = k1[SHARED]
    assert bad["flagged"] and bad["rate"] == pytest.approx(0.10) and bad["peer_rate"] == pytest.approx(0.41)
    assert bad["drop"] == pytest.approx(0.31) and 0 < bad["drop_low"] < 0.31 < bad["drop_high"]
    assert bad["own_baseline"] == pytest.approx(0.40)
    assert health["K1"]["advice"] == {"rest": [SHARED], "use": ["+84280000002", "+84280000001"]}
    assert health["K2"]["flagged"] == [] and health["K2"]["advice"] is None


def test_too_few_calls_are_not_judged(wh):
    rows = line_day("K1", "+84280000001", "2026-03-10", 100, 40) + line_day("K1", SHARED, "2026-03-10", 9, 0)
    insert(wh.con, rows)
    engine = Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh"))
    (k1,) = number_health(engine, date(2026, 3, 10))["campaigns"]
    assert k1["flagged"] == [] and not {n["line"]: n for n in k1["numbers"]}[SHARED]["enough"]


def test_the_drop_interval_is_newcombes():
    # Newcombe (1998), table II, example (a): 56/70 vs 48/80 → difference 0.2, 95 % CI 0.0524 to 0.3339
    low, high = drop_interval(48, 80, 56, 70)
    assert low == pytest.approx(0.0524, abs=5e-4) and high == pytest.approx(0.3339, abs=5e-4)


def test_the_cap_is_the_last_attempt_that_earns_more_than_it_costs(wh):
    # 100 web leads of K1: 10 sell on the 1st call, 9 of the 90 left on the 2nd, 2 of 81 on the
    # 3rd, none of 79 on the 4th: 350 calls. Cost 350 (1 a call); 21 orders of 20 (value 20).
    # Expected value: 2.0, 2.0, 0.49, 0 against 1 a call: the 3rd call does not pay, cap 2.
    rows, sold_at = [], {}
    for lead in range(100):
        sold_at[lead] = 1 if lead < 10 else 2 if lead < 19 else 3 if lead < 21 else None
    for lead in range(100):
        for n in range(1, (sold_at[lead] or 4) + 1):
            rows.append({"call_id": f"c{lead}-{n}", "started_at": f"2026-03-{9 + n} 03:00:00+00",
                         "campaign_id": "K1", "lead_id": f"L{lead}", "direction": "outbound",
                         "status": "answered", "disposition": "SALE" if n == sold_at[lead] else "NI"})
    insert(wh.con, rows)
    wh.con.execute("INSERT INTO leads (lead_id, created_at, campaign_id, source) SELECT 'L' || i, "
                   "TIMESTAMPTZ '2026-03-09 03:00:00+00', 'K1', 'web' FROM range(100) t(i)")
    wh.con.execute("INSERT INTO costs (cost_id, incurred_on, amount, campaign_id) VALUES "
                   "('k', DATE '2026-03-10', 350, 'K1')")
    wh.con.execute("INSERT INTO orders (order_id, ordered_at, amount, campaign_id) SELECT 'o' || i, "
                   "TIMESTAMPTZ '2026-03-10 03:00:00+00', 20, 'K1' FROM range(21) t(i)")
    engine = Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh", min_sample=30))
    days = Days(date(2026, 3, 1), date(2026, 3, 31), engine.settings.tz)
    (group,) = attempts(engine, days)["groups"]
    assert (group["campaign_id"], group["source"]) == ("K1", "web")
    assert group["cost_per_attempt"] == pytest.approx(1.0) and group["value_per_sale"] == pytest.approx(20.0)
    steps = group["attempts"]
    assert [(s["attempt"], s["calls"], s["sales"]) for s in steps] == [(1, 100, 10), (2, 90, 9), (3, 81, 2), (4, 79, 0)]
    assert [s["pays"] for s in steps] == [True, True, False, False]
    assert steps[0]["cost_per_sale"] == pytest.approx(10.0)
    assert steps[0]["conversion_low"] < 0.1 < steps[0]["conversion_high"]
    assert group["recommended_cap"] == 2 and not group["capped_by_data"]
