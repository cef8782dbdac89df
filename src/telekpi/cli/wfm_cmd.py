"""`telekpi forecast` (arrivals per interval ahead, backtested) and `telekpi staff` (agents
needed per interval: from history, from a forecast, or from given volumes; and the model
check against the measured service level). docs/workforce.md explains the numbers."""

from __future__ import annotations

import contextlib
import json
import math
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from telekpi.cli.output import print_csv, print_json, print_table
from telekpi.cli.query_cmds import Fmt, FmtOpt, FromOpt, ToOpt, date_option
from telekpi.cli.root import app, open_workspace
from telekpi.errors import UsageError
from telekpi.i18n import N_, _

IntervalOpt = typer.Option("30m", "--interval", help="Interval length: 15m, 30m or 60m.")
ByOpt = typer.Option(None, "--by", help="One forecast or staffing per queue or campaign.")
WhereOpt = typer.Option([], "--where", help="Keep only queue=NAME or campaign=ID (repeatable).")
OutOpt = typer.Option(None, "-o", "--output", help="Write to this file instead of the terminal.")
CALENDAR = "calendar.csv"


def minutes_of(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*(m|min)?\s*", text or "")
    if not m or int(m[1]) not in (15, 30, 60):
        raise UsageError(N_("{given} is not an interval; use 15m, 30m or 60m"), field="interval", value=text)
    return int(m[1])


def days_of(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*(d|w)?\s*", text or "")
    if not m or not 1 <= int(m[1]) * (7 if m[2] == "w" else 1) <= 366:
        raise UsageError(N_("{given} is not a horizon; write days or weeks up to a year, e.g. 14d or 2w"),
                         field="horizon", value=text)
    return int(m[1]) * (7 if m[2] == "w" else 1)


def where_of(items: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        dim, sep, value = item.partition("=")
        if not sep or dim.strip() not in ("queue", "campaign") or not value.strip():
            raise UsageError(N_("{given} is not a filter here; write queue=NAME or campaign=ID"),
                             field="where", value=item)
        out.setdefault(dim.strip(), []).append(value.strip())
    return out


def _emit(fmt: Fmt, columns: list[str], rows: list[dict], extra: dict, title: str, notes: list[str],
          output: Path | None, units: dict[str, str]) -> None:
    """Rows as a table (with notes), CSV, or JSON (``extra`` beside the rows), to ``output``."""
    sink = open(output, "w", encoding="utf-8") if output else contextlib.nullcontext()
    with sink as f, contextlib.redirect_stdout(f) if output else contextlib.nullcontext():
        if fmt == Fmt.json:
            print_json({**extra, "rows": rows})
        elif fmt == Fmt.csv:
            print_csv(columns, rows)
        else:
            print_table(columns, rows, units, title=title)
            for line in notes:
                typer.echo(line)
    if output:
        typer.echo(_("Wrote {path}").format(path=output), err=True)


def _iso(slot: datetime, tz: str) -> str:
    return slot.replace(tzinfo=ZoneInfo(tz)).isoformat()


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1%}"


def _forecast_rows(ws, minutes: int, horizon: int, start, end, by, where, model: str,
                   calendar: Path | None) -> tuple[list[dict], dict]:
    from telekpi.wfm.forecast import backtest, predict, read_calendar
    from telekpi.wfm.history import offered_series, slot_time

    engine = ws.engine()
    series = offered_series(engine, minutes, start, end, by, where)
    if not series:
        raise UsageError(_("no offered inbound calls in the history to forecast from (inbound calls that "
                           "entered a queue or name one)"))
    path = calendar or (ws.file(CALENDAR) if ws.file(CALENDAR).exists() else None)
    special = read_calendar(path) if path else {}
    tz = engine.settings.timezone
    rows, tests = [], {}
    for key, s in series.items():
        counts = s["counts"]
        ahead = predict(model, counts, s["first"], horizon, special)
        base = predict("seasonal-naive", counts, s["first"], horizon, special)
        tests[key] = backtest(model, counts, s["first"], min(horizon, max(counts.shape[0] - 14, 1)), special)
        for d in range(horizon):
            day = s["last"] + timedelta(days=d + 1)
            for i in range(counts.shape[1]):
                row = {"interval": _iso(slot_time(day, i, minutes), tz)}
                if by:
                    row[by] = key
                row |= {"arrivals": round(float(ahead[d, i]), 3), "baseline": round(float(base[d, i]), 3)}
                rows.append(row)
    return rows, {"model": model, "interval_minutes": minutes, "horizon_days": horizon,
                  "calendar": str(path) if path else None, "backtest": tests}


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
    fmt: Fmt = FmtOpt, output: Path = OutOpt,
) -> None:
    """Forecast offered inbound calls per interval, backtested against the seasonal-naive baseline."""
    from telekpi.wfm.forecast import MODELS

    if model not in MODELS:
        raise UsageError(N_("{given} is not a forecast model; use {allowed}"), field="model", value=model,
                         allowed=list(MODELS))
    rows, extra = _forecast_rows(open_workspace(ctx), minutes_of(interval), days_of(horizon),
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


def _targets(texts: list[str], settings) -> list:
    from telekpi.wfm.staffing import parse_target

    return [parse_target(t) for t in texts] or [parse_target(f"service-level=0.8@{settings.service_level_s:g}s")]


def _seconds(text: str | None, flag: str) -> float | None:
    if text is None:
        return None
    m = re.fullmatch(r"\s*([0-9.]+)\s*(s|m)?\s*", text)
    try:
        value = float(m[1]) * (60 if m[2] == "m" else 1) if m else -1
    except ValueError:
        value = -1
    if value <= 0:
        raise UsageError(N_("{given} is not a duration in seconds, e.g. 240 or 240s"), field=flag, value=text)
    return value


@app.command("staff")
def staff_cmd(
    ctx: typer.Context,
    start: str = FromOpt, end: str = ToOpt,
    weekday: list[int] = typer.Option([], "--weekday", help="Only these ISO weekdays (1 = Monday; repeatable)."),
    interval: str = IntervalOpt, by: str = ByOpt, where: list[str] = WhereOpt,
    arrivals: str = typer.Option(None, "--arrivals", help="Calculator: calls per interval, e.g. 120,180,240."),
    aht: str = typer.Option(None, "--aht", help="Handle time in seconds [default: the history's]."),
    use_forecast: bool = typer.Option(False, "--forecast", help="Staff the forecast of the history (--horizon)."),
    forecast_file: Path = typer.Option(None, "--forecast-file", help="Staff a forecast written by "
                                       "`telekpi forecast --format json -o FILE`."),
    horizon: str = typer.Option("14d", "--horizon", help="Days ahead with --forecast."),
    target: list[str] = typer.Option([], "--target", help="service-level=0.8@20s, asa=30s, wait-probability=0.5 "
                                     "or occupancy=0.85 (repeatable: all are met) [default: 80 % in service_level_s]."),
    model: str = typer.Option("erlang-a", "--model", help="The model whose agents are `agents`: erlang-a "
                              "(callers hang up) or erlang-c (nobody does)."),
    patience: str = typer.Option(None, "--patience", help="Callers' mean patience in seconds [default: "
                                 "the history's waiting time ÷ abandons]."),
    check: bool = typer.Option(False, "--check", help="Check the models: each one's service level at the "
                               "agents who were there, against the measured one, per past interval."),
    start_time: str = typer.Option("00:00", "--start", help="Calculator: the first interval's start (HH:MM)."),
    fmt: Fmt = FmtOpt, output: Path = OutOpt,
) -> None:
    """Agents needed per interval (Erlang C and A) from history, a forecast or given volumes."""
    from telekpi.wfm.staffing import MODELS

    if model not in MODELS:
        raise UsageError(N_("{given} is not a model; use {allowed}"), field="model", value=model,
                         allowed=list(MODELS))
    from telekpi.cli.wfm_staff import run_staff

    run_staff(ctx, locals())
