"""The warehouse schema: the canonical tables with their defaults, usable from plain SQL."""

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.settings import Settings
from telekpi.store.migrations import SCHEMA_VERSION
from telekpi.store.warehouse import Warehouse


def test_columns_with_defaults_are_filled_when_a_tool_inserts_rows_by_sql(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.con.execute("INSERT INTO orders (order_id, ordered_at, amount) "
                       "VALUES ('o1', TIMESTAMPTZ '2026-01-05 03:00:00+00', 100)")
        wh.con.execute("INSERT INTO calls (call_id, started_at, status) "
                       "VALUES ('c1', TIMESTAMPTZ '2026-01-05 03:00:00+00', 'answered')")
        assert wh.con.execute("SELECT status FROM orders").fetchall() == [("completed",)]
        assert wh.con.execute("SELECT direction FROM calls").fetchall() == [("outbound",)]
    engine = Engine(Warehouse(tmp_path / "w.duckdb", read_only=True), Settings())
    assert engine.query(Request(("revenue", "orders"))).rows[0] == {"revenue": 100, "orders": 1}


def test_reopening_keeps_the_schema_and_the_rows(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.con.execute("INSERT INTO leads (lead_id, created_at) "
                       "VALUES ('l1', TIMESTAMPTZ '2026-01-05 03:00:00+00')")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert wh.count("leads") == 1
        assert wh.con.execute("SELECT value FROM telekpi_meta WHERE key = 'schema_version'"
                              ).fetchall() == [(str(SCHEMA_VERSION),)]
