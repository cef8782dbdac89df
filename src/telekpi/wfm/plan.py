"""The staffing table ``telekpi staff`` prints — agents needed per interval by each model,
with what the chosen one expects at that staffing and what history measured — and the model
check: each model's service level predicted from the agents who were there, against the
service level measured."""

from __future__ import annotations

import math

import numpy as np

from telekpi.wfm.simulate import simulate
from telekpi.wfm.staffing import MODELS, Target, agents_needed, figures, threshold_of

# The simulation of an interval: this many simulated callers (its service level within about
# ±3 points), handle times rounded to this step.
SIM_CALLS = 1000
SIM_AHT_STEP = 5.0


def _num(v, digits: int = 4):
    if v is None:
        return None
    v = float(v)
    return round(v, digits) if math.isfinite(v) else None


def staff_rows(intervals: list[dict], minutes: int, targets: list[Target], model: str,
               patience_s: float = math.inf) -> list[dict]:
    """``intervals``: dicts with ``interval`` (label), ``arrivals`` (calls in the interval),
    ``aht_s`` and optionally ``actual_agents``, ``actual_service_level`` → one row each:
    interval, arrivals, aht_s, erlangs, agents (``model``'s), agents by each model, and the
    service level, ASA, abandonment and occupancy ``model`` expects with that many agents."""
    if not intervals:
        return []
    length = minutes * 60
    arrivals = np.array([float(i["arrivals"]) for i in intervals])
    aht = np.array([float(i["aht_s"]) for i in intervals])
    erlangs = arrivals * aht / length
    t = threshold_of(targets)
    by_model = {m: agents_needed(m, erlangs, aht, targets, patience_s) for m in MODELS}
    chosen = by_model[model]
    fig = figures(model, chosen, erlangs, aht, t, patience_s)
    rows = []
    for k, i in enumerate(intervals):
        row = {"interval": i["interval"], "arrivals": _num(arrivals[k], 2), "aht_s": _num(aht[k], 1),
               "erlangs": _num(erlangs[k], 3), "agents": int(chosen[k])}
        row |= {f"agents_{m.replace('-', '_')}": int(by_model[m][k]) for m in MODELS}
        empty = arrivals[k] <= 0
        row |= {"service_level": None if empty else _num(fig["service_level"][k]),
                "asa_s": None if empty else _num(fig["asa"][k], 1),
                "abandonment": None if empty else _num(fig["abandonment"][k]),
                "occupancy": None if empty else _num(fig["occupancy"][k])}
        if "actual_agents" in i:
            row["actual_agents"] = _num(i.get("actual_agents"), 2)
            row["actual_service_level"] = _num(i.get("actual_service_level"))
        rows.append(row)
    return rows


def model_check(intervals: list[dict], minutes: int, threshold_s: float, patience_s: float,
                seed: int = 0) -> dict:
    """For past intervals (``offered``, ``aht_s``, ``agents`` who were there, ``measured``
    service level, ``interval``): each model's predicted service level at that staffing —
    Erlang C, Erlang A (with ``patience_s``) and the simulation — and its errors against the
    measured one, weighted by the calls offered: mean error (bias) and mean absolute error.
    ``best`` is the model with the smallest mean absolute error."""
    usable = [i for i in intervals if i["offered"] > 0 and i["agents"] and i["measured"] is not None
              and i["aht_s"]]
    if not usable:
        return {"intervals": 0, "models": {}, "best": None, "rows": []}
    length = minutes * 60
    n = np.array([round(i["agents"]) for i in usable], dtype=float)
    offered = np.array([float(i["offered"]) for i in usable])
    aht = np.array([float(i["aht_s"]) for i in usable])
    a = offered * aht / length
    measured = np.array([float(i["measured"]) for i in usable])
    predicted = {"erlang-c": figures("erlang-c", n, a, aht, threshold_s, patience_s)["service_level"],
                 "erlang-a": figures("erlang-a", n, a, aht, threshold_s, patience_s, asa=False)["service_level"]}
    # Intervals alike (agents, calls, handle time to SIM_AHT_STEP s) share one simulation: a
    # year of 15-minute intervals has far fewer distinct ones than intervals.
    runs: dict[tuple, float] = {}
    sim = np.empty(len(usable))
    for k in range(len(usable)):
        key = (int(n[k]), int(offered[k]), round(aht[k] / SIM_AHT_STEP))
        if key not in runs:
            runs[key] = simulate(key[0], offered[k] / length, key[2] * SIM_AHT_STEP, patience_s, threshold_s,
                                 calls=SIM_CALLS, seed=seed + len(runs))["service_level"]
        sim[k] = runs[key]
    predicted["simulation"] = sim
    weights = offered / offered.sum()
    models = {m: {"bias": _num(((p - measured) * weights).sum()),
                  "mae": _num((np.abs(p - measured) * weights).sum())} for m, p in predicted.items()}
    best = min(models, key=lambda m: models[m]["mae"] if models[m]["mae"] is not None else math.inf)
    rows = [{"interval": i["interval"], "offered": int(offered[k]), "agents": int(n[k]),
             "aht_s": _num(aht[k], 1), "measured_service_level": _num(measured[k]),
             **{f"{m.replace('-', '_')}_service_level": _num(p[k]) for m, p in predicted.items()}}
            for k, i in enumerate(usable)]
    return {"intervals": len(usable), "calls": int(offered.sum()), "models": models, "best": best,
            "patience_s": _num(patience_s, 1), "threshold_s": threshold_s, "rows": rows}
