"""`telekpi export-lake DIR`: the warehouse as a Parquet lake for Spark, ClickHouse, Trino."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from telekpi.cli.root import app, open_workspace
from telekpi.i18n import _


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
    with open_workspace(ctx) as ws:
        counts = ws.export_lake(out, row_group_size=row_group_size)
    total = sum(counts.values())
    typer.echo(_("wrote {rows} rows of {tables} tables to {path} in {seconds} s").format(
        rows=f"{total:,}", tables=len(counts), path=out, seconds=f"{time.monotonic() - started:.1f}"))
    for name, n in counts.items():
        typer.echo(f"  {name:<13} {n:>12,}")
