"""`telekpi forecast` (arrivals per interval ahead, backtested) and `telekpi staff` (agents
needed per interval: from history, from a forecast, or from given volumes; and the model
check against the measured service level). docs/workforce.md explains the numbers."""

from __future__ import annotations

from pathlib import Path

import typer

from telekpi.cli.query_cmds import EngineName, EngineOpt, Fmt, FmtOpt, FromOpt, LakeOpt, ToOpt, date_option
from telekpi.cli.root import app, open_workspace
from telekpi.cli.wfm_run import _emit, _forecast_rows, _pct, days_of, minutes_of, wfm_engine, where_of
from telekpi.errors import UsageError
from telekpi.i18n import N_, _

IntervalOpt = typer.Option("30m", "--interval", help="Interval length: 15m, 30m or 60m.")
ByOpt = typer.Option(None, "--by", help="One forecast or staffing per queue or campaign.")
WhereOpt = typer.Option([], "--where", help="Keep only queue=NAME or campaign=ID (repeatable).")
OutOpt = typer.Option(None, "-o", "--output", help="Write to this file instead of the terminal.")
# The load and targets `telekpi staff` and `telekpi roster` (roster_cmd.py) both take.
WeekdayOpt = typer.Option([], "--weekday", help="Only these ISO weekdays (1 = Monday; repeatable).")
ArrivalsOpt = typer.Option(None, "--arrivals", help="Calculator: calls per interval from --start, "
                           "e.g. 120,180,240.")
AhtOpt = typer.Option(None, "--aht", help="Handle time in seconds [default: the history's].")
HorizonOpt = typer.Option("14d", "--horizon", help="Days ahead with --forecast.")
TargetOpt = typer.Option([], "--target", help="service-level=0.8@20s, asa=30s, wait-probability=0.5 "
                         "or occupancy=0.85 (repeatable: all are met) [default: 80 % in service_level_s].")
ModelOpt = typer.Option("erlang-a", "--model", help="The model whose agents are `agents`: erlang-a "
                        "(callers hang up) or erlang-c (nobody does).")
PatienceOpt = typer.Option(None, "--patience", help="Callers' mean patience in seconds [default: "
                           "the history's waiting time ÷ abandons].")
ShrinkageOpt = typer.Option("measured", "--shrinkage", help="Share of logged-in time off the phones, "
                            "to turn agents needed into agents scheduled: measured (pause ÷ logged-in "
                            "time in the chosen days' agent states) or a share, e.g. 0.3. Measured "
                            "shrinkage includes breaks: for shift patterns that declare breaks, give "
                            "the share without them.")
StartTimeOpt = typer.Option("00:00", "--start", help="Calculator: the first interval's start (HH:MM).")


def check_model(model: str) -> None:
    """A staffing model's name, or one sentence naming the others."""
    from telekpi.wfm.staffing import MODELS

    if model not in MODELS:
        raise UsageError(N_("{given} is not a model; use {allowed}"), field="model", value=model,
                         allowed=list(MODELS))


@app.command("forecast")
def forecast_cmd(
    ctx: typer.Context,
    horizon: str = typer.Option("14d", "--horizon", help="Days ahead: 14d, 2w, …"),
    interval: str = IntervalOpt, by: str = ByOpt, where: list[str] = WhereOpt,
    start: str = FromOpt, end: str = ToOpt,
    model: str = typer.Option("holt-winters", "--model", help="holt-winters (daily volume by Holt-Winters with "
                              "weekly season × the weekday's intraday profile) or seasonal-naive."),
    calendar: Path = typer.Option(None, "--calendar", help="Special days, date,factor[,name] lines "
                                  "[default: calendar.csv beside the warehouse, if there]."),
    fmt: Fmt = FmtOpt, output: Path = OutOpt, engine: EngineName = EngineOpt, lake: str = LakeOpt,
) -> None:
    """Forecast offered inbound calls per interval, backtested against the seasonal-naive baseline."""
    from telekpi.wfm.forecast import MODELS

    if model not in MODELS:
        raise UsageError(N_("{given} is not a forecast model; use {allowed}"), field="model", value=model,
                         allowed=list(MODELS))
    rows, extra = _forecast_rows(open_workspace(ctx), wfm_engine(ctx, {"engine": engine, "lake": lake}),
                                 minutes_of(interval), days_of(horizon),
                                 date_option(start, "--from"), date_option(end, "--to"), by,
                                 where_of(where), model, calendar)
    notes = [_("Backtest{group}: {model} WAPE {wape}, bias {bias}; seasonal-naive WAPE {base_wape}, bias "
               "{base_bias} ({origins} rolling origins)").format(
        group=f" {key}" if key else "", model=model, wape=_pct(t["model"]["wape"]), bias=_pct(t["model"]["bias"]),
        base_wape=_pct(t["baseline"]["wape"]), base_bias=_pct(t["baseline"]["bias"]), origins=len(t["origins"]))
        for key, t in extra["backtest"].items()]
    columns = ["interval"] + ([by] if by else []) + ["arrivals", "baseline"]
    _emit(fmt, columns, rows, {**extra, "backtest": [{"group": k, **v} for k, v in extra["backtest"].items()]},
          _("Forecast of offered calls"), notes, output, {})


@app.command("staff")
def staff_cmd(
    ctx: typer.Context,
    start: str = FromOpt, end: str = ToOpt,
    weekday: list[int] = WeekdayOpt,
    interval: str = IntervalOpt, by: str = ByOpt, where: list[str] = WhereOpt,
    arrivals: str = ArrivalsOpt, aht: str = AhtOpt,
    use_forecast: bool = typer.Option(False, "--forecast", help="Staff the forecast of the history (--horizon)."),
    forecast_file: Path = typer.Option(None, "--forecast-file", help="Staff a forecast written by "
                                       "`telekpi forecast --format json -o FILE`."),
    horizon: str = HorizonOpt, target: list[str] = TargetOpt, model: str = ModelOpt,
    patience: str = PatienceOpt,
    check: bool = typer.Option(False, "--check", help="Check the models: each one's service level at the "
                               "agents who were there, against the measured one, per past interval."),
    shrinkage: str = ShrinkageOpt, start_time: str = StartTimeOpt,
    fmt: Fmt = FmtOpt, output: Path = OutOpt, engine: EngineName = EngineOpt, lake: str = LakeOpt,
) -> None:
    """Agents needed per interval (Erlang C and A) from history, a forecast or given volumes."""
    check_model(model)
    from telekpi.cli.wfm_staff import run_staff

    run_staff(ctx, locals())


@app.command("adherence")
def adherence_cmd(
    ctx: typer.Context,
    start: str = FromOpt, end: str = ToOpt, interval: str = IntervalOpt,
    by: str = typer.Option("agent", "--by", help="agent or interval."),
    fmt: Fmt = FmtOpt, output: Path = OutOpt,
) -> None:
    """Schedule adherence and conformance per agent or interval (schedules: telekpi import schedules)."""
    from telekpi.wfm.adherence import measure

    if by not in ("agent", "interval"):
        raise UsageError(N_("{given} cannot split adherence; use one of {allowed}"), field="by", value=by,
                         allowed=["agent", "interval"])
    ws = open_workspace(ctx)
    got = measure(ws.engine(), date_option(start, "--from"), date_option(end, "--to"), minutes_of(interval))
    if not got["schedules"]:
        raise UsageError(_("no schedules in these days; import them with telekpi import schedules FILE "
                           "(agent_id, starts_at, ends_at, activity)"))
    if by == "agent":
        columns = ["agent_id", "scheduled_s", "adherent_s", "adherence", "scheduled_work_s", "worked_s",
                   "conformance"]
        rows = got["by_agent"]
    else:
        columns = ["interval", "scheduled_agents", "adherence"]
        rows = [{**r, "interval": r["interval"].isoformat(timespec="minutes")} for r in got["by_interval"]]
    notes = [_("Adherence {adherence} (time in the scheduled state ÷ scheduled time); conformance "
               "{conformance} (worked ÷ scheduled work time).").format(
        adherence=_pct(got["adherence"]), conformance=_pct(got["conformance"]))]
    extra = {k: v for k, v in got.items() if k not in ("by_agent", "by_interval")}
    _emit(fmt, columns, rows, extra, _("Schedule adherence"), notes, output,
          {"adherence": "rate", "conformance": "rate", "scheduled_s": "seconds", "adherent_s": "seconds",
           "scheduled_work_s": "seconds", "worked_s": "seconds"})
