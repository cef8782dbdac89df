"""Alert rules: validation with file:line, evaluation by hand, de-duplication, and delivery to
real local servers (an HTTP server and aiosmtpd's SMTP server on 127.0.0.1)."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from telekpi.alerts.channels import deliver
from telekpi.alerts.evaluate import evaluate
from telekpi.alerts.rules import load_rules
from telekpi.alerts.state import AlertState
from telekpi.catalog.loader import load_catalog
from telekpi.engine.engine import Engine
from telekpi.errors import ConfigError
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

CATALOG = load_catalog(None)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2026, 3, 10, 17, 0, tzinfo=TZ)


def test_built_in_rules_load():
    rules = load_rules(None, CATALOG)
    assert {r.id for r in rules.rules} >= {"csat-under-70", "drop-rate-over-3",
                                          "leads-not-called-in-5-minutes", "over-contacted-leads"}


@pytest.mark.parametrize("text, line, words", [
    ("rules:\n  - {id: a, metric: nope, above: 1}\n", 2, "unknown metric 'nope'"),
    ("rules:\n  - {id: a, metric: csat}\n", 2, "say when it fires"),
    ("rules:\n  - {id: a, metric: csat, below: 0.7, by: colour}\n", 2, "by must be one of"),
    ("rules:\n  - {id: a, metric: csat, band: [awful]}\n", 2, "csat has no band 'awful'"),
    ("rules:\n  - id: a\n    metric: csat\n    below: 0.7\n    window: fortnight\n", 5, "window must be one of"),
    ("rules:\n  - {id: a, kind: weather}\n", 2, "kind must be one of"),
    ("channels:\n  webhook: {url: ftp://x}\nrules: []\n", 2, "needs a url"),
    ("rules:\n  - {id: a, metric: csat, below: 0.7}\n  - {id: a, metric: csat, below: 0.6}\n", 3,
     "defined twice"),
])
def test_bad_rules_name_file_and_line(tmp_path, text, line, words):
    p = tmp_path / "alerts.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_rules(p, CATALOG)
    assert f"{p}:{line}: " in str(info.value) and words in str(info.value), str(info.value)


@pytest.fixture
def engine(tmp_path):
    wh = Warehouse(tmp_path / "telekpi.duckdb")
    con = wh.con
    con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('A1', 'T1'), ('A2', 'T2')")
    con.execute("INSERT INTO campaigns (campaign_id, industry) VALUES ('K1', 'retail')")
    rows = []
    # Today (Mar 10, local): A1 40 calls, 8 sales (20 %); A2 40 calls, 2 sales (5 %).
    for agent, sales in (("A1", 8), ("A2", 2)):
        rows += [(f"{agent}-{i}", agent, "SALE" if i < sales else "NI") for i in range(40)]
    con.executemany("INSERT INTO calls (call_id, started_at, status, agent_id, campaign_id, "
                    "disposition) VALUES (?, TIMESTAMPTZ '2026-03-10 03:00:00+00', 'answered', ?, "
                    "'K1', ?)", rows)
    con.execute("""INSERT INTO orders (order_id, ordered_at, amount, agent_id) VALUES
        ('o1', TIMESTAMPTZ '2026-03-03 03:00:00+00', 1000, 'A1'),
        ('o2', TIMESTAMPTZ '2026-03-10 03:00:00+00', 700, 'A1'),
        ('o3', TIMESTAMPTZ '2026-03-10 03:00:00+00', 100, 'A2')""")
    # Leads: L1 arrived 16:00 local, never called (late); L2 arrived 16:58 (not due yet);
    # L3 arrived 09:00 and was called at 09:02 (in time).
    con.execute("""INSERT INTO leads (lead_id, created_at) VALUES
        ('L1', TIMESTAMPTZ '2026-03-10 09:00:00+00'), ('L2', TIMESTAMPTZ '2026-03-10 09:58:00+00'),
        ('L3', TIMESTAMPTZ '2026-03-10 02:00:00+00')""")
    con.execute("""INSERT INTO calls (call_id, started_at, status, lead_id, direction) VALUES
        ('x3', TIMESTAMPTZ '2026-03-10 02:02:00+00', 'no_answer', 'L3', 'outbound')""")
    return Engine(wh, Settings(min_sample=30))


RULES = """channels:
  webhook: {url: URL}
  email: {host: 127.0.0.1, port: PORT, from: telekpi@example.vn, to: [lead@example.vn]}
rules:
  - {id: conv, metric: call_conversion_rate, below: 0.1, by: agent, window: today}
  - {id: rev-drop, metric: revenue, drop_pct: 20, by: agent, window: last_7_days}
  - {id: retail-band, metric: call_conversion_rate, band: [poor], by: campaign, window: today}
  - {id: slow, kind: slow_leads, minutes: 5, window: today, channels: [webhook]}
"""


def rules_file(tmp_path, url="http://127.0.0.1:9/x", port=9):
    p = tmp_path / "alerts.yaml"
    p.write_text(RULES.replace("URL", url).replace("PORT", str(port)))
    return load_rules(p, CATALOG)


def test_evaluation_by_hand(engine, tmp_path):
    fired = {a.key: a for a in evaluate(engine, rules_file(tmp_path), AT)}
    # A2 converts 5 % < 10 %; A1 (20 %) does not fire.
    assert "conv|agent A2" in fired and "conv|agent A1" not in fired
    assert fired["conv|agent A2"].value == pytest.approx(0.05)
    # Revenue of the last 7 days (Mar 4 – 10): A1 700 vs 1000 the 7 days before (Feb 25 – Mar 3):
    # −30 % > 20 %.
    assert "Revenue for agent A1 fell 30% to 700" in fired["rev-drop|agent A1"].message
    assert fired["rev-drop|agent A1"].to_json()["previous_from"] == "2026-02-25"
    assert "rev-drop|agent A2" not in fired   # nothing the week before: no drop to measure
    # Retail: 10/80 = 12.5 % is in the retail 'poor' band (< 25 %).
    assert "retail-band|campaign K1" in fired
    # Only L1 is late: L2 arrived 2 minutes ago, L3 was called within 2 minutes.
    assert fired["slow"].value == 1 and "(L1)" in fired["slow"].message


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list] = []
    status = 200

    def do_POST(self):  # http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append(json.loads(body))
        self.send_response(Hook.status)
        self.end_headers()

    def log_message(self, *args):
        pass


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def servers():
    Hook.received, Hook.status = [], 200
    http = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    inbox = Inbox()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    yield f"http://127.0.0.1:{http.server_port}/hook", port, inbox
    smtp.stop()
    http.shutdown()
    http.server_close()


def test_sent_once_until_it_clears_and_fires_anew(engine, tmp_path, servers):
    url, port, inbox = servers
    rules = rules_file(tmp_path, url, port)
    state = AlertState(tmp_path / "alerts.sqlite")
    firing = evaluate(engine, rules, AT)
    assert {a.key for a in state.update(firing)} == {a.key for a in firing}
    report = deliver(rules, state, firing)
    assert all(ok for *_, ok, _ in report)
    keys = sorted(a.key for a in firing)
    assert sorted(h["key"] for h in Hook.received) == keys
    assert len(inbox.messages) == len([a for a in firing if "email" in a.channels])
    import email

    subjects = [" ".join(email.message_from_string(m)["Subject"].split()) for _, m in inbox.messages]
    assert "[telekpi] Call conversion rate for agent A2 is 5.0%, below 10.0% (2026-03-10)" in subjects
    assert all(to == ["lead@example.vn"] for to, _ in inbox.messages)
    # The same alerts again: nothing new, nothing sent.
    assert state.update(firing) == [] and deliver(rules, state, firing) == []
    # A2's alert clears (it stops firing), then fires anew: sent again.
    rest = [a for a in firing if a.key != "conv|agent A2"]
    state.update(rest)
    assert "conv|agent A2" not in {a["key"] for a in state.active()}
    assert [a.key for a in state.update(firing)] == ["conv|agent A2"]
    Hook.received.clear()
    deliver(rules, state, firing)
    assert [h["key"] for h in Hook.received] == ["conv|agent A2"]


def test_a_failed_send_is_retried(engine, tmp_path, servers):
    url, port, _ = servers
    rules = rules_file(tmp_path, url, port)
    state = AlertState(tmp_path / "alerts.sqlite")
    firing = [a for a in evaluate(engine, rules, AT) if a.rule == "slow"]
    state.update(firing)
    Hook.status = 500
    assert [ok for *_, ok, _ in deliver(rules, state, firing)] == [False]
    Hook.status = 200
    assert [ok for *_, ok, _ in deliver(rules, state, firing)] == [True]
    assert deliver(rules, state, firing) == []


def test_over_contacted_leads_are_named_from_the_window_they_are_counted_in(engine, tmp_path):
    """Issue 21: the alert counted the leads whose last touch is in its window but named
    examples from the all-time stop list."""
    con = engine.warehouse.con
    con.execute("INSERT INTO leads (lead_id, created_at) VALUES ('L8', TIMESTAMPTZ '2026-01-02 02:00:00+00'), "
                "('L9', TIMESTAMPTZ '2026-03-09 02:00:00+00')")
    for lead, day in (("L8", "2026-01-05"), ("L9", "2026-03-10")):   # 6 unanswered dials each
        con.executemany("INSERT INTO calls (call_id, started_at, status, lead_id, direction) VALUES "
                        f"(?, TIMESTAMPTZ '{day} 02:00:00+00' + ? * INTERVAL 1 MINUTE, 'no_answer', ?, 'outbound')",
                        [(f"{lead}-{i}", i, lead) for i in range(6)])
    p = tmp_path / "alerts.yaml"
    p.write_text("rules:\n  - {id: over, kind: overcontacted, window: today}\n")
    fired = {a.key: a for a in evaluate(engine, load_rules(p, CATALOG), AT)}
    assert fired["over"].value == 1
    assert "(L9)" in fired["over"].message and "L8" not in fired["over"].message


def test_short_schedule_names_tomorrows_short_intervals(tmp_path):
    """Issue 26.6: tomorrow's rota against the requirement of the same weekday's history
    (tests/wfm/test_board.py: 3 agents to schedule at 09:00; its last day has nobody on the
    rota); silent in a workspace without schedules."""
    from datetime import timedelta

    from ..wfm.test_board import DAYS, FIRST, build

    db = build(tmp_path / "telekpi.duckdb", rota_days=DAYS - 1)
    engine = Engine.open(db)
    p = tmp_path / "alerts.yaml"
    p.write_text("rules:\n  - {id: short, kind: short_schedule}\n")
    last = FIRST + timedelta(days=DAYS - 1)
    eve = datetime(last.year, last.month, last.day, 18, 0, tzinfo=TZ) - timedelta(days=1)
    (alert,) = evaluate(engine, load_rules(p, CATALOG), eve)
    assert alert.key == f"short|{last}" and alert.value == 3
    assert "09:00 (3 needed, 0 scheduled)" in alert.message and "in 1 interval:" in alert.message
    # two days before, the next day's rota has its one agent: still short, by two
    (before,) = evaluate(engine, load_rules(p, CATALOG), eve - timedelta(days=1))
    assert before.value == 2
    empty = tmp_path / "none"
    empty.mkdir()
    Warehouse(empty / "telekpi.duckdb").close()
    assert evaluate(Engine.open(empty / "telekpi.duckdb"), load_rules(p, CATALOG), eve) == []
