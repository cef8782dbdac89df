"""Per-agent-per-month call KPIs: telekpi vs one hand-written DuckDB query vs plain pandas.

    python bench/kpi_bench.py [--size medium|large|small] [--repeat 5]

Generates the demo centre of that size into bench/out/ once (reused after), then
times, side by side in one run, the same six numbers (calls, connection_rate,
aht, abandonment_rate, call_conversion_rate, revenue per agent per month):
telekpi's Engine.query (what `telekpi kpi` runs), the `telekpi kpi` command as a
process, the hand-written DuckDB query, and pandas on frames already in memory.
It checks that all three agree before printing the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
METRICS = ("calls", "connection_rate", "aht", "abandonment_rate", "call_conversion_rate", "revenue")

HAND_SQL = """
WITH c AS (
  SELECT agent_id, CAST(date_trunc('month', timezone('{tz}', started_at)) AS DATE) AS month,
         count(*) AS calls,
         count(*) FILTER (WHERE status = 'answered') AS connected,
         sum(coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(wrap_s, 0))
             FILTER (WHERE status = 'answered') AS handle,
         count(*) FILTER (WHERE status = 'abandoned') AS abandoned,
         count(*) FILTER (WHERE upper(disposition) IN ('APPOINTMENT', 'SALE')) AS success
  FROM calls GROUP BY ALL),
o AS (
  SELECT agent_id, CAST(date_trunc('month', timezone('{tz}', ordered_at)) AS DATE) AS month,
         sum(amount) FILTER (WHERE status = 'completed') AS revenue
  FROM orders GROUP BY ALL)
SELECT agent_id, month, coalesce(calls, 0) AS calls, connected / nullif(calls, 0) AS connection_rate,
       handle / nullif(connected, 0) AS aht, abandoned / nullif(calls, 0) AS abandonment_rate,
       success / nullif(calls, 0) AS call_conversion_rate, coalesce(revenue, 0) AS revenue
FROM c FULL JOIN o USING (agent_id, month)
"""


def timed(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def pandas_kpis(calls, orders, tz: str):
    import pandas as pd

    c = calls
    month = c["started_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("M")
    answered = c["status"] == "answered"
    handle = (c["talk_s"].fillna(0) + c["hold_s"].fillna(0) + c["wrap_s"].fillna(0)).where(answered, 0)
    success = c["disposition"].str.upper().isin(["APPOINTMENT", "SALE"])
    frame = pd.DataFrame({"agent_id": c["agent_id"], "month": month, "answered": answered,
                          "handle": handle, "abandoned": c["status"] == "abandoned",
                          "success": success})
    g = frame.groupby(["agent_id", "month"], dropna=False).agg(
        calls=("answered", "size"), connected=("answered", "sum"), handle=("handle", "sum"),
        abandoned=("abandoned", "sum"), success=("success", "sum"))
    o = orders[orders["status"] == "completed"]
    om = o["ordered_at"].dt.tz_convert(tz).dt.tz_localize(None).dt.to_period("M")
    rev = o.assign(month=om).groupby(["agent_id", "month"], dropna=False)["amount"].sum()
    out = g.join(rev.rename("revenue"), how="outer")
    out["connection_rate"] = out["connected"] / out["calls"].where(out["calls"] > 0)
    out["aht"] = out["handle"] / out["connected"].where(out["connected"] > 0)
    out["abandonment_rate"] = out["abandoned"] / out["calls"].where(out["calls"] > 0)
    out["call_conversion_rate"] = out["success"] / out["calls"].where(out["calls"] > 0)
    out["revenue"] = out["revenue"].fillna(0)
    return out


def ensure_demo(size: str) -> Path:
    from telekpi.demo.generate import generate
    from telekpi.store.warehouse import Warehouse

    OUT.mkdir(exist_ok=True)
    db = OUT / f"demo-{size}.duckdb"
    if not db.exists():
        t0 = time.perf_counter()
        wh = Warehouse(db)
        counts = generate(wh.con, seed=42, size=size, timezone="Asia/Ho_Chi_Minh")
        wh.con.execute("CHECKPOINT")
        wh.close()
        print(f"generated {size}: {counts['calls']:,} calls in {time.perf_counter() - t0:.1f} s")
    (OUT / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\ncurrency = "VND"\n')
    return db


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", choices=["lost"], help="lost: only the lost-call recovery case")
    args = ap.parse_args()
    if args.only == "lost":
        lost_recovery(args.size, args.repeat)
        return

    from telekpi.engine.engine import Engine
    from telekpi.engine.request import Request

    db = ensure_demo(args.size)
    engine = Engine.open(db)
    con = engine.warehouse.con
    con.execute("SET threads = 2")
    tz = engine.settings.timezone
    n_calls = con.execute("SELECT count(*) FROM calls").fetchone()[0]
    req = Request(METRICS, by=("agent",), period="month")

    t_engine, res = timed(lambda: engine.query(req), args.repeat)
    t_hand, hand = timed(lambda: con.execute(HAND_SQL.format(tz=tz)).fetchall(), args.repeat)
    t_scan, _ = timed(lambda: con.execute(
        "SELECT count(*), count(agent_id), min(started_at), count(status), count(disposition), "
        "sum(talk_s), sum(hold_s), sum(wrap_s) FROM calls").fetchall(), args.repeat)
    t0 = time.perf_counter()
    calls = con.execute("SELECT agent_id, started_at, status, disposition, talk_s, hold_s, wrap_s "
                        "FROM calls").fetchdf()
    orders = con.execute("SELECT agent_id, ordered_at, status, CAST(amount AS DOUBLE) AS amount "
                         "FROM orders").fetchdf()
    t_load = time.perf_counter() - t0
    t_pandas, pdf = timed(lambda: pandas_kpis(calls, orders, tz), max(1, args.repeat // 2))

    cli = [sys.executable, "-m", "telekpi", "--db", str(db), "kpi", *METRICS, "--by", "agent",
           "--period", "month", "--format", "json"]
    t_cli, _ = timed(lambda: subprocess.run(cli, check=True, capture_output=True), 3)

    # Agreement: same number of groups and the same totals.
    total_engine = sum(r["calls"] for r in res.rows)
    total_hand = sum(r[2] for r in hand)
    total_pandas = int(pdf["calls"].fillna(0).sum())
    rev_engine = sum(r["revenue"] for r in res.rows)
    rev_pandas = float(pdf["revenue"].sum())
    assert len(res.rows) == len(hand) == len(pdf), (len(res.rows), len(hand), len(pdf))
    assert total_engine == total_hand == total_pandas == n_calls
    assert abs(rev_engine - rev_pandas) <= 1e-6 * max(1.0, rev_pandas)

    print(f"\nper-agent-per-month call KPIs, {args.size}: {n_calls:,} calls, {len(res.rows)} rows, "
          f"2 threads, median of {args.repeat}")
    print(f"  telekpi Engine.query        {t_engine:8.3f} s   {t_engine / t_hand:5.2f}x hand-written")
    print(f"  telekpi kpi (process)       {t_cli:8.3f} s   (includes Python start-up)")
    print(f"  hand-written DuckDB query   {t_hand:8.3f} s")
    print(f"  DuckDB bare scan of columns {t_scan:8.3f} s")
    print(f"  pandas (frames in memory)   {t_pandas:8.3f} s   telekpi is {t_pandas / t_engine:5.1f}x faster")
    print(f"  pandas load from DuckDB     {t_load:8.3f} s   (not counted above)")
    lost_recovery(args.size, args.repeat)


def lost_recovery(size: str, repeat: int) -> None:
    """Lost-call recovery (docs/operations.md) over every call: each lost inbound call matched
    to the first answered call of its customer within recovery_window_h — the metrics, and the
    list of those not won back (oldest first, our attempts counted)."""
    from telekpi.engine.engine import Engine
    from telekpi.engine.operations import OperationsLists
    from telekpi.engine.request import Request

    engine = Engine.open(ensure_demo(size))
    con = engine.warehouse.con
    con.execute("SET threads = 2")
    n_calls, n_inbound = con.execute("SELECT count(*), count(*) FILTER (WHERE direction = 'inbound') "
                                     "FROM calls").fetchone()
    req = Request(("lost_calls", "lost_call_recovery_rate", "recovery_time", "recovered_sales"))
    t_metrics, res = timed(lambda: engine.query(req), repeat)
    lists = OperationsLists(engine)
    t_list, page = timed(lambda: lists.lost_not_recovered(limit=100), repeat)
    cb_req = Request(("callbacks_due", "callback_on_time_rate", "callbacks_late", "callbacks_never"))
    t_cb, cb = timed(lambda: engine.query(cb_req), repeat)
    t_overdue, overdue = timed(lambda: lists.overdue_callbacks(limit=100), repeat)
    row = res.rows[0]
    print(f"\nlost-call recovery, {size}: {n_calls:,} calls ({n_inbound:,} inbound), "
          f"{row['lost_calls']:,} lost, {row['lost_call_recovery_rate']:.1%} won back, 2 threads, "
          f"median of {repeat}; the issue's target: under 5 s for 10M calls")
    print(f"  metrics (Engine.query)      {t_metrics:8.3f} s")
    print(f"  list not won back (page 1)  {t_list:8.3f} s   ({page.total:,} in the list)")
    print(f"  callbacks metrics           {t_cb:8.3f} s   ({cb.rows[0]['callbacks_due'] or 0:,} promised)")
    print(f"  callbacks overdue (page 1)  {t_overdue:8.3f} s   ({overdue.total:,} in the list)")

if __name__ == "__main__":
    main()
