"""Workforce management speed, side by side in one run:

    python bench/wfm_bench.py [--days 365] [--repeat 3]

- staffing: agents needed for 96 intervals × ``days`` (15-minute intervals of a year) for
  80 % in 20 s, by Erlang C and by Erlang A (callers' patience 180 s), and the figures
  expected at the Erlang A staffing (service level, ASA, abandonment, occupancy) — goal
  under 1 s for a model;
- model check: the service level of every interval with calls, at (about) that staffing, by
  Erlang C, Erlang A and the simulation;
- schedule builder: shifts covering a week of 15-minute intervals (the Erlang A staffing
  of the history's last 7 days, 30 % shrinkage) with three patterns — 8 h with a break,
  starting every 15 minutes from 06:00 to 14:00; 4 h every 15 minutes from 06:00 to 20:00;
  9 h at 22:00 at 1.5 the cost — solved to proven optimality (``scipy.optimize.milp``);
- forecast: a 14-day Holt-Winters forecast of a year of 15-minute history, with its
  rolling-origin backtest (4 origins) and the seasonal-naive baseline — goal under 30 s
  on 2 cores. statsmodels' import is timed apart (paid once per process).

The history is synthetic (seeded): a weekly and an intraday pattern, Poisson counts. The
best of ``repeat`` runs is printed; nothing is asserted (timing belongs in a bench, not a
test).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for __ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def history(days: int, per_day: int = 96, seed: int = 26) -> np.ndarray:
    rng = np.random.default_rng(seed)
    hours = np.arange(per_day) * 24 / per_day
    intraday = np.exp(-((hours - 11) ** 2) / 8) + 0.6 * np.exp(-((hours - 16) ** 2) / 6)
    weekly = np.array([1.2, 1.0, 1.0, 0.95, 0.9, 0.5, 0.3])[np.arange(days) % 7]
    level = 40 * weekly * (1 + 0.0005 * np.arange(days))
    return rng.poisson(level[:, None] * intraday[None, :]).astype(float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from telekpi.wfm.staffing import agents_needed, figures, parse_target

    counts = history(args.days)
    aht = np.full(counts.size, 240.0)
    erlangs = counts.ravel() * aht / 900
    target = [parse_target("service-level=0.8@20s")]
    print(f"staffing: {counts.size:,} intervals (96 × {args.days} days), {int(counts.sum()):,} calls, "
          f"up to {erlangs.max():.1f} Erlangs")
    t_c, need_c = best(lambda: agents_needed("erlang-c", erlangs, aht, target), args.repeat)
    t_a, need_a = best(lambda: agents_needed("erlang-a", erlangs, aht, target, 180.0), args.repeat)
    t_f, __ = best(lambda: figures("erlang-a", need_a, erlangs, aht, 20.0, 180.0), args.repeat)
    print(f"  agents needed, Erlang C   {t_c:7.3f} s   (goal < 1 s)   agent-intervals {int(np.sum(need_c)):,}")
    print(f"  agents needed, Erlang A   {t_a:7.3f} s   (goal < 1 s)   agent-intervals {int(np.sum(need_a)):,}")
    print(f"  figures at Erlang A staff {t_f:7.3f} s   (SL, ASA, abandonment, occupancy)")
    from telekpi.wfm.plan import model_check

    rng = np.random.default_rng(1)
    flat = counts.ravel()
    past = [{"interval": k, "offered": int(flat[k]), "agents": int(need_a[k]) + int(rng.integers(-1, 2)),
             "aht_s": float(rng.uniform(200, 280)), "measured": 0.8} for k in range(flat.size) if flat[k] > 0]
    t_m, __ = best(lambda: model_check(past, 15, 20.0, 180.0), 1)
    print(f"  model check, {len(past):,} intervals {t_m:7.3f} s   (Erlang C, Erlang A, simulation)")

    roster(counts, need_a, args.repeat)

    t = time.perf_counter()
    import statsmodels.tsa.holtwinters  # noqa: F401

    t_import = time.perf_counter() - t
    from telekpi.wfm.forecast import backtest, predict

    first = date(2025, 12, 1)
    print(f"forecast: 14 days ahead of {args.days} days × 96 intervals of history")
    t_p, __ = best(lambda: predict("holt-winters", counts, first, 14), args.repeat)
    t_b, test = best(lambda: backtest("holt-winters", counts, first, 14), args.repeat)
    print(f"  statsmodels import        {t_import:7.3f} s   (once per process)")
    print(f"  forecast                  {t_p:7.3f} s")
    print(f"  backtest, 4 origins       {t_b:7.3f} s")
    print(f"  forecast + backtest       {t_p + t_b:7.3f} s   (goal < 30 s on 2 cores)")
    m, b = test["model"], test["baseline"]
    print(f"  backtest WAPE {m['wape']:.1%} bias {m['bias']:+.1%}; seasonal-naive WAPE {b['wape']:.1%} "
          f"bias {b['bias']:+.1%}")


def roster(counts: np.ndarray, need: np.ndarray, repeat: int) -> None:
    from datetime import datetime

    from telekpi.wfm.rostering import build
    from telekpi.wfm.shifts import Pattern
    from telekpi.wfm.staffing import scheduled

    patterns = [Pattern("full-time", tuple(range(360, 841, 15)), 480, ((240, 30),)),
                Pattern("part-time", tuple(range(360, 1201, 15)), 240),
                Pattern("night", (1320,), 540, ((270, 30),), 1.5)]
    week = scheduled(np.asarray(need).reshape(counts.shape)[-7:].ravel(), 0.3)
    t_r, got = best(lambda: build(patterns, datetime(2026, 3, 2), week, 15), repeat)
    needed = float(week.sum()) / 4
    print(f"schedule builder: a week of 15-minute intervals ({week.size}), {got['candidates']} shift starts")
    print(f"  build                     {t_r:7.3f} s   {got['agents']} shifts, {got['agent_hours']:g} paid "
          f"agent-hours for {needed:g} needed ({needed / got['agent_hours']:.1%}); "
          f"{'optimal' if got['optimal'] else 'not proven optimal'}")


if __name__ == "__main__":
    main()
