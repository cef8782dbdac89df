"""Issue 24, part 3, on a small hand-built workspace in Ho Chi Minh time (UTC+7): the
overview's month projection, drill-down links and alerts for the view's scope; the wallboard
in local time with the last data and the agents' states; an agent's pages and My day."""

from __future__ import annotations

import gc
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from telekpi.store.warehouse import Warehouse
from telekpi.web.app import create_app
from telekpi.web.auth import Users

from .conftest import login

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

TEMPLATE = """name: November calls
period: {start: 2026-11-01, end: 2026-11-30}
items:
  - {metric: calls, target: 500, weight: 50}
  - {metric: call_conversion_rate, target: 0.2, weight: 50}
reward:
  tiers:
    - {min: 0.0, max: 0.5, bonus: 0, label: starting}
    - {min: 0.5, bonus: 1000000, label: on target}
"""
ALERTS = "rules:\n  - {id: few-calls, metric: calls, below: 1000, by: team, window: month}\n"
VIEW = "from=2026-11-01&to=2026-11-10"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """Mon–Sat, 14 October – 10 November 2026, 03:00 UTC: A1 (Alice, T1) 3 calls a day with one
    sale, A2 (Bao, T2) 2 calls, none sold. On 10 November at 12:00 UTC (19:00 in Ho Chi Minh)
    a caller waits in the care queue, the latest data; A1 is on a call since 11:58, A2 paused
    for lunch since 11:45, A3 logged out at 10:00."""
    folder = tmp_path_factory.mktemp("hcm")
    (folder / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\ncurrency = "VND"\nmin_sample = 5\n')
    (folder / "scorecards").mkdir()
    (folder / "scorecards" / "calls.yaml").write_text(TEMPLATE, encoding="utf-8")
    (folder / "alerts.yaml").write_text(ALERTS, encoding="utf-8")
    db = folder / "telekpi.duckdb"
    rows = []
    day = date(2026, 10, 14)
    while day <= date(2026, 11, 10):
        if day.isoweekday() != 7:
            for agent, n, sales in (("A1", 3, 1), ("A2", 2, 0)):
                rows += [(f"{agent}-{day}-{i}", f"{day} 03:00:00+00", agent, "outbound", "answered",
                          "SALE" if i < sales else "NI", None, None, None) for i in range(n)]
        day += timedelta(days=1)
    rows.append(("Q1", "2026-11-10 12:00:00+00", None, "inbound", "abandoned", None, "care",
                 "2026-11-10 11:59:30+00", 120))
    with Warehouse(db) as wh:
        wh.con.execute("INSERT INTO agents (agent_id, name, team_id) VALUES ('A1', 'Alice', 'T1'), "
                       "('A2', 'Bao', 'T2'), ('A3', 'Chi', 'T2')")
        wh.con.executemany(
            "INSERT INTO calls (call_id, started_at, agent_id, campaign_id, direction, status, disposition, "
            "queue, queued_at, wait_s, talk_s) VALUES (?, CAST(? AS TIMESTAMPTZ), ?, 'K1', ?, ?, ?, ?, "
            "CAST(? AS TIMESTAMPTZ), ?, 60)", rows)
        wh.con.execute("""INSERT INTO agent_states (agent_id, state, started_at, ended_at, reason) VALUES
            ('A1', 'wrap', TIMESTAMPTZ '2026-11-10 11:57:00+00', TIMESTAMPTZ '2026-11-10 11:58:00+00', NULL),
            ('A1', 'on_call', TIMESTAMPTZ '2026-11-10 11:58:00+00', TIMESTAMPTZ '2026-11-10 12:00:00+00', NULL),
            ('A2', 'pause', TIMESTAMPTZ '2026-11-10 11:45:00+00', TIMESTAMPTZ '2026-11-10 12:00:00+00', 'lunch'),
            ('A3', 'available', TIMESTAMPTZ '2026-11-10 09:00:00+00', TIMESTAMPTZ '2026-11-10 10:00:00+00', NULL)""")
        # The rota: all three to work 16:00–20:00 local; A2's lunch and A3's logging out break it.
        wh.con.execute("""INSERT INTO schedules (agent_id, starts_at, ends_at, activity) VALUES
            ('A1', TIMESTAMPTZ '2026-11-10 09:00:00+00', TIMESTAMPTZ '2026-11-10 13:00:00+00', 'work'),
            ('A2', TIMESTAMPTZ '2026-11-10 09:00:00+00', TIMESTAMPTZ '2026-11-10 13:00:00+00', 'work'),
            ('A3', TIMESTAMPTZ '2026-11-10 09:00:00+00', TIMESTAMPTZ '2026-11-10 13:00:00+00', 'work')""")
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin", (), None)
    users.add("bao", "correct horse", "agent", (), "A2")
    users.close()
    app = create_app(db)
    clients = {}
    try:
        for name in ("boss", "bao"):
            c = TestClient(app)
            c.__enter__()
            assert login(c, name, "correct horse").status_code == 303
            clients[name] = c
        yield clients
    finally:
        for c in clients.values():
            c.__exit__(None, None, None)
        app.state.web.close()
        del app.state.web, app.state.templates
        gc.collect()


def test_overview_projects_the_month_and_says_behind(client):
    got = client["boss"].get(f"/api/v1/overview?{VIEW}").json()
    pace = got["pace"]
    # 8 working days (Mon–Sat; 1 and 8 November are Sundays) of 25 in November; 41 calls
    # (40 outbound and the caller in the queue): 41 / 8 × 25 = 128.125 against 2 × 500.
    assert (pace["elapsed_days"], pace["month_days"], pace["working_weekdays"]) == (8, 25, [1, 2, 3, 4, 5, 6])
    calls = next(i for i in pace["items"] if i["metric"] == "calls")
    assert calls["so_far"] == 41 and calls["projected"] == pytest.approx(128.125)
    assert calls["target"] == pytest.approx(1000) and calls["on_track"] is False
    html = client["boss"].get(f"/?{VIEW}&lang=en").text
    item = re.search(r'<li class="behind" data-metric="calls" title="target from November calls">'
                     r'(.*?)</li>', html, re.S).group(1)
    assert "41 so far of 1,000" in item and "projected month end 128" in item and "behind" in item


def test_cards_movers_and_alerts_link_to_their_rows_with_the_filters(client):
    got = client["boss"].get(f"/api/v1/overview?{VIEW}&campaign=K1").json()
    card = next(c for c in got["cards"] if c["id"] == "calls")
    assert card["link"] == "/agents?from=2026-11-01&to=2026-11-10&campaign=K1&sort=calls"
    revenue = next(c for c in got["cards"] if c["id"] == "revenue")
    assert revenue["link"] == "/revenue?from=2026-11-01&to=2026-11-10&campaign=K1"
    calls = next(m for m in got["movers"] if m["metric"] == "calls")
    team = calls["movers"]["team"][0]
    assert team["link"] == f"/agents?from=2026-11-01&to=2026-11-10&campaign=K1&team={team['key']}"
    agent = calls["movers"]["agent"][0]
    assert agent["link"] == f"/agents/{agent['key']}?from=2026-11-01&to=2026-11-10&campaign=K1"
    html = client["boss"].get(f"/?{VIEW}&campaign=K1").text
    assert f'href="{card["link"].replace("&", "&amp;")}"' in html
    assert f'href="{team["link"].replace("&", "&amp;")}"' in html


def test_alerts_are_those_of_the_views_scope(client):
    everyone = client["boss"].get(f"/api/v1/overview?{VIEW}").json()["alerts"]
    assert {a["scope"] for a in everyone} == {"team T1", "team T2"}
    t1 = client["boss"].get(f"/api/v1/overview?{VIEW}&team=T1").json()["alerts"]
    assert [a["scope"] for a in t1] == ["team T1"]
    assert t1[0]["link"] == "/agents?from=2026-11-01&to=2026-11-10&team=T1"
    html = client["boss"].get(f"/?{VIEW}&team=T1&lang=en").text
    attention = html[html.index('class="overview-section needs-attention"'):]
    assert "Calls for team T1 is 24" in attention and "team T2" not in attention


def test_wallboard_in_local_time_with_the_last_data_and_the_floor(client):
    before = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    html = client["boss"].get("/wallboard?lang=en").text
    after = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    shown = re.search(r"refreshed (\d\d:\d\d:\d\d) \(Asia/Ho_Chi_Minh\)", html).group(1)
    assert shown in {before.strftime("%H:%M:%S"), after.strftime("%H:%M:%S")}   # UTC+7, not UTC
    # the latest data: the queued call at 12:00 UTC, 19:00 in Ho Chi Minh
    assert "Last data at 2026-11-10 19:00 (Asia/Ho_Chi_Minh)" in html
    states = re.findall(r'<tr class="state-(\w+)"><td>([^<]+)</td><td>[^<]*</td><td>(.*?)</td>'
                        r'<td class="num">([^<]+)</td>', html)
    got = {name: (state, re.sub(r"<[^>]+>", "", text), span) for state, name, text, span in states}
    assert got["Alice"] == ("on_call", "on a call", "2 min")
    assert got["Bao"] == ("pause", "paused · lunch", "15 min")
    assert got["Chi"] == ("offline", "logged out", "2 h 00 min")
    # the caller queued at 11:59:30 with a 120 s wait is still waiting at 12:00
    queue = re.search(r"<td>care</td>((?:<td[^>]*>[^<]*</td>)+)", html).group(1)
    assert re.findall(r">([^<]*)</td>", queue)[:2] == ["1", "0:30"]


def test_wallboard_lists_who_is_out_of_adherence_and_for_how_long(client):
    html = client["boss"].get("/wallboard?lang=en").text
    table = re.search(r'<table class="metrics adherence">(.*?)</table>', html, re.S).group(1)
    rows = [re.sub(r"<[^>]+>", "|", r) for r in re.findall(r"<tr>(.*?)</tr>", table)[1:]]
    got = [[c for c in r.split("|") if c] for r in rows]
    # longest first: Chi logged out at 17:00 local, Bao paused at 18:45; Alice is on a call as scheduled
    assert got == [["Chi", "T2", "work", "logged out", "2 h 00 min"], ["Bao", "T2", "work", "paused", "15 min"]]


def test_an_agent_sees_their_pages_and_their_day(client):
    c = client["bao"]
    html = c.get(f"/my-day?{VIEW}&lang=en").text
    nav = re.search(r"<nav class=\"nav\"[^>]*>(.*?)</nav>", html, re.S).group(1)
    assert re.findall(r'<a href="(/[a-z-]*)\?', nav) == ["/my-day", "/scorecards", "/leads", "/alerts"]
    # rank among outbound sales agents on conversion: Bao (0 %) is 2nd of 2, Alice unnamed
    assert "#2 of 2" in html
    # a peer's name, or their id as a page writes one (a random CSRF token may hold "A1")
    leaks = [html[max(0, m.start() - 200):m.end() + 80]
             for m in re.finditer(r"Alice|[>/\"' (]A1[<\"' ,)·]", html)]
    assert not leaks, leaks
    assert "November calls" in html and "to reach on target" in html
    assert "Profit" not in html and "P&amp;L" not in html
    for page in ("/", "/funnel", "/wallboard", "/agents", "/revenue"):
        r = c.get(page, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/my-day"), page
    assert c.get("/agents/A1").status_code == 403
    assert client["boss"].get("/my-day").status_code == 404
