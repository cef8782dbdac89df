"""Building rollups: in the warehouse (``refresh``), and into a Parquet lake."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from telekpi import sql as sqltext
from telekpi.catalog.loader import Catalog
from telekpi.catalog.models import FIRST_CALLS
from telekpi.engine.rollups.combos import DELTA_TABLE, TOUCHES_TABLE, touches_sql
from telekpi.engine.rollups.spec import FIRST_CALLS_TABLE, SPECS, build_sql, shape
from telekpi.engine.rollups.state import combo_months, source_state, status
from telekpi.settings import Settings


def refresh(con, catalog: Catalog, settings: Settings, *, force: bool = False) -> list[dict]:
    """Fold the logged writes into the rollups behind on them (``rollup_upkeep.catch_up``),
    then rebuild every rollup that is missing, stale, or lacks a measure of the catalog; each
    in its own transaction, with the change counts it was built at. What was done. Needs a
    warehouse opened for writing (its ``telekpi_rollups`` table)."""
    from telekpi.engine.rollups.upkeep import catch_up, create_logs

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
            gens = source_state(con, spec.sources)
            if spec.model == "leads":
                con.execute(f"CREATE OR REPLACE TABLE {FIRST_CALLS_TABLE} AS "
                            + FIRST_CALLS.format(calls="calls"))
            con.execute(f"CREATE OR REPLACE TABLE {spec.table} AS {sql} ORDER BY ALL")
            if spec.combos:   # the changes of writes before this build are in it
                con.execute(f"DROP TABLE IF EXISTS {DELTA_TABLE}")
                con.execute(f"CREATE OR REPLACE TABLE {TOUCHES_TABLE} AS {touches_sql()} ORDER BY lead_id")
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
        path = sqltext.string(tmp / "data_0.parquet")
        con.execute(f"COPY ({sql} ORDER BY ALL) TO {path} (FORMAT parquet)")
        rows = con.execute(f"SELECT count(*) FROM read_parquet({path})").fetchall()[0][0]
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
        entries[name] = {"table": spec.table, "path": f"{LAKE_DIR}/{name}", "rows": rows,
                         "shape": shape(spec, settings), "timezone": settings.timezone,
                         "columns": cols, "seconds": round(time.perf_counter() - t0, 3)}
        if spec.combos:
            entries[name]["months"] = combo_months(con, settings)
            entries["lead_touches"] = _write_touches(con, root)
    return entries


def _write_touches(con, root: Path) -> dict:
    """Each lead's touch history, beside the funnel's rollup (``combos.TOUCHES_TABLE``)."""
    t0 = time.perf_counter()
    tmp, final = root / ".lead_touches.writing", root / "lead_touches"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    path = sqltext.string(tmp / "data_0.parquet")
    con.execute(f"COPY ({touches_sql()} ORDER BY lead_id) TO {path} (FORMAT parquet)")
    rows = con.execute(f"SELECT count(*) FROM read_parquet({path})").fetchall()[0][0]
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return {"table": TOUCHES_TABLE, "path": f"{LAKE_DIR}/lead_touches", "rows": rows,
            "seconds": round(time.perf_counter() - t0, 3)}


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
