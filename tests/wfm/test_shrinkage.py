"""Shrinkage measured from agent states (by reason, agent, team, hour) and applied by
`telekpi staff` to turn agents on the phones into agents scheduled."""

import json
from datetime import date

import pytest

from telekpi.engine.engine import Engine
from telekpi.store.warehouse import Warehouse
from telekpi.wfm.shrinkage import by_hour, measured
from telekpi.wfm.staffing import scheduled

STATES = """INSERT INTO agent_states (agent_id, state, started_at, ended_at, reason) VALUES
    ('a1', 'available', '2026-01-05 01:00:00+00', '2026-01-05 03:00:00+00', NULL),
    ('a1', 'on_call',   '2026-01-05 03:00:00+00', '2026-01-05 05:00:00+00', NULL),
    ('a1', 'pause',     '2026-01-05 05:00:00+00', '2026-01-05 06:00:00+00', 'lunch'),
    ('a1', 'pause',     '2026-01-05 06:00:00+00', '2026-01-05 06:15:00+00', 'break'),
    ('a1', 'offline',   '2026-01-05 06:15:00+00', '2026-01-05 23:00:00+00', NULL),
    ('a2', 'on_call',   '2026-01-05 02:00:00+00', '2026-01-05 04:45:00+00', NULL),
    ('a2', 'pause',     '2026-01-05 04:45:00+00', '2026-01-05 05:00:00+00', ' '),
    ('a2', 'pause',     '2026-01-05 05:00:00+00', '2026-01-05 05:15:00+00', 'lunch'),
    -- another day, outside the window below
    ('a2', 'pause',     '2026-01-07 02:00:00+00', '2026-01-07 04:00:00+00', 'training'),
    -- ends before it starts: counts nowhere
    ('a3', 'pause',     '2026-01-05 02:00:00+00', '2026-01-05 01:00:00+00', 'lunch')"""


@pytest.fixture
def db(tmp_path):
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n')
    path = tmp_path / "telekpi.duckdb"
    wh = Warehouse(path)
    wh.con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('a1', 't1'), ('a2', 't2'), ('a3', 't2')")
    wh.con.execute(STATES)
    wh.close()
    return path


def test_shrinkage_by_reason_agent_and_team(db):
    got = measured(Engine.open(db), date(2026, 1, 5), date(2026, 1, 5))
    # a1: 2 h available + 2 h on call + 1 h 15 paused = 5 h 15 logged in; a2: 2 h 45 + 30 min
    assert got["logged_in_s"] == pytest.approx(5.25 * 3600 + 3.25 * 3600)
    assert got["pause_s"] == pytest.approx(1.25 * 3600 + 0.5 * 3600)
    assert got["shrinkage"] == pytest.approx(1.75 / 8.5)
    reasons = {r["reason"]: r["pause_s"] for r in got["by_reason"]}
    assert reasons == {"lunch": 4500, "break": 900, "unspecified": 900}   # a blank reason is no reason
    assert got["by_reason"][0]["reason"] == "lunch"
    assert got["by_reason"][0]["shrinkage"] == pytest.approx(4500 / (8.5 * 3600))
    agents = {r["agent_id"]: r["shrinkage"] for r in got["by_agent"]}
    assert agents == pytest.approx({"a1": 1.25 / 5.25, "a2": 0.5 / 3.25})
    assert {r["team_id"] for r in got["by_team"]} == {"t1", "t2"}
    # the whole history takes a2's training day in
    assert measured(Engine.open(db), None, None)["by_reason"][0]["reason"] == "training"


def test_shrinkage_by_hour_of_day(db):
    hours = {r["hour"]: r for r in by_hour(Engine.open(db), date(2026, 1, 5), date(2026, 1, 5))}
    # local time is UTC+7: a1's lunch started 12:00, a2's unnamed pause 11:45
    assert hours[12]["shrinkage"] == pytest.approx(1.0)
    assert hours[11]["pause_s"] == pytest.approx(900)
    assert hours[8]["shrinkage"] == pytest.approx(0.0)


def test_no_states_no_shrinkage(tmp_path):
    Warehouse(tmp_path / "w.duckdb").close()
    got = measured(Engine.open(tmp_path / "w.duckdb"), None, None)
    assert got["shrinkage"] is None and got["by_reason"] == [] and got["by_agent"] == []


def test_staff_applies_measured_and_given_shrinkage(run, db, monkeypatch):
    monkeypatch.chdir(db.parent)
    calls = ("--arrivals", "100,200", "--aht", "180", "--interval", "30m", "--format", "json",
             "--from", "2026-01-05", "--to", "2026-01-05")   # measured on those days only
    code, text, err = run("--db", str(db), "staff", *calls)
    assert code == 0, err
    out = json.loads(text)
    share = 1.75 / 8.5
    assert out["shrinkage"]["source"] == "measured"
    assert out["shrinkage"]["value"] == pytest.approx(share)
    assert [r["scheduled"] for r in out["rows"]] == [scheduled(r["agents"], share) for r in out["rows"]]
    assert out["rows"][1]["scheduled"] > out["rows"][1]["agents"]
    given = json.loads(run("--db", str(db), "staff", *calls, "--shrinkage", "0.3")[1])
    assert given["shrinkage"] == {"value": 0.3, "source": "given"}
    assert [r["scheduled"] for r in given["rows"]] == [scheduled(r["agents"], 0.3) for r in given["rows"]]
    table = run("--db", str(db), "staff", "--arrivals", "100", "--aht", "180", "--shrinkage", "25%")[1]
    assert "25" in table and "given" in table


def test_staff_without_warehouse_schedules_the_agents_needed(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = json.loads(run("--db", str(tmp_path / "none.duckdb"), "staff", "--arrivals", "100", "--aht", "180",
                         "--format", "json")[1])
    assert out["shrinkage"]["source"] == "none"
    assert out["rows"][0]["scheduled"] == out["rows"][0]["agents"]


@pytest.mark.parametrize("given", ["lots", "1.5", "-0.1", "95%"])
def test_bad_shrinkage_is_one_sentence(run, tmp_path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("staff", "--arrivals", "100", "--aht", "180", "--shrinkage", given)
    assert code != 0 and "is not a shrinkage" in err and "Traceback" not in out + err
