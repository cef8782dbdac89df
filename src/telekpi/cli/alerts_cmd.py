"""`telekpi alerts`: what fires now; `--send` delivers it, `--watch` keeps checking."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from telekpi.cli.output import print_csv, print_json, print_table
from telekpi.cli.query_cmds import Fmt, FmtOpt
from telekpi.cli.root import app, db_path
from telekpi.engine.request import check_day
from telekpi.errors import UsageError
from telekpi.i18n import _, ngettext


def parse_at(value: str | None, tz: ZoneInfo) -> datetime:
    if not value:
        return datetime.now(tz)
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            at = datetime.strptime(value, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
        check_day(at.date(), "at")
        return at
    raise UsageError(_("--at {value} is not a time; expected YYYY-MM-DD or 'YYYY-MM-DD HH:MM'").format(
        value=repr(value)))


def check(db: Path, rules_file: Path | None, at: str | None, send: bool):
    """One round: evaluate, record, deliver. The warehouse is open only for the round."""
    from telekpi.alerts.channels import deliver
    from telekpi.alerts.state import AlertState
    from telekpi.workspace import Workspace

    with Workspace.open(db) as ws:
        rules = ws.alert_rules(rules_file)
        firing = ws.evaluate_alerts(rules, parse_at(at, ws.settings.tz))
    state = AlertState.beside(db)
    try:
        new = state.update(firing)
        report = deliver(rules, state, firing) if send else []
    finally:
        state.close()
    return firing, new, report


@app.command("alerts")
def alerts_cmd(
    ctx: typer.Context,
    rules: Path = typer.Option(None, "--rules", help="Alert rules (YAML) [default: ./alerts.yaml, "
                               "else the built-in rules]."),
    at: str = typer.Option(None, "--at", help="Evaluate as of this local time (YYYY-MM-DD [HH:MM]) "
                           "[default: now]."),
    send: bool = typer.Option(False, "--send", help="Deliver new alerts to the rules' channels."),
    watch: bool = typer.Option(False, "--watch", help="Keep checking (and sending) every --interval seconds."),
    interval: float = typer.Option(60, "--interval", help="Seconds between checks with --watch."),
    fmt: Fmt = FmtOpt,
) -> None:
    """List the alerts that fire now (metric thresholds, bands, drops, slow and over-contacted leads)."""
    db = db_path(ctx)
    if watch:
        typer.echo(_("checking every {seconds} s; Ctrl-C stops").format(seconds=f"{interval:g}"), err=True)
        while True:
            firing, new, report = check(db, rules, at, True)
            stamp = datetime.now().strftime("%H:%M:%S")
            for a in new:
                typer.echo(_("{time} NEW  {message}").format(time=stamp, message=a.message))
            for a, channel, ok, detail in report:
                typer.echo(f"{stamp} {delivery(ok, channel, a.rule, detail)}")
            time.sleep(interval)
    firing, new, report = check(db, rules, at, send)
    rows = [{**a.to_json(), "new": a in new} for a in firing]
    if fmt == Fmt.json:
        print_json({"alerts": rows, "sent": [{"rule": a.rule, "key": a.key, "channel": c, "ok": ok,
                                              "detail": d} for a, c, ok, d in report]})
        return
    if fmt == Fmt.csv:
        print_csv(["rule", "scope", "metric", "value", "threshold", "window", "from", "to", "message"], rows)
        return
    if not rows:
        typer.echo(_("No alerts fire."))
        return
    print_table(["rule", "scope", "message"], rows, {},
                title=ngettext("{n} alert fires", "{n} alerts fire", len(rows)).format(n=len(rows)),
                labels={"rule": _("Rule"), "scope": _("Scope"), "message": _("Alert")})
    for a, channel, ok, detail in report:
        typer.echo(delivery(ok, channel, a.rule, detail))


def delivery(ok: bool, channel: str, rule: str, detail: str) -> str:
    """One line on one alert's delivery to one channel."""
    text = _("sent to {channel}: {rule} ({detail})") if ok else _("FAILED to {channel}: {rule} ({detail})")
    return text.format(channel=channel, rule=rule, detail=detail)
