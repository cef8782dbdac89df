"""The Staffing page and /api/v1/staffing on a small hand-built queue (tests/wfm/test_board.py
checks the numbers): who may see them, what they show, bad input."""

import gc
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from telekpi.web.app import create_app
from telekpi.web.auth import Users

from ..wfm.test_board import FIRST, build
from .conftest import login

# A workspace of its own, a server app and the forecast (statsmodels) make each test take seconds.
pytestmark = pytest.mark.slow

WINDOW = f"from={FIRST + timedelta(days=14)}&to={FIRST + timedelta(days=20)}"


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    db = build(tmp_path_factory.mktemp("staffing") / "telekpi.duckdb")
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin", (), None)
    users.add("sup", "correct horse", "supervisor", ("T1",), None)
    users.add("ag", "correct horse", "agent", (), "a1")
    users.close()
    app = create_app(db)
    out = {}
    try:
        for name in ("boss", "sup", "ag"):
            c = TestClient(app)
            c.__enter__()
            assert login(c, name, "correct horse").status_code == 303
            out[name] = c
        yield out
    finally:
        for c in out.values():
            c.__exit__(None, None, None)
        app.state.web.close()
        del app.state.web, app.state.templates
        gc.collect()


def test_page_shows_required_scheduled_and_logged_in(clients):
    html = clients["boss"].get(f"/staffing?{WINDOW}&lang=en").text
    assert re.search(r'<a href="/staffing\?', html)   # in the nav
    row = re.search(r'<table class="metrics staffing">.*?<tbody>\s*<tr[^>]*>(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    # interval, offered, forecast, required on the phones, to schedule, scheduled, logged in, SL
    assert cells[0] == "09:00" and cells[1] == "6" and cells[3:7] == ["2", "3", "1", "1"]
    assert 'class="short"' in html   # 1 scheduled of the 3 needed
    assert "break" in re.search(r'<table class="metrics shrinkage">(.*?)</table>', html, re.S).group(1)
    assert "data-figure=" in html and "<details class=\"data\">" in html   # the chart and its table
    assert "Which model fits" in re.search(r'<p class="model-check">(.*?)</p>', html, re.S).group(1)


def test_supervisor_sees_it_and_an_agent_does_not(clients):
    assert clients["sup"].get(f"/staffing?{WINDOW}").status_code == 200
    r = clients["ag"].get("/staffing", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and "/my-day" in r.headers["location"]
    api = clients["ag"].get("/api/v1/staffing")
    assert api.status_code == 403 and "supervisor" in api.json()["error"]["message"]


def test_api_gives_the_same_numbers(clients):
    got = clients["boss"].get(f"/api/v1/staffing?{WINDOW}&interval=30m").json()
    assert got["interval_minutes"] == 30 and got["days"] == 7
    assert [(r["interval"], r["required"], r["required_scheduled"]) for r in got["rows"]][:1] == [("09:00", 2, 3)]
    assert got["shrinkage"]["value"] == pytest.approx(0.25)
    bad = clients["boss"].get("/api/v1/staffing?interval=20m")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "interval"


def test_bad_interval_on_the_page_is_one_sentence(clients):
    r = clients["boss"].get("/staffing?interval=7&lang=en")
    assert r.status_code == 400 and "is not an interval" in r.text and "Traceback" not in r.text


def test_suggested_shifts_cover_the_agents_to_schedule(clients):
    """09:00 needs 3 agents scheduled and nothing else does: the default patterns' cheapest
    cover is three 4-hour shifts (12 paid hours), on the page and in the API."""
    got = clients["boss"].get(f"/api/v1/staffing?{WINDOW}").json()["suggested"]
    assert got["error"] is None and got["optimal"] and got["agents"] == 3 and got["agent_hours"] == 12
    assert {s["pattern"] for s in got["shifts"]} == {"part-time"}
    assert all(s["start"] <= "09:00" < s["end"] for s in got["shifts"])
    html = clients["boss"].get(f"/staffing?{WINDOW}&lang=en").text
    table = re.search(r'<table class="metrics roster">(.*?)</table>', html, re.S).group(1)
    assert "part-time" in table and "12 paid agent-hours for 3 agent-hours needed" in html


def test_a_bad_patterns_file_is_a_sentence_on_the_page(clients):
    folder = clients["boss"].app.state.web.workspace.folder
    (folder / "shifts.yaml").write_text("shifts:\n  - name: day\n    start: '10:00'\n    length: 8h\n")
    try:
        html = clients["boss"].get(f"/staffing?{WINDOW}&lang=en").text
        assert "no shift pattern covers the interval from 09:00" in html
        (folder / "shifts.yaml").write_text("shifts: nothing\n")
        html = clients["boss"].get(f"/staffing?{WINDOW}&lang=en").text
        assert "shifts.yaml" in html and "no shift patterns" in html
    finally:
        (folder / "shifts.yaml").unlink()
