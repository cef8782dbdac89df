"""Rollups rebuild from any state the warehouse can be in: a warehouse written before times
were checked can hold a call in year 10000 or 1 BC, which DuckDB hands back as text. Its
correction by a later import must heal the rollups, not break every later import."""

from __future__ import annotations

import duckdb
import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.store.warehouse import Warehouse

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

CALLS = ("call_id,started_at,status,talk_s,agent_id\n"
         "y1,2026-01-05 10:00:00,answered,30,a1\n"
         "y2,2026-01-06 10:00:00,answered,60,a1\n"
         "y3,2026-01-07 10:00:00,no_answer,0,a2\n")
REQUEST = Request(("calls", "aht", "connection_rate"), by=("agent",), period="day")


def answers(db, use_rollups: bool) -> list[dict]:
    wh = Warehouse(db, read_only=True)
    try:
        return Engine(wh, use_rollups=use_rollups).query(REQUEST).rows
    finally:
        wh.close()


def age(db, when: str, call_id: str) -> None:
    """What an old telekpi stored: the time written straight into the warehouse."""
    con = duckdb.connect(str(db))
    con.execute(f"UPDATE calls SET started_at = TIMESTAMPTZ '{when}' WHERE call_id = ?", [call_id])
    con.close()


@pytest.mark.parametrize("when", ["10000-01-01 03:00:00+00", "0000-01-01 03:00:00+00",
                                  "9999-12-31 23:00:00+00", "0001-01-01 00:00:00+00"])
def test_a_corrected_impossible_time_heals_the_rollups(run, tmp_path, when):
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n')
    db = tmp_path / "telekpi.duckdb"
    src = tmp_path / "calls.csv"
    src.write_text(CALLS)
    code, _out, err = run("--db", db, "import", "calls", src)
    assert code == 0, err
    age(db, when, "y2")
    code, _out, err = run("--db", db, "rollups", "--rebuild")
    assert code == 0, err

    src.write_text(CALLS.replace("2026-01-06", "2026-01-08"))   # the correction
    for _ in range(2):   # the correction, then an import that finds it unchanged
        code, _out, err = run("--db", db, "import", "calls", src)
        assert (code, err) == (0, "")
    code, out, err = run("--db", db, "rollups", "--rebuild")
    assert (code, err) == (0, "")
    assert "current" in out and "stale" not in out
    got = answers(db, use_rollups=True)
    assert got == answers(db, use_rollups=False)
    assert sum(r["calls"] for r in got) == 3
