"""Queues as a dimension on the dashboard: the wallboard's per-queue service level and ASA
today, the queue filter of the pages and the API, and the KPI API split by queue.

One day (10 November 2026, UTC) of inbound calls in two queues, the default service level
(answered within 20 s or less, of the calls offered whose wait is known):

- sales: answered after 10, 20 and 40 s, one caller hung up after 30 s: service level 2/4,
  ASA (10 + 20 + 40) / 3 s;
- care: answered after 5 s, one more answered with no known wait (left out of both):
  service level 1/1, ASA 5 s;
- outbound calls by A1 with no queue, which no queue's line counts.
"""

from __future__ import annotations

import gc
import re

import pytest
from fastapi.testclient import TestClient

from telekpi.store.warehouse import Warehouse
from telekpi.web.app import create_app
from telekpi.web.auth import Users

from .conftest import login

CALLS = [
    # call_id, time, agent, direction, status, queue, wait_s
    ("S1", "08:00", "A1", "inbound", "answered", "sales", 10),
    ("S2", "08:10", "A1", "inbound", "answered", "sales", 20),
    ("S3", "08:20", "A2", "inbound", "answered", "sales", 40),
    ("S4", "08:30", None, "inbound", "abandoned", "sales", 30),
    ("C1", "09:00", "A2", "inbound", "answered", "care", 5),
    ("C2", "09:10", "A2", "inbound", "answered", "care", None),
    ("O1", "10:00", "A1", "outbound", "answered", None, None),
    ("O2", "10:05", "A1", "outbound", "no_answer", None, None),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("queues")
    (folder / "telekpi.toml").write_text('timezone = "UTC"\n')
    db = folder / "telekpi.duckdb"
    with Warehouse(db) as wh:
        wh.con.execute("INSERT INTO agents (agent_id, name, team_id) VALUES ('A1', 'Alice', 'T1'), "
                       "('A2', 'Bao', 'T1')")
        wh.con.executemany(
            "INSERT INTO calls (call_id, started_at, agent_id, campaign_id, direction, status, queue, "
            "queued_at, wait_s, talk_s) VALUES (?, CAST(? AS TIMESTAMPTZ), ?, 'K1', ?, ?, ?, "
            "CASE WHEN ? IS NULL THEN NULL ELSE CAST(? AS TIMESTAMPTZ) END, ?, 60)",
            [(cid, f"2026-11-10 {t}:00+00", agent, direction, status, queue, queue,
              f"2026-11-10 {t}:00+00", wait) for cid, t, agent, direction, status, queue, wait in CALLS])
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin", (), None)
    users.close()
    app = create_app(db)
    c = TestClient(app)
    c.__enter__()
    try:
        assert login(c, "boss", "correct horse").status_code == 303
        yield c
    finally:
        c.__exit__(None, None, None)
        app.state.web.close()
        del app.state.web, app.state.templates
        gc.collect()


def test_the_wallboard_shows_each_queues_service_level_and_asa_today(client):
    html = client.get("/wallboard?lang=en").text
    head = re.search(r'<table class="metrics queues"><thead><tr>(.*?)</tr>', html).group(1)
    assert re.findall(r"<th>([^<]+)</th>", head)[-2:] == ["Service level", "Average speed of answer"]
    lines = {}
    for name in ("care", "sales"):
        row = re.search(rf"<td>{name}</td>((?:<td[^>]*>[^<]*</td>)+)", html).group(1)
        lines[name] = re.findall(r">([^<]*)</td>", row)
    # offered, answered, abandoned, then service level and ASA
    assert lines["sales"][2:5] == ["4", "3", "1"] and lines["sales"][-2:] == ["50.0%", "0:23"]
    assert lines["care"][2:5] == ["2", "2", "0"] and lines["care"][-2:] == ["100.0%", "0:05"]


def test_the_kpi_api_splits_by_queue(client):
    got = client.get("/api/v1/kpi?metric=offered,service_level,asa&by=queue").json()["rows"]
    by = {r["queue"]: r for r in got}
    assert set(by) == {"sales", "care", None}
    assert by["sales"]["offered"] == 4 and by["sales"]["service_level"] == pytest.approx(0.5)
    assert by["sales"]["asa"] == pytest.approx(70 / 3)
    assert by["care"]["service_level"] == pytest.approx(1.0) and by["care"]["asa"] == pytest.approx(5.0)
    assert by[None]["offered"] == 0   # the outbound calls, in no queue


def test_pages_and_the_api_filter_by_queue(client):
    html = client.get("/?from=2026-11-10&to=2026-11-10&lang=en").text
    select = re.search(r'<select name="queue">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "care", "sales"]
    html = client.get("/?from=2026-11-10&to=2026-11-10&queue=care&lang=en").text
    assert re.search(r'<option value="care" selected>', html)
    got = client.get("/api/v1/overview?from=2026-11-10&to=2026-11-10&queue=care").json()
    assert got["where"] == {"queue": ["care"]}
    calls = next(c for c in got["cards"] if c["id"] == "calls")
    assert calls["value"] == 2
    rows = client.get("/api/v1/kpi?metric=calls,asa&where=queue=sales").json()["rows"]
    assert rows[0]["calls"] == 4 and rows[0]["asa"] == pytest.approx(70 / 3)
