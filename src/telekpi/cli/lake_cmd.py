"""`telekpi export-lake DIR`: the warehouse as a Parquet lake for Spark, ClickHouse, Trino."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from telekpi.catalog.loader import load_catalog
from telekpi.cli.root import app, db_path
from telekpi.engine.rollups import write_lake
from telekpi.i18n import _
from telekpi.settings import load_settings
from telekpi.store.lake import export_lake
from telekpi.store.warehouse import Warehouse


@app.command("export-lake")
def export_lake_cmd(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="Folder to write (created; a previous lake there is replaced)."),
    row_group_size: int = typer.Option(1_000_000, "--row-group-size", min=1_000,
                                       help="Rows per Parquet row group."),
) -> None:
    """Write the warehouse as a Parquet lake, partitioned by table and month, that Spark,
    ClickHouse, Trino or DuckDB read (`--engine spark --lake DIR`)."""
    started = time.monotonic()
    with Warehouse(db_path(ctx), read_only=True) as wh:
        settings = load_settings(wh.workspace)
        catalog = load_catalog(wh.workspace)
        counts = export_lake(wh, out, settings, row_group_size=row_group_size,
                             rollups=lambda con, folder: write_lake(con, folder, catalog, settings))
    total = sum(counts.values())
    typer.echo(_("wrote {rows} rows of {tables} tables to {path} in {seconds} s").format(
        rows=f"{total:,}", tables=len(counts), path=out, seconds=f"{time.monotonic() - started:.1f}"))
    for name, n in counts.items():
        typer.echo(f"  {name:<13} {n:>12,}")
