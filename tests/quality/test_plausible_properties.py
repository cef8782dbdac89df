"""Property: boundary numbers and times posted as JSON rows (what the ingestion API hands on)
never raise; each row is inserted exactly when every value is plausible, else quarantined;
the counts add up; and the warehouse still answers KPIs with finite numbers and valid JSON."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.i18n.numbers import Formatter
from telekpi.ingest.json_rows import JsonRowsSource
from telekpi.ingest.pipeline import import_source
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

SETTINGS = Settings(timezone="Asia/Ho_Chi_Minh")
DAY = 86400

# (value as posted, plausible?) for a duration
NUMBERS = st.one_of(
    st.sampled_from([
        (math.nan, False), (math.inf, False), (-math.inf, False), (-0.0, True), (0, True),
        (DAY, True), (float(DAY), True), (DAY + 0.001, False), (10**20, False), (2**63, False),
        (10**400, False), (-1, False), ("NaN", False), ("-nan", False), ("1e309", False),
        ("-1e309", False), ("Infinity", False), ("24:00:00", True), (None, True), ("", True),
    ]),
    st.floats(min_value=0, max_value=DAY).map(lambda v: (v, True)),
    st.floats(min_value=DAY * 1.0001, allow_infinity=True).map(lambda v: (v, False)),
    st.floats(max_value=-1e-300, allow_infinity=True).map(lambda v: (v, False)),
)
# (value as posted, plausible?) for a time; the workspace is at UTC+7
TIMES = st.one_of(
    st.sampled_from([
        ("0000-01-01 10:00:00", False), ("0001-01-01 00:00:00", False), ("-0001-01-01 00:00:00", False),
        ("9999-12-31 10:00:00", False), ("9999-12-30", False), ("10000-01-01 00:00:00", False),
        ("2026-01-05 10:00:00+14:00", True), ("2026-01-05 10:00:00-14:00", True),
        ("2026-01-05 10:00:00+14:01", False), ("2026-01-05 10:00:00-14:01", False),
        ("2026-01-05 10:00:00+99:99", False), ("2026-01-05 10:00:00+07:60", False),
        ("1970-01-01 00:00:00", True), ("1969-12-31 23:59:59", False),
        ("1970-01-01 00:00:00+14:00", False), ("infinity", False), ("-infinity", False),
        ("2999-12-31 10:00:00", False),
    ]),
    st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2025, 12, 31)).map(
        lambda t: (t.isoformat(" ", "seconds"), True)),
)
ROW = st.tuples(TIMES, NUMBERS, NUMBERS)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=10))
def test_boundary_values_are_stored_or_quarantined_and_kpis_still_answer(tmp_path_factory, rows):
    posted = [{"call_id": f"c{i}", "started_at": t, "status": "answered", "agent_id": "a1",
               "talk_s": talk, "wait_s": wait}
              for i, ((t, _), (talk, _), (wait, _)) in enumerate(rows)]
    plausible = {f"c{i}" for i, ((_, a), (_, b), (_, c)) in enumerate(rows) if a and b and c}
    db = tmp_path_factory.mktemp("ws") / "telekpi.duckdb"
    with Warehouse(db) as wh:
        counts = import_source(wh, "calls", JsonRowsSource(posted, "api:calls"), SETTINGS,
                               label="api:calls", fmt="json").counts
        stored = {r[0] for r in wh.con.execute("SELECT call_id FROM calls").fetchall()}
        bad = wh.con.execute("""SELECT count(*) FROM calls WHERE NOT isfinite(talk_s)
            OR NOT isfinite(wait_s) OR year(started_at) NOT BETWEEN 1969 AND 2999""").fetchone()[0]
        assert (counts.rows_read, counts.inserted + counts.quarantined) == (len(rows), len(rows))
        assert stored == plausible, posted
        assert bad == 0
        engine = Engine(wh, SETTINGS)
        result = engine.query(Request(("calls", "aht", "talk_time", "avg_talk_time"), by=("agent",)))
        json.dumps(result.to_json(engine.catalog), allow_nan=False)
        fmt = Formatter("en")
        for r in result.rows:
            for m in ("aht", "talk_time", "avg_talk_time"):
                fmt.value(r[m], "seconds")
