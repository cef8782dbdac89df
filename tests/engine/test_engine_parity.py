"""The same catalog on every engine: DuckDB over a Parquet lake, Spark and ClickHouse (chdb)
give the numbers the DuckDB warehouse gives, which tests/engine/test_metrics_reference.py
holds to the pure-Python reference.

The worlds are the reference's (tests/reference/datagen.py: nulls, zero denominators,
cancelled and refunded orders, calls without an agent, unknown dispositions, a DST
timezone), written to a lake with ``export_lake`` together with their daily rollups, which
the lake engines read where they can while the warehouse engine reads the rows. Each scope
asks every metric that supports it in one request (with --ci), so the group keys, every
value and every interval must agree: relative 1e-9, nulls where DuckDB has nulls.

The ``-rows`` engines read the rows, never the rollups, on the scopes with a month,
quarter or year period or a --from/--to: DuckDB there reads each row's month from its
lake folder (``Planner.lake_months``), and Spark and ClickHouse compute the local time.

Every engine runs the first world on every scope (Spark, at seconds a query, leaves out
most dimension × month scopes) and the other worlds on the scopes without --by.
Spark's scopes run in a few groups of about a minute each (``SPARK_GROUPS``), so both xdist
workers share them, each with one Spark session; tests/conftest.py starts them first.
The worlds, their lakes, the engines over them and DuckDB's answers are built once per worker
(session-scoped) and shared by every engine's cases.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from telekpi.catalog.loader import load_catalog
from telekpi.catalog.models import DIMENSIONS
from telekpi.engine.backends import ClickHouseBackend, DuckDBBackend, SparkBackend
from telekpi.engine.engine import Engine
from telekpi.engine.request import PERIODS, Request
from telekpi.engine.rollups import write_lake
from telekpi.model.tables import TABLES
from telekpi.settings import Settings
from telekpi.store.lake import export_lake

from ..reference import datagen
from ..reference.reference import METRICS
from .test_metrics_reference import BASE_SCOPES, NEEDS_PERIOD, SUPPORTED, WORLDS

pytestmark = pytest.mark.slow   # builds lakes and runs every scope on four engines

# (engine, metric) → why that engine cannot compute it: left out of the comparison, and
# strict: a listed metric that agrees fails the test, so the entry goes when the engine learns it.
CANNOT: dict[tuple[str, str], str] = {}

WHERE_SCOPES = {
    "where-team": ((), "month", None, None, (("team", "t1"),)),
    "where-two-campaigns-by-agent": (("agent",), None, None, None,
                                     (("campaign", "k1"), ("campaign", "k2"))),
    "where-quote": ((), None, None, None, (("team", "it's"),)),    # a value no group has
}


def scopes(world_index: int, engine: str) -> dict[str, tuple]:
    """The first world on every scope (Spark: most dimension × month scopes left out); the
    UTC world on the base scopes and, on ClickHouse, every --by; the DST world on the base."""
    out = {k: (*v, ()) for k, v in BASE_SCOPES.items()}
    out.update(WHERE_SCOPES)
    if world_index == 1 and engine == "clickhouse":
        out.update({f"by-{d}": ((d,), None, None, None, ()) for d in DIMENSIONS})
    if world_index > 0:
        return out
    for d in DIMENSIONS:
        out[f"by-{d}"] = ((d,), None, None, None, ())
        if engine != "spark" or d in SPARK_BY_MONTH:
            out[f"by-{d}-month"] = ((d,), "month", None, None, ())
    out["by-agent-quarter-range"] = (("agent",), "quarter", dt.date(2026, 2, 1), None, ())
    return out


ENGINES = ("duckdb-lake", "duckdb-lake-rows", "clickhouse", "clickhouse-rows", "spark")
MONTHLY = ("month", "quarter", "year")


def row_scopes(world_index: int) -> dict[str, tuple]:
    """For the engines that read rows, not rollups (``-rows``): the scopes whose months come
    from the lake's partitions (a month, quarter or year period, or --from/--to)."""
    return {k: v for k, v in scopes(world_index, "duckdb-lake").items()
            if v[1] in MONTHLY or v[2] or v[3]}
SPARK_WORLDS = (0, 2)
SPARK_BY_MONTH = ("agent", "team", "campaign", "hour", "product")
SPARK_ROW_SCOPES = ("by-agent-month", "by-agent-quarter-range", "year", "range")


def _cases():
    for engine in ENGINES:
        if engine == "spark":
            continue
        for wi, world in enumerate(WORLDS):
            for sid in (row_scopes(wi) if engine.endswith("-rows") else scopes(wi, engine)):
                yield pytest.param(engine, wi, sid, id=f"{engine}-seed{world[0]}-{sid}")


@pytest.fixture(scope="session")
def lakes(tmp_path_factory):
    """Per world: (the DuckDB warehouse engine, its lake folder, settings); session-scoped, as
    the Spark groups run first and the other cases later (tests/conftest.py's order)."""
    built, closers = {}, []

    def get(wi: int):
        if wi not in built:
            seed, tz = WORLDS[wi]
            folder = tmp_path_factory.mktemp(f"lake{seed}")
            wh = datagen.load_world(datagen.make_world(seed, tz), folder / "w.duckdb")
            settings = Settings(timezone=tz)
            export_lake(wh, folder / "lake", settings,   # with rollups: the engines read them
                        rollups=lambda con, out: write_lake(con, out, load_catalog(None), settings))
            closers.append(wh.close)
            built[wi] = Engine(wh, settings), folder / "lake", settings
        return built[wi]

    yield get
    for close in closers:
        close()


@pytest.fixture(scope="session")
def engines(lakes, request):
    """(engine name, world) → an Engine over that world's lake; built once per worker."""
    built: dict[tuple[str, int], Engine] = {}

    def get(name: str, wi: int) -> Engine:
        if (name, wi) not in built:
            base, lake, settings = lakes(wi)
            if name.startswith("duckdb-lake"):
                backend = DuckDBBackend.over_lake(lake)
            elif name.startswith("clickhouse"):
                backend = ClickHouseBackend(lake)
            else:
                spark = request.getfixturevalue("spark_session")
                backend = SparkBackend(lake, session=spark.newSession())
                for table in TABLES:
                    backend.spark.table(table).cache()
            built[(name, wi)] = Engine(None, settings, base.catalog, backend=backend,
                                       use_rollups=not name.endswith("-rows"))
        return built[(name, wi)]

    yield get
    for e in built.values():
        if not isinstance(e.backend, SparkBackend):
            e.close()


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def asked(by, period, where=()) -> tuple[str, ...]:
    dims = set(by) | {d for d, _ in where}
    return tuple(m for m in METRICS if dims <= set(SUPPORTED[m])
                 and (period or m not in NEEDS_PERIOD))


@pytest.mark.parametrize("engine_name, world, scope_id", list(_cases()))
def test_engine_gives_duckdbs_numbers(answers, engines, engine_name, world, scope_id):
    problem = differences(answers, engines, engine_name, world, scope_id)
    assert problem is None, problem
    reasons = [why for (e, m), why in CANNOT.items() if e == engine_name]
    if reasons:
        pytest.xfail("; ".join(reasons))


def spark_groups() -> dict[str, list[tuple[str, int, str]]]:
    """Group id → Spark's cases (engine, world, scope id): every scope of ``scopes(wi, "spark")``
    for the Spark worlds and the row scopes, each in exactly one group
    (``test_spark_groups_hold_every_scope_once``)."""
    first = scopes(0, "spark")
    return {   # longest first (measured: 412, 387, 269, 158 and 38 s on a loaded machine)
        f"seed{WORLDS[0][0]}-base": [("spark", 0, sid) for sid, v in first.items() if not v[0]],
        f"seed{WORLDS[0][0]}-by": [("spark", 0, sid) for sid, v in first.items() if v[0] and not v[1]],
        **{f"seed{WORLDS[wi][0]}": [("spark", wi, sid) for sid in scopes(wi, "spark")]
           for wi in SPARK_WORLDS if wi},
        f"seed{WORLDS[0][0]}-by-period": [("spark", 0, sid) for sid, v in first.items() if v[0] and v[1]],
        "rows-and-uri": [("spark-rows", 0, sid) for sid in SPARK_ROW_SCOPES],
    }


SPARK_GROUPS = spark_groups()


@pytest.mark.parametrize("group", list(SPARK_GROUPS))
def test_spark_gives_duckdbs_numbers(lakes, answers, engines, spark_session, group):
    """Spark's scopes in groups of about a minute (one Spark session per xdist worker); the
    message lists every scope of the group that differs.

    With the row scopes, the lake given as a URI, as ``--lake s3a://bucket/lake`` reaches
    Spark: no local manifest to read, paths joined as text (``file://`` here, the same code path)."""
    problems = [f"{'rows, ' if name.endswith('-rows') else ''}seed{WORLDS[wi][0]}-{sid}: {p}"
                for name, wi, sid in SPARK_GROUPS[group]
                if (p := differences(answers, engines, name, wi, sid))]
    if group == "rows-and-uri":
        base, lake, settings = lakes(0)
        uri = Engine(None, settings, base.catalog,
                     backend=SparkBackend(lake.as_uri(), session=spark_session.newSession()))
        req = Request(("calls", "connection_rate", "revenue"), by=("agent",), period="month")
        want = {(r["agent"], r["period"]): r for r in base.query(req).rows}
        got = {(r["agent"], r["period"]): r for r in uri.query(req).rows}
        if set(got) != set(want) or any(not same(v, got[k][m]) for k, r in want.items() for m, v in r.items()):
            problems.append(f"lake as {lake.as_uri()}: answers differ from the warehouse")
    assert not problems, "\n".join(problems)


def test_spark_groups_hold_every_scope_once():
    """Splitting Spark's test into groups left no scope out and asks none twice."""
    cases = [c for group in SPARK_GROUPS.values() for c in group]
    want = ([("spark", wi, sid) for wi in SPARK_WORLDS for sid in scopes(wi, "spark")]
            + [("spark-rows", 0, sid) for sid in SPARK_ROW_SCOPES])
    assert sorted(cases) == sorted(want) and len(cases) == len(set(cases))
    assert all(SPARK_GROUPS.values())


@pytest.fixture(scope="session")
def answers(lakes):
    """(world, request) → DuckDB's rows: asked once, compared with every engine's."""
    cache: dict[tuple[int, Request], list[dict]] = {}

    def get(world: int, req: Request) -> list[dict]:
        if (world, req) not in cache:
            cache[(world, req)] = lakes(world)[0].query(req).rows
        return cache[(world, req)]

    return get


def differences(answers, engines, engine_name: str, world: int, scope_id: str) -> str | None:
    """What differs between DuckDB and the engine on one scope (None: nothing)."""
    by, period, start, end, where = {**scopes(world, engine_name), **row_scopes(world)}[scope_id]
    other = engines(engine_name, world)
    req = Request(asked(by, period, where), by=by, period=period, start=start, end=end, where=where, ci=True)
    want = {_key(r, by, period): r for r in answers(world, req)}
    got = {_key(r, by, period): r for r in other.query(req).rows}
    if set(got) != set(want):
        return (f"groups only in {engine_name}: {set(got) - set(want)}; "
                f"only in DuckDB: {set(want) - set(got)}")
    differ: dict[str, tuple] = {}
    for key, row in want.items():
        for col, value in row.items():
            if not same(value, got[key][col]):
                differ.setdefault(col.removesuffix("_ci_low").removesuffix("_ci_high"),
                                  (key, value, got[key][col]))
    cannot = {m for (e, m) in CANNOT if e == engine_name}
    wrong = {m: v for m, v in differ.items() if m not in cannot}
    if wrong:
        return f"{len(wrong)} metrics differ (group, DuckDB, {engine_name}): {wrong}"
    agree = (cannot & set(req.metrics)) - set(differ)
    if agree:
        return f"{sorted(agree)} agree now; remove them from CANNOT"
    return None


def _key(row: dict, by, period) -> tuple:
    return tuple(row[d] for d in by) + ((row["period"],) if period else ())


def test_every_dimension_and_period_is_covered():
    ids = set(scopes(0, "clickhouse"))
    assert {f"by-{d}" for d in DIMENSIONS} <= ids and {f"by-{d}-month" for d in DIMENSIONS} <= ids
    assert set(PERIODS) <= ids
    assert {f"by-{d}" for d in DIMENSIONS} <= set(scopes(0, "spark"))


def test_lake_months_are_read_in_the_lakes_timezone_only(lakes):
    """Month, quarter and year periods and --from/--to read the partition month; a week does
    not, nor does an engine answering in another timezone than the lake was cut in."""
    base, lake, settings = lakes(0)
    monthly = Request(("calls", "revenue"), by=("agent",), period="quarter")
    engine = Engine(None, settings, base.catalog, backend=DuckDBBackend.over_lake(lake),
                    use_rollups=False)
    sql = engine.explain(monthly)
    assert "FROM _months_calls AS x" in sql and "FROM _months_orders AS x" in sql
    assert "_months_" not in engine.explain(Request(("calls",), period="week"))
    ranged = engine.explain(Request(("calls",), start=dt.date(2026, 1, 15), end=dt.date(2026, 2, 3)))
    assert "x.__lake_month >= '2026-01'" in ranged and "x.__lake_month <= '2026-02'" in ranged
    elsewhere = Settings(timezone="Asia/Bangkok" if settings.timezone != "Asia/Bangkok" else "UTC")
    other = Engine(None, elsewhere, base.catalog, backend=DuckDBBackend.over_lake(lake),
                   use_rollups=False)
    assert "_months_" not in other.explain(monthly)
    engine.close()
    other.close()


def test_lake_path_is_absolute_free(lakes):
    """A lake moved elsewhere still reads: views name files under the folder given."""
    base, lake, settings = lakes(1)
    moved = Path(str(lake) + "-moved")
    lake.rename(moved)
    try:
        e = Engine(None, settings, base.catalog, backend=DuckDBBackend.over_lake(moved))
        assert e.query(Request(("calls",))).rows == base.query(Request(("calls",))).rows
        e.close()
    finally:
        moved.rename(lake)
