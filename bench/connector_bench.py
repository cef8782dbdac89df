"""Lines per second and peak memory of each dialer/PBX connector on a 10M-line file.

    python bench/connector_bench.py [--lines 10000000] [--only asterisk-cdr,twilio]

For each connector, writes a file of that many lines in the switch's own
layout (bench/out/conn-FORMAT-N.*, reused; DuckDB writes them without holding
them in memory), then runs `telekpi import` on it as its own process into an
empty warehouse and prints time, lines/s and the process's peak resident
memory. Each import validates, stages and upserts every row as a user's would.
The queue_log connector reads the log twice (calls, then agent states) and
parses it in Python, which is why it is the slowest.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import duckdb

OUT = Path(__file__).resolve().parent / "out"
T0 = "TIMESTAMP '2026-09-01 08:00:00'"


def _ts(expr: str) -> str:
    return f"strftime({T0} + INTERVAL ({expr}) SECOND, '%Y-%m-%d %H:%M:%S')"


def _q(expr: str) -> str:
    return f"'\"' || ({expr}) || '\"'"


def _with_header(header: str, fields: list[str], rows: int) -> str:
    """A header line, then ``rows`` lines of the comma-joined SQL ``fields`` over ``i``."""
    body = " || ',' || ".join(fields)
    return (f"SELECT line FROM (SELECT 0 AS k, {header} AS line UNION ALL "
            f"SELECT 1 + i, {body} FROM range({rows}) t(i)) ORDER BY k")


def sql_asterisk_cdr(n: int) -> tuple[str, str]:
    status = "['ANSWERED','ANSWERED','NO ANSWER','BUSY','FAILED'][i % 5 + 1]"
    bill = f"CASE WHEN {status} = 'ANSWERED' THEN (i * 13) % 600 ELSE 0 END"
    fields = ["'camp-' || (i % 7)", "'1' || lpad(CAST(i % 600 AS VARCHAR), 3, '0')",
              "'09' || lpad(CAST(i // 3 AS VARCHAR), 8, '0')", "'from-internal'",
              "'\"\"Agent\"\" <' || (i % 600) || '>'", "'PJSIP/1' || (i % 600) || '-' || i",
              "'PJSIP/trunk-' || i", "'Dial'", "'PJSIP/trunk/09' || i", _ts("i * 3 % 7776000"),
              _ts("i * 3 % 7776000 + 8"), _ts(f"i * 3 % 7776000 + 8 + {bill}"), f"8 + {bill}", bill, status,
              "'DOCUMENTATION'", "'1756000000.' || i", "CASE WHEN i % 9 = 0 THEN 'SALE' ELSE '' END"]
    line = " || ',' || ".join(_q(f) for f in fields)
    return f"SELECT {line} AS line FROM range({n}) t(i)", "csv"


def sql_queue_log(n: int) -> tuple[str, str]:
    calls = n // 3
    ev = (f"SELECT t, k, i, line FROM (SELECT i, 1756000000 + i * 2 AS t0, 'q' || (i % 4) AS q, "
          f"'SIP/' || (i % 300) AS ag, (i * 7) % 40 AS w, (i * 13) % 500 + 1 AS talk FROM range({calls}) r(i)) c, "
          "LATERAL (SELECT unnest([t0, t0 + w, t0 + w + talk]) AS t, unnest([0, 1, 2]) AS k, unnest(["
          "t0 || '|' || t0 || '.' || i || '|' || q || '|NONE|ENTERQUEUE||09' || i || '|1', "
          "(t0 + w) || '|' || t0 || '.' || i || '|' || q || '|' || ag || CASE WHEN i % 10 = 0 "
          "THEN '|ABANDON|1|1|' || w ELSE '|CONNECT|' || w || '|x|2' END, "
          "CASE WHEN i % 10 = 0 THEN (t0 + w) || '|NONE|' || q || '|' || ag || '|UNPAUSE|' "
          "ELSE (t0 + w + talk) || '|' || t0 || '.' || i || '|' || q || '|' || ag || '|COMPLETECALLER|' "
          "|| w || '|' || talk || '|1' END]) AS line)")
    return f"SELECT line FROM ({ev}) ORDER BY t, k, i", "log"


def sql_freeswitch(n: int) -> tuple[str, str]:
    cause = "['NORMAL_CLEARING','NORMAL_CLEARING','NO_ANSWER','USER_BUSY','CALL_REJECTED'][i % 5 + 1]"
    bill = "CASE WHEN i % 5 < 2 THEN (i * 13) % 600 ELSE 0 END"
    fields = ["'Agent ' || (1000 + i % 600)", "CAST(1000 + i % 600 AS VARCHAR)",
              "'09' || lpad(CAST(i // 3 AS VARCHAR), 8, '0')", "'default'", _ts("i * 3 % 7776000"),
              f"CASE WHEN {bill} > 0 THEN {_ts('i * 3 % 7776000 + 6')} ELSE '' END",
              _ts(f"i * 3 % 7776000 + 6 + {bill}"), f"6 + {bill}", bill, cause,
              "'00000000-0000-4000-8000-' || lpad(CAST(i AS VARCHAR), 12, '0')", "''", "'camp-' || (i % 7)",
              "'PCMU'", "'PCMU'"]
    line = " || ',' || ".join(_q(f) for f in fields)
    return f"SELECT {line} AS line FROM range({n}) t(i)", "csv"


def sql_twilio(n: int) -> tuple[str, str]:
    rows = n - 1
    status = "['completed','completed','no-answer','busy','failed'][i % 5 + 1]"
    start = f"strftime({T0} + INTERVAL (i * 3 % 7776000) SECOND, '%Y-%m-%d %H:%M:%S') || ' UTC'"
    dur = "CASE WHEN i % 5 < 2 THEN (i * 13) % 600 ELSE 0 END"
    fields = ["'CA' || md5(CAST(i AS VARCHAR))", "''", start, start, "'AC00000000000000000000000000000000'",
              "'+8490' || lpad(CAST(i // 3 AS VARCHAR), 7, '0')", "'+14155550100'", "''", status, start, start,
              dur, "'-0.0130'", "'USD'", "'outbound-api'", "CASE WHEN i % 5 < 2 THEN 'human' ELSE '' END",
              "''", "''", "'0'", "''"]
    header = ("'Sid,Parent Call Sid,Date Created,Date Updated,Account Sid,To,From,Phone Number Sid,Status,"
              "Start Time,End Time,Duration,Price,Price Unit,Direction,Answered By,Forwarded From,Caller Name,"
              "Queue Time,Trunk Sid'")
    return _with_header(header, fields, rows), "csv"


def sql_vicidial(n: int) -> tuple[str, str]:
    rows = n - 1
    status = "['SALE','NI','NA','B','CALLBK','DNC','AA','DROP','XFER','NI'][i % 10 + 1]"
    fields = ["'1756000000.' || i", "CAST(i // 3 AS VARCHAR)", "'101'", "'TELESALE'", _ts("i * 3 % 7776000"),
              "CAST(1756000000 + i * 3 AS VARCHAR)", "CAST(1756000000 + i * 3 + (i * 13) % 600 AS VARCHAR)",
              "CAST((i * 13) % 600 AS VARCHAR)", status, "'84'", "'09' || lpad(CAST(i // 3 AS VARCHAR), 8, '0')",
              "CASE WHEN i % 10 IN (2, 3, 6, 7) THEN 'VDAD' ELSE CAST(6000 + i % 300 AS VARCHAR) END", "'AUTO'",
              "'N'", "'SALES'", "'CALLER'", "'MAIN'", "'1'"]
    header = ("'uniqueid,lead_id,list_id,campaign_id,call_date,start_epoch,end_epoch,length_in_sec,status,"
              "phone_code,phone_number,user,comments,processed,user_group,term_reason,alt_dial,called_count'")
    return _with_header(header, fields, rows), "csv"


def sql_vicidial_agent(n: int) -> tuple[str, str]:
    rows = n - 1
    e = "(1756000000 + i * 400)"
    fields = ["CAST(9000 + i AS VARCHAR)", "CAST(6000 + i % 300 AS VARCHAR)", "'10.0.0.5'", _ts("i * 400"),
              "CAST(i AS VARCHAR)", "'TELESALE'", f"CAST({e} AS VARCHAR)", "CAST(i % 30 AS VARCHAR)",
              f"CAST({e} + 30 AS VARCHAR)", "'10'", f"CAST({e} + 40 AS VARCHAR)", "CAST((i * 13) % 300 AS VARCHAR)",
              f"CAST({e} + 40 + (i * 13) % 300 AS VARCHAR)", "'15'", "'SALE'", "'SALES'", "'AUTO'",
              "CASE WHEN i % 30 > 0 THEN 'BREAK' ELSE '' END", "''", "'0'", "'Y'", "'1756000000.' || i", "'AGENT'"]
    header = ("'agent_log_id,user,server_ip,event_time,lead_id,campaign_id,pause_epoch,pause_sec,wait_epoch,"
              "wait_sec,talk_epoch,talk_sec,dispo_epoch,dispo_sec,status,user_group,comments,sub_status,"
              "dead_epoch,dead_sec,processed,uniqueid,pause_type'")
    return _with_header(header, fields, rows), "csv"


CONNECTORS = {
    "asterisk-cdr": ("calls", sql_asterisk_cdr),
    "asterisk-queue-log": ("calls", sql_queue_log),
    "freeswitch-cdr": ("calls", sql_freeswitch),
    "twilio": ("calls", sql_twilio),
    "vicidial": ("calls", sql_vicidial),
    "vicidial-agent-log": ("agent_states", sql_vicidial_agent),
}


def make(name: str, lines: int) -> Path:
    _, gen = CONNECTORS[name]
    sql, ext = gen(lines)
    path = OUT / f"conn-{name}-{lines}.{ext}"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = true")
        con.execute(f"COPY ({sql}) TO '{tmp}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')")
        con.close()
        tmp.rename(path)
    return path


PEAK = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr); "
        "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)")


def run(name: str, path: Path, table: str) -> tuple[float, float, str]:
    db = OUT / f"conn-{name}.duckdb"
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    exe = Path(sys.executable).parent / "telekpi"
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", PEAK, str(exe), "--db", str(db), "import", table, str(path),
                        "--format", name, "--quiet"], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if p.returncode:
        raise SystemExit(f"{name}: import failed: {p.stderr.strip()}")
    peak = next(int(x.split()[1]) for x in p.stdout.splitlines() if x.startswith("PEAK")) / 1024
    first = next((x for x in p.stdout.splitlines() if "rows read" in x), "")
    db.unlink(missing_ok=True)
    return seconds, peak, first.split(": ", 1)[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    names = [n for n in CONNECTORS if not args.only or n in args.only.split(",")]
    print(f"{'connector':<20} {'lines':>12} {'seconds':>8} {'lines/s':>10} {'peak MB':>8}  result")
    for name in names:
        table, _ = CONNECTORS[name]
        path = make(name, args.lines)
        with open(path, "rb") as f:
            n = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
        seconds, peak, result = run(name, path, table)
        print(f"{name:<20} {n:>12,} {seconds:>8.1f} {n / seconds:>10,.0f} {peak:>8,.0f}  {result[:90]}",
              flush=True)


if __name__ == "__main__":
    main()
