"""Shrinkage measured from agent states, not typed in: the share of logged-in time agents
spent paused, by pause reason, agent and team; and what it does to staffing — the agents
the models need on the phones become the agents to schedule, ``needed ÷ (1 − shrinkage)``.

This is in-centre shrinkage (breaks, lunch, training, coaching, after-call pauses, missed-
ring auto-pauses: whatever the source paused the agent for). Absence — scheduled and never
logged in — needs schedules (``wfm.adherence``: conformance); docs/workforce.md says how
the two add up."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from telekpi.engine.workforce import state_seconds

# The most shrinkage that can be applied (wfm.staffing.scheduled applies it): at 1 nobody is
# ever on the phones.
MAX_SHRINKAGE = 0.9
UNSPECIFIED = "unspecified"


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def measured(engine, start: date | None, end: date | None) -> dict:
    """``shrinkage`` (pause ÷ logged-in time, None without logged-in time), ``logged_in_s``,
    ``pause_s``, and the breakdowns ``by_reason`` (share of logged-in time per pause reason,
    largest first; a pause without a reason is ``unspecified``), ``by_agent`` and ``by_team``
    (each one's own pause ÷ logged-in time)."""
    rows = state_seconds(engine, start, end)
    logged = sum(r["seconds"] for r in rows)
    paused = [r for r in rows if r["state"] == "pause"]
    pause_s = sum(r["seconds"] for r in paused)
    reasons: dict[str, float] = defaultdict(float)
    for r in paused:
        reasons[(r["reason"] or "").strip() or UNSPECIFIED] += r["seconds"]

    def split(key: str) -> list[dict]:
        li: dict = defaultdict(float)
        pz: dict = defaultdict(float)
        for r in rows:
            li[r[key]] += r["seconds"]
            if r["state"] == "pause":
                pz[r[key]] += r["seconds"]
        return sorted(({key: k, "logged_in_s": round(v, 1), "pause_s": round(pz[k], 1),
                        "shrinkage": _share(pz[k], v)} for k, v in li.items()),
                      key=lambda d: (-(d["shrinkage"] or 0), str(d[key])))

    return {"shrinkage": _share(pause_s, logged), "logged_in_s": round(logged, 1), "pause_s": round(pause_s, 1),
            "by_reason": [{"reason": k, "pause_s": round(v, 1), "shrinkage": _share(v, logged)}
                          for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))],
            "by_agent": split("agent_id"), "by_team": split("team_id")}


def by_hour(engine, start: date | None, end: date | None) -> list[dict]:
    """Shrinkage per hour of the day (the hour a state started, workspace time) — the
    catalog's ``shrinkage``, ``pause_time`` and ``logged_in_time`` by ``hour``, so on every
    engine."""
    from telekpi.engine.request import Request

    result = engine.query(Request(("shrinkage", "pause_time", "logged_in_time"), by=("hour",),
                                  start=start, end=end))
    rows = [{"hour": int(r["hour"]), "shrinkage": r["shrinkage"], "pause_s": r["pause_time"],
             "logged_in_s": r["logged_in_time"]} for r in result.rows if r["hour"] is not None]
    return sorted(rows, key=lambda r: r["hour"])
