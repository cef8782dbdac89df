"""A load run: many people using the dashboard and the API at once, against the real server.

    python bench/load_bench.py [--clients 20] [--seconds 60] [--size small|medium|large]

Serves a copy of the demo warehouse (bench/out/demo-SIZE.duckdb, made when missing) with
`telekpi serve` on 127.0.0.1 and runs ``--clients`` people in threads, each for
``--seconds``, in turn an admin, a team's supervisor or an agent (their own scope, as the
server gives it). Each signs in through the login form, then, without pause, views pages
(Overview, Agents, Campaigns, Funnel, an agent's page, Wallboard, Alerts; the filters vary),
calls the API (KPIs by agent and period, overview, funnel) and now and then signs out and in
again; an admin also posts a batch of 50 calls to the ingestion API every 25 requests.

Prints, per kind of request: requests, errors (a status of 400 or above, or no answer) and
p50 / p95 / p99 in ms; then the whole run's requests per second. Exits 1 on any error.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kpi_bench import OUT, ensure_demo
from web_bench import free_port, pct

PASSWORD = "load bench password"
ROLES = ("admin", "supervisor", "agent")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: list[str] = []

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.examples) < 10:
                    self.examples.append(f"{kind}: {error}")


def timed(tally: Tally, kind: str, send) -> httpx.Response | None:
    t0 = time.perf_counter()
    try:
        r = send()
    except httpx.HTTPError as e:
        tally.add(kind, time.perf_counter() - t0, f"{type(e).__name__}: {e}")
        return None
    error = None if r.status_code < 400 else f"{r.status_code} {r.request.method} {r.request.url.raw_path.decode()}"
    tally.add(kind, time.perf_counter() - t0, error)
    return r


def login(c: httpx.Client, tally: Tally, name: str) -> None:
    def send() -> httpx.Response:
        page = c.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = c.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf, "next": "/"})
        return r if r.status_code == 303 else httpx.Response(401, text=f"not signed in ({r.status_code})")
    timed(tally, "login", send)


def person(i: int, base: str, scope: dict, deadline: float, tally: Tally) -> None:
    role = ROLES[i % 3]
    name = f"{role}{i}"
    rnd = random.Random(i)
    months = scope["months"]
    # an agent sees their own page; a supervisor their team's agents; an admin anyone's
    agents, team = scope["agents"], scope["teams"][i % len(scope["teams"])]
    agent = (agents[i % len(agents)][0] if role == "agent" else
             rnd.choice([a for a, t in agents if t == team]) if role == "supervisor" else rnd.choice(agents)[0])
    pages = ["/", "/agents", "/campaigns", "/funnel", "/wallboard", "/alerts", f"/agents/{agent}"]
    kpi = "/api/v1/kpi?metric=calls,connection_rate,aht,call_conversion_rate,revenue"
    apis = [f"{kpi}&by=agent&period=month", f"{kpi}&by=campaign", "/api/v1/overview", "/api/v1/funnel"]
    with httpx.Client(base_url=base, timeout=120, follow_redirects=False) as c:
        login(c, tally, name)
        n = 0
        while time.monotonic() < deadline:
            n += 1
            m = rnd.choice(months)
            window = rnd.choice(["", f"from={m}-01&to={m}-28"])
            if n % 25 == 0 and role == "admin":
                rows = [{"call_id": f"LOAD-{i}-{n}-{k}", "started_at": f"{months[-1]}-15 10:{k:02d}:00",
                         "agent_id": agent, "direction": "outbound", "status": "answered",
                         "talk_s": 30 + k} for k in range(50)]
                timed(tally, "ingest (50 calls)", lambda rows=rows: c.post("/api/v1/ingest/calls", json=rows))
            elif n % 20 == 0:
                timed(tally, "logout", lambda: c.post("/logout", data={"csrf": csrf_of(c)}))
                c.cookies.clear()
                login(c, tally, name)
            elif n % 3 == 0:
                url = rnd.choice(apis)
                url += ("&" if "?" in url else "?") + window if window else ""
                timed(tally, "api", lambda url=url: c.get(url))
            else:
                url = rnd.choice(pages)
                url += ("?" + window) if window else ""
                timed(tally, "page", lambda url=url: c.get(url))


def csrf_of(c: httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', c.get("/alerts").text)
    return found.group(1) if found else ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--size", default="small", choices=["small", "medium", "large"])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    src = ensure_demo(args.size)
    db = OUT / "load-bench" / "telekpi.duckdb"
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    shutil.copy(src, db)
    shutil.copy(OUT / "telekpi.toml", db.parent / "telekpi.toml")
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        teams = [r[0] for r in con.execute(
            "SELECT DISTINCT team_id FROM agents WHERE team_id IS NOT NULL ORDER BY 1").fetchall()]
        agents = con.execute("SELECT agent_id, team_id FROM agents ORDER BY 1").fetchall()
        last = con.execute("SELECT max(started_at) FROM calls").fetchone()[0]
    y, mo = last.year, last.month
    months = [f"{y - (mo - k <= 0)}-{(mo - k - 1) % 12 + 1:02d}" for k in (0, 1, 2)]
    from telekpi.web.auth import Users

    users = Users.beside(db)
    for i in range(args.clients):
        role = ROLES[i % 3]
        users.add(f"{role}{i}", PASSWORD, role, (teams[i % len(teams)],) if role == "supervisor" else (),
                  agents[i % len(agents)][0] if role == "agent" else None)
    users.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(db.parent / "serve.log", "wb")  # noqa: SIM115 - the server writes it; closed in the finally
    proc = subprocess.Popen([sys.executable, "-m", "telekpi", "--db", str(db), "serve", "--port", str(port),
                             "--alerts-interval", "0"], stdout=log, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=base, timeout=600) as c:
            for _ in range(1200):
                try:
                    if c.get("/api/v1/health").json()["warm"]:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        tally = Tally()
        scope = {"agents": agents, "teams": teams, "months": months}
        t0 = time.monotonic()
        deadline = t0 + args.seconds
        threads = [threading.Thread(target=person, args=(i, base, scope, deadline, tally))
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    total = sum(len(v) for v in tally.times.values())
    errors = sum(tally.errors.values())
    print(f"{args.clients} clients for {args.seconds:g} s on the {args.size} demo: {total:,} requests "
          f"({total / elapsed:.1f}/s), {errors} errors")
    print(f"{'kind':<20}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    everything: list[float] = []
    for kind in sorted(tally.times):
        t = tally.times[kind]
        everything += t
        print(f"{kind:<20}{len(t):>10,}{tally.errors[kind]:>8}{pct(t, .5) * 1e3:>9.0f}"
              f"{pct(t, .95) * 1e3:>9.0f}{pct(t, .99) * 1e3:>9.0f}")
    print(f"{'all':<20}{total:>10,}{errors:>8}{pct(everything, .5) * 1e3:>9.0f}"
          f"{pct(everything, .95) * 1e3:>9.0f}{pct(everything, .99) * 1e3:>9.0f}")
    for e in tally.examples:
        print("error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
