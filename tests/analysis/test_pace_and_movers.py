"""The overview's analysis by hand: the month's projection at the current pace over working
days, the target from a KPI template, and the movers whose contributions add up to the
total's change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from telekpi.analysis.movers import contributions, movers
from telekpi.analysis.pace import count_days, pace, working_weekdays
from telekpi.analysis.windows import Window
from telekpi.engine.engine import Engine
from telekpi.i18n import language
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse
from telekpi.targets.template import load_template

TEMPLATE = """name: November calls
period: {start: 2026-11-01, end: 2026-11-30}
items:
  - {metric: calls, target: 500, weight: 50}
  - {metric: call_conversion_rate, target: 0.2, weight: 50}
"""


def calls_rows(day: date, agent: str, n: int, sales: int) -> list[tuple]:
    return [(f"{agent}-{day}-{i}", f"{day} 03:00:00+00", agent, "answered",
             "SALE" if i < sales else "NI") for i in range(n)]


def warehouse(tmp_path, rows: list[tuple]) -> Engine:
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('A1', 'T1'), ('A2', 'T2')")
    wh.con.executemany("INSERT INTO calls (call_id, started_at, agent_id, campaign_id, direction, status, "
                       "disposition, talk_s) VALUES (?, CAST(? AS TIMESTAMPTZ), ?, 'K1', 'outbound', ?, ?, 60)",
                       rows)
    return Engine(wh, Settings(min_sample=1))


@pytest.fixture
def paced(tmp_path):
    """Mon–Sat from 14 October to 10 November 2026: A1 3 calls a day (1 sale), A2 2 calls
    (none); never on a Sunday."""
    rows = []
    day = date(2026, 10, 14)
    while day <= date(2026, 11, 10):
        if day.isoweekday() != 7:
            rows += calls_rows(day, "A1", 3, 1) + calls_rows(day, "A2", 2, 0)
        day += timedelta(days=1)
    return warehouse(tmp_path, rows)


def test_working_days_are_the_weekdays_the_centre_worked(paced):
    assert working_weekdays(paced, date(2026, 11, 10), ()) == {1, 2, 3, 4, 5, 6}
    # 1–10 November has two Sundays (1st, 8th); November has five (1, 8, 15, 22, 29).
    assert count_days(date(2026, 11, 1), date(2026, 11, 10), {1, 2, 3, 4, 5, 6}) == 8
    assert count_days(date(2026, 11, 1), date(2026, 11, 30), {1, 2, 3, 4, 5, 6}) == 25


def test_projection_at_the_current_pace_against_the_template(paced, tmp_path):
    (tmp_path / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    t = load_template(tmp_path / "t.yaml", paced.catalog)
    got = pace(paced, ("calls", "call_conversion_rate", "revenue"), date(2026, 11, 10), (), [t])
    assert (got["elapsed_days"], got["month_days"], got["too_early"]) == (8, 25, False)
    items = {i["metric"]: i for i in got["items"]}
    assert set(items) == {"calls", "call_conversion_rate"}   # revenue has no target here
    calls = items["calls"]
    # 8 working days × 5 calls = 40 so far; 40 / 8 × 25 = 125 at this pace; the target is
    # each agent's 500 for the month: 1,000. Behind.
    assert calls["so_far"] == 40 and calls["projected"] == pytest.approx(125)
    assert calls["target"] == pytest.approx(1000) and calls["on_track"] is False
    assert calls["progress"] == pytest.approx(0.04)
    rate = items["call_conversion_rate"]
    # a rate projects as itself: 8 sales / 40 calls = 20 %, the target 20 %: on track
    assert rate["projected"] == pytest.approx(0.2) and rate["target"] == pytest.approx(0.2)
    assert rate["on_track"] is True
    # one agent's view: their own target only
    mine = {i["metric"]: i for i in pace(paced, ("calls",), date(2026, 11, 10),
                                          (("agent", "A1"),), [t])["items"]}
    assert mine["calls"]["so_far"] == 24 and mine["calls"]["target"] == pytest.approx(500)
    assert mine["calls"]["projected"] == pytest.approx(24 / 8 * 25)


def test_too_early_to_project_in_the_first_days(paced, tmp_path):
    (tmp_path / "t.yaml").write_text(TEMPLATE, encoding="utf-8")
    t = load_template(tmp_path / "t.yaml", paced.catalog)
    got = pace(paced, ("calls", "call_conversion_rate"), date(2026, 11, 3), (), [t])
    items = {i["metric"]: i for i in got["items"]}
    assert got["elapsed_days"] == 2 and got["too_early"]   # 2 and 3 November
    assert items["calls"]["projected"] is None and items["calls"]["on_track"] is None
    assert items["call_conversion_rate"]["projected"] == pytest.approx(0.2)


@pytest.fixture
def moved(tmp_path):
    """1 Nov: A1 (T1) 10 calls, 2 sales; A2 (T2) 10 calls, 2 sales. 2 Nov: A1 10 calls,
    5 sales; A2 30 calls, 1 sale."""
    rows = (calls_rows(date(2026, 11, 1), "A1", 10, 2) + calls_rows(date(2026, 11, 1), "A2", 10, 2)
            + calls_rows(date(2026, 11, 2), "A1", 10, 5) + calls_rows(date(2026, 11, 2), "A2", 30, 1))
    return warehouse(tmp_path, rows)


def test_contributions_of_a_rate_add_up_to_its_change(moved):
    c = contributions(moved, "call_conversion_rate", "team", Window(date(2026, 11, 2), date(2026, 11, 2)))
    # 20 % (4 / 20) to 15 % (6 / 40): −5 points. T1: 5/40 − 2/20 = +2.5 pts; T2: 1/40 − 2/20 = −7.5 pts.
    assert c["before"] == pytest.approx(0.2) and c["now"] == pytest.approx(0.15)
    by = {g["key"]: g["contribution"] for g in c["groups"]}
    assert by == {"T1": pytest.approx(0.025), "T2": pytest.approx(-0.075)}
    assert sum(by.values()) == pytest.approx(c["now"] - c["before"])


def test_movers_name_who_moved_the_total(moved):
    with language("en"):
        got = {m["metric"]: m for m in movers(moved, Window(date(2026, 11, 2), date(2026, 11, 2)))}
    calls = got["calls"]
    assert calls["change"] == 20 and calls["relative"] == pytest.approx(1.0)
    assert [(g["key"], g["contribution"]) for g in calls["movers"]["team"]] == [("T2", 20)]
    conv = got["call_conversion_rate"]
    # only the groups that moved the total's way are named: T2 (−7.5 pts), not T1 (+2.5)
    assert [g["key"] for g in conv["movers"]["team"]] == ["T2"]
    assert [g["key"] for g in conv["movers"]["agent"]] == ["A2"]
    assert conv["sentence"] == "Call conversion rate -25.0%: T2 -7.5 pts, K1 -5.0 pts, A2 -7.5 pts"
    assert calls["sentence"].startswith("Calls +100.0%: T2 +20")


def test_an_agent_s_standing_is_a_position_and_peers_only_when_allowed(paced):
    from telekpi.analysis.standing import standing

    w = Window(date(2026, 11, 1), date(2026, 11, 10))
    mine = standing(paced, "A2", w)
    # outbound sales, ranked on conversion: A1 8 / 24, A2 0 / 16
    assert (mine["kind"], mine["metric"], mine["position"], mine["of"]) == (
        "outbound_sales", "call_conversion_rate", 2, 2)
    assert mine["peers"] is None   # no names, no numbers of others
    shown = standing(paced, "A2", w, peers_shown=True)["peers"]
    assert [(p["position"], p["agent"]) for p in shown] == [(1, "A1"), (2, "A2")]
