"""Run the scheduled reports that are due: build, write to the folder, mail, record."""

from __future__ import annotations

import mimetypes
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import cast

from telekpi import mail
from telekpi.analysis.windows import run_window
from telekpi.errors import TelekpiError
from telekpi.i18n import _, language
from telekpi.i18n.numbers import Formatter
from telekpi.reports.model import Report
from telekpi.reports.schedule import Schedule, Scheduled, ScheduleState
from telekpi.workspace import Workspace

SUMMARY = ("calls", "connection_rate", "call_conversion_rate", "revenue", "profit", "csat")


@dataclass
class Outcome:
    id: str
    due: datetime
    ok: bool
    files: list[Path]
    detail: str


def run_due(schedule: Schedule, ws: Workspace, now: datetime, state: ScheduleState) -> list[Outcome]:
    """Every report with a slot due at ``now`` that is not done: run it once. The warehouse
    is opened only when something is due, and closed after the round."""
    tz = ws.settings.tz
    out = []
    engine = None
    try:
        for s in schedule.reports:
            due = state.pending(s, now, tz)
            if due is None:
                continue
            engine = engine or ws.engine()
            try:
                files, sent = run_one(engine, schedule, s, due)
                ok, detail = True, sent
            except (TelekpiError, OSError, smtplib.SMTPException) as e:
                files, ok = [], False
                detail = e.user_message() if isinstance(e, TelekpiError) else f"{type(e).__name__}: {e}"
            state.record(s, due, ok, detail)
            out.append(Outcome(s.id, due, ok, files, detail))
    finally:
        ws.close()
    return out


def run_one(engine, schedule: Schedule, s: Scheduled, due: datetime) -> tuple[list[Path], str]:
    from telekpi.alerts.rules import load_rules
    from telekpi.reports.build import build_report
    from telekpi.reports.write import write_report
    from telekpi.targets.template import load_template

    start, end = run_window(s.period, due.date())
    with language(s.lang or engine.settings.locale):
        template = load_template(s.template, engine.catalog) if s.template else None
        rules = load_rules(s.rules, engine.catalog) if s.rules else None
        report = build_report(engine, start, end, s.where, template=template, rules=rules, title=s.title,
                              now=due)
        schedule.folder.mkdir(parents=True, exist_ok=True)
        files = [write_report(report, schedule.folder / f"{s.id}_{start}_{end}.{ext}") for ext in s.formats]
        if not s.to:
            return files, _("written to {folder}").format(folder=schedule.folder)
        smtp = cast(dict, schedule.smtp)   # a report with recipients needs smtp (load_schedule checks)
        mail.send(smtp, message(report, s, smtp, files))
        return files, _("mailed to {n} recipients").format(n=len(s.to))


def message(report: Report, s: Scheduled, smtp: dict, files: list[Path]) -> EmailMessage:
    """The mail: a subject with the period, the headline numbers in the body, the files attached."""
    fmt = Formatter(report.lang, report.currency)
    period = f"{fmt.date(report.start)} – {fmt.date(report.end)}"
    msg = EmailMessage()
    msg["Subject"] = (s.subject or report.title) + f" · {period}"
    msg["From"] = smtp["from"]
    msg["To"] = ", ".join(s.to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="telekpi")
    head = {r["id"]: r for r in report.table("headline").rows}
    lines = [f"{report.title}", period, ""]
    for mid in SUMMARY:
        r = head.get(mid)
        if r:
            lines.append(f"{r['metric']}: {fmt.value(r['value'], r['unit'], symbol=True)}"
                         f" ({fmt.change(r['change'])} {report.window.versus(fmt)})")
    lines += ["", _("The full report is attached.")]
    msg.set_content("\n".join(lines))
    for f in files:
        ctype = mimetypes.guess_type(f.name)[0] or "application/octet-stream"
        if f.suffix == ".xlsx":
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(f.read_bytes(), maintype=maintype, subtype=subtype, filename=f.name)
    return msg
