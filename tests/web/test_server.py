"""The real server process: `telekpi serve` on 127.0.0.1, and ingestion that survives a kill."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import duckdb
import httpx
import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.slow   # starts servers and kills them


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db, port: int) -> subprocess.Popen:
    log = db.parent / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "telekpi", "--db", str(db), "serve",
                                 "--host", "127.0.0.1", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return proc
        except httpx.TransportError as e:
            if proc.poll() is not None:
                raise AssertionError(log.read_text()) from e
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start")


def test_an_answered_batch_survives_kill_9(tmp_path):
    db = tmp_path / "telekpi.duckdb"
    from telekpi.store.warehouse import Warehouse
    from telekpi.web.auth import Users

    Warehouse(db).close()
    users = Users.beside(db)
    users.add("feeder", PASSWORD, "admin")
    token = users.new_token("feeder", "dialer")
    users.close()
    port = free_port()
    proc = start(db, port)
    try:
        rows = [{"call_id": f"K{i}", "started_at": "2026-05-01 10:00:00", "status": "answered",
                 "talk_s": i} for i in range(500)]
        r = httpx.post(f"http://127.0.0.1:{port}/api/v1/ingest/calls", json=rows,
                       headers={"Authorization": f"Bearer {token}"}, timeout=60)
        assert r.status_code == 200 and r.json()["inserted"] == 500
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), sum(talk_s) FROM calls").fetchall() == [(500, 124750.0)]
    con.close()
