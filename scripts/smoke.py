"""The base-install smoke run: what a user of a plain `pip install telekpi` meets.

Makes a fresh virtualenv in a temporary folder, installs this checkout into it with
`pip install .` (no extras; pip uses the machine's own configuration: indexes, find-links,
cache), and runs every command `telekpi --help` lists at least once on the small demo,
in a temporary workspace. A command fails the run when it exits with another status than
expected or prints "internal error" or a traceback; the run names each such command and
shows its output, and exits 1. Alert webhooks go to a receiver on 127.0.0.1 run here, so
the alerts' HTTP client is used for real, by `telekpi alerts --send` and by `telekpi serve`.

    python3 scripts/smoke.py            (or ./dev smoke)
    python3 scripts/smoke.py --keep     keep the folder (venv, workspace) and print where

Only the standard library: it runs with any Python >= 3.11, the project's .venv or not.
tests/test_packaging.py checks that STEPS cover every command of the CLI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import http.server
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAD = ("internal error", "Traceback")
PASSWORD = "smoke test password"
COMMAND_TIMEOUT = 600


class Failure(Exception):
    """A command did not do what a user may expect; the message names it and shows why."""


@dataclass(frozen=True)
class Step:
    """One command run: its words as `telekpi --help` lists them, its arguments (paths are
    relative to the workspace), the exit status it must give and text its output must hold.
    ``run`` replaces the plain run (the server); ``then`` checks more after it; a step that
    prints PDF is skipped, with a note, where the installed telekpi finds no browser."""

    command: str
    args: tuple[str, ...] = ()
    expect: int = 0
    says: str = ""
    run: Callable[[Smoke, Step], str] | None = None
    then: Callable[[Smoke], None] | None = None
    browser: bool = False

    def argv(self) -> list[str]:
        """The arguments after `telekpi`; ``{today}`` is today's date."""
        today = dt.date.today().isoformat()
        return [*self.command.split(), *(a.format(today=today) for a in self.args)]


def webhook_sent(rule: str) -> Callable[[Smoke], None]:
    """A check that the receiver got the alert of ``rule``: the alerts' HTTP client works."""
    def check(smoke: Smoke) -> None:
        smoke.receiver.wait_for(rule, timeout=30)
    return check


def serve(smoke: Smoke, step: Step) -> str:
    """`telekpi serve` in the background on a free port, visited (see ``visit``), then stopped
    with Ctrl-C; its output is what it printed meanwhile."""
    (smoke.workspace / "alerts.yaml").write_text(smoke.rules("smoke-serve"))
    port = free_port()
    log = smoke.workspace / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(smoke.telekpi), *step.argv(), "--host", "127.0.0.1",
                                 "--port", str(port), "--alerts-interval", "2"],
                                cwd=smoke.workspace, env=smoke.env, stdout=out, stderr=subprocess.STDOUT)
    failure = None
    try:
        visit(smoke, f"http://127.0.0.1:{port}", proc)
    except (Failure, OSError) as e:
        failure = e
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        (smoke.workspace / "alerts.yaml").unlink()
    output = log.read_text(errors="replace")
    if failure:
        raise Failure(f"{type(failure).__name__}: {failure}\n{output}")
    return output


def revoke_listed(smoke: Smoke, step: Step) -> str:
    """`telekpi user token revoke ID` with the id `user token list` shows for the smoke token
    (an id is the first 12 hex digits of the token's hash, known only from the list)."""
    def telekpi(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(smoke.telekpi), *args], cwd=smoke.workspace, env=smoke.env,
                              capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)

    listed = telekpi("user", "token", "list", "boss")
    found = re.search(r"\b[0-9a-f]{12}\b", listed.stdout)
    if listed.returncode or not found:
        raise Failure(f"user token list showed no token id\n{listed.stdout}{listed.stderr}")
    done = telekpi(*step.argv(), found.group(0))
    if done.returncode:
        raise Failure(f"exit status {done.returncode}, expected 0\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def visit(smoke: Smoke, base: str, proc: subprocess.Popen) -> None:
    """What a person does first: the login page, a login, two dashboard pages; and the alert
    of the workspace's rules, sent by the server's own check and listed on its Alerts page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    deadline = time.monotonic() + 120
    while True:
        try:
            with opener.open(f"{base}/login", timeout=5) as r:
                page = r.read().decode()
            break
        except OSError:
            if proc.poll() is not None:
                raise Failure(f"the server exited with status {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise Failure("the server did not answer within 120 s") from None
            time.sleep(0.3)
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    if not token:
        raise Failure(f"the login page has no form:\n{page[:2000]}")
    form = urllib.parse.urlencode({"name": "boss", "password": PASSWORD, "csrf": token.group(1),
                                   "next": "/"}).encode()
    with opener.open(f"{base}/login", data=form, timeout=60) as r:
        if r.url.rstrip("/") != base or "logout" not in r.read().decode():
            raise Failure(f"logging in as boss did not reach the overview (landed on {r.url})")
    with opener.open(f"{base}/funnel", timeout=60) as r:
        if "<html" not in r.read().decode().lower():
            raise Failure("the funnel page is not a page")
    smoke.receiver.wait_for("smoke-serve", timeout=60)
    with opener.open(f"{base}/alerts", timeout=60) as r:
        if "smoke-serve" not in r.read().decode():
            raise Failure("the server sent the smoke-serve alert but its Alerts page does not list it")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STEPS: tuple[Step, ...] = (
    Step("demo", ("--size", "small", "--out", "."), says="telekpi.duckdb"),
    Step("metrics"),
    Step("metrics", ("--format", "json"), says='"call_conversion_rate"'),
    Step("kpi", ("connection_rate", "aht", "call_conversion_rate", "revenue", "--by", "team",
                 "--period", "month")),
    Step("kpi", ("call_conversion_rate", "--by", "agent", "--ci", "--format", "json"), says='"A003"'),
    Step("kpi", ("profit", "--by", "campaign", "--explain"), says="SELECT"),
    Step("kpi", ("connection_rate", "--by", "team", "--lang", "vi")),   # the catalogs are installed
    Step("funnel", ("--by", "campaign")),
    Step("diagnose"),
    Step("ops lost", ("--from", "2020-01-01")),
    Step("ops callbacks", ("--format", "json"), says='"total"'),
    Step("forecast", ("--horizon", "7d", "--interval", "60m", "--model", "seasonal-naive"), says="Backtest"),
    Step("staff", ("--interval", "60m", "--weekday", "1"), says="patience"),
    Step("staff", ("--arrivals", "120,180,240", "--aht", "200", "--target", "asa=30s", "--format", "json"),
         says='"agents_erlang_c"'),
    Step("staff", ("--check", "--interval", "60m"), says="Best fit"),
    Step("adherence", ("--by", "interval", "--interval", "60m"), says="conformance"),
    Step("roster", ("--interval", "60m", "--format", "json"), says='"agent_hours"'),
    Step("alerts"),                                      # the built-in rules
    Step("alerts", ("--format", "json"), says='"alerts"'),
    Step("scorecard", ("scorecards/in-house-sales.yaml",)),   # the demo copies the shipped examples
    Step("scorecard", ("scorecards/outsourced-vendor.yaml", "--by", "vendor", "--format", "json")),
    Step("qa", ("qa-forms/outbound-sales-vi.yaml",), says="transcribed calls"),   # the demo's transcripts
    Step("qa", ("qa-forms/inbound-care-en.yaml", "--force", "--format", "json"), says='"scored"'),
    Step("csat-model", says="held-out"),
    Step("import", ("transcripts", "C999.vtt"), says="1 new"),
    Step("transcribe", ("C998.wav",), says="0 utterances"),   # silence: nothing invented
    Step("report", ("-o", "smoke.html")),
    Step("report", ("-o", "smoke.xlsx", "--template", "scorecards/in-house-sales.yaml")),
    Step("report", ("-o", "smoke.pdf"), browser=True),
    Step("import", ("calls", "smoke-calls.csv", "--quiet"), says="quarantined"),
    Step("import", ("agents", "smoke-agents.xlsx", "--quiet")),
    Step("quarantine", says="smoke-calls.csv"),
    Step("import", ("recordings", "recordings", "--quiet"), says="1 linked"),
    Step("analyse", says="0 linked, 0 updated"),   # the demo may have recordings too (espeak-ng)
    Step("quarantine", ("--format", "json", "--table", "calls")),
    Step("mapping suggest", ("crm-export.csv",), says="table: calls"),
    Step("alerts", ("--rules", "smoke-alerts.yaml", "--send", "--format", "json"),
         says="smoke-cli", then=webhook_sent("smoke-cli")),
    Step("user add", ("boss", "--role", "admin", "--password", PASSWORD)),
    Step("user add", ("sup1", "--role", "supervisor", "--team", "T1", "--password", PASSWORD)),
    Step("user list", says="sup1"),
    Step("user token create", ("boss", "--label", "smoke-expiring", "--expires", "30d")),
    Step("user token list", says="smoke-expiring"),
    Step("user token revoke", run=revoke_listed),
    Step("serve", run=serve),
    Step("user remove", ("sup1",)),
    Step("rollups"),
    Step("export-lake", ("lake",)),
    Step("kpi", ("connection_rate", "revenue", "--by", "team", "--lake", "lake")),
    Step("rollups", ("--lake", "lake")),
    Step("kpi", ("calls", "--engine", "clickhouse", "--lake", "lake"), expect=1,
         says="pip install 'telekpi[clickhouse]'"),
    Step("kpi", ("calls", "--engine", "spark", "--lake", "lake"), expect=1,
         says="pip install 'telekpi[spark]'"),
    Step("schedule", ("schedule.yaml", "--at", "{today} 08:00"), says="smoke_"),
    Step("ops compliance", says="recording disclosure"),
    Step("ops numbers", says="Pick-up rate"),
    Step("ops attempts", ("--format", "json"), says='"groups"'),
)


def covered_commands() -> set[tuple[str, ...]]:
    """The commands STEPS run, as their words."""
    return {tuple(s.command.split()) for s in STEPS}


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook on 127.0.0.1 that keeps the rule of every alert posted to it."""

    def __init__(self):
        self.rules: list[str] = []
        self.posted = threading.Condition()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(handler):
                body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
                with self.posted:
                    self.rules.append(json.loads(body).get("rule", ""))
                    self.posted.notify_all()
                handler.send_response(204)
                handler.end_headers()

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def wait_for(self, rule: str, timeout: float) -> None:
        with self.posted:
            if not self.posted.wait_for(lambda: rule in self.rules, timeout):
                raise Failure(f"no webhook for the alert {rule} within {timeout:.0f} s "
                              f"(received: {self.rules or 'nothing'})")


class Smoke:
    def __init__(self, folder: Path):
        self.folder = folder
        self.venv = folder / "venv"
        self.workspace = folder / "workspace"
        self.telekpi = self.venv / "bin" / "telekpi"
        self.receiver = Receiver()
        # What the user's shell might set must not reach the fresh install: no PYTHONPATH
        # pointing at the checkout, no workspace or language of the caller's (the browser
        # for PDF is the machine's, and stays).
        self.env = {k: v for k, v in os.environ.items()
                    if k == "TELEKPI_BROWSER"
                    or not (k.startswith(("TELEKPI_", "PYTHON")) or k == "VIRTUAL_ENV")}
        self.env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", COLUMNS="120")

    def install(self) -> None:
        """A fresh venv and `pip install .` of a copy of the checkout (what git would ship:
        tracked and new files, not ignored ones), so the build leaves nothing in the checkout."""
        source = self.folder / "telekpi"
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                               cwd=ROOT, check=True, capture_output=True, text=True).stdout
        for name in filter(None, files.split("\0")):
            if (ROOT / name).is_file():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, source / name)
        subprocess.run([sys.executable, "-m", "venv", str(self.venv)], check=True)
        pip = subprocess.run([str(self.venv / "bin" / "python"), "-m", "pip", "install", str(source)],
                             env=self.env, capture_output=True, text=True, check=False)
        if pip.returncode:
            raise Failure(f"pip install . failed (exit {pip.returncode}):\n{pip.stdout}{pip.stderr}")

    def rules(self, rule: str) -> str:
        """Alert rules with one rule that fires (the smoke calls are two days old) and the
        receiver as their webhook."""
        return (f"channels:\n  webhook: {{url: {self.receiver.url}}}\n"
                f"rules:\n  - {{id: {rule}, metric: calls, above: 0, window: last_30_days}}\n")

    def prepare(self) -> None:
        """The files the steps read, in the workspace."""
        ws = self.workspace
        ws.mkdir()
        day = (dt.date.today() - dt.timedelta(days=2)).isoformat()
        (ws / "smoke-calls.csv").write_text(
            "call_id,started_at,agent_id,status,talk_s\n"
            f"SMOKE-1,{day} 10:00:00,A003,answered,120\n"
            f"SMOKE-2,{day} 10:05:00,A003,no_answer,0\n"
            f"SMOKE-3,{day} 10:09:00,A004,answered,-5\n")        # quarantined: talk_s < 0
        (ws / "crm-export.csv").write_text(
            "Call ID,Start Time,Agent,Result,Talk (s)\n"
            "C1,31/10/2026 09:15,A003,ANSWERED,75\n"
            "C2,31/10/2026 09:20,A004,NO ANSWER,0\n")
        (ws / "smoke-alerts.yaml").write_text(self.rules("smoke-cli"))
        # a stereo 8 kHz recording of the demo's call C1 (noise in bursts: the agent on the left,
        # then the customer on the right), written with the standard library
        import math
        import struct

        (ws / "recordings").mkdir()
        with wave.open(str(ws / "recordings" / "C1.wav"), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(8000)
            frames = bytearray()
            for i in range(8000 * 4):
                t = i / 8000
                tone = int(8000 * math.sin(2 * math.pi * 440 * t) * math.sin(2 * math.pi * 3 * t))
                frames += struct.pack("<hh", tone if t < 2 else 0, tone if t >= 2 else 0)
            w.writeframes(bytes(frames))
        with wave.open(str(ws / "C998.wav"), "wb") as w:   # two seconds of silence
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(bytes(32000))
        (ws / "C999.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:03.000\n<v Agent>Good morning, this call "
                                     "may be recorded.\n\n00:04.000 --> 00:05.000\n<v Customer>Thanks!\n")
        (ws / "schedule.yaml").write_text(
            "reports:\n  - id: smoke\n    days: [mon, tue, wed, thu, fri, sat, sun]\n"
            '    at: "08:00"\n    period: previous_month\n    formats: [html, xlsx]\n')
        # a workbook written with the installed openpyxl, read back by telekpi's reader
        write = ("import openpyxl, sys; wb = openpyxl.Workbook(); ws = wb.active;"
                 "ws.append(['agent_id', 'name', 'team_id']); ws.append(['A900', 'Smoke', 'T1']);"
                 "wb.save(sys.argv[1])")
        subprocess.run([str(self.venv / "bin" / "python"), "-c", write, str(ws / "smoke-agents.xlsx")],
                       check=True)

    def has_browser(self) -> bool:
        """Whether the installed telekpi finds a browser to print PDF with (its own search)."""
        probe = subprocess.run([str(self.venv / "bin" / "python"), "-c",
                                "from telekpi.reports.pdf import find_browser; find_browser()"],
                               env=self.env, capture_output=True, check=False)
        return probe.returncode == 0

    def run(self, step: Step) -> str:
        """Run one step; return its output, raise Failure when it is not as expected."""
        if step.run:
            output = step.run(self, step)
        else:
            try:
                proc = subprocess.run([str(self.telekpi), *step.argv()], cwd=self.workspace, env=self.env,
                                      stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      timeout=COMMAND_TIMEOUT, check=False)
            except subprocess.TimeoutExpired as e:
                raise Failure(f"no answer within {COMMAND_TIMEOUT} s\n{e.stdout or ''}{e.stderr or ''}") from None
            output = proc.stdout + proc.stderr
            if proc.returncode != step.expect:
                raise Failure(f"exit status {proc.returncode}, expected {step.expect}\n{output}")
        bad = [b for b in BAD if b in output]
        if bad:
            raise Failure(f"the output holds {bad[0]!r}\n{output}")
        if step.says and step.says not in output:
            raise Failure(f"the output lacks {step.says!r}\n{output}")
        if step.then:
            step.then(self)
        return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="telekpi-smoke-"))
    started = time.monotonic()
    smoke = Smoke(folder)
    failures = []
    try:
        print(f"smoke: pip install . into a fresh venv in {folder}", flush=True)
        smoke.install()
        print(f"smoke: installed in {time.monotonic() - started:.0f} s", flush=True)
        smoke.prepare()
        browser = smoke.has_browser()
        for step in STEPS:
            line = shlex.join(["telekpi", *step.argv()])
            if step.browser and not browser:
                print(f"smoke: skipped  {line} (no Chromium, Chrome or Edge here)", flush=True)
                continue
            t = time.monotonic()
            try:
                smoke.run(step)
            except Failure as e:
                failures.append(line)
                print(f"smoke: FAILED  {line}\n{e}", flush=True)
            else:
                print(f"smoke: ok {time.monotonic() - t:5.1f} s  {line}", flush=True)
    except Failure as e:
        failures.append("pip install .")
        print(f"smoke: FAILED  {e}", flush=True)
    finally:
        smoke.receiver.shutdown()
        smoke.receiver.server_close()
        if args.keep:
            print(f"smoke: kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    took = time.monotonic() - started
    if failures:
        print(f"smoke: {len(failures)} failed in {took:.0f} s: " + "; ".join(failures))
        return 1
    print(f"smoke: every command ran as expected in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
