"""`telekpi alerts` through the real entry point; `--watch` as a process against a local webhook."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)


def test_alerts_on_the_demo(demo5, tmp_path, run, run_json):
    db = demo5
    data = run_json("--db", db, "alerts", "--at", "2026-11-20 17:00")
    rules = {a["rule"] for a in data["alerts"]}
    assert "over-contacted-leads" in rules
    assert all(a["new"] for a in data["alerts"])
    again = run_json("--db", db, "alerts", "--at", "2026-11-20 17:00")
    assert {a["rule"] for a in again["alerts"]} == rules and not any(a["new"] for a in again["alerts"])
    code, out, _ = run("--db", db, "alerts", "--at", "2026-11-20 17:00")
    assert code == 0 and "alerts fire" in out
    code, _, err = run("--db", db, "alerts", "--at", "yesterday")
    assert code == 2 and "--at 'yesterday' is not a time" in err


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self):  # http.server's name
        Hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_watch_sends_each_alert_once(demo5, tmp_path, run):
    db = demo5
    http = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    rules = tmp_path / "alerts.yaml"
    rules.write_text(f"channels:\n  webhook: {{url: http://127.0.0.1:{http.server_port}/h}}\n"
                     "rules:\n  - {id: stop, kind: overcontacted}\n"
                     "  - {id: drop, metric: drop_rate, above: 0.03, by: campaign, window: today}\n")
    proc = subprocess.Popen([sys.executable, "-m", "telekpi", "--db", str(db), "alerts", "--watch",
                             "--interval", "0.3", "--rules", str(rules), "--at", "2026-11-20 17:00"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(Hook.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)   # several more rounds: nothing is sent twice
    finally:
        proc.terminate()
        proc.wait(10)
        http.shutdown()
        http.server_close()
    keys = [h["key"] for h in Hook.received]
    assert sorted(keys) == sorted(set(keys)) and "stop" in keys and any(k.startswith("drop|") for k in keys)


def test_diagnose_cli(demo5, tmp_path, run, run_json):
    db = demo5
    data = run_json("--db", db, "diagnose")
    assert data["agents"] and data["best_time"]["top"]
    template = tmp_path / "scorecards" / "in-house-sales.yaml"
    with_template = run_json("--db", db, "diagnose", "--template", template)
    assert all(g["target_source"] == "template" for a in with_template["agents"] for g in a["weakest"])
    code, out, _ = run("--db", db, "diagnose")
    assert code == 0 and "Best time to call" in out and "Weakest KPIs" in out
