"""Daily rollups, what they are: a model's count and sum measures added up per workspace day and per
combination of its cheap dimensions, so a KPI over a month reads thousands of rows instead
of millions of calls.

A rollup has rows per local day and agent (with the agent's team, site and vendor) and
per day and campaign (with its industry and product, script, direction): two grouping
sets, marked by ``__set``; and one column per mergeable measure, named
by a hash of that measure's SQL in this workspace, so a changed disposition map or
threshold simply finds no column and the rows are read instead. The planner reads a
rollup only when it holds every measure and dimension a request needs of that model and
was built from the data as it is now: each write to a canonical table counts a change
(``store.warehouse.touch``), and a rollup remembers the change and row counts of its
tables when it was built. The calls rollup also has a set per day and hour of the day;
statuses, dispositions, medians, distinct counts and the per-lead models but the funnel's
(``combos.py``) are always computed from the rows.

What a rollup is (``Spec``, ``SPECS``, ``Rollup``) needs no sqlglot; the functions that work
out its SQL import what they use when called, so that whether a rollup is current
(``state.py``) can be asked on the way of a plan kept from before (``engine/kept_plans.py``)
without loading sqlglot.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp

    from telekpi.catalog.loader import Catalog
    from telekpi.catalog.spec import Measure
    from telekpi.settings import Settings

FORMAT = 3
MERGE = {"count": "sum", "sum": "sum", "min": "min", "max": "max"}
_AGENT = ("agent", "team", "site", "vendor")
_CAMPAIGN = ("campaign", "industry", "product")


@dataclass(frozen=True)
class Spec:
    model: str
    dims: tuple[str, ...]       # stored as d_<dim>; weekday comes from the day
    sources: tuple[str, ...]    # the tables the rows and dimensions are read from
    sets: tuple[tuple[str, ...], ...] = ()   # grouping sets, smallest first; () = all dims
    # source table → SELECT of the model times a write to it may change, from its changed
    # rows ``{changed}`` (old and new versions); what engine/rollups/upkeep.py re-sums
    touched: dict[str, str] = field(default_factory=dict)
    # the funnel's leads per combination of stage flags (``combos.py``), not day sums
    combos: bool = False

    @property
    def table(self) -> str:
        return f"_rollup_{self.model}"

    @property
    def grouping_sets(self) -> tuple[tuple[str, ...], ...]:
        return self.sets or (self.dims,)

    def mask(self, dims: tuple[str, ...]) -> int:
        """``grouping(d_…)`` of a set's rows: a 1 bit for each dimension it sums away."""
        n = len(self.dims)
        return sum(1 << (n - 1 - i) for i, d in enumerate(self.dims) if d not in dims)


_SCRIPT = ("script", "direction", "queue")
# One set per agent and one per campaign, each with one row per day: a rollup's size is
# bounded by (agents + campaigns) × days whatever the call volume. A question about agents
# and campaigns at once (--by agent --where campaign=…) reads the rows.
SPECS: dict[str, Spec] = {s.model: s for s in (
    # and per day and hour of the day (best time to call: weekday × hour, from the day)
    Spec("calls", _AGENT + _CAMPAIGN + _SCRIPT + ("hour",), ("calls", "agents", "campaigns"),
         (_AGENT, _CAMPAIGN + _SCRIPT, ("hour",)), {"calls": "SELECT started_at FROM {changed}"}),
    Spec("orders", _AGENT + _CAMPAIGN, ("orders", "agents", "campaigns"), (_AGENT, _CAMPAIGN),
         {"orders": "SELECT ordered_at FROM {changed}"}),
    Spec("surveys", _AGENT + _CAMPAIGN + _SCRIPT, ("surveys", "calls", "agents", "campaigns"),
         (_AGENT, _CAMPAIGN + _SCRIPT),
         {"surveys": "SELECT answered_at FROM {changed}",
          "calls": "SELECT answered_at FROM surveys WHERE call_id IN (SELECT call_id FROM {changed})"}),
    # A call changes a lead's row only by moving its first call: FIRST_CALLS_TABLE says which
    # (``{changed}``: the leads whose first call moved).
    Spec("leads", _CAMPAIGN + ("lead_source", "segment"), ("leads", "calls", "campaigns"),
         touched={"leads": "SELECT created_at FROM {changed}",
                  "calls": "SELECT created_at FROM leads WHERE lead_id IN (SELECT lead_id FROM {changed})"}),
    # The funnel's leads per month (and all time) and combination of stage flags, per
    # grouping set (combos.py); a write adds its leads' change of combination.
    # Kept with it in a warehouse: each lead's touch history (combos.TOUCHES_TABLE).
    Spec("lead_stages", ("agent", "team", "campaign"), ("calls", "orders", "agents", "engagements"),
         ((), ("team",), ("campaign",), ("agent", "team")),
         {"calls": "SELECT lead_id FROM {changed}", "orders": "SELECT lead_id FROM {changed}",
          "engagements": "SELECT lead_id FROM {changed}"},
         combos=True),
)}
# In a warehouse the leads rollup reads each lead's first outbound call from this table, built
# with it and kept by engine/rollups/upkeep.py; a lake's is computed from the calls.
FIRST_CALLS_TABLE = "_rollup_first_calls"


@dataclass(frozen=True)
class Rollup:
    """A rollup the planner may read: its table, grouping sets and measure columns."""
    model: str
    table: str
    sets: tuple[tuple[frozenset[str], int], ...]   # (dimensions, grouping mask), smallest first
    columns: frozenset[str]
    # a combos rollup (combos.py): each month it counts and its last local day of data
    months: tuple[tuple[str, str], ...] = ()

    def pick(self, dims) -> int | None:
        """The mask of the smallest grouping set that has every one of ``dims``."""
        wanted = {d for d in dims if d != "weekday"}
        return next((mask for have, mask in self.sets if wanted <= have), None)

    def serves(self, dims) -> bool:
        return self.pick(dims) is not None


def column(model: str, key: str) -> str:
    """The rollup column of a measure: a hash of its model and its key in this workspace
    (``measures.measure_key``: its aggregate as text)."""
    return "r_" + hashlib.sha1(f"{model}\n{key}".encode()).hexdigest()[:12]


def mergeable(measure) -> bool:
    """Counts and sums add up across days; a measure that refers to the scope's end does not."""
    text = (measure.expr or "") + (measure.filter or "")
    return measure.agg in MERGE and "{scope_end}" not in text


def shape(spec: Spec, settings: Settings) -> str:
    """What the rollup's rows depend on besides the measures: model, dimensions, zone."""
    from telekpi.catalog.models import FIRST_CALLS, LEAD_TOUCHES, MODELS
    from telekpi.catalog.snippets import expand

    model = MODELS[spec.model]
    parts = [FORMAT, spec.model, model.base, model.joins, model.time, spec.dims, spec.grouping_sets,
             FIRST_CALLS if spec.model == "leads" else None,
             [expand(v, settings) for v in model.grain_columns.values()] if spec.combos else None,
             LEAD_TOUCHES if spec.combos else None,
             {d: expand(model.dims[d], settings) for d in spec.dims}, settings.timezone]
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def measure_columns(spec: Spec, catalog: Catalog, settings: Settings) -> dict[str, Measure]:
    """column → measure, for the model's mergeable measures."""
    return {column_of(m, settings): m for m in sorted(catalog.measures.values(), key=lambda m: m.id)
            if m.model == spec.model and mergeable(m)}


def stored_columns(spec: Spec, catalog: Catalog, settings: Settings) -> list[str]:
    """The value columns a rollup holds: its measures' columns, or a combos rollup's counts."""
    if spec.combos:
        from telekpi.engine.rollups.combos import columns

        return columns(settings)
    return list(measure_columns(spec, catalog, settings))


def column_of(m: Measure, settings: Settings) -> str:
    """The rollup column that holds a measure's day sums in this workspace."""
    from telekpi.engine.measures import measure_key

    return column(m.model, measure_key(m, settings))


def build_sql(spec: Spec, catalog: Catalog, settings: Settings, *, helpers: bool = False,
              days: tuple[str, object, object] | None = None,
              rows: str | None = None) -> tuple[str, list[str]]:
    """The SELECT that computes a rollup from the canonical tables, and its measure columns.

    ``helpers``: read the warehouse's FIRST_CALLS_TABLE; ``days``: only the local days listed
    in that table (column ``day``), all between the two dates; ``rows``: a table with the
    model's own table's columns and ``__old`` to sum instead of that table (new rows)."""
    from sqlglot import exp

    from telekpi.catalog.models import FIRST_CALLS, MODELS, first_call_tree
    from telekpi.engine.rollups.combos import columns, combos_sql

    if spec.combos:
        assert days is None and rows is None, "a combos rollup is kept by its deltas"
        return combos_sql(settings), columns(settings)
    from telekpi.catalog.snippets import parse, tree
    from telekpi.engine.dialects import localize
    from telekpi.engine.measures import measure_expr
    from telekpi.engine.scope import local_time
    from telekpi.sql import alias, cast, fn, select
    from telekpi.sql import column as sql_column

    model = MODELS[spec.model]
    cols = measure_columns(spec, catalog, settings)
    dims = {d: tree(model.dims[d], settings) for d in spec.dims}
    day = cast(local_time(settings.timezone, tree(model.time, settings)), "DATE")
    base = model.base_tree()
    new = (exp.Subquery(this=select([exp.Star(except_=[sql_column("__old")])], exp.table_(rows)))
           if rows else None)
    if spec.model == "leads" and (helpers or rows):
        first = (exp.table_(FIRST_CALLS_TABLE) if helpers
                 else exp.Subquery(this=parse(FIRST_CALLS.format(calls="calls")).copy()))
        base = first_call_tree(first, new or exp.table_("leads"))
    elif new:
        assert model.base == f"{spec.model} x", model.base
        base = new
        base.set("alias", exp.TableAlias(this=exp.to_identifier("x")))
    where: list[exp.Expr] = []
    if days is not None:
        table, first_day, last_day = days
        listed = exp.Subquery(this=select([sql_column("day")], exp.table_(table)))
        where = [exp.In(this=day.copy(), query=listed)]
        span = _utc_span(first_day, last_day)
        if span is not None:
            # a day's instants lie within 14 h of its UTC date: the range lets zone maps skip the rest
            where[:0] = [exp.GTE(this=tree(model.time, settings), expression=_utc_midnight(span[0])),
                         exp.LT(this=tree(model.time, settings), expression=_utc_midnight(span[1]))]
    inner = select([sql_column("*", "x"), alias(day, "__day"), *(alias(e, f"d_{d}") for d, e in dims.items())],
                   base, joins=model.joins_for(list(dims.values())), where=where)
    keys = [sql_column("__day")] + [sql_column(f"d_{d}") for d in spec.dims]
    mask = alias(fn("grouping", *(sql_column(f"d_{d}") for d in spec.dims)), "__set")
    aggs = [alias(measure_expr(m, settings, exp.Null()), c) for c, m in cols.items()]
    sets = exp.GroupingSets(expressions=[
        exp.Tuple(expressions=[sql_column("__day")] + [sql_column(f"d_{d}") for d in g])
        for g in spec.grouping_sets])
    query = select([*keys, mask, *aggs], inner.subquery("x", copy=False), group=[sets])
    return localize(query, settings.timezone, copy=False).sql("duckdb"), list(cols)


def _utc_span(first_day: object, last_day: object) -> tuple[date, date] | None:
    """The UTC days from the one before ``first_day`` to two after ``last_day``; None when a
    day is not a Python date or has no neighbours in Python's calendar: a warehouse written
    before times were checked can hold a year 0 or 10000 day, which DuckDB hands back as text
    (its rollup must still be summed again, only without the range)."""
    if not isinstance(first_day, date) or not isinstance(last_day, date):
        return None
    try:
        return first_day - timedelta(days=1), last_day + timedelta(days=2)
    except OverflowError:
        return None


def _utc_midnight(d: date) -> exp.Expr:
    from telekpi.engine.scope import utc_literal

    return utc_literal(datetime.combine(d, time(0), tzinfo=UTC))


def rollup_of(spec: Spec, columns, months=()) -> Rollup:
    return Rollup(spec.model, spec.table,
                  tuple((frozenset(g), spec.mask(g)) for g in spec.grouping_sets), frozenset(columns),
                  tuple((str(m), str(d)) for m, d in months))
