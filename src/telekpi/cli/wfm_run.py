"""What `telekpi forecast` and `telekpi staff` share (cli/wfm_cmd.py declares them): reading
their options, the forecast's rows, writing a table, CSV or JSON."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from telekpi.cli.output import print_csv, print_json, print_table
from telekpi.cli.query_cmds import Fmt
from telekpi.errors import UsageError
from telekpi.i18n import N_, _

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
    with contextlib.ExitStack() as stack:
        if output:
            try:
                sink = stack.enter_context(open(output, "w", encoding="utf-8"))
            except OSError as e:
                raise UsageError(_("cannot write {path} ({error})").format(
                    path=output, error=e.strerror or e)) from None
            stack.enter_context(contextlib.redirect_stdout(sink))
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
    """A share as the language writes percentages (bias keeps its sign)."""
    from telekpi.i18n import current
    from telekpi.units import formatter

    return "—" if v is None else formatter(current()).percent(v, 1)


def wfm_engine(ctx: typer.Context, o: dict):
    """The engine the history is read with: the warehouse, or the lake's on the engine
    ``--engine`` names (``o["engine"]``, ``o["lake"]``); opened once per command."""
    if "_engine" not in o:
        from telekpi.cli.query_cmds import EngineName, open_engine

        o["_engine"] = open_engine(ctx, o.get("engine") or EngineName.duckdb, o.get("lake"))
    return o["_engine"]


def _forecast_rows(ws, engine, minutes: int, horizon: int, start, end, by, where, model: str,
                   calendar: Path | None) -> tuple[list[dict], dict]:
    from telekpi.wfm.forecast import backtest, predict, read_calendar
    from telekpi.wfm.history import offered_series, slot_time

    series = offered_series(engine, minutes, start, end, by, where)
    if not series:
        raise UsageError(_("no offered inbound calls in the history to forecast from (inbound calls that "
                           "entered a queue or name one)"))
    path = calendar or (ws.file(CALENDAR) if ws.file(CALENDAR).exists() else None)
    special = read_calendar(path) if path else {}
    tz = engine.settings.timezone
    rows: list[dict] = []
    tests: dict = {}
    for key, s in series.items():
        counts = s["counts"]
        ahead = predict(model, counts, s["first"], horizon, special)
        base = predict("seasonal-naive", counts, s["first"], horizon, special)
        tests[key] = backtest(model, counts, s["first"], min(horizon, max(counts.shape[0] - 14, 1)), special)
        for d in range(horizon):
            day = s["last"] + timedelta(days=d + 1)
            for i in range(counts.shape[1]):
                row: dict[str, object] = {"interval": _iso(slot_time(day, i, minutes), tz)}
                if by:
                    row[by] = key
                row |= {"arrivals": round(float(ahead[d, i]), 3), "baseline": round(float(base[d, i]), 3)}
                rows.append(row)
    return rows, {"model": model, "interval_minutes": minutes, "horizon_days": horizon,
                  "calendar": str(path) if path else None, "backtest": tests}


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


