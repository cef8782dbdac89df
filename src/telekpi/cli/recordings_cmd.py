"""`telekpi import recordings` and `telekpi analyse`: audio files linked to calls, their
speech analysed (docs/call-analysis.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from telekpi.cli.rollups_cmd import update_rollups
from telekpi.cli.root import app, open_workspace
from telekpi.i18n import _


class _FilesBar:
    """A progress bar over files, on a terminal, once there are several."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.progress: Any = None   # a rich Progress, made with the first file
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < 2:
            return
        if self.progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn(_("recordings")), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("", total=total)
        self.progress.update(self.task, completed=done)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _report(counts) -> None:
    typer.echo(_("{files} files: {linked} linked, {updated} updated, {unchanged} unchanged, "
                 "{quarantined} quarantined; {audio} s of audio analysed in {seconds} s").format(
        files=f"{counts.files:,}", linked=f"{counts.linked:,}", updated=f"{counts.updated:,}",
        unchanged=f"{counts.unchanged:,}", quarantined=f"{counts.quarantined:,}",
        audio=f"{counts.audio_s:,.0f}", seconds=f"{counts.seconds:.1f}"))
    for path, reason in counts.examples:
        typer.echo("  " + _("quarantined {path}: {reason}").format(path=path, reason=reason))
    if counts.quarantined > len(counts.examples):
        typer.echo("  " + _("… and {n} more: {command}").format(
            n=f"{counts.quarantined - len(counts.examples):,}",
            command="telekpi quarantine --table recordings"))


def import_recordings(ctx: typer.Context, files: list[Path], *, pattern: str | None,
                      agent_channel: str | None, quiet: bool) -> None:
    from telekpi.audio.naming import compile_pattern

    rx = compile_pattern(pattern)
    with open_workspace(ctx, read_only=False) as ws:
        bar = _FilesBar(enabled=not quiet and sys.stderr.isatty())
        try:
            counts = ws.import_recordings(files, pattern=rx, agent_channel=agent_channel, progress=bar)
        finally:
            bar.close()
        update_rollups(ws)
    if not counts.files:
        from telekpi.audio.naming import AUDIO_SUFFIXES

        typer.echo("telekpi: " + _("no audio files there (looked for {suffixes})").format(
            suffixes=" ".join(AUDIO_SUFFIXES)), err=True)
        raise typer.Exit(1)
    _report(counts)
    if counts.quarantined == counts.files:
        raise typer.Exit(1)


@app.command("analyse")
def analyse_cmd(
    ctx: typer.Context,
    agent_channel: str = typer.Option(None, "--agent-channel", help="The stereo channel that holds the "
                                      "agent, left or right [default: the setting recording_agent_channel]."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Analyse the imported recordings again where needed: a file that changed since it was
    imported, or one analysed with another detector, agent channel or interruption threshold
    than the workspace's settings now say (the others are left as they are)."""
    with open_workspace(ctx, read_only=False) as ws:
        bar = _FilesBar(enabled=not quiet and sys.stderr.isatty())
        try:
            counts = ws.reanalyse_recordings(agent_channel=agent_channel, progress=bar)
        finally:
            bar.close()
        update_rollups(ws)
    _report(counts)
