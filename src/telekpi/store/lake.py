"""The warehouse as a Parquet lake: one folder per table, one subfolder per month.

Layout (Hive-style, so Spark, Trino, ClickHouse and DuckDB read it as is)::

    DIR/calls/month=2026-01/data_0.parquet     tables with a time column, by
    DIR/calls/month=2026-02/data_0.parquet     local month (workspace timezone)
    DIR/agents/data_0.parquet                  reference tables: one file
    DIR/tickets/month=none/data_0.parquet      an empty table: one file, no rows
    DIR/_rollups/calls/data_0.parquet          daily rollups (engine/rollups/)
    DIR/_telekpi/lake.json                     what was written, and when
    DIR/_telekpi/telekpi.toml, metrics/*.yaml  the workspace's settings and metrics

Timestamps are written as UTC instants (Parquet ``isAdjustedToUTC``), money as
DECIMAL(18,4). ``month`` exists only in the folder names: readers that add it
as a column (Spark, DuckDB's hive_partitioning) must drop it, as
``engine/backends.py`` does. Folders whose names start with ``_`` are skipped
by Spark and Hive.

A table is written to a temporary folder beside its target and swapped in, so
a reader never sees half a table; re-exporting replaces the lake's tables.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from telekpi import sql as sqltext
from telekpi.errors import InputError, TelekpiError
from telekpi.i18n import _
from telekpi.model.tables import TABLES
from telekpi.settings import CONFIG_FILE, Settings
from telekpi.store.warehouse import Warehouse

META = "_telekpi"
MANIFEST = "lake.json"
# 2: costs carry period_end (the warehouse's schema version 3); a lake of format 1 is written
# again with `telekpi export-lake`. 3: campaigns carry kind (schema version 4) and calls their
# queue, numbers, transfer and hangup (schema version 5), which the engines read from the lake.
# 4: call_speech (schema version 6), which the speech metrics read.
LAKE_FORMAT = 4
# Tables the lake carries besides the canonical ones, for other tools (Spark, Trino, a BI tool)
# to read, each with its time column (partitioned by its month like the canonical tables): the
# people in the loop of QA (docs/call-analysis.md, "Reviewing calls"). Listed in the manifest's
# tables; a lake written before they were exported simply lacks them.
REVIEW_TABLES = {"qa_reviews": "reviewed_at", "qa_calibration": "marked_at"}


def _time_of(name: str) -> tuple[str | None, str | None]:
    """A lake table's time column and its type (date or timestamp); (None, None) if none."""
    if name in REVIEW_TABLES:
        return REVIEW_TABLES[name], "timestamp"
    table = TABLES[name]
    return table.time, table.column(table.time).type if table.time else None


def export_lake(wh: Warehouse, out: Path, settings: Settings, *,
                row_group_size: int = 1_000_000,
                rollups: Callable[[object, Path], dict] | None = None) -> dict[str, int]:
    """Write every canonical table of ``wh`` under ``out``; rows written per table.
    ``rollups(con, out)`` writes the lake's daily rollups and returns their manifest entries."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(_("is a file; export-lake writes a folder"), file=str(out))
    if out.is_dir() and any(out.iterdir()) and not (out / META / MANIFEST).exists():
        raise InputError(_("is a folder with other files in it and no telekpi lake; "
                           "give an empty or new folder"), file=str(out))
    out.mkdir(parents=True, exist_ok=True)
    con = wh.con
    tz = sqltext.string(settings.timezone)
    counts: dict[str, int] = {}
    for name in [*TABLES, *REVIEW_TABLES]:
        time, time_type = _time_of(name)
        tmp = out / f".{name}.writing"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        opts = f"FORMAT parquet, ROW_GROUP_SIZE {int(row_group_size)}"
        q = sqltext.identifier(name)
        counts[name] = wh.count(name)
        try:
            if time and counts[name] == 0:
                # No rows, no partitions: one empty file keeps the table's columns readable.
                (tmp / "month=none").mkdir()
                con.execute(f'COPY {q} TO {sqltext.string(tmp / "month=none" / "data_0.parquet")} ({opts})')
            elif time:
                col = sqltext.identifier(time)
                local = col if time_type == "date" else f"timezone({tz}, {col})"
                con.execute(
                    f"COPY (SELECT *, coalesce(strftime({local}, '%Y-%m'), 'none') AS month "
                    f"FROM {q} ORDER BY {col}) TO {sqltext.string(tmp)} "
                    f"({opts}, PARTITION_BY (month), OVERWRITE_OR_IGNORE)")
            else:
                con.execute(f'COPY {q} TO {sqltext.string(tmp / "data_0.parquet")} ({opts})')
        except Exception as e:   # disk full, permissions: the lake keeps its previous table
            shutil.rmtree(tmp, ignore_errors=True)
            raise TelekpiError(_("{folder}: could not write {table} ({error})").format(
                folder=out, table=name, error=str(e).splitlines()[0])) from None
        final = out / name
        old = out / f".{name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    _write_meta(out, wh, counts, settings, rollups(con, out) if rollups else {})
    return counts


def add_to_manifest(lake: Path, key: str, value) -> None:
    """Set one entry of a lake's manifest (the rollups written after its tables)."""
    path = Path(lake) / META / MANIFEST
    manifest = read_manifest(lake)
    manifest[key] = value
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _write_meta(out: Path, wh: Warehouse, counts: dict[str, int], settings: Settings,
                rollups: dict) -> None:
    meta = out / META
    meta.mkdir(exist_ok=True)
    workspace = wh.workspace
    if (workspace / CONFIG_FILE).exists():
        shutil.copyfile(workspace / CONFIG_FILE, meta / CONFIG_FILE)
    shutil.rmtree(meta / "metrics", ignore_errors=True)
    if (workspace / "metrics").is_dir():
        shutil.copytree(workspace / "metrics", meta / "metrics")
    manifest = {
        "format": LAKE_FORMAT,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "warehouse": str(wh.path.resolve()),
        "timezone": settings.timezone,
        "partitioned_by": "month of each table's time column, workspace timezone",
        "tables": {name: {"rows": n, "time": _time_of(name)[0]} for name, n in counts.items()},
        "rollups": rollups,
    }
    (meta / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def read_manifest(lake: Path | str) -> dict:
    """The lake's manifest; a clear error when ``lake`` is not a telekpi lake."""
    path = Path(lake) / META / MANIFEST
    if not Path(lake).is_dir():
        raise InputError(_("no such folder; write a lake with `telekpi export-lake DIR`"), file=str(lake))
    if not path.exists():
        raise InputError(_("is not a telekpi lake (no {manifest}); write one with `telekpi export-lake DIR`")
                         .format(manifest=f"{META}/{MANIFEST}"), file=str(lake))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(_("is not valid JSON ({error})").format(error=e), file=str(path)) from None
    if manifest.get("format") != LAKE_FORMAT:
        raise InputError(_("lake format {found}; this telekpi reads {supported}").format(
            found=repr(manifest.get("format")), supported=LAKE_FORMAT), file=str(path))
    return manifest


def lake_workspace(lake: Path | str) -> Path:
    """Where the lake keeps the settings and metrics it was written with."""
    return Path(lake) / META


LAKE_MONTH = "__lake_month"


def month_view(table: str) -> str:
    """A lake engine's view of ``table`` that keeps the partition month, as ``__lake_month``."""
    return f"_months_{table}"


def table_is_partitioned(name: str) -> bool:
    return _time_of(name)[0] is not None
