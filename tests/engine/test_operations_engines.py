"""The callbacks model with the dialer's scheduled callbacks on every engine: DuckDB over a
Parquet lake, ClickHouse (chdb) and Spark give the numbers the DuckDB warehouse gives on the
hand-built world of test_operations_hand.py (a callback due at the dialer's time, one only the
dialer knows, one set too long after its lead's call to be its disposition)."""

from __future__ import annotations

import pytest

from telekpi.engine.backends import ClickHouseBackend, DuckDBBackend, SparkBackend
from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.settings import Settings
from telekpi.store.lake import export_lake
from telekpi.store.warehouse import Warehouse

from ..reference.datagen import insert_rows
from .test_operations_hand import CALLBACKS, NY, SCHEDULED

METRICS = ("callbacks_due", "callback_on_time_rate", "callbacks_late", "callbacks_never")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("callbacks")
    wh = Warehouse(folder / "w.duckdb")
    insert_rows(wh, {"calls": CALLBACKS, "scheduled_callbacks": SCHEDULED,
                     "agents": [{"agent_id": a, "team_id": "T1"} for a in ("A1", "A2", "A3")]})
    settings = Settings(timezone=NY)
    export_lake(wh, folder / "lake", settings)
    yield Engine(wh, settings), folder / "lake", settings
    wh.close()


def answers(engine: Engine) -> list:
    return [engine.query(Request(METRICS, by=by)).rows for by in ((), ("agent",), ("team",))]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["duckdb-lake", "clickhouse"])
def test_scheduled_callbacks_agree_on_the_lake_engines(world, name):
    base, lake, settings = world
    backend = DuckDBBackend.over_lake(lake) if name == "duckdb-lake" else ClickHouseBackend(lake)
    engine = Engine(None, settings, base.catalog, backend=backend, use_rollups=False)
    try:
        expected = answers(base)
        assert expected[0][0]["callbacks_due"] == 5
        assert answers(engine) == expected
    finally:
        engine.close()


@pytest.mark.spark
def test_scheduled_callbacks_agree_on_spark(world, spark_session):
    base, lake, settings = world
    backend = SparkBackend(lake, session=spark_session.newSession())
    engine = Engine(None, settings, base.catalog, backend=backend, use_rollups=False)
    assert answers(engine) == answers(base)
