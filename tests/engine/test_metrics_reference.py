"""Every built-in metric: the engine agrees with the pure-Python reference of METRICS.md.

For several seeded warehouses full of edges (tests/reference/datagen.py), in two
timezones (one with DST), each metric is compared with tests/reference/reference.py for the
total, every period, date ranges that cut periods, every single ``--by``
dimension the metric's model supports, and each of those per month. Values
agree to a relative 1e-9; ``None`` (a zero denominator) must be ``None``; the
groups reported must be the same (a group reported on one side only must be
``None`` on it).

Parametrized by ``engine_name`` so the same cases run on every engine.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest

from telekpi.catalog.loader import load_catalog
from telekpi.catalog.models import DIMENSIONS
from telekpi.engine.engine import Engine
from telekpi.engine.planner import Planner
from telekpi.engine.request import PERIODS, Request
from telekpi.engine.rollups import refresh
from telekpi.errors import QueryError
from telekpi.settings import Settings

from ..reference import datagen
from ..reference.reference import METRICS, NOT_BY, Reference

# "duckdb-rollups": the same warehouse with its daily rollups built, so every case below also
# holds the planner's rollup path (engine/rollups/) to the reference.
ENGINES = ["duckdb", "duckdb-rollups"]
WORLDS = [(1, "Asia/Ho_Chi_Minh"), (2, "UTC"), (3, "America/New_York")]   # the last has DST

_CATALOG = load_catalog(None)
_PLANNER = Planner(_CATALOG, Settings())
NEEDS_PERIOD = {m for m, spec in _CATALOG.metrics.items() if spec.type in ("growth", "retention")}


def engine_dims(metric: str) -> list[str]:
    """The dimensions the engine can split `metric` by: for the others it refuses, or answers
    null with a reason (catalog/applies.py). ``test_can_split_is_what_planning_finds`` holds
    the planner's word to its plans."""
    return [d for d in DIMENSIONS if _PLANNER.can_split(metric, d)]


SUPPORTED = {m: engine_dims(m) for m in METRICS}

@pytest.mark.slow
def test_can_split_is_what_planning_finds():
    for metric in _CATALOG.metrics:
        for d in DIMENSIONS:
            try:
                plan = _PLANNER.plan(Request((metric,), by=(d,), period="month"))
                planned = metric not in plan.missing
            except QueryError:
                planned = False
            assert _PLANNER.can_split(metric, d) == planned, (metric, d)


# scope id → (by, period, start, end)
BASE_SCOPES = {
    "total": ((), None, None, None),
    **{p: ((), p, None, None) for p in PERIODS},
    "range": ((), None, dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
    "range-month": ((), "month", dt.date(2026, 1, 15), dt.date(2026, 3, 20)),
    "range-week": ((), "week", dt.date(2026, 1, 28), dt.date(2026, 2, 10)),
    "range-quarter": ((), "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    "range-dst": ((), "day", dt.date(2026, 3, 7), dt.date(2026, 3, 9)),   # US DST starts Mar 8
    "empty": ((), None, dt.date(2030, 1, 1), dt.date(2030, 1, 31)),       # no rows: counts 0, rates None
}


def scopes_of(metric: str, family: str = "all") -> dict[str, tuple]:
    """Scope id → (by, period, start, end); family: base (no --by), by, by-month or all."""
    scopes = {}
    if family in ("base", "all"):
        scopes.update(BASE_SCOPES)
    for d in SUPPORTED[metric]:
        if family in ("by", "all"):
            scopes[f"by-{d}"] = ((d,), None, None, None)
        if family in ("by-month", "all"):
            scopes[f"by-{d}-month"] = ((d,), "month", None, None)
    if metric in NEEDS_PERIOD:
        scopes = {k: v for k, v in scopes.items() if v[1] is not None}
    return scopes


# Known engine departures from METRICS.md: (metric, scope id) → reason. Strict: a known case
# that starts to agree fails the test, so the entry must go when the engine is fixed.
KNOWN: dict[tuple[str, str], str] = {}

# Time budget (one test per world, metric and family of scopes): the first world is compared
# per dimension and per dimension and month, the second per dimension, all on the base scopes.
FAMILIES = {WORLDS[0]: ("base", "by", "by-month"), WORLDS[1]: ("base", "by"), WORLDS[2]: ("base",)}


def _world_id(w) -> str:
    return f"seed{w[0]}-{w[1].replace('/', '_')}"


# The quick loop (`./dev test --quick`) compares the first world on the base scopes straight
# from the tables; the rest (per dimension, through the rollups, the per-month splits, the
# other two worlds: UTC, and New York's DST) is slow-marked, so the full run holds all of it.
# tests/engine/test_rollups.py keeps the rollup path in the quick loop.
QUICK = {("duckdb", WORLDS[0], "base")}


def slow_case(test: str, params: dict) -> bool:
    """Read by tests/conftest.py: the cases of the quick loop, and the rest slow."""
    if test != "test_metric_matches_reference":
        return False
    return (params["engine_name"], params["world"], params["family"]) not in QUICK


CASES = [pytest.param(w, m, fam, id=f"{_world_id(w)}-{m}-{fam}")
         for w in WORLDS for m in METRICS for fam in FAMILIES[w] if scopes_of(m, fam)]


def make_engine(engine_name: str, rows: dict, tz: str, folder):
    if engine_name in ("duckdb", "duckdb-rollups"):
        wh = datagen.load_world(rows, folder / "w.duckdb")
        if engine_name == "duckdb-rollups":
            refresh(wh.con, _CATALOG, Settings(timezone=tz))
        engine = Engine(wh, Settings(timezone=tz))
        assert bool(engine.planner.rollups) == (engine_name == "duckdb-rollups")
        return engine, wh.close
    raise NotImplementedError(engine_name)


@pytest.fixture(scope="module", params=ENGINES)
def engine_name(request):
    return request.param


@pytest.fixture(scope="module")
def worlds(engine_name, tmp_path_factory):
    """(engine, reference) per world, built once per module (and per xdist worker)."""
    cache, closers = {}, []

    def get(w):
        if w not in cache:
            seed, tz = w
            rows = datagen.make_world(seed, tz)
            engine, close = make_engine(engine_name, rows, tz, tmp_path_factory.mktemp(f"ref{seed}"))
            closers.append(close)
            cache[w] = engine, Reference(rows, tz)
        return cache[w]

    yield get
    for close in closers:
        close()


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def compare(engine, ref, metric, by, period, start, end) -> dict:
    expected = ref.query(metric, by, period, start, end)
    rows = engine.query(Request((metric,), by=by, period=period, start=start, end=end)).rows
    got = {}
    for r in rows:
        key = tuple(r[d] for d in by) + ((r["period"],) if period else ())
        assert key not in got, f"{metric}: group {key} reported twice"
        got[key] = r[metric]
    return {k: {"engine": got.get(k, "absent"), "reference": expected.get(k, "absent")}
            for k in sorted(set(got) | set(expected), key=repr)
            if not same(got.get(k), expected.get(k))}


@pytest.mark.parametrize("world, metric, family", CASES)
def test_metric_matches_reference(worlds, world, metric, family):
    engine, ref = worlds(world)
    failures, known = [], []
    for sid, (by, period, start, end) in scopes_of(metric, family).items():
        bad = compare(engine, ref, metric, by, period, start, end)
        if (metric, sid) in KNOWN:
            if not bad:
                failures.append(f"{sid}: agrees now; remove it from KNOWN")
            known.append(KNOWN[(metric, sid)])
        elif bad:
            failures.append(f"{sid}: {len(bad)} groups differ, e.g. {dict(list(bad.items())[:4])}")
    assert not failures, f"{metric}:\n" + "\n".join(failures)
    if known:
        pytest.xfail("; ".join(known))


# ---- all metrics in one request: union of groups, no metric changes the others -------------

MULTI_SCOPES = {
    "total": ((), None, None, None),
    "month": ((), "month", None, None),
    "range-month": ((), "month", dt.date(2026, 1, 15), dt.date(2026, 3, 20)),
    "range-week": ((), "week", dt.date(2026, 1, 28), dt.date(2026, 2, 10)),
    "by-agent-month": (("agent",), "month", None, None),
    "by-campaign-quarter": (("campaign",), "quarter", dt.date(2026, 1, 1), None),
    "by-campaign-quarter-mid": (("campaign",), "quarter", dt.date(2026, 2, 1), None),
}
# scope → (metrics expected to differ, reason); strict like KNOWN.
MULTI_KNOWN: dict[str, tuple[set[str], str]] = {}


def _empty_group_value(metric, value) -> bool:
    """A group only other metrics' rows produced: counts and sums 0, rates None; revenue
    growth of a period without orders after one with revenue is −100 %."""
    return value in (0, None) or (metric == "revenue_growth" and value == -1.0)


@pytest.mark.parametrize("scope_id", sorted(MULTI_SCOPES))
def test_all_metrics_in_one_request(worlds, scope_id):
    engine, ref = worlds(WORLDS[0])
    by, period, start, end = MULTI_SCOPES[scope_id]
    metrics = [m for m in METRICS if set(by) <= set(SUPPORTED[m]) and (period or m not in NEEDS_PERIOD)]
    rows = engine.query(Request(tuple(metrics), by=by, period=period, start=start, end=end)).rows
    differ = {}
    for m in metrics:
        expected = ref.query(m, by, period, start, end)
        got = {tuple(r[d] for d in by) + ((r["period"],) if period else ()): r[m] for r in rows}
        bad = {k: (got.get(k, "absent"), expected.get(k, "absent")) for k in set(got) | set(expected)
               if not same(got.get(k), expected.get(k))
               and not (k not in expected and _empty_group_value(m, got[k]))}
        if bad:
            differ[m] = dict(list(bad.items())[:3])
    known, reason = MULTI_KNOWN.get(scope_id, (set(), ""))
    assert set(differ) == known, f"{scope_id}: differ {differ}"
    if known:
        pytest.xfail(reason)


@pytest.mark.parametrize("metric", METRICS)
def test_supported_dimensions_agree(metric):
    """The dimensions the reference reads a metric by are those the engine splits it by."""
    assert set(SUPPORTED[metric]) == Reference({}).supported_dims(metric)


NOT_BY_CASES = [(m, d) for m in sorted(NOT_BY) for d in sorted(NOT_BY[m])]


@pytest.mark.parametrize("metric, dim", NOT_BY_CASES, ids=[f"{m}-{d}" for m, d in NOT_BY_CASES])
def test_a_metric_with_no_value_by_a_dimension_is_null_with_its_reason(worlds, metric, dim):
    """METRICS.md, Dimensions a metric exists by: split or filtered by one of them, the metric
    is null in every group (never the 0 that the agentless drops would make it), with the
    reason; the groups are those of its data, and the metric alone is as before."""
    engine, ref = worlds(WORLDS[0])
    answer = engine.query(Request((metric, "calls"), by=(dim,), period="month"))
    assert answer.rows and all(r[metric] is None for r in answer.rows)
    assert "reach no agent" in answer.reasons(engine.catalog)[metric] and "calls" not in answer.not_meaningful
    scoped = engine.query(Request((metric,), where=((dim, "x"),)))
    assert scoped.rows == [{metric: None}] and metric in scoped.not_meaningful
    assert same(engine.query(Request((metric,))).rows[0][metric], ref.query(metric)[()])


def test_every_builtin_metric_has_a_reference():
    assert sorted(_CATALOG.metrics) == METRICS


@pytest.mark.parametrize("metric", sorted(NEEDS_PERIOD))
def test_period_comparisons_need_a_period(metric):
    with pytest.raises(QueryError, match="add period") as e:
        _PLANNER.plan(Request((metric,)))
    assert e.value.field == "period"


def test_unsupported_dimension_is_an_error():
    with pytest.raises(QueryError, match="cannot be split"):
        _PLANNER.plan(Request(("tickets",), by=("campaign",)))


def test_data_has_the_edges():
    """The generated data really holds the edges the comparisons rely on."""
    rows = datagen.make_world(1, "Asia/Ho_Chi_Minh")
    calls = rows["calls"]
    assert any(c["agent_id"] is None for c in calls)
    assert {"sale", "XYZ", ""} <= {c["disposition"] for c in calls}
    assert {o["status"] for o in rows["orders"]} == {"completed", "cancelled", "refunded"}
    assert all(c["status"] != "answered" for c in calls if c["agent_id"] == "a7")
    assert "k2" not in {k["campaign_id"] for k in rows["costs"]}
    ref = Reference(rows, "Asia/Ho_Chi_Minh")
    assert ref.query("connection_rate", ("agent",))[("a7",)] == 0
    assert ref.query("aht", ("agent",))[("a7",)] is None
    assert ref.query("occupancy", ("agent",))[("a6",)] is None
    assert ref.query("overcontacted_leads")[()] >= 3


def test_retention_bad_dimension_is_a_query_error():
    with pytest.raises(QueryError, match="cannot be split"):
        _PLANNER.plan(Request(("retention_rate",), by=("direction",), period="month"))


# ---- the queue variants: the settings' definitions, held to the reference's own -------------

QUEUE_METRICS = ("offered", "service_level", "asa", "queue_abandonment_rate")
QUEUE_VARIANTS = {
    "answered-strict": {"service_level_basis": "answered", "service_level_inclusive": False},
    "short-abandons": {"service_level_basis": "offered_minus_short_abandons", "short_abandon_s": 19.5},
    "offered-short": {"short_abandon_s": 20.0, "service_level_s": 19.0},
}


@pytest.mark.slow   # a world per variant
@pytest.mark.parametrize("variant", sorted(QUEUE_VARIANTS))
def test_queue_variants_match_reference(variant, tmp_path):
    seed, tz = WORLDS[0]
    rows = datagen.make_world(seed, tz)
    settings = QUEUE_VARIANTS[variant]
    ref = Reference(rows, tz, **settings)
    default = Reference(rows, tz)
    wh = datagen.load_world(rows, tmp_path / "w.duckdb")
    try:
        engine = Engine(wh, Settings(timezone=tz, **settings))
        changed = False
        for metric in QUEUE_METRICS:
            for by, period in (((), None), ((), "month"), (("campaign",), None), (("hour",), None)):
                expected = ref.query(metric, by, period, None, None)
                got = {tuple(r[d] for d in by) + ((r["period"],) if period else ()): r[metric]
                       for r in engine.query(Request((metric,), by=by, period=period)).rows}
                bad = {k: (got.get(k), expected.get(k)) for k in set(got) | set(expected)
                       if not same(got.get(k), expected.get(k))}
                assert not bad, f"{variant} {metric} by {by} {period}: {dict(list(bad.items())[:4])}"
                changed |= expected != default.query(metric, by, period, None, None)
        assert changed, f"{variant} gives the default figures: the world does not test it"
    finally:
        wh.close()
