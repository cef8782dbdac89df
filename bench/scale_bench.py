"""The same catalog on DuckDB, ClickHouse (chdb) and Spark over Parquet lakes of 1M, 10M
and 100M calls: time, peak memory, and the ratio to DuckDB's bare scan of the columns.

    python bench/scale_bench.py [--sizes 1M,10M,100M] [--engines duckdb,clickhouse,spark]

Each lake is generated once by bench/lakegen.py into bench/out/lake-SIZE (reused after).
Each (size, engine) runs in its own process, whose memory (with its children: Spark's JVM)
is sampled every 50 ms for the peak. In that process the engine starts over the lake,
then runs one warm-up and REPEAT timed runs of:

- kpi: calls, connection_rate, aht, abandonment_rate, call_conversion_rate and revenue per
  agent per month (what `telekpi kpi … --by agent --period month --engine E --lake L` runs);
- funnel: the lead funnel with its bands and bottleneck (`telekpi funnel`).

The kpi is answered from the lake's daily rollups (computed once per lake with DuckDB,
timed) and, by the same engine with its rollups turned off, from the calls rows; both
answers are checked equal.

The floor is DuckDB reading the same calls columns with nothing else to do (``scan``);
``ratio`` is the engine's kpi time over it. Beside it, ``hand`` is the best hand-written
DuckDB query over the rows found for these KPIs (the month from the partition folder;
its answers are checked equal too): what reading the rows costs at best.
The answers of every engine are checked equal to DuckDB's before anything is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SIZES = {"1M": 1_000_000, "10M": 10_000_000, "100M": 100_000_000}
METRICS = ("calls", "connection_rate", "aht", "abandonment_rate", "call_conversion_rate", "revenue")
SCAN_COLUMNS = ("agent_id", "started_at", "status", "disposition", "talk_s", "hold_s", "wrap_s")
SPARK_CONF = {"spark.driver.memory": "8g", "spark.sql.shuffle.partitions": "8"}
HAND_SQL = """
WITH c AS (
  SELECT agent_id, month, count(*) AS calls,
         count(*) FILTER (WHERE status = 'answered') AS connected,
         sum(coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(wrap_s, 0))
             FILTER (WHERE status = 'answered') AS handle,
         count(*) FILTER (WHERE status = 'abandoned') AS abandoned,
         count(*) FILTER (WHERE upper(trim(disposition)) IN ({sale})) AS success
  FROM read_parquet('{lake}/calls/**/*.parquet', hive_partitioning = true) GROUP BY ALL),
o AS (
  SELECT agent_id, month, sum(amount) FILTER (WHERE status = 'completed') AS revenue
  FROM read_parquet('{lake}/orders/**/*.parquet', hive_partitioning = true) GROUP BY ALL)
SELECT coalesce(c.agent_id, o.agent_id) AS agent, coalesce(c.month, o.month) || '-01' AS period,
       coalesce(calls, 0) AS calls, connected / nullif(calls, 0) AS connection_rate,
       handle / nullif(connected, 0) AS aht, abandoned / nullif(calls, 0) AS abandonment_rate,
       coalesce(success, 0) / nullif(coalesce(calls, 0), 0) AS call_conversion_rate,
       coalesce(revenue, 0) AS revenue
FROM c FULL JOIN o ON c.agent_id IS NOT DISTINCT FROM o.agent_id AND c.month = o.month
"""


# ---- the child: one engine over one lake ---------------------------------------------------

def child(engine_name: str, lake: str, repeat: int, raw: bool = True, with_funnel: bool = True) -> dict:
    sys.path.insert(0, str(HERE.parent / "src"))
    from telekpi.analysis.funnel import funnel
    from telekpi.engine.engine import Engine
    from telekpi.engine.request import Request

    out: dict = {}
    t0 = time.perf_counter()
    if engine_name == "rollup":
        from telekpi.catalog.loader import load_catalog
        from telekpi.engine.rollups import rollup_lake
        from telekpi.settings import load_settings
        from telekpi.store.lake import lake_workspace

        ws = lake_workspace(lake)
        entries = rollup_lake(Path(lake), load_catalog(ws), load_settings(ws))
        out["seconds"] = time.perf_counter() - t0
        out["rows"] = {m: e["rows"] for m, e in entries.items()}
        return out
    if engine_name == "scan":
        import duckdb

        con = duckdb.connect()
        cols = ", ".join(f"count({c})" if c in ("agent_id", "status", "disposition", "started_at")
                         else f"sum({c})" for c in SCAN_COLUMNS)
        sql = f"SELECT {cols} FROM read_parquet('{lake}/calls/**/*.parquet')"
        out["start_s"] = time.perf_counter() - t0
        out["kpi"] = _timed(lambda: con.execute(sql).fetchall(), repeat)[0]
        return out
    if engine_name == "hand":
        import duckdb

        from telekpi.model.dispositions import codes_with
        from telekpi.settings import load_settings
        from telekpi.store.lake import lake_workspace

        settings = load_settings(lake_workspace(lake))
        sale = ", ".join(f"'{c}'" for c in codes_with("success", settings.dispositions))
        con = duckdb.connect()
        cur = lambda: con.execute(HAND_SQL.format(lake=lake, sale=sale))  # noqa: E731
        names = [d[0] for d in cur().description]
        out["start_s"] = time.perf_counter() - t0
        out["kpi"], rows = _timed(lambda: cur().fetchall(), repeat)
        out["kpi_rows"] = [{k: (float(v) if hasattr(v, "is_finite") else v)
                            for k, v in zip(names, r, strict=True)} for r in rows]
        return out
    options = {"spark_master": "local[2]", "spark_conf": SPARK_CONF} if engine_name == "spark" else {}
    engine = Engine.over_lake(lake, engine_name, **options)
    out["start_s"] = time.perf_counter() - t0
    req = Request(METRICS, by=("agent",), period="month")
    assert "_rollup_calls" in engine.explain(req), "the lake has no current calls rollup"
    out["kpi"], rows = _timed(lambda: engine.query(req).rows, repeat)
    out["kpi_rows"] = rows
    if with_funnel:   # from the funnel's combos rollup (engine/rollups/combos.py)
        out["funnel_rollup"] = "_rollup_lead_stages" in engine.explain(Request(("leads_attempted",)))
        out["funnel"], f = _timed(lambda: funnel(engine, Request(())), repeat)
        out["funnel_result"] = f["groups"][0]["stages"]
    if raw:   # the same engine reading the rows: what the rollups save
        engine.planner.rollups = {}
        out["kpi_raw"], raw_rows = _timed(lambda: engine.query(req).rows, repeat)
        out["kpi_raw_same"] = same_rows(raw_rows, rows)
        if with_funnel:
            out["funnel_raw"], f_raw = _timed(lambda: funnel(engine, Request(())), repeat)
            out["funnel_raw_same"] = f_raw["groups"][0]["stages"] == out["funnel_result"]
    engine.close()
    return out


def _timed(fn, repeat: int):
    fn()   # warm-up: the first run also pays for JIT, metadata and file listing
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return {"median_s": statistics.median(times), "runs_s": times}, result


# ---- the parent ----------------------------------------------------------------------------

def run_child(engine_name: str, lake: Path, repeat: int, flags: tuple[str, ...] = ()) -> dict:
    import psutil

    result_file = OUT / f"scale-{engine_name}.json"   # not a pipe: the answers are large
    result_file.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, __file__, "--child", engine_name, str(lake),
                             "--repeat", str(repeat), "--result", str(result_file), *flags])
    ps, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            rss = sum(p.memory_info().rss for p in [ps, *ps.children(recursive=True)])
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    if proc.returncode:
        raise SystemExit(f"{engine_name} on {lake} failed (exit {proc.returncode})")
    result = json.loads(result_file.read_text())
    result["peak_mb"] = peak / 2**20
    return result


def same_rows(a: list[dict], b: list[dict]) -> bool:
    key = lambda r: (str(r["agent"]), r["period"])  # noqa: E731
    a, b = sorted(a, key=key), sorted(b, key=key)
    return len(a) == len(b) and all(
        key(x) == key(y) and all(
            (x[m] is None and y[m] is None) or (x[m] is not None and y[m] is not None
                                                and math.isclose(x[m], y[m], rel_tol=1e-9))
            for m in METRICS) for x, y in zip(a, b, strict=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1M,10M,100M")
    ap.add_argument("--engines", default="duckdb,clickhouse,spark")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-raw", action="store_true", help="skip the KPIs read from the rows")
    ap.add_argument("--no-funnel", default="", help="SIZE:ENGINE pairs that skip the funnel, "
                    "e.g. 100M:spark (its 100M funnel takes minutes)")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "LAKE"))
    ap.add_argument("--result", type=Path)
    args = ap.parse_args()
    if args.child:
        out = child(args.child[0], args.child[1], args.repeat, raw=not args.no_raw,
                    with_funnel=args.no_funnel != "all")
        args.result.write_text(json.dumps(out, default=str))
        return
    skip_funnel = set(filter(None, args.no_funnel.split(",")))
    sys.path.insert(0, str(HERE))
    from lakegen import generate

    table = []
    for size in args.sizes.split(","):
        lake = OUT / f"lake-{size}"
        if not (lake / "_telekpi" / "lake.json").exists():
            t = time.perf_counter()
            generate(lake, SIZES[size])
            print(f"generated {size} calls into {lake} in {time.perf_counter() - t:.1f} s", flush=True)
        gen = json.loads((lake / "_telekpi" / "lake.json").read_text())
        if not _current_rollups(lake, gen):
            r = run_child("rollup", lake, 1)
            print(f"{size:>5} rollups built from the lake in {r['seconds']:.1f} s "
                  f"(peak {r['peak_mb']:.0f} MB): {r['rows']}", flush=True)
            gen = json.loads((lake / "_telekpi" / "lake.json").read_text())
        rollup_s = sum(e["seconds"] for e in gen["rollups"].values())
        disk = sum(f.stat().st_size for f in (lake / "calls").rglob("*.parquet")) / 2**20
        scan = run_child("scan", lake, args.repeat)
        hand = run_child("hand", lake, args.repeat)
        print(f"{size:>5} hand-written DuckDB over the rows {hand['kpi']['median_s']:.2f} s "
              f"({hand['kpi']['median_s'] / scan['kpi']['median_s']:.1f}x the bare scan)", flush=True)
        base = None
        for engine in args.engines.split(","):
            funnel = f"{size}:{engine}" not in skip_funnel
            flags = (("--no-raw",) if args.no_raw else ()) + (() if funnel else ("--no-funnel", "all"))
            r = run_child(engine, lake, args.repeat, flags)
            if engine == "duckdb":
                base = r
                assert same_rows(hand["kpi_rows"], r["kpi_rows"]), f"the hand-written query differs at {size}"
            elif base is not None:
                assert same_rows(r["kpi_rows"], base["kpi_rows"]), f"{engine} kpi differs at {size}"
                if funnel and "funnel" in base:
                    assert r["funnel_result"] == base["funnel_result"], f"{engine} funnel differs at {size}"
            assert r.get("kpi_raw_same", True), f"{engine}: rollup and rows disagree at {size}"
            assert r.get("funnel_raw_same", True), f"{engine}: the funnel's rollup and rows disagree at {size}"
            table.append({"size": size, "engine": engine, "start_s": r["start_s"],
                          "kpi_s": r["kpi"]["median_s"],
                          "kpi_raw_s": r["kpi_raw"]["median_s"] if "kpi_raw" in r else None,
                          "funnel_s": r["funnel"]["median_s"] if "funnel" in r else None,
                          "funnel_raw_s": r["funnel_raw"]["median_s"] if "funnel_raw" in r else None,
                          "funnel_rollup": r.get("funnel_rollup"),
                          "scan_s": scan["kpi"]["median_s"], "hand_s": hand["kpi"]["median_s"],
                          "peak_mb": r["peak_mb"],
                          "rollup_s": rollup_s, "calls_mb": disk,
                          "generate_s": gen.get("generated", {}).get("seconds")})
            row = table[-1]
            print(f"{size:>5} {engine:<10} start {row['start_s']:6.1f} s  kpi {row['kpi_s']:7.2f} s "
                  f"(rows {_s(row['kpi_raw_s'])}; scan {row['scan_s']:.2f} s, ratio "
                  f"{row['kpi_s'] / row['scan_s']:.2f})  funnel {_s(row['funnel_s'])} "
                  f"({'from the combos rollup' if row['funnel_rollup'] else 'from the rows'}; "
                  f"rows {_s(row['funnel_raw_s'])})  "
                  f"peak {row['peak_mb']:6.0f} MB", flush=True)
    print("\n| calls | engine | kpi from rollup | kpi from rows | hand-written, rows | bare scan "
          "| ratio (rollup / rows) | funnel | peak memory | start |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in table:
        raw = r["kpi_raw_s"]
        print(f"| {r['size']} | {r['engine']} | {r['kpi_s']:.2f} s | {_s(raw)} | {r['hand_s']:.2f} s | "
              f"{r['scan_s']:.2f} s | "
              f"{r['kpi_s'] / r['scan_s']:.2f}× / {(raw or float('nan')) / r['scan_s']:.1f}× | "
              f"{_s(r['funnel_s'])} | {r['peak_mb']:,.0f} MB | {r['start_s']:.1f} s |")
    results = OUT / "scale_results.json"   # merged by size and engine across runs
    old = json.loads(results.read_text()) if results.exists() else []
    keep = [r for r in old if (r["size"], r["engine"]) not in {(t["size"], t["engine"]) for t in table}]
    results.write_text(json.dumps(keep + table, indent=2) + "\n")


def _current_rollups(lake: Path, manifest: dict) -> bool:
    """Does the lake hold every rollup, built by this version for its settings?"""
    from telekpi.engine.rollups import SPECS, from_manifest
    from telekpi.settings import load_settings

    return len(from_manifest(manifest, load_settings(lake / "_telekpi"))) == len(SPECS)


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
