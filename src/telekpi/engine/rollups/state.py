"""Whether a rollup is current: the change and row counts of its source tables when it was
built (``telekpi_rollups``) against the tables now, and which rollups a lake's manifest holds."""

from __future__ import annotations

import json

import duckdb

from telekpi import sql as sqltext
from telekpi.catalog.loader import Catalog
from telekpi.engine.rollups.spec import (
    SPECS,
    Rollup,
    Spec,
    rollup_of,
    shape,
    stored_columns,
)
from telekpi.settings import Settings


def read_meta(con) -> dict[str, dict]:
    try:   # a warehouse opened for writing has the table (store.warehouse.ensure_schema)
        rows = con.execute("SELECT model, shape, columns, generations, rows, seconds, pending "
                           "FROM telekpi_rollups").fetchall()
    except duckdb.Error:
        return {}   # read only, and from before the rollups
    keys = ("model", "shape", "columns", "generations", "rows", "seconds", "pending")
    return {r[0]: dict(zip(keys, r, strict=True)) for r in rows}


def source_state(con, tables) -> dict[str, list[int]]:
    """Each source table's change count (``store.warehouse.touch``) and row count: the count
    also catches rows written outside telekpi (SQL on the DuckDB file), which no change
    count sees."""
    gens = dict(con.execute("SELECT key, value FROM telekpi_meta WHERE starts_with(key, 'gen:')")
                .fetchall())
    counts = con.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {sqltext.identifier(t)})"
                                               for t in tables)).fetchall()[0]
    return {t: [int(gens.get(f"gen:{t}", 0)), n] for t, n in zip(tables, counts, strict=True)}


SOURCES = tuple(sorted({t for spec in SPECS.values() for t in spec.sources}))


def fresh(spec: Spec, meta: dict | None, settings: Settings, state: dict) -> bool:
    """Built by this version, in this timezone (both in the shape), from the tables as they
    are now (``state``: ``source_state`` of every source table)."""
    return (meta is not None and meta["shape"] == shape(spec, settings)
            and json.loads(meta["generations"]) == {t: state[t] for t in spec.sources})


def behind(spec: Spec, meta: dict | None, settings: Settings, state: dict) -> bool:
    """Current but for writes logged since (``pending``: the state of the logged tables after
    them); ``rollup_upkeep.catch_up`` folds them in."""
    if meta is None or meta["pending"] is None or meta["shape"] != shape(spec, settings):
        return False
    now = {**json.loads(meta["generations"]), **json.loads(meta["pending"])}
    return all(now[t] == state[t] for t in spec.sources)


def record(con) -> tuple[dict[str, dict], dict[str, list[int]]]:
    """What the warehouse records now of its rollups (``read_meta``) and of their source tables
    (``source_state``): which rollups are current follows from it and the settings alone
    (``available``), so the plans kept between commands are keyed by it (``engine/kept_plans.py``)."""
    return read_meta(con), source_state(con, SOURCES)


def available(con, settings: Settings,
              recorded: tuple[dict[str, dict], dict[str, list[int]]] | None = None) -> dict[str, Rollup]:
    """The warehouse's rollups that were built from its data as it is now (``recorded``: its
    ``record``, if read already)."""
    meta, state = recorded or record(con)
    out = {}
    for name, spec in SPECS.items():
        if fresh(spec, meta.get(name), settings, state):
            months = combo_months(con, settings) if spec.combos else ()
            out[name] = rollup_of(spec, json.loads(meta[name]["columns"]), months)
    return out


def combo_months(con, settings: Settings, calls: str = "calls") -> tuple[tuple[str, str], ...]:
    """Each month with calls of leads and its last local day with one (``combos.months_sql``)."""
    from telekpi.engine.rollups.combos import months_sql

    return tuple((m, d) for m, d in con.execute(months_sql(settings, calls)).fetchall())


def status(con, catalog: Catalog, settings: Settings) -> list[dict]:
    """Each rollup: current or not, its rows and how long it took (None: never built)."""
    meta, state = read_meta(con), source_state(con, SOURCES)
    out = []
    for name, spec in SPECS.items():
        m = meta.get(name)
        wanted = set(stored_columns(spec, catalog, settings))
        current = m is not None and fresh(spec, m, settings, state) and wanted <= set(json.loads(m["columns"]))
        out.append({"model": name, "current": current, "rows": m["rows"] if m else None,
                    "seconds": m["seconds"] if m else None})
    return out


def from_manifest(manifest: dict, settings: Settings) -> dict[str, Rollup]:
    """The rollups a lake holds that fit the settings it is read with."""
    out = {}
    for name, e in (manifest.get("rollups") or {}).items():
        spec = SPECS.get(name)
        if spec and e.get("shape") == shape(spec, settings):   # the shape holds the timezone
            out[name] = rollup_of(spec, e.get("columns", ()), e.get("months", ()))
    return out
