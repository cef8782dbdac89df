"""The staffing board (Staffing page, API, report, alert) and the short-schedule check, on a
queue whose every number is known: 21 days, 6 calls a day at 09:00–09:59 local answered by
a1 (240 s each), a1 logged in 09:00–10:00 with a 15-minute break, and a rota."""

from datetime import date, datetime, timedelta, timezone

import pytest

from telekpi.engine.engine import Engine
from telekpi.store.warehouse import Warehouse
from telekpi.wfm.board import short_intervals, staffing_board
from telekpi.wfm.staffing import scheduled

FIRST = date(2026, 3, 2)   # a Monday
DAYS = 21
HCM = timezone(timedelta(hours=7))


def build(path, rota_days=DAYS, rota_agents=("a1",)):
    (path.parent / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n')
    calls, states, rota = [], [], []
    for d in range(DAYS):
        day = FIRST + timedelta(days=d)
        at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=HCM)
        for i in range(6):
            t = at + timedelta(minutes=10 * i)
            calls.append((f"c{d}-{i}", t, "a1", "inbound", "answered", 5, 200, 40, "care", t))
        states += [("a1", "available", at, at + timedelta(minutes=45), None),
                   ("a1", "pause", at + timedelta(minutes=45), at + timedelta(hours=1), "break")]
        if d < rota_days:
            rota += [(a, at, at + timedelta(hours=1), "work") for a in rota_agents]
    wh = Warehouse(path)
    wh.con.executemany("""INSERT INTO calls (call_id, started_at, agent_id, direction, status, wait_s, talk_s,
        wrap_s, queue, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", calls)
    wh.con.executemany("INSERT INTO agent_states VALUES (?, ?, ?, ?, ?)", states)
    wh.con.executemany("INSERT INTO schedules VALUES (?, ?, ?, ?)", rota)
    wh.close()
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("board") / "telekpi.duckdb")


def test_board_per_interval(db):
    board = staffing_board(Engine.open(db), FIRST + timedelta(days=14), FIRST + timedelta(days=20), 60)
    (nine,) = board["rows"]
    assert nine["interval"] == "09:00"
    assert nine["offered"] == 6 and nine["logged_in"] == 1 and nine["scheduled"] == 1
    assert nine["service_level"] == 1
    # 6 calls × 240 s in an hour = 0.4 Erlang; one agent answers 80 % in 20 s only with
    # P(wait) 0.4 × e^(−0.6 × 20/240) ≤ 0.2, which it is not: two on the phones; a quarter of the
    # logged-in time paused → 2 / (1 − 0.25) → 3 to schedule
    assert nine["required"] == 2
    assert board["shrinkage"]["value"] == pytest.approx(0.25)
    assert board["shrinkage"]["by_reason"][0]["reason"] == "break"
    assert nine["required_scheduled"] == scheduled(2, 0.25) == 3
    # the same every day: the forecast from the 14 days before says 6, and is right
    assert nine["forecast"] == pytest.approx(6, abs=0.01)
    assert board["forecast_model"] in ("holt-winters", "seasonal-naive")
    assert board["forecast_wape"] == pytest.approx(0, abs=0.01)
    # the model check over the same days: 7 intervals, every model named with its errors
    check = board["model_check"]
    assert check["intervals"] == 7 and set(check["models"]) == {"erlang-c", "erlang-a", "simulation"}
    assert check["best"] in check["models"]


def test_board_without_history_before_has_no_forecast(db):
    board = staffing_board(Engine.open(db), FIRST, FIRST + timedelta(days=6), 30)
    assert board["forecast_model"] is None and board["rows"][0]["forecast"] is None
    assert board["rows"][0]["interval"] == "09:00"


def test_short_schedule_is_found(tmp_path):
    # the rota of the last day names nobody: 3 agents to schedule at 09:00, none scheduled
    path = build(tmp_path / "telekpi.duckdb", rota_days=DAYS - 1)
    engine = Engine.open(path)
    last = FIRST + timedelta(days=DAYS - 1)
    (row,) = short_intervals(engine, last, history_days=14)
    assert row == {"interval": datetime(last.year, last.month, last.day, 9, 0), "required": 3,
                   "scheduled": 0.0, "short": 3.0}
    # a day with one agent scheduled is still two short
    assert [r["short"] for r in short_intervals(engine, last - timedelta(days=1), history_days=14)] == [2.0]


def test_only_the_queues_agents_rota_counts(tmp_path):
    # b1 is on the rota too but answers no inbound call (an outbound seller): not the queue's
    path = build(tmp_path / "telekpi.duckdb", rota_agents=("a1", "b1"))
    board = staffing_board(Engine.open(path), FIRST + timedelta(days=14), FIRST + timedelta(days=20), 60)
    assert board["rows"][0]["scheduled"] == 1
