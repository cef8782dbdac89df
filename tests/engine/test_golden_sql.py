"""Golden SQL per built-in metric (metricflow's snapshots): a plan change is a reviewed diff.

Regenerate with: TELEKPI_UPDATE_SNAPSHOTS=1 ./dev test tests/engine/test_golden_sql.py
"""

import os
from datetime import date
from pathlib import Path

import pytest

from telekpi.catalog.loader import load_catalog
from telekpi.engine.planner import Planner
from telekpi.engine.request import Request
from telekpi.errors import QueryError
from telekpi.settings import Settings

SNAPSHOTS = Path(__file__).parent / "snapshots" / "duckdb"
CATALOG = load_catalog(None)
PLANNER = Planner(CATALOG, Settings(timezone="Asia/Ho_Chi_Minh"))


def golden_request(metric_id: str) -> Request:
    for by in (("agent",), ("campaign",), ()):
        req = Request((metric_id,), by=by, period="month", start=date(2026, 1, 1),
                      end=date(2026, 3, 31))
        try:
            PLANNER.plan(req)
            return req
        except QueryError:
            continue
    raise AssertionError(f"{metric_id} cannot be planned at all")


@pytest.mark.parametrize("metric_id", sorted(CATALOG.metrics))
def test_golden_sql(metric_id):
    sql = PLANNER.plan(golden_request(metric_id)).sql + "\n"
    path = SNAPSHOTS / f"{metric_id}.sql"
    if os.environ.get("TELEKPI_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql)
    assert path.exists(), f"no snapshot for {metric_id}; run with TELEKPI_UPDATE_SNAPSHOTS=1"
    assert sql == path.read_text(), f"the SQL of {metric_id} changed; review and regenerate"


def test_no_stale_snapshots():
    assert {p.stem for p in SNAPSHOTS.glob("*.sql")} == set(CATALOG.metrics)
