"""Import throughput with validation, and peak memory, on a large calls CSV.

    python bench/import_bench.py [--rows 10000000]

Writes a realistic calls CSV (bench/out/calls-N.csv, reused) with a few bad
rows, then times side by side in one run: `telekpi import calls` as a process
(every row validated, staged, upserted, quarantine written) — first into an
empty warehouse and again as a no-op re-import — and DuckDB's own read_csv
into a table with no checks: as text, with detected types, and with detected
types and insertion order off (DuckDB's fastest load of this file), and the
write alone (the typed rows copied from one table of the file to another).
Those are floors: no import that checks every value and writes the rows into
a DuckDB file can be faster than DuckDB loading them unchecked. It also times
reading the file: pyarrow's CSV reader, every column as text (the reader
`telekpi import` uses), in this process. Peak memory is the importing process's
maximum resident set size.

It prints the ratios of issue 23's goals: the import into an empty warehouse
÷ DuckDB's fastest unchecked load (goal ≤ 1.5), the no-op re-import ÷ reading
the file (goal ≤ 1.2) and the peak memory (goal < 2 GB), each for the import
as the command reports it and for the whole command (interpreter start-up,
opening the warehouse, and after a first import the daily rollups).
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

OUT = Path(__file__).resolve().parent / "out"
RAW_DB = OUT / "raw-bench.duckdb"


def make_csv(rows: int) -> Path:
    path = OUT / f"calls-{rows}.csv"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT 'C' || i AS call_id,
               strftime(TIMESTAMP '2026-09-01 08:00:00' + INTERVAL (i * 7 % 7776000) SECOND,
                        '%Y-%m-%d %H:%M:%S') AS started_at,
               'A' || (i % 600) AS agent_id, 'K' || (i % 5) AS campaign_id, 'L' || (i // 4) AS lead_id,
               CASE WHEN i % 12 = 0 THEN 'inbound' ELSE 'outbound' END AS direction,
               CASE WHEN i = 5000 THEN 'weird' WHEN i % 5 < 3 THEN 'answered' WHEN i % 5 = 3 THEN 'no_answer'
                    ELSE 'busy' END AS status,
               CASE WHEN i % 5 < 3 THEN ['SALE', 'NI', 'GATEKEEPER', 'CALLBACK'][i % 4 + 1] END AS disposition,
               i % 30 AS ring_s, CASE WHEN i = 7000 THEN -5 ELSE (i * 13) % 600 END AS talk_s,
               i % 20 AS hold_s, i % 45 AS wrap_s, 'https://rec.example.vn/C' || i || '.mp3' AS recording_url
        FROM range({rows}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    return path


CPU: dict[str, float] = {}   # CPU seconds (all threads) of each measure, by label


def cpu(who: int = resource.RUSAGE_SELF) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def run(cmd: list[str], label: str) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0, c0 = time.perf_counter(), cpu(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t0
    CPU[label] = cpu(resource.RUSAGE_CHILDREN) - c0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, p.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    args = ap.parse_args()
    path = make_csv(args.rows)
    db = OUT / "import-bench.duckdb"
    for f in (db, Path(str(db) + ".wal")):
        f.unlink(missing_ok=True)
    telekpi = [sys.executable, "-m", "telekpi", "--db", str(db), "import", "calls", str(path), "-q"]
    first = run(telekpi, "first")
    again = run(telekpi, "again")
    read = read_alone(path)
    raw = raw_load(path, "all_varchar = true", label="raw")
    typed = raw_load(path, "auto_detect = true", label="typed")
    copy = write_alone()
    unordered = raw_load(path, "auto_detect = true", "SET preserve_insertion_order = false", label="unordered")
    mb = path.stat().st_size / 1e6
    n = args.rows
    print(f"import of {n:,} calls ({mb:,.0f} MB CSV), 2 cores")
    for line in first[2].splitlines():   # the import's summary, and the rollups it brought up to date
        print(f"  {line}")
    rows = [
        ("telekpi import, empty warehouse", first[0], f"peak {first[1]:,.0f} MB; the whole command"),
        ("telekpi re-import (no-op)", again[0], f"peak {again[1]:,.0f} MB"),
        ("DuckDB read_csv as text, no checks", raw, f"telekpi is {first[0] / raw:.1f}x"),
        ("DuckDB read_csv typed, no checks", typed, f"telekpi is {first[0] / typed:.1f}x"),
        ("  same, insertion order off", unordered, f"telekpi is {first[0] / unordered:.1f}x; DuckDB's fastest load"),
        ("DuckDB writing the typed rows alone", copy, f"telekpi is {first[0] / copy:.1f}x; table to table"),
    ]
    for label, seconds, note in rows:
        print(f"  {label:36s} {seconds:6.1f} s  {n / seconds:>11,.0f} rows/s  ({note})")
    rows.append(("pyarrow reading the file as text", read, "in this process; no checks, no writes"))
    for label, seconds, note in rows[-1:]:
        print(f"  {label:36s} {seconds:6.1f} s  {n / seconds:>11,.0f} rows/s  ({note})")
    fastest = min(unordered, typed)
    load, noop = import_seconds(first[2]), import_seconds(again[2])
    print("goals (issue 23), ratios of this run:")
    print(f"  import into an empty warehouse / DuckDB's fastest load: {load / fastest:.2f} (the import), "
          f"{first[0] / fastest:.2f} (whole command); goal <= 1.5: {verdict(load / fastest <= 1.5)}")
    print(f"  no-op re-import / reading the file: {noop / read:.2f} (the import), "
          f"{again[0] / read:.2f} (whole command); goal <= 1.2: {verdict(noop / read <= 1.2)}")
    peak = max(first[1], again[1])
    print(f"  peak memory {peak:,.0f} MB; goal < 2,000 MB: {verdict(peak < 2000)}")
    # On a shared machine the wall-clock ratios swing with the load; CPU seconds do not.
    fastest_cpu = CPU["unordered" if unordered <= typed else "typed"]
    print(f"  CPU seconds (all threads): import command {CPU['first']:.1f}, no-op command {CPU['again']:.1f}, "
          f"DuckDB's fastest load {fastest_cpu:.1f}, reading the file {CPU['read']:.1f}; "
          f"import / fastest load {CPU['first'] / fastest_cpu:.2f}, no-op / reading {CPU['again'] / CPU['read']:.2f}")


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def import_seconds(output: str) -> float:
    """The import's own seconds, from its summary ('… in 12.3 s (…rows/s)')."""
    found = re.search(r" ([0-9.]+) s \(", output.splitlines()[0])
    if not found:
        raise SystemExit(f"no time in the import's summary: {output.splitlines()[0]!r}")
    return float(found.group(1))


def read_alone(path: Path) -> float:
    """Seconds for pyarrow to read the whole file, every column as text."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = path.open(encoding="utf-8").readline().rstrip("\n").split(",")
    t0, c0 = time.perf_counter(), cpu()
    pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in names}))
    CPU["read"] = cpu() - c0
    return time.perf_counter() - t0


def raw_load(path: Path, options: str, setting: str = "", *, label: str) -> float:
    """DuckDB's own CSV reader into a warehouse file: no mapping, no checks, no keys."""
    RAW_DB.unlink(missing_ok=True)
    t0, c0 = time.perf_counter(), cpu()
    con = duckdb.connect(str(RAW_DB))
    if setting:
        con.execute(setting)
    con.execute(f"CREATE TABLE calls AS SELECT * FROM read_csv('{path}', header = true, {options})")
    con.close()
    CPU[label] = cpu() - c0
    return time.perf_counter() - t0


def write_alone() -> float:
    """Seconds to copy the table the last ``raw_load`` left into a second one: writing alone."""
    con = duckdb.connect(str(RAW_DB))
    t0 = time.perf_counter()
    con.execute("CREATE TABLE copy AS SELECT * FROM calls")
    con.close()
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
