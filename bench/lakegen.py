"""Generate N calls (and their leads, orders, agents, campaigns) straight to a telekpi
Parquet lake, as `telekpi export-lake` lays it out, without holding them in memory.

    python bench/lakegen.py OUT_DIR --calls 100000000 [--seed 7]

DuckDB streams each table from ``range(n)`` into month partitions (COPY … PARTITION_BY),
so memory stays bounded whatever N is. Values are hashes of the row number and the seed:
the same seed gives the same lake. The shape follows the demo centre: a year of calls over
5,000 agents in 50 campaigns; about three dial attempts per lead; a third of attempts
answered, a few abandoned; dispositions that follow the funnel; orders for some sales,
some cancelled or refunded. Tables the call KPIs and the funnel do not read are written
empty, with their schema, so every engine sees every canonical table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from telekpi.model.tables import TABLES
from telekpi.store.lake import LAKE_FORMAT, MANIFEST, META
from telekpi.store.warehouse import create_table_sql

TZ = "Asia/Ho_Chi_Minh"
AGENTS, CAMPAIGNS, TEAMS = 5000, 50, 100
START = "2025-01-01 01:00:00+00"
SPAN_S = 365 * 86400


def _u(col: str, salt: int, seed: int) -> str:
    """A uniform number in [0, 1) from a row number and a salt."""
    return f"((hash({col}, {salt}, {seed}) % 1000000) / 1000000.0)"


def calls_sql(n: int, seed: int) -> str:
    u = lambda salt: _u("i", salt, seed)  # noqa: E731
    return f"""
    SELECT 'c' || i AS call_id,
           TIMESTAMPTZ '{START}' + to_seconds(CAST(i * {SPAN_S} // {n} AS BIGINT)) AS started_at,
           CASE WHEN {u(1)} < 0.02 THEN NULL
                ELSE 'A' || lpad(CAST(hash(i, 2, {seed}) % {AGENTS} AS VARCHAR), 4, '0') END AS agent_id,
           'K' || (hash(i, 3, {seed}) % {CAMPAIGNS}) AS campaign_id,
           'L' || (hash(i // 3, 4, {seed}) % {max(n // 3, 1)}) AS lead_id,
           CASE WHEN {u(5)} < 0.9 THEN 'outbound' ELSE 'inbound' END AS direction,
           CASE WHEN {u(6)} < 0.34 THEN 'answered' WHEN {u(6)} < 0.38 THEN 'abandoned'
                WHEN {u(6)} < 0.70 THEN 'no_answer' WHEN {u(6)} < 0.85 THEN 'busy'
                WHEN {u(6)} < 0.95 THEN 'voicemail' ELSE 'failed' END AS status,
           CASE WHEN {u(6)} >= 0.34 THEN NULL WHEN {u(7)} < 0.10 THEN 'SALE'
                WHEN {u(7)} < 0.16 THEN 'APPOINTMENT' WHEN {u(7)} < 0.40 THEN 'CALLBACK'
                WHEN {u(7)} < 0.55 THEN 'GATEKEEPER' ELSE 'NOT_INTERESTED' END AS disposition,
           round(2 + 20 * {u(8)}, 1) AS ring_s,
           CASE WHEN {u(5)} >= 0.9 THEN round(60 * {u(9)}, 1) END AS wait_s,
           CASE WHEN {u(6)} < 0.34 THEN round(20 + 400 * {u(10)} * {u(10)}, 1) ELSE 0 END AS talk_s,
           CASE WHEN {u(6)} < 0.34 AND {u(11)} < 0.2 THEN round(60 * {u(12)}, 1) ELSE 0 END AS hold_s,
           CASE WHEN {u(6)} < 0.34 THEN round(5 + 40 * {u(13)}, 1) ELSE 0 END AS wrap_s,
           CASE WHEN {u(14)} < 0.5 THEN 'A' ELSE 'B' END AS script,
           CASE WHEN {u(6)} < 0.34 THEN round(3 + 1.5 * {u(15)}, 2) END AS mos,
           NULL::VARCHAR AS recording_url
    FROM range({n}) t(i)"""


def leads_sql(n_leads: int, seed: int) -> str:
    return f"""
    SELECT 'L' || i AS lead_id,
           TIMESTAMPTZ '{START}' + to_seconds(CAST(i * {SPAN_S} // {n_leads} AS BIGINT)) - INTERVAL 2 HOUR
               AS created_at,
           'K' || (hash(i, 20, {seed}) % {CAMPAIGNS}) AS campaign_id,
           CASE WHEN {_u('i', 21, seed)} < 0.5 THEN 'web' ELSE 'list' END AS source,
           CASE WHEN {_u('i', 22, seed)} < 0.3 THEN 'sme' ELSE 'consumer' END AS segment,
           'C' || i AS customer_id, NULL::VARCHAR AS name, NULL::VARCHAR AS phone
    FROM range({n_leads}) t(i)"""


def orders_sql(seed: int) -> str:
    """An order for nine in ten calls coded SALE; one in ten cancelled, one in twenty refunded."""
    return f"""
    SELECT 'o' || call_id AS order_id, started_at + INTERVAL 10 MINUTE AS ordered_at,
           CAST(round(500000 + 4500000 * {_u('call_id', 30, seed)}, -3) AS DECIMAL(18,4)) AS amount,
           CASE WHEN {_u('call_id', 31, seed)} < 0.10 THEN 'cancelled'
                WHEN {_u('call_id', 31, seed)} < 0.15 THEN 'refunded' ELSE 'completed' END AS status,
           'C' || substr(lead_id, 2) AS customer_id, lead_id, agent_id, campaign_id, call_id,
           NULL::VARCHAR AS product
    FROM calls WHERE disposition = 'SALE' AND {_u('call_id', 32, seed)} < 0.9"""


def generate(out: Path, n_calls: int, seed: int = 7, threads: int | None = None) -> dict:
    """Write the lake; returns the manifest (rows per table, seconds taken)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = false")
    if threads:
        con.execute(f"SET threads = {threads}")
    started = time.perf_counter()
    # Empty tables with the warehouse's schema give every table its columns and types.
    for t in TABLES.values():
        con.execute(create_table_sql(t).replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE"))
    month = f"strftime(timezone('{TZ}', {{col}}), '%Y-%m')"

    def copy(name: str, select: str) -> None:
        col = f'"{TABLES[name].time}"' if TABLES[name].time else None
        target = out / name
        if col:
            con.execute(f"COPY (SELECT *, {month.format(col=col)} AS month FROM ({select})) "
                        f"TO '{target}' (FORMAT parquet, PARTITION_BY (month), ROW_GROUP_SIZE 1000000)")
        else:
            target.mkdir()
            con.execute(f"COPY ({select}) TO '{target / 'data_0.parquet'}' (FORMAT parquet)")

    typed = lambda name, sql: f"SELECT * FROM {name} UNION ALL BY NAME ({sql})"  # noqa: E731
    copy("calls", typed("calls", calls_sql(n_calls, seed)))
    con.execute(f"CREATE VIEW calls_lake AS SELECT * EXCLUDE (month) FROM "
                f"read_parquet('{out / 'calls'}/**/*.parquet', hive_partitioning = true)")
    copy("leads", typed("leads", leads_sql(max(n_calls // 3, 1), seed)))
    copy("orders", typed("orders", orders_sql(seed).replace("FROM calls", "FROM calls_lake")))
    copy("agents", typed("agents", f"""
        SELECT 'A' || lpad(CAST(i AS VARCHAR), 4, '0') AS agent_id, 'Agent ' || i AS name,
               'T' || (i % {TEAMS}) AS team_id,
               CASE WHEN i % {TEAMS} < 20 THEN 'outsourced' ELSE 'in_house' END AS site,
               CASE WHEN i % {TEAMS} < 20 THEN 'V' || (i % 3) END AS vendor,
               NULL::VARCHAR AS supervisor_id, NULL::DATE AS hired_on, NULL::VARCHAR AS level
        FROM range({AGENTS}) t(i)"""))
    copy("campaigns", typed("campaigns", f"""
        SELECT 'K' || i AS campaign_id, 'Campaign ' || i AS name,
               ['retail', 'insurance', 'saas'][i % 3 + 1] AS industry, 'P' || (i % 7) AS product,
               NULL::DATE AS starts_on, NULL::DATE AS ends_on FROM range({CAMPAIGNS}) t(i)"""))
    for name in TABLES:
        if not (out / name).exists():   # empty, laid out as export-lake lays out an empty table
            folder = out / name / "month=none" if TABLES[name].time else out / name
            folder.mkdir(parents=True)
            con.execute(f"COPY {name} TO '{folder / 'data_0.parquet'}' (FORMAT parquet)")
    counts = {name: con.execute(
        f"SELECT count(*) FROM read_parquet('{out / name}/**/*.parquet')").fetchone()[0]
        for name in TABLES}
    seconds = time.perf_counter() - started
    (out / META).mkdir()
    (out / META / "telekpi.toml").write_text(f'timezone = "{TZ}"\n', encoding="utf-8")
    manifest = {"format": LAKE_FORMAT, "exported_at": datetime.now(UTC).isoformat(),
                "warehouse": None, "timezone": TZ, "generated": {"calls": n_calls, "seed": seed,
                                                              "seconds": round(seconds, 1)},
                "tables": {n: {"rows": c, "time": TABLES[n].time} for n, c in counts.items()}}
    (out / META / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    con.close()
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    m = generate(args.out, args.calls, args.seed)
    print(json.dumps(m["generated"]), {k: v["rows"] for k, v in m["tables"].items()})


if __name__ == "__main__":
    main()
