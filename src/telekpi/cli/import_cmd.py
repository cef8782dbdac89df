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

from telekpi.cli.errors import cli_message
from telekpi.cli.output import print_csv, print_json, print_table
from telekpi.cli.query_cmds import Fmt, FmtOpt
from telekpi.cli.rollups_cmd import update_rollups
from telekpi.cli.root import app, open_workspace
from telekpi.errors import ConfigError, InputError, UsageError
from telekpi.i18n import _

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


def _counts(c) -> str:
    """'N inserted, N updated, N unchanged[, N skipped], N quarantined'."""
    text = _("{inserted} inserted, {updated} updated, {unchanged} unchanged, {skipped} skipped, "
             "{quarantined} quarantined") if c.skipped else \
        _("{inserted} inserted, {updated} updated, {unchanged} unchanged, {quarantined} quarantined")
    return text.format(inserted=f"{c.inserted:,}", updated=f"{c.updated:,}", unchanged=f"{c.unchanged:,}",
                       skipped=f"{c.skipped:,}", quarantined=f"{c.quarantined:,}")


def _summary(r: FileResult) -> str:
    c = r.counts
    read = _("{read} rows read").format(read=f"{c.rows_read:,}") if r.lines_read is None else \
        _("{lines} lines read, {read} rows made").format(lines=f"{r.lines_read:,}", read=f"{c.rows_read:,}")
    lines = [f"{r.path} → {r.table} ({r.format}): " + _("{read}: {counts} in {seconds} s ({speed} rows/s)").format(
        read=read, counts=_counts(c), seconds=f"{r.seconds:.1f}", speed=f"{r.rows_per_s:,.0f}")]
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
    table: str = typer.Argument(..., help="Canonical table: {tables}; or recordings: audio files (or "
                                "folders of them) linked to calls and analysed; or transcripts."),
    files: list[Path] = typer.Argument(..., help="CSV, Parquet or XLSX files (or a registered format); for "
                                       "transcripts, Whisper/AWS/Google/Deepgram JSON, WebVTT or SRT files "
                                       "or folders."),
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
    pattern: str = typer.Option(None, "--pattern", help="recordings and transcripts: a regular expression "
                                "with a named group call_id, searched in each file name [default: an "
                                "Asterisk uniqueid, a UUID, else the name up to its first dot] "
                                "(docs/call-analysis.md)."),
    agent_channel: str = typer.Option(None, "--agent-channel", help="recordings: the stereo channel that "
                                      "holds the agent, left or right [default: the setting "
                                      "recording_agent_channel]."),
    agent: str = typer.Option(None, "--agent", help="Transcripts: which speaker or channel is the agent: "
                              "auto, first, second or a label as the file writes it (ch_1, spk_0, Anna) "
                              "[default: the setting transcript_agent, auto]."),
) -> None:
    """Import files into a canonical table; every row is inserted, updated, unchanged, skipped (by the
    mapping's skip/where rules) or quarantined. Each file is one transaction. Exit code 0 when every
    file was imported; 1 when a file had rows and all of them were quarantined; 2 when a file could not
    be read at all (with several files, the others are imported first)."""
    from telekpi.ingest.mapping import load_mapping
    from telekpi.model.tables import table as canonical_table

    if table == "recordings":
        from telekpi.cli.recordings_cmd import import_recordings

        if agent is not None:
            raise UsageError(_("--agent is for `telekpi import transcripts`; recordings take --agent-channel"))
        import_recordings(ctx, files, pattern=pattern, agent_channel=agent_channel, quiet=quiet)
        return
    if table == "transcripts":
        from telekpi.cli.qa_cmd import import_transcripts

        if agent_channel is not None:
            raise UsageError(_("--agent-channel is for `telekpi import recordings`; transcripts take --agent"))
        import_transcripts(ctx, files, fmt=fmt, pattern=pattern, agent=agent)
        return
    if pattern is not None or agent_channel is not None or agent is not None:
        raise UsageError(_("--pattern, --agent-channel and --agent are for `telekpi import recordings` "
                           "and `telekpi import transcripts`"))
    canonical_table(table)
    m = load_mapping(mapping) if mapping else None
    if follow and len(files) != 1:
        raise UsageError(_("--follow follows one file; start one `telekpi import --follow` per log "
                           "(or `telekpi serve --follow FILE` for several)"))
    total = None
    failed: list[InputError] = []          # files that could not be read; the others go on
    rejected: list[FileResult] = []        # files whose every row was quarantined
    with open_workspace(ctx, read_only=False, memory_limit=IMPORT_MEMORY) as ws:
        if follow:
            _follow(ws, table, files[0], fmt, m, interval)
            return
        for f in files:
            bar = _Bar(f"{f.name} → {table}", enabled=not quiet and sys.stderr.isatty())
            try:
                results = ws.import_file(table, f, fmt=fmt, mapping=m, encoding=encoding, progress=bar)
            except InputError as e:
                # a file that cannot be read stops only itself (each file is one transaction);
                # one mapping wrong for every file, or a single file, stops the command as before
                if len(files) == 1 or isinstance(e, ConfigError):
                    raise
                failed.append(e)
                typer.echo(f"telekpi: {cli_message(e)}", err=True)
                continue
            finally:
                bar.close()
            for result in results:
                typer.echo(_summary(result))
                if result.counts.quarantined and not result.counts.accepted:
                    rejected.append(result)
            if total is None:
                total = results[0].counts
            else:
                total.add(results[0].counts)
        update_rollups(ws)
    if len(files) > 1 and total is not None:
        typer.echo(_("{files} files: {read} rows read: {counts}").format(
            files=len(files) - len(failed), read=f"{total.rows_read:,}", counts=_counts(total)))
    if failed:
        typer.echo("telekpi: " + _("{n} of {files} files not imported: {names}").format(
            n=len(failed), files=len(files), names=", ".join(str(e.file) for e in failed)), err=True)
        raise typer.Exit(InputError.exit_code)
    if rejected:
        for r in rejected:
            typer.echo("telekpi: " + _("nothing of {path} was imported: all {n} row(s) were quarantined; "
                                       "see {command}").format(
                path=r.path, n=f"{r.counts.quarantined:,}", command=f"telekpi quarantine --source {r.path}"),
                err=True)
        raise typer.Exit(1)


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
        total = ws.quarantine_count(source=source, table=table) if limit and len(rows) >= limit else len(rows)
    if fmt == Fmt.json:
        print_json({"rows": rows, "total": total})
    elif fmt == Fmt.csv:
        print_csv(["source", "line", "table", "column", "reason", "raw", "imported_at"], rows)
    else:
        if not rows:
            typer.echo(_("Nothing is quarantined."))
            return
        print_table(["source", "line", "table", "column", "reason"], rows, {})
        if total > len(rows):
            typer.echo(_("showing the first {shown} of {total} quarantined rows; --limit 0 shows them all").format(
                shown=f"{len(rows):,}", total=f"{total:,}"), err=True)
