"""What the Staffing page, its API, the report's section and the short-schedule alert show:
per interval of the day over chosen days — calls offered and the forecast made before those
days, agents required (Erlang A at the offered calls, then shrinkage), agents scheduled
(schedules) and agents logged in (agent states) — with shrinkage by reason.

The queue's side (offered calls, handle time, logged-in agents) comes from
``engine.intervals``; shrinkage and schedules from the engine's other queries: all of it
runs on every engine. ``suggested_shifts`` adds the schedule builder's shifts for the mean
day."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from telekpi.wfm.adherence import measure as adherence
from telekpi.wfm.forecast import predict, require_statsmodels
from telekpi.wfm.history import day_slots, mean_day, offered_series
from telekpi.wfm.plan import staff_rows
from telekpi.wfm.shrinkage import MAX_SHRINKAGE, measured
from telekpi.wfm.staffing import parse_target, scheduled

# The forecast compared with the chosen days is made from the history before them, at most
# this many days ahead, and only with at least MIN_HISTORY days behind it.
MAX_AHEAD = 14
MIN_HISTORY = 14


def _model() -> str:
    from telekpi.errors import MissingDependencyError

    try:
        require_statsmodels()
        return "holt-winters"
    except MissingDependencyError:
        return "seasonal-naive"


def _forecast(engine, minutes: int, start: date, end: date) -> dict:
    """The mean forecast per interval of the day for ``start`` … ``end`` (its last MAX_AHEAD
    days) made from the days before them (none with less than MIN_HISTORY days of history),
    its model and its WAPE against what came."""
    start = max(start, end - timedelta(days=MAX_AHEAD - 1))   # the last MAX_AHEAD days of a longer span
    series = offered_series(engine, minutes, None, end).get(None)
    days = (end - start).days + 1
    if series is None:
        return {"model": None, "slots": {}, "wape": None}
    counts, first = series["counts"], series["first"]
    before = (start - first).days
    if before < MIN_HISTORY:
        return {"model": None, "slots": {}, "wape": None}
    model = _model()
    ahead = predict(model, counts[:before], first, days)
    actual = counts[before:before + days]
    wape = float(np.abs(ahead - actual).sum() / actual.sum()) if actual.sum() else None
    slots = day_slots(minutes)
    mean = ahead.mean(axis=0)
    return {"model": model, "wape": wape, "slots": {slots[i]: float(mean[i]) for i in range(len(slots))}}


def staffing_board(engine, start: date, end: date, minutes: int = 60, target: str | None = None) -> dict:
    """Per interval of the day (local), averaged over ``start`` … ``end``: ``offered``,
    ``forecast``, ``required`` (Erlang A on the phones), ``required_scheduled`` (after the
    measured shrinkage), ``scheduled`` and ``logged_in`` agents, with the service level
    measured; ``shrinkage`` (the total and ``by_reason``), the forecast's model and WAPE and
    the days counted."""
    settings = engine.settings
    targets = [parse_target(target or f"service-level=0.8@{settings.service_level_s:g}s")]
    hist = mean_day(engine, minutes, start, end)
    group = hist["groups"].get(None) or {"intervals": [], "patience_s": math.inf}
    shrink = measured(engine, start, end)
    share = min(shrink["shrinkage"] or 0.0, MAX_SHRINKAGE)
    load = [{"interval": i["slot"].isoformat("minutes"), "arrivals": i["arrivals"], "aht_s": i["aht_s"],
             "actual_agents": i["actual_agents"], "actual_service_level": i["actual_service_level"]}
            for i in group["intervals"] if i["aht_s"]]
    staffed = {r["interval"]: r for r in staff_rows(load, minutes, targets, "erlang-a", group["patience_s"])}
    days = (end - start).days + 1
    planned: dict[time, float] = defaultdict(float)
    for r in adherence(engine, start, end, minutes, queue_agents(engine, start, end))["by_interval"]:
        planned[r["interval"].time()] += r["scheduled_agents"] / days
    forecast = _forecast(engine, minutes, start, end)
    rows = []
    for slot in day_slots(minutes):
        key = slot.isoformat("minutes")
        s = staffed.get(key)
        row = {"interval": key, "offered": s["arrivals"] if s else None,
               "forecast": _round(forecast["slots"].get(slot)),
               "required": s["agents"] if s else None,
               "required_scheduled": int(scheduled(s["agents"], share)) if s else None,
               "scheduled": _round(planned.get(slot)), "logged_in": s["actual_agents"] if s else None,
               "service_level": s["actual_service_level"] if s else None}
        if any(row[k] for k in ("offered", "forecast", "scheduled", "logged_in")):
            rows.append(row)
    return {"start": start, "end": end, "interval_minutes": minutes, "days": days,
            "target": targets[0].text(), "rows": rows, "model_check": _check(engine, minutes, start, end, targets),
            "shrinkage": {"value": shrink["shrinkage"], "by_reason": shrink["by_reason"]},
            "forecast_model": forecast["model"], "forecast_wape": forecast["wape"]}


def queue_agents(engine, start: date, end: date) -> set[str] | None:
    """The agents who answered inbound calls in ``start`` … ``end``: the queue's, whose rota
    counts against its requirement (an outbound team's rota does not). None — every agent's
    rota — when nobody did (a centre that only schedules, or only just started)."""
    from telekpi.engine.request import Request

    rows = engine.query(Request(("connected_calls",), by=("agent",), start=start, end=end,
                                where=(("direction", "inbound"),))).rows
    found = {r["agent"] for r in rows if r["agent"] is not None and r["connected_calls"]}
    return found or None


def _check(engine, minutes: int, start: date, end: date, targets) -> dict:
    """Which model fits these days (``staff --check``): each one's errors against the measured
    service level at the agents who were there, and the best (None without usable intervals)."""
    from telekpi.wfm.history import past_intervals
    from telekpi.wfm.plan import model_check
    from telekpi.wfm.staffing import threshold_of

    threshold = threshold_of(targets)
    past = past_intervals(engine, minutes, start, end, None, threshold)
    got = model_check(past["intervals"], minutes, threshold, past["patience_s"])
    return {k: got[k] for k in ("intervals", "models", "best")}


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


def short_intervals(engine, day: date, history_days: int = 28, minutes: int = 60,
                    target: str | None = None) -> list[dict]:
    """The intervals of ``day`` whose scheduled agents fall short of the requirement: the
    requirement from the same weekday's mean over the ``history_days`` before ``day``, after
    the measured shrinkage; the scheduled agents from ``day``'s schedules. Each: ``interval``,
    ``required`` (to schedule), ``scheduled`` and ``short``."""
    start = day - timedelta(days=history_days)
    settings = engine.settings
    targets = [parse_target(target or f"service-level=0.8@{settings.service_level_s:g}s")]
    hist = mean_day(engine, minutes, start, day - timedelta(days=1), {day.isoweekday()})
    group = hist["groups"].get(None)
    if not group:
        return []
    load = [{"interval": i["slot"].isoformat("minutes"), "arrivals": i["arrivals"], "aht_s": i["aht_s"]}
            for i in group["intervals"] if i["aht_s"]]
    share = min(measured(engine, start, day - timedelta(days=1))["shrinkage"] or 0.0, MAX_SHRINKAGE)
    planned = {r["interval"].time().isoformat("minutes"): r["scheduled_agents"]
               for r in adherence(engine, day, day, minutes, queue_agents(engine, start, day))["by_interval"]}
    out = []
    for r in staff_rows(load, minutes, targets, "erlang-a", group["patience_s"]):
        need = int(scheduled(r["agents"], share))
        have = planned.get(r["interval"], 0.0)
        if have + 1e-9 < need:
            out.append({"interval": datetime.combine(day, time.fromisoformat(r["interval"])), "required": need,
                        "scheduled": round(have, 2), "short": round(need - have, 2)})
    return out


def suggested_shifts(board: dict, patterns_file: Path | None, time_limit_s: float = 10.0) -> dict:
    """What the schedule builder (``wfm/rostering.py``, `telekpi roster`) suggests for the
    board's mean day: the shifts covering each interval's agents to schedule for the fewest
    paid agent-hours — ``shifts`` (pattern, start, end as HH:MM, agents, agent_hours),
    ``agent_hours``, ``optimal`` and where the patterns come from; or ``error``, the sentence
    saying why there are none (a bad patterns file, an interval no pattern covers)."""
    from telekpi.errors import TelekpiError
    from telekpi.wfm.rostering import build
    from telekpi.wfm.shifts import load_patterns

    minutes = board["interval_minutes"]
    need = {r["interval"]: r["required_scheduled"] or 0 for r in board["rows"]}
    required = [need.get(s.isoformat("minutes"), 0) for s in day_slots(minutes)]
    try:
        patterns, source = load_patterns(patterns_file)
        got = build(patterns, datetime.combine(board["end"], time()), required, minutes, True, time_limit_s)
    except TelekpiError as e:
        return {"error": str(e), "shifts": []}
    shifts = [{"pattern": s["pattern"], "start": s["start"].time().isoformat("minutes"),
               "end": s["end"].time().isoformat("minutes"), "agents": s["agents"],
               "agent_hours": s["agent_hours"]} for s in got["shifts"]]
    return {"shifts": shifts, "agent_hours": got["agent_hours"], "agents": got["agents"],
            "needed_hours": sum(required) * minutes / 60, "optimal": got["optimal"], "patterns": source,
            "error": None}
