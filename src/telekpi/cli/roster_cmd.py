"""`telekpi roster`: the schedule builder — shift patterns (shifts.yaml) covering the agents
`telekpi staff` says to schedule in each interval, for the fewest paid agent-hours; written,
if asked, as a schedule `telekpi import schedules` reads. docs/workforce.md explains it."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from telekpi.cli.query_cmds import EngineName, EngineOpt, Fmt, FmtOpt, FromOpt, LakeOpt, ToOpt, date_option
from telekpi.cli.root import app, db_path
from telekpi.cli.wfm_cmd import (
    AhtOpt,
    ArrivalsOpt,
    IntervalOpt,
    ModelOpt,
    OutOpt,
    PatienceOpt,
    ShrinkageOpt,
    StartTimeOpt,
    TargetOpt,
    WeekdayOpt,
    WhereOpt,
    check_model,
)
from telekpi.cli.wfm_run import _emit, _pct
from telekpi.errors import UsageError
from telekpi.i18n import N_, _

UNITS: dict[str, str] = {}


@app.command("roster")
def roster_cmd(
    ctx: typer.Context,
    start: str = FromOpt, end: str = ToOpt,
    weekday: list[int] = WeekdayOpt,
    interval: str = IntervalOpt, where: list[str] = WhereOpt,
    arrivals: str = ArrivalsOpt, aht: str = AhtOpt,
    use_forecast: bool = typer.Option(False, "--forecast", help="Cover the forecast of the history "
                                      "(--horizon), day by day, instead of the mean day."),
    forecast_file: Path = typer.Option(None, "--forecast-file", help="Cover a forecast written by "
                                       "`telekpi forecast --format json -o FILE`."),
    horizon: str = typer.Option("7d", "--horizon", help="Days ahead with --forecast."),
    target: list[str] = TargetOpt, model: str = ModelOpt, patience: str = PatienceOpt,
    shrinkage: str = ShrinkageOpt, start_time: str = StartTimeOpt,
    shifts: Path = typer.Option(None, "--shifts", help="Shift patterns (YAML) [default: shifts.yaml beside "
                                "the warehouse, else 8 h and 4 h shifts starting on any hour]."),
    day: str = typer.Option(None, "--day", help="The day the mean day's (or the calculator's) shifts are "
                            "for, in the schedule written [default: tomorrow]."),
    schedule: Path = typer.Option(None, "--schedule", help="Also write the shifts as a schedule CSV "
                                  "(agent_id, starts_at, ends_at, activity) for `telekpi import schedules`; "
                                  "agents are stand-ins open-001, … to be replaced by real ones."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds the solver may take; then the "
                                     "best schedule found, with how far from the optimum it may be."),
    fmt: Fmt = FmtOpt, output: Path = OutOpt, engine: EngineName = EngineOpt, lake: str = LakeOpt,
) -> None:
    """Shifts covering the agents needed per interval for the fewest paid agent-hours."""
    from telekpi.cli.wfm_staff import _settings_or_default, staff_table
    from telekpi.wfm.rostering import build, schedule_rows
    from telekpi.wfm.shifts import SHIFTS_FILE, load_patterns
    check_model(model)
    if not time_limit > 0:
        raise UsageError(N_("{given} is not a time limit; give seconds above 0"), field="time-limit",
                         value=str(time_limit))
    default = db_path(ctx).parent / SHIFTS_FILE
    patterns, source = load_patterns(shifts or (default if default.exists() else None))
    o = {**locals(), "by": None, "check": False}
    table = staff_table(ctx, o)
    minutes = table["extra"]["interval_minutes"]
    first, required, cyclic = _requirement(ctx, table, minutes, _day(ctx, day), start_time)
    got = build(patterns, first, required, minutes, cyclic, time_limit)
    needed_hours = sum(required) * minutes / 60
    share = needed_hours / got["agent_hours"] if got["agent_hours"] else None
    notes = [*table["notes"], _("Shift patterns: {source}.").format(source=source),
             _("{agents} shifts, {hours} paid agent-hours for {needed} agent-hours needed ({share} of the paid "
               "time covers a need).").format(agents=got["agents"], hours=f"{got['agent_hours']:g}",
                                              needed=f"{needed_hours:g}",
                                              share=_pct(share))]
    if cyclic:
        notes.append(_("A mean day: a shift past midnight covers the same day's first intervals."))
    notes.append(_("Optimal: no schedule of these patterns costs less.") if got["optimal"] else
                 _("Not proven optimal within {seconds} s: no schedule costs less than {bound}.").format(
                     seconds=f"{time_limit:g}", bound=f"{got['lower_bound']:g}"))
    shifts_rows = [{**s, "start": s["start"].isoformat(" ", "minutes"), "end": s["end"].isoformat(" ", "minutes"),
                    "breaks": [{"after_min": a, "minutes": n} for a, n in s["breaks"]]} for s in got["shifts"]]
    rows = [{**r, "interval": r["interval"].isoformat(" ", "minutes")} for r in got["coverage"]]
    extra = {k: v for k, v in got.items() if k not in ("shifts", "coverage")}
    extra |= {"shifts": shifts_rows, "patterns": source, "interval_minutes": minutes, "cyclic": cyclic,
              "requirement": {k: v for k, v in table["extra"].items() if k != "groups"}}
    if fmt == Fmt.table and not output:
        from telekpi.cli.output import print_table

        print_table(["pattern", "start", "end", "agents", "agent_hours"], shifts_rows, UNITS,
                    title=_("Suggested shifts"))
    _emit(fmt, ["interval", "required", "covered", "surplus"], rows, extra,
          _("Coverage: agents scheduled against agents to schedule"), notes, output, {})
    if schedule:
        _write_schedule(schedule, schedule_rows(got["shifts"]), _settings_or_default(ctx).timezone)


def _day(ctx: typer.Context, text: str | None) -> date:
    from telekpi.cli.wfm_staff import _settings_or_default  # numpy, scipy: only when run

    given = date_option(text, "--day") if text else None
    return given or datetime.now(ZoneInfo(_settings_or_default(ctx).timezone)).date() + timedelta(days=1)


def _requirement(ctx, table: dict, minutes: int, day: date, start_time: str) -> tuple[datetime, list[int], bool]:
    """The first interval, the agents to schedule from it on and whether it is a mean day."""
    mode = table["extra"]["mode"]
    rows = table["rows"]
    if mode == "forecast":
        at = {datetime.fromisoformat(r["interval"]).replace(tzinfo=None): r["scheduled"] for r in rows}
        first, last = min(at), max(at)
        count = int((last - first).total_seconds() // 60 // minutes) + 1
        return first, [at.get(first + timedelta(minutes=k * minutes), 0) for k in range(count)], False
    if mode == "calculator":
        first = datetime.combine(day, time.fromisoformat(start_time))
        return first, [r["scheduled"] for r in rows], False
    per_day = 24 * 60 // minutes
    by_slot = {r["interval"]: r["scheduled"] for r in rows}
    first = datetime.combine(day, time())
    return first, [by_slot.get((first + timedelta(minutes=k * minutes)).time().isoformat("minutes"), 0)
                   for k in range(per_day)], True


def _write_schedule(path: Path, rows: list[dict], tz: str) -> None:
    zone = ZoneInfo(tz)
    try:
        with open(path, "w", encoding="utf-8", newline="") as f:
            out = csv.writer(f)
            out.writerow(["agent_id", "starts_at", "ends_at", "activity"])
            for r in rows:
                out.writerow([r["agent_id"], r["starts_at"].replace(tzinfo=zone).isoformat(),
                              r["ends_at"].replace(tzinfo=zone).isoformat(), r["activity"]])
    except OSError as e:
        raise UsageError(_("cannot write {path} ({error})").format(path=path, error=e.strerror or e)) from None
    typer.echo(_("Wrote {path}: {rows} schedule rows for telekpi import schedules").format(
        path=path, rows=len(rows)), err=True)
