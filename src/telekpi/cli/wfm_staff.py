"""The work of `telekpi staff` (declared in cli/wfm_cmd.py): the load from history, a forecast
or given volumes; the staffing table; the model check."""

from __future__ import annotations

import json
import math
from datetime import datetime, time, timedelta

import typer

from telekpi.cli.query_cmds import Fmt, date_option
from telekpi.cli.root import open_workspace
from telekpi.cli.wfm_run import (
    _emit,
    _forecast_rows,
    _iso,
    _pct,
    _seconds,
    _targets,
    days_of,
    minutes_of,
    wfm_engine,
    where_of,
)
from telekpi.errors import UsageError
from telekpi.i18n import N_, _
from telekpi.wfm.shrinkage import MAX_SHRINKAGE, measured
from telekpi.wfm.staffing import scheduled

COLUMNS = ["interval", "arrivals", "aht_s", "erlangs", "agents", "scheduled", "agents_erlang_c", "agents_erlang_a",
           "service_level", "asa_s", "abandonment", "occupancy"]
ACTUAL = ["actual_agents", "actual_service_level"]
# A mean absolute error of service level above this says that no model describes the centre.
POOR_FIT = 0.10
UNITS = {"service_level": "rate", "abandonment": "rate", "occupancy": "rate", "actual_service_level": "rate"}


def _calculator(o: dict, minutes: int, aht: float | None) -> list[dict]:
    try:
        volumes = [float(v) for v in o["arrivals"].split(",") if v.strip()]
    except ValueError:
        volumes = []
    if not volumes or any(v < 0 or not math.isfinite(v) for v in volumes):
        raise UsageError(N_("{given} is not a list of calls per interval, e.g. 120,180,240"),
                         field="arrivals", value=o["arrivals"])
    if aht is None:
        raise UsageError(N_("the calculator needs a handle time: --aht 240"), field="aht")
    try:
        first = datetime.combine(datetime.min.date(), time.fromisoformat(o["start_time"]))
    except ValueError:
        raise UsageError(N_("{given} is not a time of day (HH:MM)"), field="start", value=o["start_time"]) from None
    return [{"interval": (first + timedelta(minutes=minutes * k)).time().isoformat("minutes"),
             "arrivals": v, "aht_s": aht} for k, v in enumerate(volumes)]


def _history(engine, o: dict, minutes: int, aht: float | None, threshold: float) -> dict[str | None, dict]:
    from telekpi.wfm.history import mean_day

    days = set(o["weekday"]) or None
    if days and not days <= set(range(1, 8)):
        raise UsageError(N_("{given} is not an ISO weekday (1 = Monday … 7 = Sunday)"), field="weekday",
                         value=",".join(map(str, sorted(days))))
    data = mean_day(engine, minutes, date_option(o["start"], "--from"), date_option(o["end"], "--to"),
                    days, o["by"], where_of(o["where"]), threshold)
    out = {}
    for key, g in data["groups"].items():
        rows = [{"interval": i["slot"].isoformat("minutes"), "arrivals": i["arrivals"],
                 "aht_s": aht or i["aht_s"], "actual_agents": i["actual_agents"],
                 "actual_service_level": i["actual_service_level"]} for i in g["intervals"]]
        out[key] = {"intervals": rows, "patience_s": g["patience_s"], "days": data["days"]}
    return out


def _forecast_load(ws, engine, o: dict, minutes: int, aht: float | None) -> dict[str | None, dict]:
    rows: list[dict]
    from telekpi.wfm.history import mean_day

    if o["forecast_file"]:
        try:
            data = json.loads(o["forecast_file"].read_text(encoding="utf-8"))
            rows, given = data["rows"], int(data.get("interval_minutes") or minutes)
        except (OSError, ValueError, KeyError, TypeError):
            raise UsageError(N_("{given} is not a forecast written by telekpi forecast --format json"),
                             field="forecast-file", value=str(o["forecast_file"])) from None
        if given != minutes:
            raise UsageError(N_("the forecast in {file} is by {minutes}-minute intervals; give --interval {minutes}m"),
                             field="interval", file=str(o["forecast_file"]), minutes=given)
    else:
        from telekpi.errors import MissingDependencyError
        from telekpi.wfm.forecast import require_statsmodels

        try:   # Holt-Winters where statsmodels is installed, else the seasonal-naive forecast
            require_statsmodels()
            o["forecast_model"] = "holt-winters"
        except MissingDependencyError:
            o["forecast_model"] = "seasonal-naive"
        rows, _extra = _forecast_rows(ws, engine, minutes, days_of(o["horizon"]), date_option(o["start"], "--from"),
                                      date_option(o["end"], "--to"), o["by"], where_of(o["where"]),
                                      o["forecast_model"], None)
    hist = mean_day(engine, minutes, None, None, None, o["by"], where_of(o["where"]))["groups"]
    out: dict = {}
    for r in rows:
        key = r.get(o["by"]) if o["by"] else None
        none: dict = {"aht_s": None, "patience_s": math.inf, "intervals": []}
        g: dict = hist.get(key) or next(iter(hist.values()), none)
        handle = aht or g["aht_s"]
        if handle is None:
            raise UsageError(N_("no answered calls in the history to take the handle time from; give --aht"),
                             field="aht")
        slot = r["interval"][11:16]
        by_slot = {i["slot"].isoformat("minutes"): i["aht_s"] for i in g.get("intervals", [])}
        out.setdefault(key, {"intervals": [], "patience_s": g["patience_s"]})["intervals"].append(
            {"interval": r["interval"], "arrivals": r["arrivals"], "aht_s": aht or by_slot.get(slot) or handle})
    return out


def run_staff(ctx: typer.Context, o: dict) -> None:
    if o["check"]:
        return _check(ctx, o, minutes_of(o["interval"]))
    t = staff_table(ctx, o)
    fmt: Fmt = o["fmt"]
    _emit(fmt, t["columns"], t["rows"], t["extra"], t["title"], t["notes"], o["output"], UNITS)


def staff_table(ctx: typer.Context, o: dict) -> dict:
    """The staffing `telekpi staff` prints (also the requirement `telekpi roster` covers):
    ``rows``, ``columns``, ``extra`` (mode, targets, shrinkage, …), ``notes`` and ``title``."""
    from telekpi.wfm.plan import staff_rows

    minutes = minutes_of(o["interval"])
    aht = _seconds(o["aht"], "aht")
    given_patience = _seconds(o["patience"], "patience")
    if o["arrivals"] is not None:
        targets = _targets(o["target"], _settings_or_default(ctx))
        loads: dict[str | None, dict] = {None: {"intervals": _calculator(o, minutes, aht),
                                                "patience_s": math.inf}}
        mode = "calculator"
    else:
        ws = open_workspace(ctx)
        targets = _targets(o["target"], ws.settings)
        from telekpi.wfm.staffing import threshold_of

        if o["forecast_file"] or o["use_forecast"]:
            loads, mode = _forecast_load(ws, wfm_engine(ctx, o), o, minutes, aht), "forecast"
        else:
            loads, mode = _history(wfm_engine(ctx, o), o, minutes, aht, threshold_of(targets)), "history"
        if not loads:
            raise UsageError(_("no offered inbound calls in the chosen days (inbound calls that entered a "
                               "queue or name one)"))
    shrink = _shrinkage(ctx, o, mode)
    rows, groups, notes = [], [], [shrink["note"]]
    for key, load in loads.items():
        patience = given_patience or load["patience_s"]
        got = staff_rows(load["intervals"], minutes, targets, o["model"], patience)
        for r in got:
            r["scheduled"] = int(scheduled(r["agents"], shrink["value"]))
            if o["by"]:
                r[o["by"]] = key
        rows += got
        groups.append({"group": key, "patience_s": None if math.isinf(patience) else round(patience, 1)})
        if not math.isinf(patience):
            notes.append(_("{group}callers' mean patience: {patience} s").format(
                group=f"{key}: " if key else "", patience=f"{patience:.0f}"))
        elif mode == "calculator":
            notes.append(_("No caller patience given (--patience): Erlang A is Erlang C, nobody hangs up."))
        else:
            notes.append(_("{group}no abandons in the history: Erlang A is Erlang C, nobody hangs up.").format(
                group=f"{key}: " if key else ""))
    columns = COLUMNS[:1] + ([o["by"]] if o["by"] else []) + COLUMNS[1:] + (ACTUAL if mode == "history" else [])
    extra = {"mode": mode, "model": o["model"], "targets": [t.text() for t in targets],
             "interval_minutes": minutes, "groups": groups,
             "shrinkage": {k: v for k, v in shrink.items() if k != "note"}}
    if o.get("forecast_model"):
        extra["forecast_model"] = o["forecast_model"]
        notes.append(_("Staffed the {model} forecast (telekpi forecast shows its backtest).").format(
            model=o["forecast_model"]))
    return {"rows": rows, "columns": columns, "extra": extra, "notes": notes,
            "title": _("Agents needed ({model}; {targets})").format(
                model=o["model"], targets=", ".join(t.text() for t in targets))}


def _shrinkage(ctx: typer.Context, o: dict, mode: str) -> dict:
    """The shrinkage applied (``value``), where it comes from (``source``: given or measured,
    with the measured breakdown by reason) and a note saying so. Measured over the same days
    as the history (all days for a forecast); with no agent states, none is applied."""
    text = (o["shrinkage"] or "").strip()
    if text != "measured":
        try:
            value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        except ValueError:
            value = -1.0
        if not 0 <= value <= MAX_SHRINKAGE:
            raise UsageError(N_("{given} is not a shrinkage; write measured or a share from 0 to 0.9, e.g. 0.3"),
                             field="shrinkage", value=o["shrinkage"])
        return {"value": value, "source": "given",
                "note": _("Scheduled = agents ÷ (1 − {share} shrinkage, given).").format(share=_pct(value))}
    from telekpi.cli.root import db_path

    if mode == "calculator" and not db_path(ctx).exists():
        return {"value": 0.0, "source": "none",
                "note": _("No warehouse to measure shrinkage in: scheduled = agents (give --shrinkage 0.3).")}
    window = (None, None) if mode == "forecast" else (date_option(o["start"], "--from"), date_option(o["end"], "--to"))
    got = measured(wfm_engine(ctx, o), *window)
    if got["shrinkage"] is None:
        return {"value": 0.0, "source": "none",
                "note": _("No agent states in these days to measure shrinkage: scheduled = agents "
                          "(give --shrinkage 0.3).")}
    top = ", ".join(f"{r['reason']} {_pct(r['shrinkage'])}" for r in got["by_reason"][:5])
    return {"value": min(got["shrinkage"], MAX_SHRINKAGE), "source": "measured", "by_reason": got["by_reason"],
            "note": _("Scheduled = agents ÷ (1 − {share} shrinkage, measured: pause ÷ logged-in "
                      "time{reasons}).").format(share=_pct(got["shrinkage"]), reasons=f"; {top}" if top else "")}


def _settings_or_default(ctx: typer.Context):
    """The workspace's settings when its warehouse exists (the calculator needs none)."""
    from telekpi.cli.root import db_path
    from telekpi.settings import Settings

    return open_workspace(ctx).settings if db_path(ctx).exists() else Settings()


def _check(ctx: typer.Context, o: dict, minutes: int) -> None:
    from telekpi.wfm.history import past_intervals
    from telekpi.wfm.plan import model_check
    from telekpi.wfm.staffing import threshold_of

    ws = open_workspace(ctx)
    threshold = threshold_of(_targets(o["target"], ws.settings))
    past = past_intervals(wfm_engine(ctx, o), minutes, date_option(o["start"], "--from"), date_option(o["end"], "--to"),
                          where_of(o["where"]), threshold)
    patience = _seconds(o["patience"], "patience") or past["patience_s"]
    result = model_check(past["intervals"], minutes, threshold, patience)
    tz = ws.settings.timezone
    for r in result["rows"]:
        r["interval"] = _iso(r["interval"], tz)
    if not result["intervals"]:
        raise UsageError(_("no past interval has calls, answering agents and known waits to check the models on"))
    names = {"erlang-c": "Erlang C", "erlang-a": "Erlang A", "simulation": _("simulation")}
    notes = [_("{model}: mean error {bias}, mean absolute error {mae}").format(
        model=names[m], bias=_pct(s["bias"]), mae=_pct(s["mae"])) for m, s in result["models"].items()]
    notes.append(_("Best fit for this centre: {model} ({intervals} intervals, {calls} calls; "
                   "errors weighted by calls)").format(
        model=names[result["best"]], intervals=result["intervals"], calls=result["calls"]))
    if (result["models"][result["best"]]["mae"] or 0) > POOR_FIT:
        notes.append(_("No model fits well: the measured service level is more than {share} off on average; "
                       "check who was really logged in and how the source records waits.").format(
            share=_pct(POOR_FIT)))
    columns = ["interval", "offered", "agents", "aht_s", "measured_service_level", "erlang_c_service_level",
               "erlang_a_service_level", "simulation_service_level"]
    extra = {k: v for k, v in result.items() if k != "rows"}
    _emit(o["fmt"], columns, result["rows"], extra, _("Model check: service level at the staffing there was"),
          notes, o["output"], {c: "rate" for c in columns if c.endswith("service_level")})
