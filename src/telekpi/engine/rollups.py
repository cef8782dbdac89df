"""Daily rollups: a model's count and sum measures added up per workspace day and per
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
tables when it was built. Hours, statuses, dispositions, medians, distinct counts and
the per-lead models are always computed from the rows.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

from telekpi.catalog.loader import Catalog
from telekpi.catalog.snippets import expand, sql_string
from telekpi.engine.models import FIRST_CALLS, MODELS, first_call_base
from telekpi.engine.scope import localize
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
    # rows ``{changed}`` (old and new versions); what engine/rollup_upkeep.py re-sums
    touched: dict[str, str] = field(default_factory=dict)

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


_SCRIPT = ("script", "direction")
# One set per agent and one per campaign, each with one row per day: a rollup's size is
# bounded by (agents + campaigns) × days whatever the call volume. A question about agents
# and campaigns at once (--by agent --where campaign=…) reads the rows.
SPECS: dict[str, Spec] = {s.model: s for s in (
    Spec("calls", _AGENT + _CAMPAIGN + _SCRIPT, ("calls", "agents", "campaigns"),
         (_AGENT, _CAMPAIGN + _SCRIPT), {"calls": "SELECT started_at FROM {changed}"}),
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
)}
# In a warehouse the leads rollup reads each lead's first outbound call from this table, built
# with it and kept by engine/rollup_upkeep.py; a lake's is computed from the calls.
FIRST_CALLS_TABLE = "_rollup_first_calls"


@dataclass(frozen=True)
class Rollup:
    """A rollup the planner may read: its table, grouping sets and measure columns."""
    model: str
    table: str
    sets: tuple[tuple[frozenset[str], int], ...]   # (dimensions, grouping mask), smallest first
    columns: frozenset[str]

    def pick(self, dims) -> int | None:
        """The mask of the smallest grouping set that has every one of ``dims``."""
        wanted = {d for d in dims if d != "weekday"}
        return next((mask for have, mask in self.sets if wanted <= have), None)

    def serves(self, dims) -> bool:
        return self.pick(dims) is not None


def column(model: str, agg_sql: str) -> str:
    """The rollup column of a measure: a hash of its model and its SQL in this workspace."""
    return "r_" + hashlib.sha1(f"{model}\n{agg_sql}".encode()).hexdigest()[:12]


def mergeable(measure) -> bool:
    """Counts and sums add up across days; a measure that refers to the scope's end does not."""
    text = (measure.expr or "") + (measure.filter or "")
    return measure.agg in MERGE and "{scope_end}" not in text


def shape(spec: Spec, settings: Settings) -> str:
    """What the rollup's rows depend on besides the measures: model, dimensions, zone."""
    model = MODELS[spec.model]
    parts = [FORMAT, spec.model, model.base, model.joins, model.time, spec.dims, spec.grouping_sets,
             FIRST_CALLS if spec.model == "leads" else None,
             {d: expand(model.dims[d], settings) for d in spec.dims}, settings.timezone]
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def measure_columns(spec: Spec, catalog: Catalog, settings: Settings, *,
                    merge: bool = False) -> dict[str, str]:
    """column → aggregate SQL for the model's mergeable measures (``merge``: → the aggregate
    that merges two of its sums: sum, min or max)."""
    from telekpi.engine.planner import Planner

    planner = Planner(catalog, settings)
    out = {}
    for m in sorted(catalog.measures.values(), key=lambda m: m.id):
        if m.model == spec.model and mergeable(m):
            agg = planner.measure_sql(m, "NULL")
            out[column(spec.model, agg)] = MERGE[m.agg] if merge else agg
    return out


def build_sql(spec: Spec, catalog: Catalog, settings: Settings, *, helpers: bool = False,
              days: tuple[str, date, date] | None = None,
              rows: str | None = None) -> tuple[str, list[str]]:
    """The SELECT that computes a rollup from the canonical tables, and its measure columns.

    ``helpers``: read the warehouse's FIRST_CALLS_TABLE; ``days``: only the local days listed
    in that table (column ``day``), all between the two dates; ``rows``: a relation with the
    model's own table's columns to sum instead of that table (new rows)."""
    model = MODELS[spec.model]
    cols = measure_columns(spec, catalog, settings)
    dims = {d: expand(model.dims[d], settings) for d in spec.dims}
    day = f"CAST(timezone({sql_string(settings.timezone)}, {model.time}) AS DATE)"
    joins = model.joins_for(list(dims.values()))
    base = model.base
    if spec.model == "leads" and (helpers or rows):
        base = first_call_base(FIRST_CALLS_TABLE if helpers else f"({FIRST_CALLS.format(calls='calls')})",
                               leads=rows or "leads")
    elif rows:
        assert base == f"{spec.model} x", base
        base = f"{rows} x"
    inner = (f"SELECT x.*, {day} AS __day, "
             + ", ".join(f"{e} AS d_{d}" for d, e in dims.items())
             + f" FROM {base}" + "".join(f" {j}" for j in joins))
    if days is not None:
        # a day's instants lie within 14 h of its UTC date: the range lets zone maps skip the rest
        table, first, last = days
        inner += (f" WHERE {model.time} >= TIMESTAMPTZ '{first - timedelta(days=1)} 00:00:00+00'"
                  f" AND {model.time} < TIMESTAMPTZ '{last + timedelta(days=2)} 00:00:00+00'"
                  f" AND {day} IN (SELECT day FROM {table})")
    keys = ["__day"] + [f"d_{d}" for d in spec.dims]
    sets = ", ".join("(" + ", ".join(["__day"] + [f"d_{d}" for d in g]) + ")"
                     for g in spec.grouping_sets)
    mask = f"grouping({', '.join(f'd_{d}' for d in spec.dims)}) AS __set"
    sql = (f"SELECT {', '.join(keys + [mask] + [f'{agg} AS {c}' for c, agg in cols.items()])} "
           f"FROM ({inner}) x GROUP BY GROUPING SETS ({sets})")
    return localize(sql, settings.timezone), list(cols)


def _rollup(spec: Spec, columns) -> Rollup:
    return Rollup(spec.model, spec.table,
                  tuple((frozenset(g), spec.mask(g)) for g in spec.grouping_sets), frozenset(columns))


# -- the warehouse ------------------------------------------------------------------------

def _meta(con) -> dict[str, dict]:
    try:   # a warehouse opened for writing has the table (store.warehouse.ensure_schema)
        rows = con.execute("SELECT model, shape, columns, generations, rows, seconds, pending "
                           "FROM telekpi_rollups").fetchall()
    except duckdb.Error:
        return {}   # read only, and from before the rollups
    keys = ("model", "shape", "columns", "generations", "rows", "seconds", "pending")
    return {r[0]: dict(zip(keys, r, strict=True)) for r in rows}


def _state(con, tables) -> dict[str, list[int]]:
    """Each source table's change count (``store.warehouse.touch``) and row count: the count
    also catches rows written outside telekpi (SQL on the DuckDB file), which no change
    count sees."""
    gens = dict(con.execute("SELECT key, value FROM telekpi_meta WHERE starts_with(key, 'gen:')")
                .fetchall())
    counts = con.execute("SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
                         ).fetchall()[0]
    return {t: [int(gens.get(f"gen:{t}", 0)), n] for t, n in zip(tables, counts, strict=True)}


SOURCES = tuple(sorted({t for spec in SPECS.values() for t in spec.sources}))


def _fresh(spec: Spec, meta: dict | None, settings: Settings, state: dict) -> bool:
    """Built by this version, in this timezone (both in the shape), from the tables as they
    are now (``state``: ``_state`` of every source table)."""
    return (meta is not None and meta["shape"] == shape(spec, settings)
            and json.loads(meta["generations"]) == {t: state[t] for t in spec.sources})


def _behind(spec: Spec, meta: dict | None, settings: Settings, state: dict) -> bool:
    """Current but for writes logged since (``pending``: the state of the logged tables after
    them); ``rollup_upkeep.catch_up`` folds them in."""
    if meta is None or meta["pending"] is None or meta["shape"] != shape(spec, settings):
        return False
    now = {**json.loads(meta["generations"]), **json.loads(meta["pending"])}
    return all(now[t] == state[t] for t in spec.sources)


def available(con, settings: Settings) -> dict[str, Rollup]:
    """The warehouse's rollups that were built from its data as it is now."""
    meta, state = _meta(con), _state(con, SOURCES)
    return {name: _rollup(spec, json.loads(meta[name]["columns"]))
            for name, spec in SPECS.items() if _fresh(spec, meta.get(name), settings, state)}


def status(con, catalog: Catalog, settings: Settings) -> list[dict]:
    """Each rollup: current or not, its rows and how long it took (None: never built)."""
    meta, state = _meta(con), _state(con, SOURCES)
    out = []
    for name, spec in SPECS.items():
        m = meta.get(name)
        wanted = set(measure_columns(spec, catalog, settings))
        current = _fresh(spec, m, settings, state) and wanted <= set(json.loads(m["columns"]))
        out.append({"model": name, "current": current, "rows": m["rows"] if m else None,
                    "seconds": m["seconds"] if m else None})
    return out


def refresh(con, catalog: Catalog, settings: Settings, *, force: bool = False) -> list[dict]:
    """Fold the logged writes into the rollups behind on them (``rollup_upkeep.catch_up``),
    then rebuild every rollup that is missing, stale, or lacks a measure of the catalog; each
    in its own transaction, with the change counts it was built at. What was done. Needs a
    warehouse opened for writing (its ``telekpi_rollups`` table)."""
    from telekpi.engine.rollup_upkeep import catch_up, create_logs

    create_logs(con)
    # first, always: the logs are shared by the rollups that read a table, so they are
    # emptied only once every rollup behind on them has folded them in
    done = catch_up(con, catalog, settings)
    for row in status(con, catalog, settings):
        if row["current"] and not force:
            continue
        spec = SPECS[row["model"]]
        t0 = time.perf_counter()
        sql, cols = build_sql(spec, catalog, settings, helpers=True)
        con.begin()
        try:
            gens = _state(con, spec.sources)
            if spec.model == "leads":
                con.execute(f"CREATE OR REPLACE TABLE {FIRST_CALLS_TABLE} AS "
                            + FIRST_CALLS.format(calls="calls"))
            con.execute(f"CREATE OR REPLACE TABLE {spec.table} AS {sql} ORDER BY ALL")
            rows = con.execute(f"SELECT count(*) FROM {spec.table}").fetchall()[0][0]
            seconds = time.perf_counter() - t0
            con.execute("DELETE FROM telekpi_rollups WHERE model = ?", [spec.model])
            con.execute("INSERT INTO telekpi_rollups VALUES (?, ?, ?, ?, ?, ?, ?, now(), NULL)",
                        [spec.model, shape(spec, settings), settings.timezone, json.dumps(cols),
                         json.dumps(gens), rows, seconds])
            con.commit()
        except BaseException:
            con.rollback()
            raise
        done.append({"model": spec.model, "rows": rows, "seconds": seconds})
    return done


# -- a Parquet lake ------------------------------------------------------------------------

LAKE_DIR = "_rollups"


def write_lake(con, out: Path, catalog: Catalog, settings: Settings) -> dict[str, dict]:
    """Compute every rollup from the canonical tables ``con`` sees (the warehouse's, or views
    over a lake) into ``out/_rollups/<model>``; the manifest's entries for them."""
    entries = {}
    root = Path(out) / LAKE_DIR
    root.mkdir(parents=True, exist_ok=True)
    for name, spec in SPECS.items():
        t0 = time.perf_counter()
        sql, cols = build_sql(spec, catalog, settings)
        tmp, final = root / f".{name}.writing", root / name
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        path = str(tmp / "data_0.parquet").replace("'", "''")
        con.execute(f"COPY ({sql} ORDER BY ALL) TO '{path}' (FORMAT parquet)")
        rows = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchall()[0][0]
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
        entries[name] = {"table": spec.table, "path": f"{LAKE_DIR}/{name}", "rows": rows,
                         "shape": shape(spec, settings), "timezone": settings.timezone,
                         "columns": cols, "seconds": round(time.perf_counter() - t0, 3)}
    return entries


def rollup_lake(lake: Path, catalog: Catalog, settings: Settings) -> dict[str, dict]:
    """Compute the rollups of a lake from its own tables (a lake written by other tools, or
    before its rollups) with DuckDB, and record them in its manifest."""
    from telekpi.engine.backends import DuckDBBackend
    from telekpi.store.lake import add_to_manifest

    backend = DuckDBBackend.over_lake(Path(lake))
    try:
        entries = write_lake(backend.con, Path(lake), catalog, settings)
    finally:
        backend.close()
    add_to_manifest(Path(lake), "rollups", entries)
    return entries


def from_manifest(manifest: dict, settings: Settings) -> dict[str, Rollup]:
    """The rollups a lake holds that fit the settings it is read with."""
    out = {}
    for name, e in (manifest.get("rollups") or {}).items():
        spec = SPECS.get(name)
        if spec and e.get("shape") == shape(spec, settings):   # the shape holds the timezone
            out[name] = _rollup(spec, e.get("columns", ()))
    return out
