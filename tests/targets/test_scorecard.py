"""Scorecards computed by hand: attainment (and its inversion), weights, caps, missing
items, target overrides, tiers, commission floors and caps, too-few-to-judge, teams."""

from __future__ import annotations

import pytest

from telekpi.engine.engine import Engine
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse
from telekpi.targets.scorecard import attainment, scorecard
from telekpi.targets.template import load_template

TEMPLATE = """name: hand
period: {start: 2026-03-01, end: 2026-03-31}
items:
  - {metric: revenue, target: 1000, weight: 50}
  - {metric: aht, target: 200, weight: 30}
  - {metric: csat, target: 0.8, weight: 20}
targets:
  teams: {T2: {revenue: 500}}
  levels: {junior: {revenue: 800}}
  agents: {A3: {revenue: 100}}
attainment_cap: 1.5
MISSING
reward:
  tiers:
    - {min: 0, max: 0.9, bonus: 0, label: low}
    - {min: 0.9, max: 1.1, bonus: 10, label: mid}
    - {min: 1.1, bonus: 50, label: high}
  commission: {rate: 0.1, of: revenue, floor: 5, cap: 60, min_score: 0.9}
"""


@pytest.mark.parametrize("actual, target, better, want", [
    (50, 100, "higher", 0.5), (300, 100, "higher", 1.5), (100, 100, "lower", 1.0),
    (200, 100, "lower", 0.5), (50, 100, "lower", 1.5), (0, 100, "lower", 1.5),
    (None, 100, "higher", None), (5, 0, "higher", 1.5), (0, 0, "higher", 1.0), (-5, 10, "higher", 0.0),
])
def test_attainment(actual, target, better, want):
    assert attainment(actual, target, better, 1.5) == (pytest.approx(want) if want is not None else None)


@pytest.fixture
def centre(tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    con = wh.con
    con.execute("""INSERT INTO agents (agent_id, team_id, level, site, vendor) VALUES
        ('A1', 'T1', 'senior', 'in_house', NULL), ('A2', 'T1', 'junior', 'in_house', NULL),
        ('A3', 'T2', 'senior', 'outsourced', 'V'), ('A4', 'T2', 'senior', 'outsourced', 'V')""")
    calls = []
    # A1: 40 calls, talk 200 each → aht 200; A2: 40 calls, aht 400; A3: 40 calls aht 100; A4: 10 calls.
    for agent, n, talk in (("A1", 40, 200), ("A2", 40, 400), ("A3", 40, 100), ("A4", 10, 200)):
        calls += [(f"{agent}-{i}", agent, talk) for i in range(n)]
    con.executemany("INSERT INTO calls (call_id, started_at, status, agent_id, talk_s) VALUES "
                    "(?, TIMESTAMPTZ '2026-03-10 03:00:00+00', 'answered', ?, ?)", calls)
    con.execute("""INSERT INTO orders (order_id, ordered_at, amount, status, agent_id) VALUES
        ('o1', TIMESTAMPTZ '2026-03-10 03:00:00+00', 1200, 'completed', 'A1'),
        ('o2', TIMESTAMPTZ '2026-03-10 03:00:00+00', 400, 'completed', 'A2'),
        ('o3', TIMESTAMPTZ '2026-03-10 03:00:00+00', 999, 'cancelled', 'A2'),
        ('o4', TIMESTAMPTZ '2026-03-10 03:00:00+00', 30, 'completed', 'A3'),
        ('o5', TIMESTAMPTZ '2026-04-02 03:00:00+00', 5000, 'completed', 'A3')""")
    con.execute("""INSERT INTO surveys (response_id, answered_at, score, scale_max, agent_id) VALUES
        ('s1', TIMESTAMPTZ '2026-03-10 03:00:00+00', 5, 5, 'A1'),
        ('s2', TIMESTAMPTZ '2026-03-10 03:00:00+00', 3, 5, 'A1'),
        ('s3', TIMESTAMPTZ '2026-03-10 03:00:00+00', 4, 5, 'A2')""")
    return Engine(wh, Settings(min_sample=30))


def card(centre, tmp_path, missing="skip"):
    p = tmp_path / "t.yaml"
    p.write_text(TEMPLATE.replace("MISSING", f"missing: {missing}"))
    return scorecard(centre, load_template(p, centre.catalog))


def by(rows, key):
    return {r[key]: r for r in rows}


def test_agents_by_hand(centre, tmp_path):
    a = by(card(centre, tmp_path)["agents"], "agent")
    # A1 senior T1: revenue 1200/1000 = 1.2; aht 200/200 → 1.0; csat 1/2 = 0.5 → 0.625.
    # score = (50·1.2 + 30·1.0 + 20·0.625) / 100 = 1.025 → mid: bonus 10, commission 10 % of 1200 = 120
    # capped at 60 → reward 70.
    a1 = a["A1"]
    assert [i["target"] for i in a1["items"]] == [1000, 200, 0.8]
    assert [i["target_attainment"] for i in a1["items"]] == pytest.approx([1.2, 1.0, 0.625])
    assert a1["score"] == pytest.approx(1.025)
    assert (a1["tier"], a1["bonus"], a1["commission"], a1["reward"]) == ("mid", 10, 60, 70)
    # A2 junior: revenue target 800 (level beats team); 400/800 = .5 (the cancelled order is 0);
    # aht 200/400 = .5; csat 1/1 → 1.25. score = (25 + 15 + 25) / 100 = .65 → low, no commission
    # (score under min_score 0.9).
    a2 = a["A2"]
    assert a2["items"][0]["target"] == 800
    assert a2["score"] == pytest.approx(0.65)
    assert (a2["tier"], a2["bonus"], a2["commission"], a2["reward"]) == ("low", 0, 0, 0)
    # A3: the agent's own target 100 beats team T2's 500; revenue 30 (April's order is outside
    # the period) → .3; aht 200/100 = 2 → capped 1.5; no surveys → skipped and re-weighed:
    # (50·.3 + 30·1.5) / 80 = .75.
    a3 = a["A3"]
    assert a3["items"][0]["target"] == 100 and a3["items"][2]["target_attainment"] is None
    assert a3["score"] == pytest.approx(0.75)
    # A4: 10 calls < min_sample 30: scored, but neither tier nor reward.
    a4 = a["A4"]
    assert not a4["judged"] and a4["reward"] is None and "too few to judge" in a4["note"]


def test_missing_items_score_zero_when_asked(centre, tmp_path):
    a3 = by(card(centre, tmp_path, "zero")["agents"], "agent")["A3"]
    assert a3["score"] == pytest.approx((50 * 0.3 + 30 * 1.5 + 0) / 100)


def test_commission_floor(centre, tmp_path):
    a = by(card(centre, tmp_path)["agents"], "agent")
    # Floor 5 applies only when a commission is due: A3 scores .75 < min_score, so none.
    assert a["A3"]["commission"] == 0


def test_teams_and_vendors(centre, tmp_path):
    sc = card(centre, tmp_path)
    t1 = by(sc["teams"], "team")["T1"]
    # Team T1 revenue: actual 1600 vs the sum of its agents' targets 1000 + 800 = 1800;
    # aht (a duration): actual (40·200 + 40·400)/80 = 300 vs the mean target 200 → 200/300.
    assert [i["target"] for i in t1["items"]][:2] == [1800, 200]
    assert t1["items"][0]["actual"] == 1600
    assert t1["items"][1]["target_attainment"] == pytest.approx(200 / 300)
    assert t1["reward"] == 70 + 0
    v = by(sc["vendors"], "vendor")["V"]
    assert v["agents"] == 2 and v["calls"] == 50


def test_commission_floor_and_cap(tmp_path, centre):
    from telekpi.targets.scorecard import _reward

    text = TEMPLATE.replace("MISSING", "").replace("floor: 5, cap: 60", "floor: 50, cap: 100")
    p = tmp_path / "f.yaml"
    p.write_text(text)
    t = load_template(p, centre.catalog)
    assert _reward(t, 1.0, 100)["commission"] == 50      # 10 % of 100 = 10, raised to the floor
    assert _reward(t, 1.0, 700)["commission"] == 70
    assert _reward(t, 1.0, 5000)["commission"] == 100    # capped
    assert _reward(t, 0.5, 5000)["commission"] == 0      # under min_score
    assert _reward(t, 1.2, 0)["reward"] == 50            # tier "high", no revenue, no commission


def test_review_so_far_pro_rates_counts_and_money(centre, tmp_path):
    from datetime import date

    p = tmp_path / "t.yaml"
    p.write_text(TEMPLATE.replace("MISSING", ""))
    t = load_template(p, centre.catalog)
    sc = scorecard(centre, t, as_of=date(2026, 3, 10))
    assert sc["as_of"] == "2026-03-10" and sc["elapsed"] == pytest.approx(10 / 31)
    a1 = by(sc["agents"], "agent")["A1"]
    # revenue (money) target 1000 × 10/31; aht (seconds) and csat (rate) keep theirs.
    assert [i["target"] for i in a1["items"]] == pytest.approx([1000 * 10 / 31, 200, 0.8])
    assert a1["items"][0]["actual"] == 1200


def test_review_dates_by_cadence(tmp_path, centre):
    from datetime import date

    from telekpi.targets.scorecard import review_dates

    p = tmp_path / "t.yaml"
    p.write_text(TEMPLATE.replace("MISSING", "cadence: twice_weekly"))
    t = load_template(p, centre.catalog)
    days = review_dates(t)
    assert days[:3] == [date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 9)]   # Mon, Thu, Mon
    assert days[-1] == date(2026, 3, 31) and all(d.weekday() in (0, 3) for d in days[:-1])


def test_a_score_of_exactly_a_tier_min_reaches_that_tier(tmp_path, centre):
    """Tiers are decided on the exact score, without binary noise: 0.7 of a 0.875 target is
    0.8 (not 0.7999999999999999) and reaches a tier that starts at 0.8, as the 80.0 % shown."""
    from telekpi.i18n.numbers import Formatter
    from telekpi.targets.scorecard import score_of

    att = attainment(0.7, 0.875, "higher", 1.5)
    assert att == 0.8
    p = tmp_path / "t.yaml"
    p.write_text(TEMPLATE.replace("MISSING", ""))
    t = load_template(p, centre.catalog)
    score = score_of([{"weight": 60, "target_attainment": att},
                      {"weight": 40, "target_attainment": 0.1 + 0.7}], t)
    t.tiers[1] = type(t.tiers[1])(0.8, 1.1, 10, "mid")
    t.tiers[0] = type(t.tiers[0])(0, 0.8, 0, "low")
    assert score == 0.8 and t.tier_for(score).label == "mid"
    assert Formatter("en").attainment(score) == "80.0%"
    assert t.tier_for(0.79996).label == "low" and Formatter("en").attainment(0.79996) == "79.9%"
