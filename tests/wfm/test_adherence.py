"""Adherence and conformance from schedules and agent states, per agent and interval, and
the agents out of adherence now — on a day whose every second is known."""

from datetime import UTC, date, datetime

import pytest

from telekpi.engine.engine import Engine
from telekpi.store.warehouse import Warehouse
from telekpi.wfm.adherence import activity_class, measure, out_of_adherence

# Local time is UTC+7: 08:00 local is 01:00 UTC.
SCHEDULES = """INSERT INTO schedules (agent_id, starts_at, ends_at, activity) VALUES
    ('a1', '2026-01-05 01:00:00+00', '2026-01-05 03:00:00+00', 'work'),
    ('a1', '2026-01-05 03:00:00+00', '2026-01-05 04:00:00+00', 'Lunch'),
    ('a1', '2026-01-05 04:00:00+00', '2026-01-05 06:00:00+00', 'phones'),
    ('a2', '2026-01-05 01:00:00+00', '2026-01-05 05:00:00+00', 'work'),
    ('a3', '2026-01-05 01:00:00+00', '2026-01-05 09:00:00+00', 'annual-leave')"""
STATES = """INSERT INTO agent_states (agent_id, state, started_at, ended_at, reason) VALUES
    -- a1 starts 15 min late, takes lunch 30 min late and works through to the end
    ('a1', 'offline',   '2026-01-05 00:00:00+00', '2026-01-05 01:15:00+00', NULL),
    ('a1', 'available', '2026-01-05 01:15:00+00', '2026-01-05 02:00:00+00', NULL),
    ('a1', 'on_call',   '2026-01-05 02:00:00+00', '2026-01-05 03:30:00+00', NULL),
    ('a1', 'pause',     '2026-01-05 03:30:00+00', '2026-01-05 04:30:00+00', 'lunch'),
    ('a1', 'wrap',      '2026-01-05 04:30:00+00', '2026-01-05 06:00:00+00', NULL),
    -- a2 works 2 h of the 4, then logs out; and 1 h on another day outside the schedule's
    ('a2', 'on_call',   '2026-01-05 01:00:00+00', '2026-01-05 03:00:00+00', NULL),
    ('a2', 'available', '2026-01-06 01:00:00+00', '2026-01-06 02:00:00+00', NULL)"""


@pytest.fixture
def db(tmp_path):
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n')
    path = tmp_path / "telekpi.duckdb"
    wh = Warehouse(path)
    wh.con.execute(SCHEDULES)
    wh.con.execute(STATES)
    wh.close()
    return path


@pytest.mark.parametrize(("activity", "kind"), [("work", "work"), (" Phones ", "work"), ("lunch", "pause"),
                                                ("training", "pause"), ("annual_leave", "off"), ("", "pause")])
def test_activity_classes(activity, kind):
    assert activity_class(activity) == kind


def test_adherence_and_conformance_per_agent(db):
    got = measure(Engine.open(db), date(2026, 1, 5), date(2026, 1, 5), 60)
    agents = {r["agent_id"]: r for r in got["by_agent"]}
    assert "a3" not in agents   # on leave: no scheduled time to adhere to
    a1 = agents["a1"]
    # work 08–10: in from 08:15 → 105 min; lunch 10–11: paused 10:30–11 → 30 min;
    # work 11–13: on a call until 10:30 (before), paused until 11:30, wrap after → 90 min
    assert a1["scheduled_s"] == 5 * 3600
    assert a1["adherent_s"] == pytest.approx((105 + 30 + 90) * 60)
    assert a1["adherence"] == pytest.approx(225 / 300)
    # worked: 45 + 90 + 90 = 225 min of 240 scheduled work
    assert a1["conformance"] == pytest.approx(225 / 240)
    assert agents["a2"]["adherence"] == pytest.approx(0.5)
    assert agents["a2"]["conformance"] == pytest.approx(0.5)   # the next day's hour is another day
    assert got["adherence"] == pytest.approx((225 + 120) / (300 + 240))


def test_adherence_per_local_interval(db):
    slots = {r["interval"]: r for r in measure(Engine.open(db), date(2026, 1, 5), date(2026, 1, 5), 60)["by_interval"]}
    eight = slots[datetime(2026, 1, 5, 8, 0)]
    assert eight["scheduled_agents"] == 2
    assert eight["adherence"] == pytest.approx((45 + 60) / 120)
    ten = slots[datetime(2026, 1, 5, 10, 0)]   # a1 at lunch (30 of 60 min paused), a2 logged out (work)
    assert ten["scheduled_agents"] == 1
    assert ten["adherence"] == pytest.approx(30 / 120)


def test_no_schedules(db):
    got = measure(Engine.open(db), date(2026, 2, 1), date(2026, 2, 1))
    assert got["adherence"] is None and got["by_agent"] == []


def test_who_is_out_of_adherence_now(db):
    engine = Engine.open(db)
    # 10:15 local: a1 scheduled for lunch but on a call since 09:00; a2 logged out at 10:00
    now = datetime(2026, 1, 5, 3, 15, tzinfo=UTC)
    rows = {r["agent_id"]: r for r in out_of_adherence(engine, now)}
    assert rows["a1"]["activity"] == "Lunch" and rows["a1"]["state"] == "on_call"
    assert rows["a1"]["seconds"] == 15 * 60   # since lunch began, not since the call did
    assert rows["a2"]["state"] is None and rows["a2"]["seconds"] == 15 * 60
    # 11:10 local: a2 logged out at 10:00 though scheduled to work until 12:00; a1 still at
    # lunch 10 minutes into the work after it
    later = out_of_adherence(engine, datetime(2026, 1, 5, 4, 10, tzinfo=UTC))
    assert [(r["agent_id"], r["state"], r["seconds"]) for r in later] == [("a2", None, 4200), ("a1", "pause", 600)]


def test_adherence_command(run, db, monkeypatch):
    import json

    monkeypatch.setenv("COLUMNS", "160")
    code, out, err = run("--db", str(db), "adherence", "--from", "2026-01-05", "--to", "2026-01-05",
                         "--format", "json")
    assert code == 0, err
    got = json.loads(out)
    assert [r["agent_id"] for r in got["rows"]] == ["a1", "a2"]
    assert got["adherence"] == pytest.approx(345 / 540)
    code, out, err = run("--db", str(db), "adherence", "--by", "interval", "--interval", "60m")
    assert code == 0 and "08:00" in out and "Adherence" in out
    code, out, err = run("--db", str(db), "adherence", "--from", "2026-03-01")
    assert code != 0 and "import schedules" in err and "Traceback" not in err
    code, out, err = run("--db", str(db), "adherence", "--by", "team")
    assert code != 0 and "cannot split adherence" in err
