"""Planning time: a request → its SQL, without running it (what every query pays first).

    python bench/plan_bench.py [--repeat 200]

Times planning a request not planned before (``Planner.plan`` keeps its plans) with its
DuckDB SQL (what the warehouse runs), and with its Spark and ClickHouse SQL (plan and
rewrite), for representative requests: kpi_bench's six KPIs per agent per month, the same
read from the daily rollups, a filtered team split, growth, retention, and every built-in
metric in one request. Medians in milliseconds; the first call (cold caches) apart.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

KPIS = ("calls", "connection_rate", "aht", "abandonment_rate", "call_conversion_rate", "revenue")


def requests(catalog) -> dict[str, object]:
    from telekpi.engine.request import Request

    jan, mar = date(2026, 1, 1), date(2026, 3, 31)
    return {
        "kpis by agent, month": Request(KPIS, by=("agent",), period="month"),
        "kpis by team, where": Request(KPIS, by=("team",), start=jan, end=mar,
                                       where=(("campaign", "C1"), ("campaign", "C2"))),
        "growth by agent": Request(("revenue_growth", "calls"), by=("agent",), period="month",
                                   start=jan, end=mar),
        "retention": Request(("retention_rate",), period="month", start=jan),
        "funnel by campaign": Request(("leads_attempted", "leads_won", "close_rate"),
                                      by=("campaign",), period="week", start=jan, end=mar),
        "every metric": Request(tuple(catalog.metrics), period="month", start=jan),
    }


def timed(fn, repeat: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    fn()
    cold = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return cold * 1000, statistics.median(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from telekpi.catalog.loader import load_catalog
    from telekpi.engine.planner import Planner
    from telekpi.engine.rollups import SPECS, Rollup, column_of, mergeable
    from telekpi.settings import Settings
    print(f"import: {(time.perf_counter() - t0) * 1000:.0f} ms")

    settings = Settings(timezone="Asia/Ho_Chi_Minh")
    catalog = load_catalog(None)
    planner = Planner(catalog, settings)
    # every rollup, holding every mergeable measure: what a refreshed warehouse reads
    rollups = {}
    for name, spec in SPECS.items():
        cols = {column_of(m, settings)
                for m in catalog.measures.values() if m.model == name and mergeable(m)}
        rollups[name] = Rollup(name, spec.table, tuple((frozenset(g), spec.mask(g))
                                                        for g in spec.grouping_sets), frozenset(cols))
    rolled = Planner(catalog, settings, rollups)

    print(f"{'request':24} {'plan':>14} {'rollups':>14} {'spark':>14} {'clickhouse':>14}")
    for name, req in requests(catalog).items():
        few = max(args.repeat // 4, 5)
        # Planner._plan: what Planner.plan does for a request it has not planned yet
        cells = [timed(lambda r=req: planner._plan(r).sql, args.repeat),
                 timed(lambda r=req: rolled._plan(r).sql, args.repeat),
                 timed(lambda r=req: planner._plan(r).text("spark"), few),
                 timed(lambda r=req: planner._plan(r).text("clickhouse"), few)]
        print(f"{name:24} " + " ".join(f"{warm:6.2f} ({cold:5.1f})" for cold, warm in cells))
    print("ms: median warm (first call)")


if __name__ == "__main__":
    main()
