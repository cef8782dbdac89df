"""`telekpi export-lake`: the layout other engines read, what it carries, and its errors."""

from __future__ import annotations

import json

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.errors import InputError
from telekpi.model.tables import TABLES
from telekpi.settings import Settings
from telekpi.store.lake import export_lake, read_manifest
from telekpi.store.warehouse import Warehouse

from ..reference import datagen

pytestmark = pytest.mark.slow   # writes lakes of a demo centre


@pytest.fixture
def world(tmp_path):
    rows = datagen.make_world(1, "Asia/Ho_Chi_Minh")
    wh = datagen.load_world(rows, tmp_path / "w.duckdb")
    yield wh, rows
    wh.close()


def test_every_row_of_every_table_is_in_the_lake(world, tmp_path):
    wh, rows = world
    counts = export_lake(wh, tmp_path / "lake", Settings(timezone="Asia/Ho_Chi_Minh"))
    for name in TABLES:
        part = "hive" if TABLES[name].time else None
        table = ds.dataset(tmp_path / "lake" / name, format="parquet", partitioning=part).to_table()
        assert table.num_rows == counts[name] == wh.count(name), name
        assert [c for c in table.column_names if c != "month"] == TABLES[name].names


def test_months_are_local_and_times_are_utc_instants(tmp_path):
    """A call at 23:30 UTC on 31 January is in February in Ho Chi Minh City (UTC+7)."""
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.con.execute("INSERT INTO calls (call_id, started_at, status) "
                       "VALUES ('c1', TIMESTAMPTZ '2026-01-31 23:30:00+00', 'answered')")
        export_lake(wh, tmp_path / "lake", Settings(timezone="Asia/Ho_Chi_Minh"))
    files = list((tmp_path / "lake" / "calls").glob("month=*/*.parquet"))
    assert [f.parent.name for f in files] == ["month=2026-02"]
    field = pq.read_schema(files[0]).field("started_at")
    assert field.type.tz == "UTC"
    assert pq.read_table(files[0]).column("started_at")[0].as_py().isoformat() == "2026-01-31T23:30:00+00:00"


def test_manifest_settings_and_metrics_travel_with_the_lake(world, tmp_path):
    wh, _ = world
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Bangkok"\n', encoding="utf-8")
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "mine.yaml").write_text(
        "metrics:\n  - {id: my_calls, name: My calls, description: Calls., type: simple,"
        " measure: calls, unit: count, better: higher}\n", encoding="utf-8")
    export_lake(wh, tmp_path / "lake", Settings(timezone="Asia/Bangkok"))
    manifest = read_manifest(tmp_path / "lake")
    assert manifest["timezone"] == "Asia/Bangkok"
    assert manifest["tables"]["calls"] == {"rows": wh.count("calls"), "time": "started_at"}
    engine = Engine.over_lake(tmp_path / "lake")
    assert engine.settings.timezone == "Asia/Bangkok"
    assert engine.query(Request(("my_calls",))).rows == [{"my_calls": wh.count("calls")}]
    engine.close()


def test_re_export_replaces_the_tables(world, tmp_path):
    wh, _ = world
    export_lake(wh, tmp_path / "lake", Settings())
    wh.con.execute("DELETE FROM calls WHERE status = 'busy'")
    export_lake(wh, tmp_path / "lake", Settings())
    engine = Engine.over_lake(tmp_path / "lake")
    assert engine.query(Request(("calls",))).rows == [{"calls": wh.count("calls")}]
    engine.close()
    assert not list((tmp_path / "lake").glob(".*"))    # no temporary folders left


def test_a_folder_with_other_things_is_not_overwritten(world, tmp_path):
    wh, _ = world
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(InputError, match="other files in it"):
        export_lake(wh, tmp_path / "photos", Settings())
    assert [p.name for p in (tmp_path / "photos").iterdir()] == ["cat.jpg"]


def test_reading_something_that_is_not_a_lake(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        read_manifest(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"is not a telekpi lake \(no _telekpi/lake.json\)"):
        read_manifest(tmp_path / "empty")


# ---- the command line -----------------------------------------------------------------------

@pytest.fixture
def demo_db(tmp_path, run):
    code, _, err = run("--db", tmp_path / "telekpi.duckdb", "demo")
    assert code == 0, err
    return tmp_path / "telekpi.duckdb"


def test_cli_export_then_kpi_on_the_lake_matches_the_warehouse(demo_db, tmp_path, run):
    code, out, err = run("--db", demo_db, "export-lake", tmp_path / "lake")
    assert code == 0, err
    assert out.startswith("wrote ") and " calls " in out
    args = ["kpi", "calls", "connection_rate", "aht", "revenue", "--by", "team", "--period", "month",
            "--format", "json"]
    _, warehouse, _ = run("--db", demo_db, *args)
    code, lake, err = run("--db", demo_db, *args, "--lake", tmp_path / "lake")
    assert code == 0, err
    assert json.loads(lake) == json.loads(warehouse)
    code, out, err = run("--db", demo_db, *args, "--lake", tmp_path / "lake", "--engine", "clickhouse")
    assert code == 0, err
    assert json.loads(out) == json.loads(warehouse)
    code, funnel_lake, _ = run("--db", demo_db, "funnel", "--format", "json", "--lake", tmp_path / "lake",
                               "--engine", "clickhouse")
    _, funnel_wh, _ = run("--db", demo_db, "funnel", "--format", "json")
    assert json.loads(funnel_lake) == json.loads(funnel_wh)


def test_cli_explain_per_engine_starts_no_engine(demo_db, run):
    code, out, err = run("--db", demo_db, "kpi", "aht", "--by", "agent", "--where", "team=T1",
                         "--engine", "spark", "--explain")
    assert code == 0, err
    assert out.startswith("-- engine: spark\n-- $w0 = 'T1'\n") and "IN (:w0)" in out
    code, out, _ = run("--db", demo_db, "kpi", "aht", "--engine", "clickhouse", "--explain")
    assert "-- engine: clickhouse" in out and "FILTER" not in out


@pytest.mark.parametrize("args, message", [
    (["--engine", "spark"], "--engine spark needs --lake DIR"),
    (["--engine", "clickhouse"], "--engine clickhouse needs --lake DIR"),
    (["--lake", "LAKE"], "is not a telekpi lake"),
])
def test_cli_engine_errors_are_one_sentence(demo_db, tmp_path, run, args, message):
    (tmp_path / "LAKE").mkdir()
    args = [str(tmp_path / "LAKE") if a == "LAKE" else a for a in args]
    code, out, err = run("--db", demo_db, "kpi", "calls", *args)
    assert code == 2 and message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_an_empty_table_is_still_a_table_in_the_lake(tmp_path):
    """A workspace without tickets (or any table) exports and queries: 0, not an error."""
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.con.execute("INSERT INTO calls (call_id, started_at, status) "
                       "VALUES ('c1', TIMESTAMPTZ '2026-01-05 03:00:00+00', 'answered')")
        export_lake(wh, tmp_path / "lake", Settings())
    assert [p.name for p in (tmp_path / "lake" / "tickets").iterdir()] == ["month=none"]
    engine = Engine.over_lake(tmp_path / "lake")
    assert engine.query(Request(("calls", "tickets", "revenue"))).rows == [
        {"calls": 1, "tickets": 0, "revenue": 0}]
    engine.close()


def test_a_damaged_lake_is_named_in_one_sentence(world, tmp_path):
    wh, _ = world
    export_lake(wh, tmp_path / "lake", Settings())
    import shutil

    shutil.rmtree(tmp_path / "lake" / "orders")
    with pytest.raises(InputError, match=r"lake/orders: cannot be read as the orders table"):
        Engine.over_lake(tmp_path / "lake")
