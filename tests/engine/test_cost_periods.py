"""Costs are amounts for a period: spread evenly over the days they cover (issue 21).

A cost covers incurred_on to its period_end (its own day without one; with
``monthly_costs_on_first``, a cost booked on the 1st without one covers its month). A day,
a week or a partial month carries the share of its days; any window covering the whole
period gives the whole amount, to the last 0.0001."""

from __future__ import annotations

import datetime as dt

import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.errors import ConfigError
from telekpi.ingest.pipeline import import_path
from telekpi.settings import Settings, settings_from_dict
from telekpi.store.warehouse import Warehouse

D = dt.date


@pytest.fixture
def wh(tmp_path):
    w = Warehouse(tmp_path / "w.duckdb")
    w.con.execute("INSERT INTO agents (agent_id, team_id, site) VALUES ('a1', 't1', 'in_house'), "
                  "('a2', 't1', 'in_house')")
    w.con.execute("""INSERT INTO costs (cost_id, incurred_on, amount, agent_id, team_id, campaign_id,
                                        period_end) VALUES
        ('rent', '2026-01-30', 3000, NULL, NULL, NULL, '2026-02-02'),   -- 4 days, 750 each
        ('fee', '2026-02-01', 2800, NULL, 't1', NULL, NULL),            -- booked on the 1st
        ('odd', '2026-03-01', 1000, 'a1', NULL, NULL, '2026-03-03'),    -- 1000 / 3
        ('tel', '2026-02-02', 70, NULL, NULL, 'k1', NULL)""")
    yield w
    w.close()


def cost(wh, settings=None, **kw):
    rows = Engine(wh, settings or Settings()).query(Request(("cost",), **kw)).rows
    return {r["period"]: r["cost"] for r in rows} if kw.get("period") else rows[0]["cost"]


def test_a_cost_is_spread_evenly_over_the_days_it_covers(wh):
    days = cost(wh, period="day", start=D(2026, 1, 29), end=D(2026, 2, 3))
    assert days == {"2026-01-30": 750, "2026-01-31": 750, "2026-02-01": 750 + 2800,
                    "2026-02-02": 750 + 70}
    assert cost(wh, period="month") == {"2026-01-01": 1500, "2026-02-01": 1500 + 2800 + 70,
                                        "2026-03-01": 1000}
    assert cost(wh, start=D(2026, 1, 31), end=D(2026, 2, 1)) == 1500 + 2800   # part of a period
    assert cost(wh, start=D(2026, 1, 1), end=D(2026, 2, 28)) == 3000 + 2800 + 70   # all of it


def test_the_days_add_up_to_the_amount_exactly(wh):
    days = cost(wh, period="day", start=D(2026, 3, 1), end=D(2026, 3, 31))
    assert days == {"2026-03-01": 333.3334, "2026-03-02": 333.3333, "2026-03-03": 333.3333}
    assert cost(wh, start=D(2026, 3, 1), end=D(2026, 3, 31)) == 1000   # not 999.9999
    assert cost(wh) == 3000 + 2800 + 1000 + 70


def test_monthly_costs_on_first_spreads_a_cost_booked_on_the_1st_over_its_month(wh):
    on_first = Settings(monthly_costs_on_first=True)
    weeks = cost(wh, on_first, period="week", start=D(2026, 2, 1), end=D(2026, 2, 28))
    # 2,800 over February's 28 days: 100 a day. Week of Jan 26 holds Feb 1 only (and rent's
    # Feb 1, the rest of rent's days being before --from); tel stays on its day (the 2nd).
    assert weeks == {"2026-01-26": 100 + 750, "2026-02-02": 700 + 750 + 70, "2026-02-09": 700,
                     "2026-02-16": 700, "2026-02-23": 600}   # to --to, the 28th
    assert cost(wh, on_first, start=D(2026, 2, 10), end=D(2026, 2, 19)) == 1000
    # a period_end is what it says, setting or not: rent (booked on Jan 30) and odd (on the
    # 1st, to the 3rd) keep theirs
    assert cost(wh, on_first, period="month") == cost(wh, period="month")
    assert cost(wh, on_first, period="day", start=D(2026, 3, 1), end=D(2026, 3, 31)) == \
        {"2026-03-01": 333.3334, "2026-03-02": 333.3333, "2026-03-03": 333.3333}


def test_a_breakdown_of_a_day_carries_each_costs_share(wh):
    rows = Engine(wh, Settings(monthly_costs_on_first=True)).query(Request(
        ("cost",), by=("team",), start=D(2026, 2, 14), end=D(2026, 2, 14))).rows
    assert {r["team"]: r["cost"] for r in rows} == {"t1": 100}


def test_allocation_by_talk_time_shares_each_day_by_its_months_talk(wh):
    """A team cost over the end of January and the start of February: January's days go to
    January's talkers, February's to February's; a month without talk keeps its days."""
    wh.con.execute("""INSERT INTO calls (call_id, started_at, agent_id, status, talk_s) VALUES
        ('c1', '2026-01-10 03:00:00+00', 'a1', 'answered', 300),
        ('c2', '2026-02-10 03:00:00+00', 'a2', 'answered', 100)""")
    wh.con.execute("INSERT INTO costs (cost_id, incurred_on, amount, team_id, period_end) VALUES "
                   "('seats', '2026-01-29', 600, 't1', '2026-02-03'), "
                   "('march', '2026-03-30', 400, 't1', '2026-04-01')")
    rows = Engine(wh, Settings(cost_allocation="by_talk_time")).query(Request(
        ("cost",), by=("agent",), where=(("team", "t1"),), start=D(2026, 1, 29),
        end=D(2026, 4, 1))).rows
    # seats: 100 a day, Jan 29-31 to a1, Feb 1-3 to a2; fee (Feb) to a2; March has no talk
    assert {r["agent"]: r["cost"] for r in rows} == pytest.approx(
        {"a1": 300 + 1000, "a2": 300 + 2800, None: 400})


def test_period_end_is_imported_and_one_before_the_start_is_quarantined(tmp_path):
    f = tmp_path / "costs.csv"
    f.write_text("cost_id,incurred_on,amount,category,period_end\n"
                 "s1,2026-11-01,3000000,salary,2026-11-30\n"
                 "t1,2026-11-05,1000,telco,\n"
                 "bad,2026-11-05,1000,telco,2026-11-04\n", encoding="utf-8")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        (res,) = import_path(wh, "costs", f, Settings())
        assert (res.counts.inserted, res.counts.quarantined) == (2, 1)
        assert wh.con.execute("SELECT cost_id, period_end FROM costs ORDER BY 1").fetchall() == \
            [("s1", D(2026, 11, 30)), ("t1", None)]
        assert wh.con.execute("SELECT reason FROM quarantine").fetchall() == \
            [("period_end: the period the cost covers ends before it starts",)]
        assert cost(wh, start=D(2026, 11, 1), end=D(2026, 11, 10)) == 1_000_000 + 1000


def test_monthly_costs_on_first_is_a_boolean_setting():
    assert settings_from_dict({"monthly_costs_on_first": True}).monthly_costs_on_first is True
    assert Settings().monthly_costs_on_first is False
    for wrong in ("yes", 1):
        with pytest.raises(ConfigError, match="monthly_costs_on_first"):
            settings_from_dict({"monthly_costs_on_first": wrong})
    with pytest.raises(ConfigError, match="min_sample"):
        settings_from_dict({"min_sample": True})
