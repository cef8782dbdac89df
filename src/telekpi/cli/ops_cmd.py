"""`telekpi ops lost` and `telekpi ops callbacks`: the operations lists (docs/operations.md) —
lost inbound calls whose customer has not been reached again, oldest first, and callbacks
promised and overdue. The numbers behind them are catalog metrics (`telekpi kpi
lost_call_recovery_rate callback_on_time_rate fcr_rate`)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import typer

from telekpi.cli.output import human, names_for, print_json, print_table
from telekpi.cli.query_cmds import Fmt, FmtOpt, FromOpt, ToOpt, date_option
from telekpi.cli.root import app, open_workspace
from telekpi.i18n import _

ops_app = typer.Typer(help="Operations lists: lost calls to win back, overdue callbacks.",
                      no_args_is_help=True)
app.add_typer(ops_app, name="ops")
LimitOpt = typer.Option(100, "--limit", min=1, max=10000, help="Show at most this many rows.")


def _bounds(start: str | None, end: str | None, tz: str, default_hours: float | None):
    """--from/--to as instants (local midnights); without --from, ``default_hours`` back."""
    zone = ZoneInfo(tz)
    first, last = date_option(start, "--from"), date_option(end, "--to")
    since = (datetime.combine(first, time(0), zone) if first else
             datetime.now(UTC) - timedelta(hours=default_hours) if default_hours else None)
    until = datetime.combine(last + timedelta(days=1), time(0), zone) if last else None
    return since, until


def _local(ts: datetime | None, tz: str) -> str:
    return ts.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if ts else "—"


@ops_app.command("lost")
def lost_cmd(ctx: typer.Context, start: str = FromOpt, end: str = ToOpt, limit: int = LimitOpt,
             fmt: Fmt = FmtOpt) -> None:
    """Lost inbound calls whose customer has not been reached again, oldest first
    [default: those of the last recovery_window_h, still to win back]."""
    ws = open_workspace(ctx)
    tz = ws.settings.timezone
    since, until = _bounds(start, end, tz, ws.settings.recovery_window_h)
    page = ws.operations().lost_not_recovered(since=since, until=until, limit=limit)
    if fmt != Fmt.table:
        print_json({"total": page.total, "rows": page.rows})
        return
    names = names_for(ws.engine())
    rows = [{"call": r["call_id"], "lost at": _local(r["started_at"], tz), "queue": r["queue"] or "—",
             "how": _("rang {agent}").format(agent=names.of("agent", r["agent_id"]))
             if r["lost_how"] == "missed" else _("abandoned"),
             "customer": r["customer_number"] or r["caller_number"] or r["lead_id"] or "—",
             "attempts": r["attempts"],
             "waiting": human(_age(r["started_at"]), "seconds")} for r in page.rows]
    print_table(["call", "lost at", "queue", "how", "customer", "attempts", "waiting"], rows,
                {"attempts": "count"}, title=_("Lost calls not won back ({shown} of {total})").format(
                    shown=len(rows), total=page.total),
                labels={"call": _("Call"), "lost at": _("Lost at"), "queue": _("Queue"),
                        "how": _("How"), "customer": _("Customer"), "attempts": _("Our attempts"),
                        "waiting": _("Waiting")})


@ops_app.command("callbacks")
def callbacks_cmd(ctx: typer.Context, start: str = FromOpt, end: str = ToOpt,
                  limit: int = LimitOpt, fmt: Fmt = FmtOpt) -> None:
    """Callbacks promised and not kept, past their due time plus callback_tolerance_min,
    longest overdue first."""
    ws = open_workspace(ctx)
    tz = ws.settings.timezone
    since, until = _bounds(start, end, tz, None)
    page = ws.operations().overdue_callbacks(since=since, until=until, limit=limit)
    if fmt != Fmt.table:
        print_json({"total": page.total, "rows": page.rows})
        return
    names = names_for(ws.engine())
    rows = [{"call": r["call_id"], "promised": _local(r["started_at"], tz),
             "due": _local(r["due_at"], tz), "agent": names.of("agent", r["agent_id"]),
             "customer": r["customer_number"] or r["lead_id"] or "—",
             "overdue": human(r["overdue_s"], "seconds")} for r in page.rows]
    print_table(["call", "promised", "due", "agent", "customer", "overdue"], rows, {},
                title=_("Callbacks overdue ({shown} of {total})").format(shown=len(rows),
                                                                        total=page.total),
                labels={"call": _("Call"), "promised": _("Promised"), "due": _("Due"),
                        "agent": _("Agent"), "customer": _("Customer"), "overdue": _("Overdue")})


def _age(ts: datetime) -> float:
    return (datetime.now(UTC) - ts).total_seconds()
