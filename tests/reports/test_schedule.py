"""Schedules: slots in the workspace timezone, each due run once (caught up once after
downtime), files in the folder and mail to a local SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from telekpi.errors import ConfigError
from telekpi.reports.runner import run_due
from telekpi.reports.schedule import MAX_ATTEMPTS, ScheduleState, load_schedule
from telekpi.workspace import Workspace

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    c = Controller(inbox, hostname="127.0.0.1", port=port)
    c.start()
    yield port, inbox
    c.stop()


def schedule_file(tmp_path, body: str, port: int = 1):
    path = tmp_path / "schedule.yaml"
    path.write_text(f"""folder: out
smtp: {{host: 127.0.0.1, port: {port}, from: "telekpi <reports@example.com>"}}
reports:
{body}""", encoding="utf-8")
    return path


TWICE = """  - id: twice-weekly
    days: [mon, thu]
    at: "08:00"
    period: last_7_days
    formats: [html, xlsx]
    lang: vi
    to: [boss@example.com, sup@example.com]
"""


def at(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%d %H:%M").replace(tzinfo=HCM)


@pytest.mark.slow
def test_due_runs_once_and_a_missed_run_is_caught_up_once(centre, tmp_path, smtp):
    port, inbox = smtp
    sched = load_schedule(schedule_file(tmp_path, TWICE, port))
    state = ScheduleState(tmp_path / "state.sqlite")
    assert run_due(sched, Workspace.open(centre), at("2026-11-16 07:00"), state) == []      # first seen: nothing missed
    assert run_due(sched, Workspace.open(centre), at("2026-11-16 07:59"), state) == []
    (o,) = run_due(sched, Workspace.open(centre), at("2026-11-16 08:00"), state)            # Monday 08:00 sharp
    assert o.ok and o.due == at("2026-11-16 08:00")
    assert [f.name for f in o.files] == ["twice-weekly_2026-11-09_2026-11-15.html",
                                         "twice-weekly_2026-11-09_2026-11-15.xlsx"]
    assert all(f.exists() and f.parent == tmp_path / "out" for f in o.files)
    assert run_due(sched, Workspace.open(centre), at("2026-11-16 09:00"), state) == []      # not twice
    # The machine is off from Tuesday to the next Wednesday: Thursday and Monday are missed.
    (late,) = run_due(sched, Workspace.open(centre), at("2026-11-25 10:00"), state)
    assert late.due == at("2026-11-23 08:00")                               # the latest slot, once
    assert run_due(sched, Workspace.open(centre), at("2026-11-25 10:01"), state) == []
    (thu,) = run_due(sched, Workspace.open(centre), at("2026-11-26 08:30"), state)
    assert thu.due == at("2026-11-26 08:00")
    assert len(inbox.messages) == 3
    rcpt, msg = inbox.messages[0]
    assert rcpt == ["boss@example.com", "sup@example.com"]
    assert "09/11/2026 – 15/11/2026" in msg["Subject"]                       # Vietnamese dates
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert names == ["twice-weekly_2026-11-09_2026-11-15.html", "twice-weekly_2026-11-09_2026-11-15.xlsx"]
    xlsx = next(p for p in msg.iter_attachments() if p.get_filename().endswith(".xlsx"))
    assert xlsx.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.get_payload(decode=True) == o.files[1].read_bytes()


def test_slots_follow_local_time_across_dst(tmp_path):
    body = """  - id: ny
    days: [sun]
    at: "02:30"
    period: previous_week
"""
    sched = load_schedule(schedule_file(tmp_path, body))
    ny = ZoneInfo("America/New_York")
    s = sched.reports[0]
    # 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 → 03:00): zoneinfo reads it
    # with the pre-jump offset, i.e. 07:30 UTC, which is 03:30 EDT.
    due = s.last_due(datetime(2026, 3, 8, 12, 0, tzinfo=ny), ny)
    assert due.date() == date(2026, 3, 8) and due.utcoffset().total_seconds() == -5 * 3600
    nxt = s.next_due(datetime(2026, 3, 8, 12, 0, tzinfo=ny), ny)
    assert nxt == datetime(2026, 3, 15, 2, 30, tzinfo=ny) and nxt.utcoffset().total_seconds() == -4 * 3600


@pytest.mark.slow
def test_a_failing_send_is_retried_then_given_up(centre, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]            # nothing listens here once the socket closes
    sched = load_schedule(schedule_file(tmp_path, TWICE, closed))
    state = ScheduleState(tmp_path / "state.sqlite")
    run_due(sched, Workspace.open(centre), at("2026-11-16 07:00"), state)
    outcomes = [run_due(sched, Workspace.open(centre), at(f"2026-11-16 08:0{i}"), state)
                for i in range(MAX_ATTEMPTS + 2)]
    tried = [o for batch in outcomes for o in batch]
    assert len(tried) == MAX_ATTEMPTS and not any(o.ok for o in tried)
    assert "ConnectionRefusedError" in tried[0].detail
    assert len(state.runs("twice-weekly")) == MAX_ATTEMPTS


def test_schedule_errors_name_their_lines(tmp_path):
    body = """  - id: a
    days: [mon, funday]
    at: "25:00"
    period: fortnight
    formats: [docx]
    lang: klingon
    color: red
  - id: a
"""
    with pytest.raises(ConfigError) as e:
        load_schedule(schedule_file(tmp_path, body))
    msg = e.value.user_message()
    for line, text in [(5, "days must list"), (6, "at '25:00' is not a time"), (7, "period must be one of"),
                       (8, "formats must list"), (9, "lang must be one of"), (10, "unknown key 'color'"),
                       (11, "defined twice")]:
        assert f"schedule.yaml:{line}: " in msg and text in msg, (line, text, msg)


def test_schedule_cli_runs_what_is_due(centre, tmp_path, run):
    path = schedule_file(tmp_path, """  - id: daily
    days: [mon, tue, wed, thu, fri, sat, sun]
    at: "07:30"
    period: yesterday
    formats: [html]
""")
    db = tmp_path / "telekpi.duckdb"
    import shutil

    shutil.copy(centre, db)
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n')
    assert run("--db", db, "schedule", path, "--at", "2026-11-18 07:00")[0] == 0
    code, out, err = run("--db", db, "schedule", path, "--at", "2026-11-18 07:45")
    assert code == 0, err
    assert "daily (2026-11-18 07:30)" in out and "daily_2026-11-17_2026-11-17.html" in out
    code, out, err = run("--db", db, "schedule", tmp_path / "missing.yaml", "--once")
    assert code == 2 and "missing.yaml" in err and "cannot read" in err
