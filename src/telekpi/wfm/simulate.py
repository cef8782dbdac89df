"""A discrete-event simulation of one queue (M/M/n+M, first come first served): the check
on the Erlang formulas, and a third opinion in the model check (``staff --check``).

Callers arrive as a Poisson process, each with an exponential handle time and an
exponential patience; ``n`` agents take them in arrival order. Because callers are served
in arrival order and one who hangs up frees nobody, each caller can be followed in turn
against a heap of the times the agents come free: the earliest is the caller's offered
wait; if it exceeds the caller's patience the caller hangs up, else takes that agent.
Seeded: the same arguments give the same figures."""

from __future__ import annotations

import heapq
import math

import numpy as np


def simulate(n: int, arrivals_per_s: float, aht: float, patience: float, t: float,
             calls: int = 20000, seed: int = 0, warmup: float = 0.1) -> dict:
    """Steady-state figures of ``calls`` simulated callers (the first ``warmup`` share left
    out): ``service_level`` (answered within ``t`` s, of all), ``abandonment``,
    ``wait_probability``, ``asa`` (mean wait of the answered) and ``calls`` counted."""
    if n <= 0 or arrivals_per_s <= 0:
        return {"service_level": 0.0 if n <= 0 else 1.0, "abandonment": 1.0 if n <= 0 else 0.0,
                "wait_probability": 1.0 if n <= 0 else 0.0, "asa": 0.0, "calls": 0}
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1 / arrivals_per_s, calls)).tolist()
    services = rng.exponential(aht, calls).tolist()
    patiences = (rng.exponential(patience, calls) if math.isfinite(patience)
                 else np.full(calls, math.inf)).tolist()
    free = [0.0] * n
    skip = int(calls * warmup)
    within = abandoned = waited = answered = 0
    answered_wait = 0.0
    for i in range(calls):
        arrival = times[i]
        wait = max(free[0] - arrival, 0.0)
        if wait > patiences[i]:
            if i >= skip:
                abandoned += 1
                waited += 1
            continue
        heapq.heapreplace(free, arrival + wait + services[i])
        if i >= skip:
            answered += 1
            answered_wait += wait
            waited += wait > 0
            within += wait <= t
    counted = calls - skip
    return {"service_level": within / counted, "abandonment": abandoned / counted,
            "wait_probability": waited / counted, "asa": answered_wait / answered if answered else 0.0,
            "calls": counted}
