"""`telekpi schedule`: run reports from a YAML schedule, writing and mailing them."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import typer

from telekpi.cli.root import app, db_path, open_workspace
from telekpi.i18n import _


@app.command("schedule")
def schedule_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The schedule (YAML): reports with days, time, period, "
                                "formats, language, scope and recipients; see docs/reports.md."),
    once: bool = typer.Option(False, "--once", help="Run what is due now and exit (for cron or a "
                              "systemd timer) instead of running until stopped."),
    at: str = typer.Option(None, "--at", help="Act as if it were this local time (YYYY-MM-DD HH:MM); "
                           "implies --once."),
    interval: float = typer.Option(60, "--interval", help="Seconds between checks when running."),
) -> None:
    """Run scheduled reports on time (workspace timezone); a run missed while the machine was off
    is caught up once, not once per missed slot."""
    from telekpi.cli.alerts_cmd import parse_at
    from telekpi.reports.runner import run_due
    from telekpi.reports.schedule import ScheduleState, load_schedule

    db = db_path(ctx)
    schedule = load_schedule(file)
    tz = open_workspace(ctx).settings.tz
    state = ScheduleState.beside(db)
    try:
        while True:
            now = parse_at(at, tz) if at else datetime.now(tz)
            for o in run_due(schedule, open_workspace(ctx), now, state):
                stamp = o.due.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if o.ok:
                    typer.echo(_("{id} ({due}): {detail}").format(id=o.id, due=stamp, detail=o.detail)
                               + "".join(f"\n  {f}" for f in o.files))
                else:
                    typer.echo(_("{id} ({due}) FAILED: {detail}").format(id=o.id, due=stamp, detail=o.detail),
                               err=True)
            if once or at:
                return
            nxt = min(s.next_due(datetime.now(tz), tz) for s in schedule.reports)
            time.sleep(max(1.0, min(interval, (nxt - datetime.now(tz)).total_seconds())))
    finally:
        state.close()
