"""Report schedules: which reports are due when, and the state that makes each due run
happen once — on time, or once late if the machine was off (never once per missed slot).

A schedule file (YAML) names reports with days and a time in the workspace timezone,
the period each covers (a window as of the day before the run: the last full day),
file types, language, scope, and who gets them by mail. The state lives in SQLite
beside the warehouse. A schedule is watched from the moment it is first seen: slots
before that are not "missed"."""

from __future__ import annotations

import re
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from telekpi.analysis.windows import WINDOWS
from telekpi.engine.request import parse_where
from telekpi.errors import ConfigError, Issue, UsageError, raise_issues
from telekpi.i18n import LANGS, _, normalize
from telekpi.store.sqlite_store import SqliteStore
from telekpi.yaml_lines import KEY_LINES, LINE, load_file

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TYPES = ("html", "xlsx", "pdf")
REPORT_KEYS = {"id", "days", "at", "period", "formats", "lang", "where", "template", "rules", "title",
               "to", "subject"}
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Scheduled:
    id: str
    days: tuple[int, ...]          # ISO weekday - 1 (0 = Monday)
    at: tuple[time, ...]
    period: str
    formats: tuple[str, ...]
    lang: str | None
    where: tuple[tuple[str, str], ...]
    template: Path | None
    rules: Path | None
    title: str | None
    to: tuple[str, ...]
    subject: str | None
    line: int | None = None

    def slots(self, day: date, tz: ZoneInfo) -> list[datetime]:
        if day.weekday() not in self.days:
            return []
        return [datetime.combine(day, t, tzinfo=tz) for t in self.at]

    def last_due(self, now: datetime, tz: ZoneInfo) -> datetime | None:
        """The latest slot at or before ``now`` (within the past 8 days)."""
        today = now.astimezone(tz).date()
        for back in range(8):
            due = [s for s in self.slots(today - timedelta(days=back), tz) if s <= now]
            if due:
                return max(due)
        return None

    def next_due(self, now: datetime, tz: ZoneInfo) -> datetime:
        today = now.astimezone(tz).date()
        for ahead in range(8):
            later = [s for s in self.slots(today + timedelta(days=ahead), tz) if s > now]
            if later:
                return min(later)
        raise AssertionError("a schedule has at least one day and time")


@dataclass
class Schedule:
    file: str
    folder: Path
    smtp: dict | None
    reports: list[Scheduled] = field(default_factory=list)


def load_schedule(path: Path) -> Schedule:
    """Read and check a schedule file; ConfigError lists every problem with its line."""
    f = str(path)
    data = load_file(path, _("cannot read the schedule ({reason})"))
    if not isinstance(data, dict):
        raise ConfigError(_("a schedule is a YAML mapping with reports (and folder, smtp)"), file=f)
    issues: list[Issue] = []

    def err(line, message):
        issues.append(Issue("error", f, line, message))

    keys = data.get(KEY_LINES, {})
    for k in set(data) - {"reports", "folder", "smtp", LINE, KEY_LINES}:
        err(keys.get(k), _("unknown key {key}; expected reports, folder and smtp").format(key=repr(k)))
    base = path.resolve().parent
    folder = base / str(data.get("folder") or "reports")
    smtp = data.get("smtp")
    if smtp is not None and not (isinstance(smtp, dict) and smtp.get("host") and smtp.get("from")):
        err(keys.get("smtp"), _("smtp needs host and from (and port, ssl or starttls, user, password_env)"))
        smtp = None
    if isinstance(smtp, dict):
        smtp = {k: v for k, v in smtp.items() if k not in (LINE, KEY_LINES)}
    reports, seen = [], set()
    raw_reports = data.get("reports")
    if not isinstance(raw_reports, list) or not raw_reports:
        err(keys.get("reports", data.get(LINE)), _("reports must list at least one report"))
        raw_reports = []
    for raw in raw_reports:
        line = raw.get(LINE) if isinstance(raw, dict) else keys.get("reports")
        if not isinstance(raw, dict) or not raw.get("id"):
            err(line, _("a report needs an id"))
            continue
        at = raw.get(KEY_LINES, {})
        rid = str(raw["id"])
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", rid):
            err(line, _("report id {id} may hold only letters, digits, '-', '_' and '.'").format(id=repr(rid)))
        if rid in seen:
            err(line, _("report {id} is defined twice").format(id=rid))
        seen.add(rid)
        for k in set(raw) - REPORT_KEYS - {LINE, KEY_LINES}:
            err(at.get(k, line), _("report {id}: unknown key {key}").format(id=rid, key=repr(k)))
        days = _list(raw.get("days", list(DAYS[:5])))
        bad = [d for d in days if str(d).lower()[:3] not in DAYS]
        if bad or not days:
            err(at.get("days", line), _("report {id}: days must list mon, tue, wed, thu, fri, sat or "
                                            "sun").format(id=rid))
        times = []
        for t in _list(raw.get("at", "08:00")):
            m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(t))
            if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                err(at.get("at", line), _("report {id}: at {value} is not a time; expected HH:MM, "
                                          "e.g. 08:00").format(id=rid, value=repr(t)))
            else:
                times.append(time(int(m.group(1)), int(m.group(2))))
        period = raw.get("period", "last_7_days")
        if period not in WINDOWS:
            err(at.get("period", line), _("report {id}: period must be one of {periods}").format(
                id=rid, periods=", ".join(WINDOWS)))
        formats = [str(x).lower() for x in _list(raw.get("formats", ["pdf"]))]
        if not formats or any(x not in TYPES for x in formats):
            err(at.get("formats", line), _("report {id}: formats must list html, xlsx or pdf").format(
                id=rid))
        lang = raw.get("lang")
        if lang is not None and normalize(str(lang)) is None:
            err(at.get("lang", line), _("report {id}: lang must be one of {langs}").format(
                id=rid, langs=", ".join(LANGS)))
        where = raw.get("where") or {}
        pairs: tuple = ()
        if not isinstance(where, dict):
            err(at.get("where", line), _("report {id}: where is a mapping such as {example}").format(
                id=rid, example="{team: T1}"))
        else:
            try:
                pairs = parse_where([f"{k}={v}" for k, vs in where.items() if k not in (LINE, KEY_LINES)
                                     for v in _list(vs)], "where")
            except UsageError as e:
                err(at.get("where", line), _("report {id}: {problem}").format(id=rid, problem=e))
        to = tuple(str(x) for x in _list(raw.get("to", [])))
        if to and smtp is None:
            err(at.get("to", line), _("report {id}: mailing it needs an smtp section").format(id=rid))
        reports.append(Scheduled(
            rid, tuple(sorted({DAYS.index(str(d).lower()[:3]) for d in days if str(d).lower()[:3] in DAYS})),
            tuple(times), str(period), tuple(dict.fromkeys(formats)),
            normalize(str(lang)) if lang else None, pairs,
            base / raw["template"] if raw.get("template") else None,
            base / raw["rules"] if raw.get("rules") else None,
            raw.get("title"), to, raw.get("subject"), line))
    raise_issues(issues, _("{n} problem(s) in the schedule:"))
    return Schedule(f, folder, smtp, reports)


def _list(v) -> list:
    return v if isinstance(v, list) else [v]


class ScheduleState(SqliteStore):
    """Per report: when it was first seen, the last slot done, and attempts at a failing slot."""

    FILE = "telekpi-schedule.sqlite"
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS schedules (id TEXT PRIMARY KEY, since REAL NOT NULL,
        done_due REAL, attempts INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS runs (id TEXT NOT NULL, due REAL NOT NULL, at REAL NOT NULL,
        ok INTEGER NOT NULL, detail TEXT NOT NULL);
    """

    def pending(self, s: Scheduled, now: datetime, tz: ZoneInfo) -> datetime | None:
        """The slot to run now, if any: the latest one due that is not done yet."""
        row = self._q("SELECT since, done_due FROM schedules WHERE id = ?", (s.id,))
        if not row:
            self._q("INSERT INTO schedules (id, since) VALUES (?, ?)", (s.id, now.timestamp()))
            since, done = now.timestamp(), None
        else:
            since, done = row[0]
        due = s.last_due(now, tz)
        if due is None or due.timestamp() < since or (done is not None and due.timestamp() <= done):
            return None
        return due

    def record(self, s: Scheduled, due: datetime, ok: bool, detail: str) -> bool:
        """Note a run; a slot is done when it succeeded or failed ``MAX_ATTEMPTS`` times."""
        self._q("INSERT INTO runs VALUES (?, ?, ?, ?, ?)", (s.id, due.timestamp(), clock.time(), int(ok), detail))
        attempts = 0 if ok else (self._q("SELECT attempts FROM schedules WHERE id = ?", (s.id,))[0][0] + 1)
        done = ok or attempts >= MAX_ATTEMPTS
        self._q("UPDATE schedules SET attempts = ?, done_due = CASE WHEN ? THEN ? ELSE done_due END WHERE id = ?",
                (0 if done else attempts, int(done), due.timestamp(), s.id))
        return done

    def runs(self, rid: str) -> list[tuple]:
        return self._q("SELECT due, at, ok, detail FROM runs WHERE id = ? ORDER BY at", (rid,))
