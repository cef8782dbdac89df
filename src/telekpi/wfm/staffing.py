"""Agents needed per interval for a set of targets, by each model; and the figures expected
at any staffing. Vectorised: every interval of a year is searched at once.

The search is a bisection on the number of agents, which is exact because every target is
monotone in it (more agents: a higher service level, a lower ASA, wait probability and
occupancy). Several targets are all met: the agents needed is the largest over them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from telekpi.errors import UsageError
from telekpi.i18n import N_
from telekpi.wfm.erlang import erlang_a_figures, erlang_c_figures

MODELS = ("erlang-c", "erlang-a")
TARGET_KINDS = ("service-level", "asa", "wait-probability", "occupancy")
# The threshold service level is computed at when no service-level target names one.
DEFAULT_THRESHOLD_S = 20.0


@dataclass(frozen=True)
class Target:
    """``service-level`` ≥ value within ``threshold_s``; ``asa`` ≤ value s;
    ``wait-probability`` ≤ value; ``occupancy`` ≤ value."""

    kind: str
    value: float
    threshold_s: float | None = None

    def text(self) -> str:
        if self.kind == "service-level":
            return f"service-level={self.value:g}@{self.threshold_s:g}s"
        return f"{self.kind}={self.value:g}{'s' if self.kind == 'asa' else ''}"

    def met(self, fig: dict) -> np.ndarray:
        if self.kind == "service-level":
            return fig["service_level"] >= self.value - 1e-12
        if self.kind == "asa":
            return fig["asa"] <= self.value + 1e-9
        if self.kind == "wait-probability":
            return fig["wait_probability"] <= self.value + 1e-12
        return fig["occupancy"] <= self.value + 1e-12


_BAD_TARGET = N_("{given} is not a target; write service-level=0.8@20s, asa=30s, "
                 "wait-probability=0.5 or occupancy=0.85")


def parse_target(text: str) -> Target:
    """``service-level=0.8@20s`` (or 80%@20), ``asa=30s``, ``wait-probability=0.5``,
    ``occupancy=0.85`` → a Target; anything else a UsageError naming the forms."""
    m = re.fullmatch(r"\s*([a-z-]+)\s*=\s*([0-9.]+)\s*(%?)\s*(?:@\s*([0-9.]+)\s*s?)?\s*s?\s*", text or "")
    if not m or m[1] not in TARGET_KINDS:
        raise UsageError(_BAD_TARGET, field="target", value=text)
    kind, pct, at = m[1], m[3], m[4]
    try:
        value = float(m[2]) / (100 if pct else 1)
        threshold = float(at) if at is not None else None
    except ValueError:
        raise UsageError(_BAD_TARGET, field="target", value=text) from None
    if kind == "service-level":
        if not 0 < value < 1 or threshold is None:
            raise UsageError(_BAD_TARGET, field="target", value=text)
    elif at is not None or (kind != "asa" and not 0 < value <= 1) or (kind == "asa" and value <= 0):
        raise UsageError(_BAD_TARGET, field="target", value=text)
    return Target(kind, value, threshold)


def threshold_of(targets: list[Target]) -> float:
    """The threshold service level is reported at: the service-level target's, else 20 s."""
    return next((t.threshold_s for t in targets if t.threshold_s is not None), DEFAULT_THRESHOLD_S)


def figures(model: str, n, a, aht, t, patience, asa: bool = True) -> dict:
    """The figures ``model`` expects at ``n`` agents (arrays, one element per interval)."""
    if model == "erlang-c":
        return erlang_c_figures(n, a, aht, t)
    return erlang_a_figures(n, a, aht, t, patience, asa)


def agents_needed(model: str, a, aht, targets: list[Target], patience=math.inf) -> np.ndarray:
    """The fewest agents meeting every target with ``a`` Erlangs and handle time ``aht`` s per
    interval (0 where no call is expected)."""
    a, aht, patience = np.broadcast_arrays(np.asarray(a, float), np.asarray(aht, float),
                                           np.asarray(patience, float))
    shape = a.shape
    a, aht, patience = a.ravel(), aht.ravel(), patience.ravel()
    need = np.zeros(a.shape, dtype=np.int64)
    for target in targets:
        hint = _search("erlang-c", a, aht, target, patience) if model == "erlang-a" else None
        need = np.maximum(need, _search(model, a, aht, target, patience, hint))
    return np.where(a > 0, need, 0).reshape(shape)


def _search(model: str, a, aht, target: Target, patience, hint=None) -> np.ndarray:
    """Bisection per interval; ``hint``: Erlang C's answer, which Erlang A's is at most (callers
    who hang up only shorten the others' waits), so its search starts just below it."""
    t = target.threshold_s if target.threshold_s is not None else DEFAULT_THRESHOLD_S

    def ok(n, idx):
        return target.met(figures(model, n, a[idx], aht[idx], t, patience[idx], target.kind == "asa"))

    busy = a > 0
    idx = np.flatnonzero(busy)
    lo = np.zeros(idx.size)   # fails (no agents never meets a target)
    hi = np.maximum(np.ceil(a[idx] + 3 * np.sqrt(a[idx]) + 3), 1)
    if hint is not None:
        hi = np.maximum(hint[idx].astype(float), 1)
        below = np.maximum(hi - np.ceil(0.15 * hi) - 1, 0)
        good = ok(below, idx)
        hi, lo = np.where(good, below, hi), np.where(good, lo, below)
    hi, lo = hi.copy(), lo.copy()
    # Double hi until every interval's target is met there (an occupancy of 0.5 needs 2a).
    todo = np.arange(idx.size)
    for __ in range(60):
        bad = todo[~ok(hi[todo], idx[todo])]
        if not bad.size:
            break
        lo[bad], hi[bad] = hi[bad], hi[bad] * 2
        todo = bad
    while True:   # each step only the intervals not yet settled
        todo = np.flatnonzero(hi - lo > 1)
        if not todo.size:
            break
        mid = np.floor((lo[todo] + hi[todo]) / 2)
        good = ok(mid, idx[todo])
        hi[todo[good]], lo[todo[~good]] = mid[good], mid[~good]
    out = np.zeros(a.shape, dtype=np.int64)
    out[idx] = hi.astype(np.int64)
    return out


def scheduled(agents, shrinkage: float) -> np.ndarray:
    """Agents to schedule so ``agents`` are on the phones when ``shrinkage`` (a share of paid
    time away from them: breaks, training, absence) is lost: ⌈agents / (1 − shrinkage)⌉."""
    if not 0 <= shrinkage < 1:
        raise UsageError(N_("shrinkage must be at least 0 and below 1, not {value}"),
                         field="shrinkage", value=shrinkage)
    return np.ceil(np.asarray(agents, float) / (1 - shrinkage) - 1e-9).astype(np.int64)
