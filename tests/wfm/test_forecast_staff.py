"""The interval history, the forecast and its backtest, and `telekpi forecast` / `telekpi staff`
on a queue whose every number is known."""

import json
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from telekpi.engine.engine import Engine
from telekpi.store.warehouse import Warehouse
from telekpi.wfm.forecast import backtest, predict, read_calendar, seasonal_naive
from telekpi.wfm.history import mean_day, offered_series

FIRST = date(2026, 1, 5)   # a Monday
WEEKS = 6
HCM = timezone(timedelta(hours=7))


def _calls():
    """Each day 09:00–09:29 local: 10 calls on Mondays, 4 on other days, each waits 10 s and is
    answered by a1 or a2 (240 s of handling) except one a day that abandons after 50 s; an IVR
    hang-up (no queue) and an outbound call each day are not offered."""
    rows, n = [], 0
    for d in range(WEEKS * 7):
        day = FIRST + timedelta(days=d)
        calls = 10 if day.isoweekday() == 1 else 4
        for i in range(calls):
            at = datetime(day.year, day.month, day.day, 9, 2 * i, tzinfo=HCM)
            abandon = i == 0
            rows.append((f"c{n}", at, None if abandon else f"a{1 + i % 2}", "K", "inbound",
                         "abandoned" if abandon else "answered", 50 if abandon else 10,
                         0 if abandon else 200, 0 if abandon else 40, "care", at))
            n += 1
        at = datetime(day.year, day.month, day.day, 9, 40, tzinfo=HCM)
        rows.append((f"c{n}", at, None, "K", "inbound", "abandoned", 0, 0, 0, None, None))
        rows.append((f"c{n + 1}", at, "a1", "K", "outbound", "answered", None, 100, 0, None, None))
        n += 2
    return rows


@pytest.fixture(scope="module")
def queue_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("queue")
    (folder / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n')
    db = folder / "telekpi.duckdb"
    wh = Warehouse(db)
    wh.con.executemany("""INSERT INTO calls (call_id, started_at, agent_id, campaign_id, direction, status,
        wait_s, talk_s, wrap_s, queue, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", _calls())
    wh.close()
    return db


def test_mean_day_counts_offered_calls_per_local_interval(queue_db):
    engine = Engine.open(queue_db)
    data = mean_day(engine, 30, None, None)
    assert data["days"] == WEEKS * 7
    g = data["groups"][None]
    (nine,) = g["intervals"]   # the 09:30 IVR hang-ups and outbound calls are not offered
    assert nine["slot"].isoformat("minutes") == "09:00"
    assert nine["arrivals"] == pytest.approx((10 + 6 * 4) / 7)
    assert nine["aht_s"] == pytest.approx(240)
    assert nine["actual_agents"] == 2
    assert nine["actual_service_level"] == pytest.approx(1 - 7 / (10 + 6 * 4))   # the abandons miss it
    # Patience: all time waited ÷ abandons = (50 + 10·(calls − 1)) per day / 1 per day.
    assert g["patience_s"] == pytest.approx((7 * 50 + 10 * (10 + 6 * 4 - 7)) / 7)
    mondays = mean_day(engine, 60, None, None, {1})["groups"][None]["intervals"]
    assert mondays[0]["arrivals"] == 10


def test_history_splits_and_filters_by_queue(queue_db):
    engine = Engine.open(queue_db)
    assert list(mean_day(engine, 30, None, None, by="queue")["groups"]) == ["care"]
    assert mean_day(engine, 30, None, None, where={"queue": ["other"]})["groups"] == {}


def test_offered_series_is_dense_by_day_and_interval(queue_db):
    s = offered_series(Engine.open(queue_db), 30, None, None)[None]
    assert s["counts"].shape == (WEEKS * 7, 48)
    assert s["counts"][:, 18].tolist() == [10 if d % 7 == 0 else 4 for d in range(WEEKS * 7)]
    assert s["counts"].sum() == 6 * (10 + 6 * 4)


def test_seasonal_naive_repeats_last_week():
    counts = np.arange(21 * 2, dtype=float).reshape(21, 2)
    assert seasonal_naive(counts, 9).tolist() == [counts[14 + d % 7].tolist() for d in range(9)]


@pytest.mark.slow
def test_holt_winters_learns_a_weekly_pattern_and_the_backtest_says_so():
    pytest.importorskip("statsmodels")
    rng = np.random.default_rng(5)
    days = 12 * 7
    level = np.array([100, 80, 80, 70, 60, 30, 10])[np.arange(days) % 7] * (1 + 0.004 * np.arange(days))
    profile = np.array([0.1, 0.3, 0.4, 0.2])
    counts = rng.poisson(level[:, None] * profile[None, :]).astype(float)
    ahead = predict("holt-winters", counts, FIRST, 14)
    assert ahead.shape == (14, 4)
    assert ahead[:, 2].sum() == pytest.approx(0.4 * ahead.sum(), rel=0.05)
    test = backtest("holt-winters", counts, FIRST, 14)
    assert len(test["origins"]) == 4
    assert test["model"]["wape"] < test["baseline"]["wape"]   # naive carries last week's noise
    assert abs(test["model"]["bias"]) < 0.05


def test_the_calendar_scales_special_days_and_keeps_them_out_of_the_fit(tmp_path):
    cal = tmp_path / "calendar.csv"
    cal.write_text("date,factor,name\n2026-02-16,0,Tet\n2026-02-02,0.5\n")
    special = read_calendar(cal)
    assert special == {date(2026, 2, 16): 0.0, date(2026, 2, 2): 0.5}
    counts = np.ones((28, 2))   # 2026-01-05 … 2026-02-01
    counts[21] = 50             # Monday 2026-01-26
    assert predict("seasonal-naive", counts, FIRST, 14)[0].tolist() == [50, 50]   # Monday 2026-02-02
    assert predict("seasonal-naive", counts, FIRST, 14, special)[0].tolist() == [25, 25]
    # A special day in the history is refilled from the week before before anything is fitted.
    assert predict("seasonal-naive", counts, FIRST, 1, {date(2026, 1, 26): 3.0})[0].tolist() == [1, 1]
    bad = tmp_path / "bad.csv"
    bad.write_text("2026-13-01,1\n")
    from telekpi.errors import ConfigError

    with pytest.raises(ConfigError):
        read_calendar(bad)


def test_staff_calculator_json_rows(run, monkeypatch, tmp_path):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run("--db", tmp_path / "none.duckdb", "staff", "--arrivals", "100,0", "--aht", "180",
                         "--interval", "30m", "--target", "service-level=0.8@20s", "--model", "erlang-c",
                         "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    first, empty = data["rows"]
    assert first["interval"] == "00:00" and first["arrivals"] == 100 and first["aht_s"] == 180
    assert first["erlangs"] == 10 and first["agents"] == 14 and first["agents_erlang_c"] == 14
    assert first["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert first["asa_s"] == pytest.approx(7.8, abs=0.05)
    assert empty["agents"] == 0 and empty["service_level"] is None
    assert not (tmp_path / "none.duckdb").exists()   # the calculator creates no warehouse
    code, out, err = run("--db", tmp_path / "none.duckdb", "staff", "--arrivals", "100", "--aht", "180",
                         "--patience", "120", "--format", "json")
    row = json.loads(out)["rows"][0]
    assert row["agents"] == row["agents_erlang_a"] < row["agents_erlang_c"]
    assert row["abandonment"] > 0


def test_staff_from_history_with_actuals(run, queue_db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run("--db", queue_db, "staff", "--from", "2026-01-05", "--to", "2026-02-15",
                         "--weekday", "1", "--interval", "60m", "--target", "service-level=0.8@20s",
                         "--model", "erlang-a", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    (row,) = data["rows"]
    assert row["interval"] == "09:00" and row["arrivals"] == 10 and row["aht_s"] == 240
    assert row["erlangs"] == pytest.approx(10 * 240 / 3600, abs=1e-3)
    assert row["actual_agents"] == 2 and row["actual_service_level"] == pytest.approx(0.9)
    assert data["groups"][0]["patience_s"] > 0 and data["mode"] == "history"
    code, out, err = run("--db", queue_db, "staff", "--interval", "60m")
    assert code == 0 and "09:00" in out and "patience" in out


def test_forecast_command_and_staffing_its_file(run, queue_db, monkeypatch, tmp_path):
    pytest.importorskip("statsmodels")
    monkeypatch.setenv("COLUMNS", "200")
    path = tmp_path / "fc.json"
    code, out, err = run("--db", queue_db, "forecast", "--horizon", "7d", "--interval", "60m",
                         "--format", "json", "-o", path)
    assert code == 0, err
    data = json.loads(path.read_text())
    assert len(data["rows"]) == 7 * 24 and data["interval_minutes"] == 60
    assert data["rows"][0]["interval"] == "2026-02-16T00:00:00+07:00"
    nine = [r for r in data["rows"] if r["interval"].endswith("T09:00:00+07:00")]
    assert [round(r["baseline"]) for r in nine] == [10, 4, 4, 4, 4, 4, 4]
    assert nine[0]["arrivals"] == pytest.approx(10, abs=1)
    (test,) = data["backtest"]
    assert test["baseline"]["wape"] == 0 and test["model"]["wape"] < 0.1
    code, out, err = run("--db", queue_db, "staff", "--forecast-file", path, "--interval", "60m", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert len(rows) == 7 * 24 and rows[9]["agents"] >= 1 and rows[0]["agents"] == 0
    code, out, err = run("--db", queue_db, "staff", "--forecast-file", path, "--interval", "30m")
    assert code == 2 and "60-minute" in err


def test_model_check_names_a_model(run, queue_db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run("--db", queue_db, "staff", "--check", "--interval", "30m", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["intervals"] == WEEKS * 7 and set(data["models"]) == {"erlang-c", "erlang-a", "simulation"}
    assert data["best"] in data["models"]
    assert all(r["measured_service_level"] is not None for r in data["rows"])


@pytest.mark.parametrize(("args", "words"), [
    (["staff", "--arrivals", "1,x", "--aht", "3"], "--arrivals 1,x"),
    (["staff", "--arrivals", "10"], "--aht"),
    (["staff", "--arrivals", "10", "--aht", "200", "--target", "speed=3"], "not a target"),
    (["staff", "--arrivals", "10", "--aht", "-4"], "--aht"),
    (["staff", "--arrivals", "10", "--aht", "200", "--model", "erlang-x"], "erlang-x"),
    (["forecast", "--interval", "20m"], "20m"),
    (["forecast", "--horizon", "0d"], "0d"),
    (["staff", "--weekday", "9"], "weekday"),
    (["forecast", "--model", "seasonal-naive", "-o", "/nonexistent/dir/f.json"], "cannot write /nonexistent"),
    (["forecast", "--model", "seasonal-naive", "--calendar", "/nonexistent.csv"], "calendar"),
    (["staff", "--forecast-file", "/nonexistent.json"], "/nonexistent.json"),
    (["forecast", "--model", "seasonal-naive", "--calendar", "{nan_calendar}"], "line 2: write date,factor"),
])
def test_bad_input_is_one_sentence(run, queue_db, args, words, tmp_path):
    calendar = tmp_path / "calendar.csv"
    calendar.write_text("date,factor\n2026-12-25,nan\n")
    code, out, err = run("--db", queue_db, *(a.format(nan_calendar=calendar) for a in args))
    assert code == 2
    assert words in err and "Traceback" not in err and err.count("\n") == 1


def test_without_statsmodels_the_forecast_names_the_extra(run, queue_db, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "statsmodels.tsa.holtwinters", None)   # import fails as if absent
    code, out, err = run("--db", queue_db, "forecast", "--horizon", "7d")
    assert code != 0 and "pip install 'telekpi[wfm]'" in err and "seasonal-naive" in err
    code, out, err = run("--db", queue_db, "forecast", "--horizon", "7d", "--model", "seasonal-naive",
                         "--format", "json")
    assert code == 0, err
    assert json.loads(out)["backtest"][0]["baseline"]["wape"] == 0


def test_staffing_the_forecast_falls_back_to_seasonal_naive_without_statsmodels(run, queue_db, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "statsmodels.tsa.holtwinters", None)
    code, out, err = run("--db", queue_db, "staff", "--forecast", "--horizon", "7d", "--interval", "60m",
                         "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["forecast_model"] == "seasonal-naive"
    nine = [r for r in data["rows"] if r["interval"].endswith("T09:00:00+07:00")]
    assert [r["arrivals"] for r in nine] == [10, 4, 4, 4, 4, 4, 4]


@pytest.mark.slow   # writes a lake and starts ClickHouse
def test_staff_and_the_model_check_over_a_lake_give_the_warehouses_numbers(run, queue_db, monkeypatch, tmp_path):
    """`--engine clickhouse --lake DIR` (and DuckDB over the lake) read the same interval history
    as the warehouse: the staffing and the model check agree."""
    monkeypatch.setenv("COLUMNS", "200")
    lake = tmp_path / "lake"
    code, out, err = run("--db", queue_db, "export-lake", lake)
    assert code == 0, err
    for args in (["staff", "--from", "2026-01-05", "--to", "2026-02-15", "--weekday", "1", "--interval", "30m"],
                 ["staff", "--check", "--interval", "60m"]):
        code, out, err = run("--db", queue_db, *args, "--format", "json")
        assert code == 0, err
        want = json.loads(out)["rows"]
        assert want
        for engine in ("duckdb", "clickhouse"):
            code, out, err = run("--db", queue_db, *args, "--format", "json", "--engine", engine, "--lake", lake)
            assert code == 0, err
            assert json.loads(out)["rows"] == want, engine
