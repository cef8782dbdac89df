"""The queue's history by interval on every engine: the DuckDB warehouse, DuckDB over a Parquet
lake, ClickHouse (chdb) and Spark give the same rows — 15, 30 and 60-minute intervals of local
time in a zone with DST (Europe/Berlin: 2026-03-29 skips 02:00–03:00, 2026-10-25 repeats it),
by queue and by campaign, filtered, with calls near midnight and the interval edges and agent
states across midnight and the DST changes."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from telekpi.engine.backends import ClickHouseBackend, DuckDBBackend, SparkBackend
from telekpi.engine.engine import Engine
from telekpi.engine.intervals import interval_history
from telekpi.model.tables import TABLES
from telekpi.settings import Settings
from telekpi.store.lake import export_lake
from telekpi.store.warehouse import Warehouse

pytestmark = pytest.mark.slow   # writes a lake and starts ClickHouse (and Spark)

TZ = "Europe/Berlin"
# (minutes, by, start, end, where)
CASES = [(m, by, s, e, w) for m in (15, 30, 60) for by in (None, "queue")
         for s, e, w in ((None, None, None), (date(2026, 3, 29), date(2026, 3, 29), None))] + [
    (30, "campaign", date(2026, 10, 24), date(2026, 10, 26), None),
    (60, None, None, None, {"queue": ["q1", "it's"]}),
    (15, "queue", None, None, {"campaign": ["k2"]}),
]
# Spark answers each case in seconds, not milliseconds: the cases where engines part ways —
# the spring DST day by 15 minutes, a whole history by hour, the autumn days by campaign, and
# the two filters (one value quoted).
SPARK_CASES = [(15, "queue", date(2026, 3, 29), date(2026, 3, 29), None), (60, None, None, None, None),
               *CASES[-3:]]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _world(path):
    """Hand-picked edges, then random calls and states on the days around both DST changes."""
    rng = random.Random(26)
    calls = [
        # 01:50 CET and 03:05 CEST: 15 minutes apart, one interval skipped between them
        ("e1", _utc("2026-03-29 00:50:00"), None, "a1", "q1", "k1", "answered", 20.0, 100.0),
        ("e2", _utc("2026-03-29 01:05:00"), None, "a2", "q1", "k1", "answered", 20.5, 90.0),
        # 02:20 CEST and 02:20 CET: one local interval, twice
        ("e3", _utc("2026-10-25 00:20:00"), None, "a1", "q2", "k2", "answered", 5.0, 60.0),
        ("e4", _utc("2026-10-25 01:20:00"), None, None, "q2", "k2", "abandoned", 30.0, None),
        # 23:59:59.5 local, queued before midnight, answered after
        ("e5", _utc("2026-10-24 21:59:59.5"), _utc("2026-10-24 21:59:30"), "a3", None, "k1", "answered", 31.0, 40.0),
        ("e6", _utc("2026-10-24 22:15:00"), None, "a3", "it's", "k2", "answered", None, 50.0),
    ]
    days = [date(2026, 3, 28) + timedelta(days=i) for i in range(3)] + \
           [date(2026, 10, 24) + timedelta(days=i) for i in range(3)]
    for i in range(400):
        day = rng.choice(days)
        at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=rng.uniform(-7200, 86400))
        status = rng.choice(["answered", "answered", "answered", "abandoned"])
        queued = at - timedelta(seconds=rng.uniform(0, 600)) if rng.random() < 0.3 else None
        calls.append((f"r{i}", at, queued, rng.choice(["a1", "a2", "a3", "a4"]) if status == "answered" else None,
                      rng.choice(["q1", "q2", "it's", None]), rng.choice(["k1", "k2"]), status,
                      rng.choice([None, 20.0, float(rng.randint(0, 90))]),
                      float(rng.randint(30, 400)) if status == "answered" and rng.random() < 0.9 else None))
    states = [("a1", "available", _utc("2026-03-28 23:40:00"), _utc("2026-03-29 02:10:00")),
              ("a2", "pause", _utc("2026-10-24 23:50:00"), _utc("2026-10-25 01:35:00")),
              ("a4", "offline", _utc("2026-10-25 00:00:00"), _utc("2026-10-25 03:00:00"))]
    for agent in ("a1", "a2", "a3", "a4", "a5"):
        for day in days:
            at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 80000))
            for _ in range(3):
                end = at + timedelta(seconds=rng.uniform(60, 5400))
                states.append((agent, rng.choice(["available", "pause", "talk"]), at, end))
                at = end + timedelta(seconds=rng.uniform(0, 900))
    wh = Warehouse(path)
    wh.con.executemany("""INSERT INTO calls (call_id, started_at, queued_at, agent_id, queue, campaign_id,
        direction, status, wait_s, talk_s, hold_s, wrap_s) VALUES (?, ?, ?, ?, ?, ?, 'inbound', ?, ?, ?, 3, 7)""",
                       [list(c) for c in calls])
    wh.con.executemany("INSERT INTO agent_states (agent_id, state, started_at, ended_at) VALUES (?, ?, ?, ?)",
                       [list(s) for s in states])
    return wh


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("intervals")
    wh = _world(folder / "w.duckdb")
    settings = Settings(timezone=TZ, service_level_s=20, service_level_inclusive=True)
    export_lake(wh, folder / "lake", settings)
    yield Engine(wh, settings), folder / "lake", settings
    wh.close()


def _same(a, b) -> bool:
    if a is None or b is None or isinstance(a, str | datetime) or isinstance(b, str | datetime):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _differences(base: Engine, other: Engine, cases=CASES) -> list[str]:
    out = []
    for minutes, by, start, end, where in cases:
        want = interval_history(base, minutes, start, end, by, where)
        got = interval_history(other, minutes, start, end, by, where)
        case = f"{minutes}m by {by} {start}…{end} {where}"
        assert want, case
        if [(r["slot"], r["key"]) for r in want] != [(r["slot"], r["key"]) for r in got]:
            out.append(f"{case}: other intervals: {[(str(r['slot']), r['key']) for r in got][:8]} …")
            continue
        for w, g in zip(want, got, strict=True):
            bad = {k: (v, g[k]) for k, v in w.items() if not _same(v, g[k])}
            if bad:
                out.append(f"{case} {w['slot']} {w['key']}: {bad}")
                break
    return out


def test_the_dst_days_fall_in_their_local_intervals(world):
    """The hand-picked calls where the answer is known: the skipped hour has no interval, the
    repeated one holds the calls of both its passes; the call queued at 23:59:30 counts on
    the day before the one it was answered on."""
    base = world[0]
    spring = {str(r["slot"]): r["offered"] for r in interval_history(base, 15, date(2026, 3, 29), date(2026, 3, 29))}
    assert not any(k.startswith("2026-03-29 02:") for k in spring)
    autumn = {(str(r["slot"]), r["key"]): r for r in
              interval_history(base, 15, date(2026, 10, 25), date(2026, 10, 25), "queue")}
    repeated = autumn[("2026-10-25 02:15:00", "q2")]
    assert repeated["offered"] >= 2 and repeated["abandoned"] >= 1
    late = {(str(r["slot"]), r["key"]) for r in interval_history(base, 60, None, None, "queue")}
    assert ("2026-10-24 23:00:00", None) in late


@pytest.mark.parametrize("engine", ["duckdb-lake", "clickhouse"])
def test_lake_engines_give_the_warehouses_intervals(world, engine):
    base, lake, settings = world
    backend = DuckDBBackend.over_lake(lake) if engine == "duckdb-lake" else ClickHouseBackend(lake)
    other = Engine(None, settings, base.catalog, backend=backend)
    try:
        assert _differences(base, other) == []
    finally:
        other.close()


def test_spark_gives_the_warehouses_intervals(world, spark_session):
    base, lake, settings = world
    backend = SparkBackend(lake, session=spark_session.newSession())
    for table in TABLES:
        backend.spark.table(table).cache()
    assert _differences(base, Engine(None, settings, base.catalog, backend=backend), SPARK_CASES) == []
