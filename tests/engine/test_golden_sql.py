"""Golden SQL per built-in metric and per engine (metricflow's snapshots): a plan change is a
reviewed diff.

The SQL is compared as sqlglot reads it in the engine's dialect (parsed and rendered again),
so a change of layout passes and a change of meaning does not; the comment lines, one per
plan step, are compared as they are.

Regenerate with: TELEKPI_UPDATE_SNAPSHOTS=1 ./dev test tests/engine/test_golden_sql.py
"""

import os
from datetime import date
from pathlib import Path

import pytest
import sqlglot

from telekpi.catalog.loader import load_catalog
from telekpi.engine.planner import Planner
from telekpi.engine.request import Request
from telekpi.errors import QueryError
from telekpi.settings import Settings

SNAPSHOTS = Path(__file__).parent / "snapshots"
ENGINES = ("duckdb", "spark", "clickhouse")
CATALOG = load_catalog(None)
PLANNER = Planner(CATALOG, Settings(timezone="Asia/Ho_Chi_Minh"))


def golden_request(metric_id: str) -> Request:
    for by in (("agent",), ("campaign",), ()):
        req = Request((metric_id,), by=by, period="month", start=date(2026, 1, 1),
                      end=date(2026, 3, 31))
        try:
            if metric_id not in PLANNER.plan(req).missing:   # not a null with its reason
                return req
        except QueryError:
            continue
    raise AssertionError(f"{metric_id} cannot be planned at all")


def normal(sql: str, engine: str) -> tuple[list[str], str]:
    """The comment lines, and the query as sqlglot renders it after reading it."""
    lines = sql.splitlines()
    body = "\n".join(line for line in lines if not line.startswith("--"))
    return ([line for line in lines if line.startswith("--")],
            sqlglot.parse_one(body, read=engine).sql(dialect=engine, pretty=True))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("metric_id", sorted(CATALOG.metrics))
def test_golden_sql(metric_id, engine):
    sql = PLANNER.plan(golden_request(metric_id)).text(engine) + "\n"
    path = SNAPSHOTS / engine / f"{metric_id}.sql"
    if os.environ.get("TELEKPI_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql)
    assert path.exists(), f"no snapshot for {metric_id}; run with TELEKPI_UPDATE_SNAPSHOTS=1"
    assert normal(sql, engine) == normal(path.read_text(), engine), \
        f"the {engine} SQL of {metric_id} changed; review and regenerate"


def test_normal_form_sees_meaning_not_layout():
    a = "-- plan: x\nSELECT a, b FROM t WHERE c = 1"
    assert normal(a, "duckdb") == normal("-- plan: x\nselect a,\n  b from t\nwhere c = 1", "duckdb")
    assert normal(a, "duckdb") != normal("-- plan: x\nSELECT a, b FROM t WHERE c = 2", "duckdb")
    assert normal(a, "duckdb") != normal("-- plan: y\nSELECT a, b FROM t WHERE c = 1", "duckdb")


@pytest.mark.parametrize("engine", ENGINES)
def test_no_stale_snapshots(engine):
    assert {p.stem for p in (SNAPSHOTS / engine).glob("*.sql")} == set(CATALOG.metrics)
