"""Schedule adherence and conformance from imported schedules and agent states.

* **Adherence** — the share of scheduled time (work and pauses, not time off) the agent
  spent in the state the activity asks for: a work activity asks for a state that takes
  calls (available, on a call, in wrap-up); a pause activity (lunch, break, training, …)
  asks for the agent *not* to be taking calls (paused or logged out). NICE, Verint and
  Genesys define it this way ("in adherence time ÷ scheduled time").
* **Conformance** — worked time ÷ scheduled work time, where *worked* is time in a state
  that takes calls anywhere in the scheduled local days: it says whether the hours were
  worked, adherence whether they were worked *when* planned. Above 100 % means overtime.

Activities are free text; ``activity_class`` reads them (docs/workforce.md lists the words).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from telekpi.days import day_start
from telekpi.engine.live import STALE
from telekpi.engine.workforce import logged_in_states, schedules

WORKING = ("available", "on_call", "wrap")
WORK_WORDS = {"work", "working", "phone", "phones", "calls", "call", "open", "inbound", "outbound", "available",
              "shift", "production", "queue"}
OFF_WORDS = {"off", "day off", "leave", "annual leave", "holiday", "vacation", "sick", "absent", "absence"}


def activity_class(activity: str | None) -> str:
    """``work``, ``off`` or ``pause`` (every other activity: lunch, break, training, …)."""
    word = " ".join((activity or "").strip().lower().replace("_", " ").replace("-", " ").split())
    if word in WORK_WORDS:
        return "work"
    if word in OFF_WORDS:
        return "off"
    return "pause"


def _epoch(t) -> float:
    return t.timestamp() if isinstance(t, datetime) else float(t)


class _Agent:
    """One agent's logged-in states as sorted spans, for overlap sums."""

    def __init__(self, states: list[dict]):
        spans = sorted((_epoch(s["started_at"]), _epoch(s["ended_at"]), s["state"]) for s in states)
        self.spans = spans
        self.starts = [s[0] for s in spans]

    def working(self, a: float, b: float) -> float:
        """Seconds in a state that takes calls within [a, b)."""
        total = 0.0
        k = max(bisect.bisect_right(self.starts, a) - 1, 0)
        while k < len(self.spans) and self.spans[k][0] < b:
            s0, s1, state = self.spans[k]
            if state in WORKING:
                total += max(0.0, min(s1, b) - max(s0, a))
            k += 1
        return total

    def state_at(self, t: float, grace: float = 0.0) -> tuple[str, float] | None:
        """The state at ``t`` and when it started; None when logged out. With ``grace``, the
        latest state counts as current when it ended that little before ``t`` (as the
        wallboard reads the last data: ``engine.live.STALE``)."""
        k = bisect.bisect_right(self.starts, t) - 1
        if k >= 0 and t - grace < self.spans[k][1] <= t:
            return self.spans[k][2], self.spans[k][0]
        while k >= 0:
            s0, s1, state = self.spans[k]
            if s1 > t:
                return state, s0
            if s1 <= t - 86400:
                break
            k -= 1
        return None


def _slices(a: float, b: float, minutes: int, tz: ZoneInfo):
    """[a, b) cut at the local interval boundaries: (local start of the interval, piece start, end)."""
    t = a
    while t < b:
        local = datetime.fromtimestamp(t, tz)
        floor = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
        nxt = min(b, (floor + timedelta(minutes=minutes)).timestamp())
        if nxt <= t:   # a DST fold: step by the interval length
            nxt = min(b, t + minutes * 60)
        yield floor.replace(tzinfo=None), t, nxt
        t = nxt


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def measure(engine, start: date | None, end: date | None, minutes: int = 30,
            agents_of: set[str] | None = None) -> dict:
    """Adherence and conformance over the schedules that start on local days ``start`` …
    ``end`` (of the agents ``agents_of`` only, when given): the totals, ``by_agent`` and
    ``by_interval`` (each local interval: the agents scheduled to work in it on average, and
    adherence)."""
    tz = ZoneInfo(engine.settings.timezone)
    planned = [p for p in schedules(engine, start, end) if agents_of is None or p["agent_id"] in agents_of]
    if not planned:
        return {"schedules": 0, "adherence": None, "conformance": None, "by_agent": [], "by_interval": []}
    first = min(p["starts_at"] for p in planned)
    last = max(p["ends_at"] for p in planned)
    days: dict[str, set[date]] = defaultdict(set)
    for p in planned:
        if activity_class(p["activity"]) != "off":
            days[p["agent_id"]].add(p["starts_at"].astimezone(tz).date())
    if not days:
        return {"schedules": len(planned), "adherence": None, "conformance": None, "by_agent": [],
                "by_interval": []}
    lo = min(day_start(min(d), tz) for d in days.values())
    hi = max(day_start(max(d) + timedelta(days=1), tz) for d in days.values())
    states = logged_in_states(engine, sorted(days), min(first, lo).astimezone(UTC), max(last, hi).astimezone(UTC))
    per_agent: dict[str, list[dict]] = defaultdict(list)
    for s in states:
        per_agent[s["agent_id"]].append(s)
    agents = {a: _Agent(per_agent.get(a, [])) for a in days}
    acc: dict = defaultdict(lambda: defaultdict(float))
    slots: dict = defaultdict(lambda: defaultdict(float))
    for p in planned:
        kind = activity_class(p["activity"])
        if kind == "off":
            continue
        who = agents[p["agent_id"]]
        a, b = _epoch(p["starts_at"]), _epoch(p["ends_at"])
        for slot, x, y in _slices(a, b, minutes, tz):
            working = who.working(x, y)
            adherent = working if kind == "work" else (y - x) - working
            cell = slots[slot]
            cell["scheduled_s"] += y - x
            cell["adherent_s"] += adherent
            if kind == "work":
                cell["work_s"] += y - x
        row = acc[p["agent_id"]]
        working = who.working(a, b)
        row["scheduled_s"] += b - a
        row["adherent_s"] += working if kind == "work" else (b - a) - working
        if kind == "work":
            row["scheduled_work_s"] += b - a
    for agent, ds in days.items():
        for d in ds:
            d0 = day_start(d, tz).timestamp()
            d1 = day_start(d + timedelta(days=1), tz).timestamp()
            acc[agent]["worked_s"] += agents[agent].working(d0, d1)
    by_agent = [{"agent_id": a, **{k: round(v, 1) for k, v in r.items()},
                 "adherence": _ratio(r["adherent_s"], r["scheduled_s"]),
                 "conformance": _ratio(r["worked_s"], r["scheduled_work_s"])} for a, r in sorted(acc.items())]
    # Intervals of the schedule's days: the mean day would hide a bad Monday.
    by_interval = [{"interval": slot, "scheduled_agents": round(c["work_s"] / (minutes * 60), 3),
                    "adherence": _ratio(c["adherent_s"], c["scheduled_s"])} for slot, c in sorted(slots.items())]
    total = {k: sum(r.get(k, 0.0) for r in acc.values()) for k in ("scheduled_s", "adherent_s", "worked_s",
                                                                   "scheduled_work_s")}
    return {"schedules": len(planned), "adherence": _ratio(total["adherent_s"], total["scheduled_s"]),
            "conformance": _ratio(total["worked_s"], total["scheduled_work_s"]), **total,
            "by_agent": by_agent, "by_interval": by_interval}


def out_of_adherence(engine, now: datetime) -> list[dict]:
    """The agents out of adherence at ``now``: scheduled for an activity (not time off) whose
    state does not match it — ``agent_id``, ``activity``, ``state`` (None: logged out) and
    ``since`` (when it last matched or the activity began) and ``seconds``, longest first."""
    day = now.astimezone(ZoneInfo(engine.settings.timezone)).date()
    planned = [p for p in schedules(engine, day - timedelta(days=1), day)
               if p["starts_at"] <= now < p["ends_at"] and activity_class(p["activity"]) != "off"]
    if not planned:
        return []
    t = now.timestamp()
    rows = logged_in_states(engine, sorted({p["agent_id"] for p in planned}),
                            (now - timedelta(days=1)).astimezone(UTC), now.astimezone(UTC))
    per_agent: dict[str, list[dict]] = defaultdict(list)
    for s in rows:
        per_agent[s["agent_id"]].append(s)
    out = []
    for p in planned:
        who = _Agent(per_agent.get(p["agent_id"], []))
        at = who.state_at(t, STALE.total_seconds())
        working = at is not None and at[0] in WORKING
        kind = activity_class(p["activity"])
        if working == (kind == "work"):
            continue
        if at is not None and kind == "work":
            began = at[1]
        else:   # logged out (or taking calls in a pause): since the last span ended or began
            began = max((s1 for s0, s1, _ in who.spans if s1 <= t), default=_epoch(p["starts_at"])) \
                if at is None else at[1]
        since = max(began, _epoch(p["starts_at"]))
        out.append({"agent_id": p["agent_id"], "activity": p["activity"], "state": at[0] if at else None,
                    "since": datetime.fromtimestamp(since, UTC), "seconds": round(t - since)})
    return sorted(out, key=lambda r: -r["seconds"])
