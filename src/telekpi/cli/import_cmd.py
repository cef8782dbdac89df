"""`telekpi import` and `telekpi quarantine`: files in, every row accounted for."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from telekpi.cli.output import print_csv, print_json, print_table
from telekpi.cli.query_cmds import Fmt, FmtOpt
from telekpi.cli.rollups_cmd import update_rollups
from telekpi.cli.root import app, open_workspace
from telekpi.errors import UsageError
from telekpi.i18n import _
from telekpi.model.tables import TABLES

if TYPE_CHECKING:
    from telekpi.ingest.pipeline import FileResult
    from telekpi.workspace import Workspace

PROGRESS_AFTER_S = 1.0
# DuckDB spills staged rows to disk beyond this, so a 10M-row file imports in bounded memory.
IMPORT_MEMORY = os.environ.get("TELEKPI_IMPORT_MEMORY", "512MB")


class _Bar:
    """A progress bar that appears only once a file has taken more than a second."""

    def __init__(self, label: str, enabled: bool):
        self.label, self.enabled = label, enabled
        self.t0 = time.perf_counter()
        self.progress: Any = None   # a rich Progress, made only once a file takes a while
        self.task: Any = None

    def __call__(self, fraction: float) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            if time.perf_counter() - self.t0 < PROGRESS_AFTER_S:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                     TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(),
                                     console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=1.0)
        self.progress.update(self.task, completed=fraction)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _summary(r: FileResult) -> str:
    c = r.counts
    lines = [f"{r.path} → {r.table} ({r.format}): " + _(
        "{read} rows read: {inserted} inserted, {updated} updated, {unchanged} unchanged, "
        "{quarantined} quarantined in {seconds} s ({speed} rows/s)").format(
            read=f"{c.rows_read:,}", inserted=f"{c.inserted:,}", updated=f"{c.updated:,}",
            unchanged=f"{c.unchanged:,}", quarantined=f"{c.quarantined:,}", seconds=f"{r.seconds:.1f}",
            speed=f"{r.rows_per_s:,.0f}")]
    for line, column, reason in r.examples:
        if line is not None and column:
            text = _("quarantined line {line}, column {column}: {reason}")
        elif line is not None:
            text = _("quarantined line {line}: {reason}")
        elif column:
            text = _("quarantined column {column}: {reason}")
        else:
            text = _("quarantined : {reason}")
        lines.append("  " + text.format(line=line, column=column, reason=reason))
    if c.quarantined > len(r.examples):
        lines.append("  " + _("… and {n} more: {command}").format(
            n=f"{c.quarantined - len(r.examples):,}", command=f"telekpi quarantine --source {r.path}"))
    if r.unknown_dispositions:
        codes = ", ".join(f"{code} ({n:,})" for code, n in r.unknown_dispositions)
        lines.append("  " + _("unknown disposition codes, kept but flagged nothing (map them in "
                              "telekpi.toml [dispositions]): {codes}").format(codes=codes))
    lines += [f"  {note}" for note in r.notes]
    if r.ignored_columns:
        lines.append("  " + _("columns not used: {columns}").format(columns=", ".join(r.ignored_columns)))
    return "\n".join(lines)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    table: str = typer.Argument(..., help=f"Canonical table: {', '.join(TABLES)}."),
    files: list[Path] = typer.Argument(..., help="CSV, Parquet or XLSX files (or a registered format)."),
    fmt: str = typer.Option(None, "--format", help="Input format [default: detected from the file]."),
    mapping: Path = typer.Option(None, "--mapping", help="YAML mapping of the file's columns, codes and "
                                 "time formats onto the table (docs/import.md)."),
    encoding: str = typer.Option(None, "--encoding", help="Text encoding of CSV files "
                                 "[default: UTF-8, or UTF-16 with or without a byte-order mark]."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep importing what a switch appends to "
                                "the log (queue_log, Master.csv), surviving rotation and restarts; "
                                "stop with Ctrl-C."),
    interval: float = typer.Option(1.0, "--interval", help="With --follow: seconds between looks at the file."),
) -> None:
    """Import files into a canonical table; every row is inserted, updated, unchanged or quarantined."""
    from telekpi.ingest.mapping import load_mapping
    from telekpi.model.tables import table as canonical_table

    canonical_table(table)
    m = load_mapping(mapping) if mapping else None
    if follow and len(files) != 1:
        raise UsageError(_("--follow follows one file; start one `telekpi import --follow` per log "
                           "(or `telekpi serve --follow FILE` for several)"))
    total = None
    with open_workspace(ctx, read_only=False, memory_limit=IMPORT_MEMORY) as ws:
        if follow:
            _follow(ws, table, files[0], fmt, m, interval)
            return
        for f in files:
            bar = _Bar(f"{f.name} → {table}", enabled=not quiet and sys.stderr.isatty())
            try:
                results = ws.import_file(table, f, fmt=fmt, mapping=m, encoding=encoding, progress=bar)
            finally:
                bar.close()
            for result in results:
                typer.echo(_summary(result))
            if total is None:
                total = results[0].counts
            else:
                total.add(results[0].counts)
        update_rollups(ws)
    if len(files) > 1 and total is not None:
        typer.echo(_("{files} files: {read} rows read: {inserted} inserted, {updated} updated, "
                     "{unchanged} unchanged, {quarantined} quarantined").format(
            files=len(files), read=f"{total.rows_read:,}", inserted=f"{total.inserted:,}",
            updated=f"{total.updated:,}", unchanged=f"{total.unchanged:,}",
            quarantined=f"{total.quarantined:,}"))


def _follow(ws: Workspace, table: str, file: Path, fmt, mapping, interval: float) -> None:
    update_rollups(ws)   # current rollups at the start are kept current piece by piece
    written = threading.Event()
    follower = ws.follower(table, file, fmt=fmt, mapping=mapping)
    typer.echo(_("following {path} (Ctrl-C stops; the place reached is saved)").format(path=follower.path),
               err=True)

    def show(r: FileResult) -> None:
        if r.counts.rows_read:
            typer.echo(_summary(r))
            sys.stdout.flush()
        if r.counts.inserted or r.counts.updated:
            written.set()

    # Ctrl-C or SIGTERM (a service manager) lets the piece being imported finish, then
    # stops; a second Ctrl-C aborts it at once (its transaction rolls back).
    stop = threading.Event()

    def on_signal(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for __ in follower.run(interval, on_result=show, stop=stop):
            for note in follower.notes:
                typer.echo(f"telekpi: {note}", err=True)
            follower.notes.clear()
            if written.is_set():
                written.clear()
                ws.catch_up()
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    update_rollups(ws)
    typer.echo(_("stopped; the next `telekpi import --follow` goes on from here"), err=True)


@app.command("quarantine")
def quarantine_cmd(
    ctx: typer.Context,
    source: str = typer.Option(None, "--source", help="Only rows from this file."),
    table: str = typer.Option(None, "--table", help="Only rows meant for this table."),
    limit: int = typer.Option(100, "--limit", help="At most this many rows (0: all)."),
    fmt: Fmt = FmtOpt,
) -> None:
    """List quarantined rows with their file, line, column and reason."""
    if source and Path(source).exists():
        source = str(Path(source).resolve())
    with open_workspace(ctx) as ws:
        rows = ws.quarantine(source=source, table=table, limit=limit or None)
    if fmt == Fmt.json:
        print_json({"rows": rows})
    elif fmt == Fmt.csv:
        print_csv(["source", "line", "table", "column", "reason", "raw", "imported_at"], rows)
    else:
        if not rows:
            typer.echo(_("Nothing is quarantined."))
            return
        print_table(["source", "line", "table", "column", "reason"], rows, {})
