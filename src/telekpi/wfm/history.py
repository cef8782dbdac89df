"""The queue's past, shaped for staffing and forecasting: the mean day of chosen past days
(arrivals, handle time, actual agents and service level per interval of the day), callers'
patience, and the dense series of offered calls per interval a forecast is fitted to."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

import numpy as np

from telekpi.engine.intervals import interval_history
from telekpi.wfm.erlang import patience_estimate

# An interval with few answered calls has a noisy handle time: its own is weighted with this
# many calls at the mean handle time of all the chosen days.
PRIOR_CALLS = 5


def day_slots(minutes: int) -> list[time]:
    """The intervals of a day by their local start: 00:00, 00:30, …"""
    return [(datetime.min + timedelta(minutes=minutes * i)).time() for i in range(24 * 60 // minutes)]


def mean_day(engine, minutes: int, start: date | None, end: date | None, weekdays: set[int] | None = None,
             by: str | None = None, where: dict | None = None, threshold_s: float | None = None) -> dict:
    """Per ``by`` value (None without it): the intervals of the mean day of the days from
    ``start`` to ``end`` whose ISO weekday is in ``weekdays`` (all days without). Arrivals are
    offered calls averaged over those days — a day without calls counts as 0 — within the span
    the history covers; handle time, waits and service level are pooled over the calls. The
    agents are the mean count of agents staffed in the interval (``engine.intervals``: who
    answered its calls, or was logged in on a day they did), over the days it had calls."""
    rows = interval_history(engine, minutes, start, end, by, where, threshold_s)
    rows = [r for r in rows if weekdays is None or r["slot"].isoweekday() in weekdays]
    if not rows:
        return {"days": 0, "groups": {}}
    first = max(start or date.min, min(r["slot"].date() for r in rows))
    last = min(end or date.max, max(r["slot"].date() for r in rows))
    days = sum(1 for i in range((last - first).days + 1)
               if weekdays is None or (first + timedelta(days=i)).isoweekday() in weekdays)
    groups: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
    for r in rows:
        cell = groups[r["key"]][r["slot"].time()]
        for k in ("offered", "answered", "abandoned", "known_wait", "in_threshold", "waited_s",
                  "answered_wait_s", "answered_known_wait", "handle_s", "handled", "agents"):
            cell[k] += r[k] or 0
        cell["days_with_calls"] += 1
    out = {}
    for key, cells in groups.items():
        total = {k: sum(c[k] for c in cells.values()) for k in ("handle_s", "handled", "abandoned", "waited_s")}
        aht_all = total["handle_s"] / total["handled"] if total["handled"] else None
        intervals = []
        for slot in day_slots(minutes):
            c = cells.get(slot)
            if c is None:
                continue
            intervals.append({
                "slot": slot, "arrivals": c["offered"] / days,
                # An interval's own handle time, steadied by PRIOR_CALLS calls' worth of the mean.
                "aht_s": ((c["handle_s"] + PRIOR_CALLS * aht_all) / (c["handled"] + PRIOR_CALLS)
                          if aht_all else None),
                "actual_agents": c["agents"] / c["days_with_calls"],
                "actual_service_level": c["in_threshold"] / c["known_wait"] if c["known_wait"] else None,
                "actual_asa": c["answered_wait_s"] / c["answered_known_wait"] if c["answered_known_wait"] else None,
                "actual_abandonment": c["abandoned"] / c["offered"] if c["offered"] else None,
                "offered": c["offered"]})
        out[key] = {"intervals": intervals, "aht_s": aht_all,
                    "patience_s": patience_estimate(total["abandoned"], total["waited_s"])}
    return {"days": days, "groups": out}


def offered_series(engine, minutes: int, start: date | None, end: date | None, by: str | None = None,
                   where: dict | None = None) -> dict:
    """Per ``by`` value: whole local days ``first``…``last`` and a days × intervals array of
    offered calls (0 where none came)."""
    rows = interval_history(engine, minutes, start, end, by, where)
    if not rows:
        return {}
    first = start or min(r["slot"].date() for r in rows)
    last = end or max(r["slot"].date() for r in rows)
    per_day = 24 * 60 // minutes
    out = {}
    for r in rows:
        key = r["key"]
        if key not in out:
            out[key] = np.zeros(((last - first).days + 1, per_day))
        d = (r["slot"].date() - first).days
        if 0 <= d < out[key].shape[0]:
            out[key][d, (r["slot"].hour * 60 + r["slot"].minute) // minutes] += r["offered"]
    return {key: {"first": first, "last": last, "counts": counts} for key, counts in out.items()}


def slot_time(day: date, index: int, minutes: int) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=minutes * index)


def past_intervals(engine, minutes: int, start: date | None, end: date | None, where: dict | None = None,
                   threshold_s: float | None = None) -> dict:
    """Each past interval with calls, as the model check reads it: ``interval`` (its local
    start), ``offered``, ``aht_s`` (the interval's, steadied as in ``mean_day``), ``agents``
    (staffed, as in ``mean_day``) and the ``measured`` service level; with the
    patience of the callers of the whole span."""
    rows = interval_history(engine, minutes, start, end, None, where, threshold_s)
    handled = sum(r["handled"] for r in rows)
    aht_all = sum(r["handle_s"] for r in rows) / handled if handled else None
    patience = patience_estimate(sum(r["abandoned"] for r in rows), sum(r["waited_s"] for r in rows))
    out = [{"interval": r["slot"], "offered": r["offered"], "agents": r["agents"],
            "aht_s": (r["handle_s"] + PRIOR_CALLS * aht_all) / (r["handled"] + PRIOR_CALLS) if aht_all else None,
            "measured": r["in_threshold"] / r["known_wait"] if r["known_wait"] else None} for r in rows]
    return {"intervals": out, "patience_s": patience, "aht_s": aht_all}
