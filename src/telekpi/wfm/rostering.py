"""The schedule builder: how many agents start each shift pattern (``wfm/shifts.py``) so that
every interval has at least the agents it needs, for the fewest paid agent-hours (weighted by
each pattern's cost) — the classic shift-scheduling integer program (Dantzig 1954), solved by
HiGHS through ``scipy.optimize.milp``:

    minimise  Σ cost_p · hours_p · x_ps   over whole x_ps ≥ 0 (agents starting pattern p at s)
    subject to Σ_{p,s covering t} x_ps ≥ required_t   for every interval t

An agent covers an interval only when they work all of it: a shift that starts or a break that
falls inside an interval leaves it uncovered (conservative with 60-minute intervals and
30-minute breaks). A mean day (``cyclic``) stands for every such day, so a shift past midnight
covers that day's first intervals; a run of dated intervals is not cyclic and a shift covers
nothing past its end. Pure computation: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from telekpi.errors import UsageError
from telekpi.i18n import _
from telekpi.wfm.shifts import DAY, Pattern

# HiGHS stops here with the best schedule it has (and says how far from the optimum it may be).
TIME_LIMIT_S = 60.0


@dataclass(frozen=True)
class Start:
    """One column of the program: ``pattern`` starting at minute ``at`` of the timeline."""

    pattern: Pattern
    at: int


def candidates(patterns: list[Pattern], first: datetime, count: int, minutes: int, cyclic: bool) -> list[Start]:
    """Every start of every pattern on the local days the ``count`` intervals from ``first``
    span (a mean day: its one day), in minutes from ``first``; on dated intervals also the
    starts before ``first`` whose shift reaches into them (the night before's)."""
    base = -(first.hour * 60 + first.minute)
    if cyclic:
        return [Start(p, base + s) for p in patterns for s in p.starts]
    days = (count * minutes - base - 1) // DAY + 1
    return [Start(p, base + d * DAY + s) for p in patterns for d in range(-1, days) for s in p.starts
            if -p.length < base + d * DAY + s < count * minutes]


def coverage(starts: list[Start], count: int, minutes: int, cyclic: bool) -> np.ndarray:
    """``count`` × ``len(starts)`` 0/1 matrix: does a start's agent work all of interval t?"""
    a = np.zeros((count, len(starts)), dtype=np.int8)
    worked: dict[tuple[Pattern, int], np.ndarray] = {}
    for j, st in enumerate(starts):
        phase = st.at % minutes
        if (st.pattern, phase) not in worked:     # the intervals worked, from the first after the start
            p, lead = st.pattern, (minutes - phase) % minutes
            worked[st.pattern, phase] = np.array(
                [k for k in range((p.length - lead) // minutes)
                 if all(p.working(lead + k * minutes + m) for m in range(minutes))], dtype=np.int64)
        t = -(-st.at // minutes) + worked[st.pattern, phase]
        if cyclic:
            a[t % count, j] = 1
        else:
            a[t[(t >= 0) & (t < count)], j] = 1
    return a


def build(patterns: list[Pattern], first: datetime, required, minutes: int, cyclic: bool = False,
          time_limit_s: float = TIME_LIMIT_S) -> dict:
    """Shifts covering ``required`` (agents per interval, the intervals from ``first`` on by
    ``minutes``): ``shifts`` (pattern, start, end, agents, agent_hours), ``coverage`` per
    interval (required, covered, surplus), ``agent_hours``, ``cost``, ``optimal`` and
    ``lower_bound`` (no schedule costs less). Raises a UsageError naming the first interval
    no pattern covers."""
    need = np.ceil(np.asarray(required, float) - 1e-9).clip(min=0)
    count = len(need)
    starts = candidates(patterns, first, count, minutes, cyclic)
    a = coverage(starts, count, minutes, cyclic)
    used = [bool(a[:, j].any()) for j in range(a.shape[1])]
    starts, a = [s for s, u in zip(starts, used, strict=True) if u], a[:, np.array(used, dtype=bool)]
    bare = np.flatnonzero((need > 0) & ~a.any(axis=1)) if a.size else np.flatnonzero(need > 0)
    if bare.size:
        at = first + timedelta(minutes=int(bare[0]) * minutes)
        raise UsageError(_("no shift pattern covers the interval from {time}, where {agents} agents are needed; "
                           "add a pattern whose working time includes all of it").format(
            time=at.strftime("%H:%M" if cyclic else "%Y-%m-%d %H:%M"), agents=int(need[bare[0]])))
    solution, optimal, bound = _solve(starts, a, need, time_limit_s) if need.any() else \
        (np.zeros(len(starts)), True, 0.0)
    counts = np.rint(solution).astype(np.int64)
    covered = a.astype(np.int64) @ counts if starts else np.zeros(count, np.int64)
    shifts: list[dict] = [{"pattern": st.pattern.name, "start": first + timedelta(minutes=st.at),
               "end": first + timedelta(minutes=st.at + st.pattern.length), "agents": int(n),
               "agent_hours": round(int(n) * st.pattern.hours, 2), "breaks": st.pattern.breaks}
              for st, n in zip(starts, counts, strict=True) if n > 0]
    shifts.sort(key=lambda s: (s["start"], s["pattern"]))
    rows = [{"interval": first + timedelta(minutes=t * minutes), "required": int(need[t]),
             "covered": int(covered[t]), "surplus": int(covered[t] - need[t])} for t in range(count)]
    hours = sum(s["agent_hours"] for s in shifts)
    cost = float(sum(n * st.pattern.hours * st.pattern.cost for st, n in zip(starts, counts, strict=True)))
    return {"shifts": shifts, "coverage": rows, "agent_hours": round(hours, 2), "cost": round(cost, 4),
            "agents": int(counts.sum()), "optimal": optimal, "lower_bound": round(bound, 4),
            "candidates": len(starts)}


def _solve(starts: list[Start], a: np.ndarray, need: np.ndarray, time_limit_s: float) -> tuple[np.ndarray, bool, float]:
    """Agents per start, whether HiGHS proved them optimal, and the bound no schedule beats."""
    try:
        from scipy.optimize import Bounds, LinearConstraint, milp
    except ImportError:   # scipy is a base dependency; a broken install says so
        from telekpi.errors import MissingDependencyError

        raise MissingDependencyError(_("the schedule builder"), "wfm") from None
    cost = np.array([s.pattern.hours * s.pattern.cost for s in starts])
    res = milp(cost, integrality=np.ones(len(starts)), bounds=Bounds(0, np.inf),
               constraints=LinearConstraint(a, lb=need, ub=np.inf),
               options={"time_limit": time_limit_s, "mip_rel_gap": 0.0})
    if res.x is None:
        raise UsageError(_("the solver found no schedule in {seconds} s ({reason})").format(
            seconds=f"{time_limit_s:g}", reason=res.message))
    bound = getattr(res, "mip_dual_bound", None)
    return (np.asarray(res.x), bool(res.status == 0),
            float(bound) if bound is not None and np.isfinite(bound) else float(res.fun))


def schedule_rows(shifts: list[dict], prefix: str = "open") -> list[dict]:
    """The shifts as rows ``telekpi import schedules`` reads (agent_id, starts_at, ends_at,
    activity): one stand-in agent per agent of a shift (``open-001`` …, to be replaced by
    real agents), its work around its breaks."""
    out, k = [], 0
    for s in shifts:
        for __ in range(s["agents"]):
            k += 1
            agent = f"{prefix}-{k:03d}"
            at = s["start"]
            for b_start, b_len in s.get("breaks", ()):
                b_at = s["start"] + timedelta(minutes=b_start)
                if b_at > at:
                    out.append({"agent_id": agent, "starts_at": at, "ends_at": b_at, "activity": "work"})
                out.append({"agent_id": agent, "starts_at": b_at, "ends_at": b_at + timedelta(minutes=b_len),
                            "activity": "break"})
                at = b_at + timedelta(minutes=b_len)
            if s["end"] > at:
                out.append({"agent_id": agent, "starts_at": at, "ends_at": s["end"], "activity": "work"})
    return out
