"""Crash safety: ``telekpi import`` killed with SIGKILL anywhere leaves the warehouse exactly as
before or exactly as after the file (rows, quarantine, imports log); ``telekpi serve`` killed
with SIGKILL under posting clients keeps every batch it acknowledged, and no batch half-stored."""

from __future__ import annotations

import csv
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import telekpi
from telekpi.store.warehouse import Warehouse

pytestmark = pytest.mark.slow

SRC = str(Path(telekpi.__file__).resolve().parents[1])
ENV = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "120"}
ROWS = 200_000


def telekpi_cmd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "telekpi", "--db", str(db), *args]


def write_calls(path: Path, first: int, last: int, disposition: str) -> None:
    """Calls ``first`` … ``last - 1``; every 97th row quarantined (a status nobody knows)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["call_id", "started_at", "agent_id", "campaign_id", "status", "disposition", "talk_s"])
        for i in range(first, last):
            w.writerow([f"c{i}", f"2026-03-{1 + i % 28:02d} {8 + i % 10:02d}:{i % 60:02d}:00", f"a{i % 40}",
                        f"k{i % 5}", "bogus" if i % 97 == 0 else ("answered", "busy", "no_answer")[i % 3],
                        disposition, str(i % 400)])


def state(db: Path) -> dict:
    """What an import writes, as digests: the rows, the quarantine and the imports log (less
    the times they were written)."""
    with Warehouse(db, read_only=True) as wh:
        q = wh.con.execute
        return {
            "calls": q("SELECT count(*), sum(hash(c)) FROM calls c").fetchall(),
            "quarantine": q('SELECT count(*), sum(hash(source, line, "table", "column", raw, reason)) '
                            "FROM quarantine").fetchall(),
            "imports": q('SELECT source, "table", rows_read, inserted, updated, unchanged, quarantined '
                         "FROM imports ORDER BY imported_at").fetchall(),
        }


def opens_and_answers(db: Path) -> None:
    out = subprocess.run(telekpi_cmd(db, "kpi", "calls", "aht", "--from", "2026-03-01", "--to", "2026-03-31"),
                         env=ENV, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A warehouse holding the first file (the "before"), the second file (half updates of the
    first, half new calls) and the warehouse after it, with the seconds its import took."""
    folder = tmp_path_factory.mktemp("crash")
    (folder / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n', encoding="utf-8")
    first, second = folder / "first.csv", folder / "second.csv"
    write_calls(first, 0, ROWS, "CALLBACK")
    write_calls(second, ROWS // 2, ROWS + ROWS // 2, "SALE")
    before = folder / "before.duckdb"
    subprocess.run(telekpi_cmd(before, "import", "calls", str(first), "-q"), env=ENV, check=True,
                   capture_output=True, timeout=600)
    after = folder / "after.duckdb"
    after.write_bytes(before.read_bytes())
    t0 = time.monotonic()
    subprocess.run(telekpi_cmd(after, "import", "calls", str(second), "-q"), env=ENV, check=True,
                   capture_output=True, timeout=600)
    return before, second, after, time.monotonic() - t0


@pytest.mark.parametrize("seed", range(5))
def test_import_killed_anywhere_leaves_before_or_after(tmp_path, files, seed):
    before, second, after, seconds = files
    expect_before, expect_after = state(before), state(after)
    assert expect_before != expect_after
    db = tmp_path / "telekpi.duckdb"
    db.write_bytes(before.read_bytes())
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n', encoding="utf-8")
    delay = random.Random(seed).uniform(0.05, seconds * 1.1)
    proc = subprocess.Popen(telekpi_cmd(db, "import", "calls", str(second), "-q"), env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    got = state(db)
    assert got in (expect_before, expect_after), (delay, proc.returncode)
    opens_and_answers(db)
    # and the file imports fine after the crash
    subprocess.run(telekpi_cmd(db, "import", "calls", str(second), "-q"), env=ENV, check=True,
                   capture_output=True, timeout=600)
    assert state(db)["calls"] == expect_after["calls"]


# -- the server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    log = db.parent / "serve.log"
    with open(log, "ab") as err:
        proc = subprocess.Popen(telekpi_cmd(db, "serve", "--host", "127.0.0.1", "--port", str(port),
                                            "--alerts-interval", "0"),
                                env=ENV, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise AssertionError(log.read_text(errors="replace"))
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start")


def batch_rows(client: int, n: int, size: int = 200) -> list[dict]:
    return [{"call_id": f"s{client}-{n}-{i}", "started_at": "2026-03-02 09:00:00", "agent_id": f"a{i % 7}",
             "status": "answered", "talk_s": i} for i in range(size)]


@pytest.mark.parametrize("seed", range(2))
def test_server_killed_under_posting_clients_keeps_every_acknowledged_batch(tmp_path, seed):
    from telekpi.web.auth import Users

    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n', encoding="utf-8")
    db = tmp_path / "telekpi.duckdb"
    Warehouse(db).close()
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin")
    token = users.new_token("boss")
    users.close()
    port = free_port()
    server = start_server(db, port)
    acked: list[tuple[int, int]] = []
    sent: list[tuple[int, int]] = []
    stop = threading.Event()
    failures: list[str] = []

    def post(client: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                          headers={"authorization": f"Bearer {token}"}) as c:
            n = 0
            while not stop.is_set():
                sent.append((client, n))
                try:
                    r = c.post("/api/v1/ingest/calls", json=batch_rows(client, n))
                except httpx.HTTPError:
                    return   # the server is gone
                if r.status_code != 200 or r.json()["inserted"] != 200:
                    failures.append(f"{r.status_code} {r.text[:500]}")
                    return
                acked.append((client, n))
                n += 1

    threads = [threading.Thread(target=post, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while len(acked) < 3 and time.monotonic() < deadline and not failures:
        time.sleep(0.1)
    time.sleep(random.Random(seed).uniform(0.0, 3.0))   # then at a random point of the next batches
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    assert len(acked) >= 3, "too few batches acknowledged to tell anything"

    server = start_server(db, port)   # it starts again over what was left
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/kpi?metric=calls",
                         headers={"authorization": f"Bearer {token}"}, timeout=30).status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    with Warehouse(db, read_only=True) as wh:
        stored = dict(wh.con.execute(
            "SELECT regexp_extract(call_id, '^s(\\d+-\\d+)-', 1) AS batch, count(*) FROM calls GROUP BY batch"
        ).fetchall())
    for client, n in acked:
        assert stored.get(f"{client}-{n}") == 200, (client, n)
    assert set(stored.values()) <= {200}, "a batch half-stored"
    assert set(stored) <= {f"{c}-{n}" for c, n in sent}
