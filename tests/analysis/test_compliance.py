"""Rules kept, by hand (analysis/compliance.py): a stop request between two calls the same day,
the DNC disposition as a request, the rolling abandonment window's boundary and the day a
campaign will cross its cap at today's pace."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from telekpi.analysis.compliance import Days, compliance, rolling_abandonment
from telekpi.engine.engine import Engine
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

HCM = "Asia/Ho_Chi_Minh"
NUMBER, OTHER = "+84974442778", "+84912345678"


def calls(con, rows):
    con.executemany("INSERT INTO calls (call_id, started_at, agent_id, campaign_id, direction, status, "
                    "disposition, called_number) VALUES (?, CAST(? AS TIMESTAMPTZ), 'A1', ?, 'outbound', "
                    "?, ?, ?)", rows)


@pytest.fixture
def wh(tmp_path):
    w = Warehouse(tmp_path / "w.duckdb")
    yield w
    w.close()


def test_a_stop_request_between_two_calls_the_same_day(wh):
    # 10:00 and 15:00 local (UTC+7) to one number; it asked to stop at 12:00 through the
    # imported list: only the 15:00 call breaks it. A second number said DNC on its 09:00 call:
    # its 09:30 call breaks it, the 09:00 call itself does not.
    calls(wh.con, [("c1", "2026-03-10 03:00:00+00", "K1", "answered", "NI", NUMBER),
                   ("c2", "2026-03-10 08:00:00+00", "K1", "no_answer", None, NUMBER),
                   ("d1", "2026-03-10 02:00:00+00", "K2", "answered", "DNC", OTHER),
                   ("d2", "2026-03-10 02:30:00+00", "K2", "no_answer", None, OTHER)])
    wh.con.execute("INSERT INTO dnc VALUES (?, TIMESTAMPTZ '2026-03-10 05:00:00+00', 'complaint')", [NUMBER])
    engine = Engine(wh, Settings(timezone=HCM))
    data = compliance(engine, Days(date(2026, 3, 10), date(2026, 3, 10), engine.settings.tz))
    found = {r["call_id"]: r["source"] for r in data["dnc"]}
    assert found == {"c2": "complaint", "d2": "disposition DNC"}
    assert data["counts"]["dnc"] == 2


def test_calls_outside_the_window_name_the_local_time_and_rule(wh):
    # 11:30 UTC is 18:30 in Hanoi (past Vietnam's 17:00) and 18:30 in Bangkok (a Tuesday: inside)
    calls(wh.con, [("v1", "2026-03-10 11:30:00+00", "K1", "answered", None, NUMBER),
                   ("t1", "2026-03-10 11:30:00+00", "K1", "answered", None, "+66812345678"),
                   ("v2", "2026-03-10 03:00:00+00", "K1", "answered", None, NUMBER)])
    engine = Engine(wh, Settings(timezone=HCM))
    data = compliance(engine, Days(date(2026, 3, 10), date(2026, 3, 10), engine.settings.tz))
    assert [(r["call_id"], r["local_time"], r["window"]) for r in data["outside_window"]] == [
        ("v1", "2026-03-10T18:30", "08:00-17:00")]


def daily(con, campaign, day, abandoned, live, tag):
    """``live`` calls a person picked up on ``day`` (10:00 local), ``abandoned`` of them dropped."""
    con.execute("INSERT INTO calls (call_id, started_at, campaign_id, direction, status) "
                "SELECT ? || '-' || i, CAST(? AS TIMESTAMPTZ), ?, 'outbound', "
                "CASE WHEN i < ? THEN 'abandoned' ELSE 'answered' END FROM range(?) t(i)",
                [tag, f"{day} 03:00:00+00", campaign, abandoned, live])


def test_the_rolling_window_keeps_its_thirty_days_and_no_more(wh):
    # As of 30 March, the 30 days run from 1 March: 1 March counts, 28 February does not.
    daily(wh.con, "K1", "2026-02-28", 50, 100, "feb")
    daily(wh.con, "K1", "2026-03-01", 1, 100, "m1")
    daily(wh.con, "K1", "2026-03-30", 1, 100, "m30")
    engine = Engine(wh, Settings(timezone=HCM))
    (k1,) = rolling_abandonment(engine, date(2026, 3, 30))
    assert (k1["abandoned"], k1["live"], k1["from"]) == (2, 200, date(2026, 3, 1))
    assert k1["rate"] == pytest.approx(0.01) and k1["headroom_points"] == pytest.approx(2.0)
    assert not k1["over"]


def test_the_day_a_campaign_will_cross_its_cap_at_todays_pace(wh):
    # 23 quiet days (1 % of 100 live a day), then a week at 6 %: 23 + 42 = 65 of 3,000 (2.17 %).
    # Each day to come adds 6 of 100 and drops a 1 % day: day k holds 65 + 5k of 3,000, over
    # 3 % (90) from k = 6: 5 days after 30 March it is 90 (not over), on the 6th 95.
    start = date(2026, 3, 1)
    for k in range(30):
        day = start + timedelta(days=k)
        daily(wh.con, "K2", day.isoformat(), 1 if k < 23 else 6, 100, f"d{k}")
    engine = Engine(wh, Settings(timezone=HCM))
    (k2,) = rolling_abandonment(engine, date(2026, 3, 30))
    assert k2["rate"] == pytest.approx(65 / 3000)
    assert k2["pace_rate"] == pytest.approx(0.06)
    assert k2["crosses_on"] == date(2026, 4, 5)


def test_a_campaign_over_the_cap_is_over_with_no_crossing_to_come(wh):
    daily(wh.con, "K3", "2026-03-30", 5, 100, "x")
    engine = Engine(wh, Settings(timezone=HCM))
    (k3,) = rolling_abandonment(engine, date(2026, 3, 30))
    assert k3["over"] and k3["crosses_on"] is None
    assert compliance(engine, Days(date(2026, 3, 30), date(2026, 3, 30), engine.settings.tz)
                      )["counts"]["abandon_cap"] == 1


def test_diagnose_says_how_far_a_campaign_is_from_the_cap_and_when_it_crosses(wh):
    from telekpi.analysis.diagnose import abandon_cap
    from telekpi.engine.request import Request

    start = date(2026, 3, 1)
    for k in range(30):
        daily(wh.con, "K2", (start + timedelta(days=k)).isoformat(), 1 if k < 23 else 6, 100, f"d{k}")
    daily(wh.con, "K3", "2026-03-30", 5, 100, "x")
    engine = Engine(wh, Settings(timezone=HCM))
    assert abandon_cap(engine, Request((), end=date(2026, 3, 30))) == [
        "K2 is 0.8 points from the 3% abandon cap and will cross it on 2026-04-05 at today's pace",
        "K3 is over the 3% abandon cap: 5.0% over 30 days"]
    # filtered to a team, a campaign's rate is not the team's: nothing said
    assert abandon_cap(engine, Request((), end=date(2026, 3, 30), where=(("team", "T1"),))) == []


def test_a_supervisor_sees_the_whole_rate_of_the_campaigns_their_agents_call_for(wh):
    from telekpi.engine.lookup import Scope

    wh.con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('A1', 'T1'), ('B1', 'T2')")
    daily(wh.con, "K1", "2026-03-30", 5, 100, "k1")          # the drops have no agent
    daily(wh.con, "K2", "2026-03-30", 1, 100, "k2")
    wh.con.execute("UPDATE calls SET agent_id = 'A1' WHERE campaign_id = 'K1' AND status = 'answered'")
    wh.con.execute("UPDATE calls SET agent_id = 'B1' WHERE campaign_id = 'K2' AND status = 'answered'")
    engine = Engine(wh, Settings(timezone=HCM))
    (k1,) = rolling_abandonment(engine, date(2026, 3, 30), Scope(teams=("T1",)))
    assert (k1["campaign_id"], k1["abandoned"], k1["live"]) == ("K1", 5, 100)


def test_a_call_without_the_recording_disclosure_is_a_breach_once(wh):
    # Four calls on 10 March: c1 missed the disclosure on two forms (one breach), c2 said it,
    # c3 was scored on a form without the item (not judged), c4 missed it on the 11th (outside
    # the day asked). A recording_disclosure item that a person must still score is not judged.
    calls(wh.con, [("c1", "2026-03-10 03:00:00+00", "K1", "answered", None, NUMBER),
                   ("c2", "2026-03-10 04:00:00+00", "K1", "answered", None, NUMBER),
                   ("c3", "2026-03-10 05:00:00+00", "K1", "answered", None, OTHER),
                   ("c4", "2026-03-11 03:00:00+00", "K1", "answered", None, OTHER)])
    wh.con.executemany("INSERT INTO qa_items (call_id, form_id, item_id, kind, status, weight, auto_fail) "
                       "VALUES (?, ?, ?, 'phrase', ?, 10, true)",
                       [("c1", "sales", "recording_disclosure", "fail"), ("c1", "care", "recording_disclosure", "fail"),
                        ("c2", "sales", "recording_disclosure", "pass"), ("c3", "short", "greeting", "fail"),
                        ("c3", "sales", "recording_disclosure", "pending"),
                        ("c4", "sales", "recording_disclosure", "fail")])
    engine = Engine(wh, Settings(timezone=HCM))
    data = compliance(engine, Days(date(2026, 3, 10), date(2026, 3, 10), engine.settings.tz))
    assert [(r["call_id"], r["forms"], r["kind"]) for r in data["disclosure"]] == [("c1", "care, sales", "disclosure")]
    assert (data["counts"]["disclosure"], data["disclosure_checked"]) == (1, 2)
    assert data["disclosure"][0]["started_at"].utcoffset() == timedelta(hours=7)   # the workspace's clock
