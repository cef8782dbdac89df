"""Every dashboard page and API answer, cold and warm, and ingestion throughput, against
the real server.

    python bench/web_bench.py [--size large] [--cold-rounds 3] [--warm-rounds 10] [--batches 40]

Serves a copy of the demo warehouse (bench/out/demo-SIZE.duckdb, made by the KPI
bench when missing: large is ~10M calls) with `telekpi serve` on 127.0.0.1 and measures:

- every page of the dashboard's menu (``web.pages.NAV``), an agent's page, a lead's page,
  the leads search, and the API's /kpi (per agent per month) and /overview:
  - **cold**: in a fresh server process (a new ``telekpi serve``, so no answer, plan or
    lookup of an earlier process is kept; the operating system's file cache is not
    dropped), after the server reports itself warm (its start-up warm-up: rollups brought
    up to date and the default Overview answered once), the first request of each page.
    Each of ``--cold-rounds`` rounds starts a new process and asks the pages in a rotated
    order, so no page is always the first one asked; p50/p95 over the rounds;
  - **warm**: the same requests again and again in the last process (``--warm-rounds``
    each): what every view after the first costs (the answer cache is dropped on every write);
- ingestion: batches of new calls POSTed to /api/v1/ingest/calls one after another,
  each answered only after it is committed, as a dialer sends them: several agents and
  campaigns, the newest leads (some called for the first time); calls/s, and a count
  afterwards that nothing was lost;
- the Overview right after those writes (each batch logs its calls for the daily rollups;
  the first view waits for the server to fold that log in), and how long until the
  server reports every rollup current.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kpi_bench import OUT, ensure_demo

PASSWORD = "bench password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def timed_get(client: httpx.Client, url: str) -> float:
    t0 = time.perf_counter()
    r = client.get(url)
    elapsed = time.perf_counter() - t0
    r.raise_for_status()
    return elapsed


KPI = ("/api/v1/kpi?metric=calls,connection_rate,aht,abandonment_rate,call_conversion_rate,revenue"
       "&by=agent&period=month")


def pages(agent: str, lead: str, query: str) -> list[str]:
    """What is measured: the menu's pages, an agent's, a lead's, a leads search, the API."""
    from urllib.parse import quote

    from telekpi.web.pages import NAV

    a, ld = quote(agent, safe=""), quote(lead, safe="")
    return [path for path, __ in NAV if path != "/my-day"] + [   # /my-day: an agent's only
        "/agents?group=team", f"/agents/{a}", f"/leads/{ld}", f"/leads?q={quote(query)}", "/import",
        KPI, "/api/v1/overview", "/api/v1/funnel", f"/api/v1/leads?q={quote(query)}",
        f"/api/v1/leads/{ld}", "/api/v1/stop-list", "/api/v1/diagnose",
        "/api/v1/kpi?metric=offered,service_level,asa&by=queue&period=day", *OPERATIONS]


# The Operations pages and their API (issue 27, docs/operations.md): the page's sections,
# the lists behind them, and the lost-call and callback metrics per queue and agent.
OPERATIONS = ("/operations/compliance", "/operations/numbers", "/operations/attempts",
              "/api/v1/operations/lost", "/api/v1/operations/callbacks",
              "/api/v1/kpi?metric=lost_calls,lost_call_recovery_rate,recovery_time&by=queue",
              "/api/v1/kpi?metric=callbacks_due,callback_on_time_rate,callbacks_never&by=agent")


class Server:
    """A ``telekpi serve`` process over the bench's warehouse, signed in, once warm."""

    def __init__(self, db: Path, token: str, log):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "telekpi", "--db", str(db), "serve",
                                      "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=600)
        c = self.client
        for _ in range(6000):
            try:
                c.get("/login")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        while not c.get("/api/v1/health").json()["warm"]:
            time.sleep(0.2)   # measure the server as visitors meet it: after its warm-up
        page = c.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        c.post("/login", data={"name": "bench", "password": PASSWORD, "csrf": csrf})
        c.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.client.close()
        self.proc.terminate()
        self.proc.wait(30)


def with_rollups(db: Path) -> None:
    """Bring the cached demo's rollups up to date once, so each fresh server of the cold
    rounds starts from current rollups (as a server restarted in production does) instead
    of building them on its copy."""
    from telekpi.catalog.loader import load_catalog
    from telekpi.engine.rollups import refresh
    from telekpi.settings import load_settings
    from telekpi.store.warehouse import Warehouse

    wh = Warehouse(db)
    try:
        t0 = time.perf_counter()
        done = refresh(wh.con, load_catalog(wh.workspace), load_settings(wh.workspace))
        wh.con.execute("CHECKPOINT")
        if done:
            print(f"  rollups of {db.name} brought up to date in {time.perf_counter() - t0:.1f} s: "
                  + ", ".join(f"{d['model']} {d['rows'] or 0:,} rows" for d in done), flush=True)
    finally:
        wh.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="large")
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--batch-rows", type=int, default=1000)
    ap.add_argument("--cold-rounds", type=int, default=3)
    ap.add_argument("--warm-rounds", type=int, default=10)
    ap.add_argument("--only", default="", help="comma-separated paths: measure only the views "
                    "that start with one of them (while working on them)")
    args = ap.parse_args()
    src = ensure_demo(args.size)
    with_rollups(src)
    db = OUT / "web-bench" / "telekpi.duckdb"
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    shutil.copy(src, db)
    shutil.copy(OUT / "telekpi.toml", db.parent / "telekpi.toml")
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        # what a dialer's batch carries: the newest leads with their campaigns, working agents
        leads = con.execute("SELECT lead_id, campaign_id FROM leads ORDER BY created_at DESC "
                            "LIMIT 20000").fetchall()
        agents = [r[0] for r in con.execute("SELECT DISTINCT agent_id FROM calls "
                                            "USING SAMPLE 10000 ROWS ORDER BY 1 LIMIT 50").fetchall()]
        lead = con.execute("SELECT lead_id FROM calls WHERE lead_id IS NOT NULL "
                           "ORDER BY started_at DESC LIMIT 1").fetchall()[0][0]
    from telekpi.web.auth import Users

    users = Users.beside(db)
    users.add("bench", PASSWORD, "admin")
    token = users.new_token("bench", "bench")
    users.close()
    views = pages(agents[0], lead, lead[:6])
    if args.only:
        views = [v for v in views if any(v.startswith(o) for o in args.only.split(","))]
    cold: dict[str, list[float]] = {v: [] for v in views}
    log = open(db.parent / "serve.log", "wb")  # noqa: SIM115 - the server writes it; closed in the finally
    server = None
    try:
        for r in range(args.cold_rounds):
            if server:
                server.close()
            t0 = time.perf_counter()
            server = Server(db, token, log)
            print(f"  cold round {r + 1}: server warm in {time.perf_counter() - t0:.1f} s", flush=True)
            k = r * len(views) // max(args.cold_rounds, 1)
            for v in views[k:] + views[:k]:
                cold[v].append(timed_get(server.client, v))
                print(f"    {v} {cold[v][-1] * 1000:.0f} ms", flush=True)
        assert server is not None
        c = server.client
        warm = {v: [timed_get(c, v) for _ in range(args.warm_rounds)] for v in views}
        html = c.get("/").text
        end = re.search(r'name="to" value="([\d-]+)"', html).group(1)
        teams = re.findall(r"<option>(T\d+)</option>", html)[:4]
        y, m = int(end[:4]), int(end[5:7])
        months = [f"{y - (m - k <= 0)}-{(m - k - 1) % 12 + 1:02d}" for k in (1, 2, 3)]
        after_write = [f"/?team={t}&from={months[0]}-01&to={months[0]}-28" for t in teams]
        calls_before = c.get("/api/v1/kpi?metric=calls").json()["rows"][0]["calls"]
        t0 = time.perf_counter()
        sent, batch_s = 0, []
        for b in range(args.batches):
            rows = [{"call_id": f"BENCH-{b}-{i}", "started_at": f"{end} 10:{i % 60:02d}:00",
                     "agent_id": agents[i % len(agents)],
                     "lead_id": leads[(b * args.batch_rows + i) % len(leads)][0],
                     "campaign_id": leads[(b * args.batch_rows + i) % len(leads)][1],
                     "direction": "outbound", "status": "answered",
                     "disposition": "SALE" if i % 9 == 0 else "NI", "talk_s": 60 + i % 300}
                    for i in range(args.batch_rows)]
            tb = time.perf_counter()
            r = c.post("/api/v1/ingest/calls", json=rows)
            r.raise_for_status()
            batch_s.append(time.perf_counter() - tb)
            sent += r.json()["inserted"]
        ingest_s = time.perf_counter() - t0
        # Right after the writes: the first view waits for the server to fold the logged
        # writes into the rollups; then the same kind of views again.
        stale = [timed_get(c, v) for v in after_write]
        calls_after = c.get("/api/v1/kpi?metric=calls").json()["rows"][0]["calls"]
        t1 = time.perf_counter()
        from telekpi.engine.rollups import SPECS

        while len(c.get("/api/v1/health").json()["rollups"]) < len(SPECS):
            time.sleep(0.1)
        rebuilt_s = time.perf_counter() - t1
        fresh = [timed_get(c, v.replace(months[0], months[1])) for v in after_write]
    finally:
        if server:
            server.close()
        log.close()
    n = args.batches * args.batch_rows
    import os
    import platform

    info = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    cpu = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")),
               platform.processor())
    print(f"web bench, demo {args.size} ({calls_before:,} calls), {os.cpu_count()} cores ({cpu}), "
          f"server on 127.0.0.1, {time.strftime('%Y-%m-%d', time.gmtime())}")
    print(f"  cold: first request in a fresh server process ({args.cold_rounds} processes); "
          f"warm: {args.warm_rounds} requests more in the last")
    print("| page | cold p50 | cold p95 | warm p50 | warm p95 |\n|---|---|---|---|---|")
    for v in views:
        print(f"| {'/api/v1/kpi (by agent, month)' if v == KPI else v} | "
              f"{statistics.median(cold[v]) * 1000:.0f} ms | {pct(cold[v], 0.95) * 1000:.0f} ms | "
              f"{statistics.median(warm[v]) * 1000:.1f} ms | {pct(warm[v], 0.95) * 1000:.1f} ms |")

    def line(label: str, xs: list[float]) -> None:
        print(f"  {label:34s} median {statistics.median(xs) * 1000:8.1f} ms   "
              f"p95 {pct(xs, 0.95) * 1000:8.1f} ms   ({len(xs)} requests)")

    line("Overview, first views after the writes", stale)
    print(f"  the very first (folds the {args.batches} batches into the rollups first): {stale[0] * 1000:.0f} ms; "
          f"every rollup reported current {rebuilt_s:.1f} s after those views")
    line("Overview, other months after that", fresh)
    print(f"  ingestion API: {n:,} calls in {args.batches} batches of {args.batch_rows:,}: "
          f"{ingest_s:.1f} s = {n / ingest_s:,.0f} calls/s; inserted {sent:,}; "
          f"calls before {calls_before:,}, after {calls_after:,} "
          f"({'nothing lost' if calls_after - calls_before == n else 'MISMATCH'})")
    line("  one batch, answered after commit", batch_s)


if __name__ == "__main__":
    main()
