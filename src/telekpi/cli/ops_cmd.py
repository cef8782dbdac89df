"""`telekpi ops`: the telesales operations lists.

- ``lost`` and ``callbacks`` (docs/operations.md): lost inbound calls whose customer has not
  been reached again, oldest first, and callbacks promised and overdue; the numbers behind
  them are catalog metrics (`telekpi kpi lost_call_recovery_rate callback_on_time_rate
  fcr_rate`);
- ``compliance``, ``numbers`` and ``attempts`` (docs/operations-compliance.md): rules kept,
  caller IDs healthy, attempts worth making."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import typer

from telekpi.cli.output import human, names_for, print_json, print_table
from telekpi.cli.query_cmds import Fmt, FmtOpt, FromOpt, ToOpt, date_option
from telekpi.cli.root import app, open_workspace
from telekpi.i18n import _, current
from telekpi.units import formatter

ops_app = typer.Typer(help="Telesales operations: lost calls to win back, overdue callbacks "
                      "(docs/operations.md); compliance breaches, caller-ID health, attempts worth "
                      "making (docs/operations-compliance.md).", no_args_is_help=True)
app.add_typer(ops_app, name="ops")

LimitOpt = typer.Option(50, "--limit", min=1, help="Breaches of each kind to list (the counts are of all).")
RowsOpt = typer.Option(100, "--limit", min=1, max=10000, help="Show at most this many rows.")


def _days(engine, start: str | None, end: str | None, default_days: int):
    """The local days asked for: --to defaults to the last day with a call, --from to
    ``default_days`` before it."""
    from telekpi.analysis.compliance import Days, last_day

    last = date_option(end, "--to") or last_day(engine)
    first = date_option(start, "--from") or last - timedelta(days=default_days - 1)
    return Days(first, last, engine.settings.tz)


def _pct(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else formatter(current()).percent(v, digits)


def _day(d: date | None) -> str:
    return "—" if d is None else human(d, "date")


@ops_app.command("compliance")
def compliance_cmd(ctx: typer.Context, start: str = FromOpt, end: str = ToOpt, limit: int = LimitOpt,
                   fmt: Fmt = FmtOpt) -> None:
    """Calls outside the calling window, calls after a stop request, the abandonment cap."""
    from telekpi.analysis.compliance import compliance

    engine = open_workspace(ctx).engine()
    days = _days(engine, start, end, engine.settings.abandon_window_days)
    data = compliance(engine, days, limit=limit)
    if fmt != Fmt.table:
        print_json(data)
        return
    counts = data["counts"]
    typer.echo(_("{first} to {last}: {outside} calls outside the calling window, {dnc} calls after a "
                 "stop request, {undisclosed} calls without the recording disclosure, {over} campaigns "
                 "over the abandonment cap").format(
        first=_day(days.start), last=_day(days.end), outside=counts["outside_window"],
        dnc=counts["dnc"], undisclosed=counts["disclosure"], over=counts["abandon_cap"]))
    if data["outside_window"]:
        print_table(["call_id", "started_at", "agent_id", "campaign_id", "called_number", "local_time",
                     "window"], data["outside_window"][:limit], {}, title=_("Calls outside the calling window"),
                    labels={"call_id": _("Call"), "started_at": _("Placed"), "agent_id": _("Agent"),
                            "campaign_id": _("Campaign"), "called_number": _("Number"),
                            "local_time": _("Their local time"), "window": _("Permitted")})
    if data["dnc"]:
        print_table(["call_id", "started_at", "agent_id", "campaign_id", "called_number", "stop_at", "source"],
                    data["dnc"], {}, title=_("Calls after a stop request"),
                    labels={"call_id": _("Call"), "started_at": _("Placed"), "agent_id": _("Agent"),
                            "campaign_id": _("Campaign"), "called_number": _("Number"),
                            "stop_at": _("Asked to stop"), "source": _("Request")})
    rows = [{**a, "rate": _pct(a["rate"]), "cap": _pct(a["cap"], 0), "state": abandon_words(a)}
            for a in data["abandonment"]]
    if rows:
        print_table(["campaign_id", "abandoned", "live", "rate", "cap", "state"], rows,
                    {"abandoned": "count", "live": "count"},
                    title=_("Outbound abandonment over {days} days to {day}").format(
                        days=engine.settings.abandon_window_days, day=_day(days.end)),
                    labels={"campaign_id": _("Campaign"), "abandoned": _("Abandoned"),
                            "live": _("Picked up"), "rate": _("Rate"), "cap": _("Cap"), "state": _("State")})
    if data["disclosure"]:
        print_table(["call_id", "started_at", "agent_id", "campaign_id", "forms"], data["disclosure"], {},
                    title=_("Calls without the recording disclosure"),
                    labels={"call_id": _("Call"), "started_at": _("Placed"), "agent_id": _("Agent"),
                            "campaign_id": _("Campaign"), "forms": _("QA form")})
    if data["disclosure_checked"]:
        typer.echo(_("{n} of {checked} calls a QA form judged missed the recording disclosure.").format(
            n=human(counts["disclosure"], "count"), checked=human(data["disclosure_checked"], "count")))
    else:
        typer.echo(_("No call in these days was judged for the recording disclosure: run telekpi qa with "
                     "a form that has a recording_disclosure item."))


def abandon_words(a: dict) -> str:
    """A campaign's place against the abandonment cap, in one sentence."""
    if a["rate"] is None:
        return _("no calls picked up")
    if a["over"]:
        return _("over the cap by {points} points").format(points=formatter(current()).number(-a['headroom_points'], 1))
    if a["crosses_on"]:
        return _("{points} points below the cap; crosses it on {day} at today's pace").format(
            points=formatter(current()).number(a['headroom_points'], 1), day=_day(a["crosses_on"]))
    return _("{points} points below the cap; not crossing at today's pace").format(
        points=formatter(current()).number(a['headroom_points'], 1))


@ops_app.command("numbers")
def numbers_cmd(ctx: typer.Context, end: str = ToOpt, fmt: Fmt = FmtOpt) -> None:
    """Each outbound number's pick-up rate against its campaign's other numbers, and which to rest."""
    from telekpi.analysis.caller_ids import number_health
    from telekpi.analysis.compliance import last_day

    engine = open_workspace(ctx).engine()
    as_of = date_option(end, "--to") or last_day(engine)
    data = number_health(engine, as_of)
    if fmt != Fmt.table:
        print_json(data)
        return
    rows = []
    for c in data["campaigns"]:
        for n in c["numbers"]:
            rows.append({"campaign_id": c["campaign_id"], "line": n["line"], "calls": n["calls"],
                         "rate": _pct(n["rate"]), "peer_rate": _pct(n["peer_rate"]),
                         "drop": "—" if n["drop"] is None else _("{drop} (95 %: {low} to {high})").format(
                             drop=_pct(n["drop"]), low=_pct(n["drop_low"]), high=_pct(n["drop_high"])),
                         "flag": _("flagged") if n["flagged"] else ("" if n["enough"] else _("too few calls"))})
    print_table(["campaign_id", "line", "calls", "rate", "peer_rate", "drop", "flag"], rows, {"calls": "count"},
                title=_("Pick-up rate by outbound number on {day}").format(day=_day(as_of)),
                labels={"campaign_id": _("Campaign"), "line": _("Number"), "calls": _("Calls"),
                        "rate": _("Picked up"), "peer_rate": _("Its peers"), "drop": _("Drop"), "flag": ""})
    for c in data["campaigns"]:
        if c["advice"]:
            use = ", ".join(c["advice"]["use"]) or _("none: add numbers")
            typer.echo(_("{campaign}: rest {rest}; move their calls to {use}").format(
                campaign=c["campaign_id"], rest=", ".join(c["advice"]["rest"]), use=use))


@ops_app.command("attempts")
def attempts_cmd(ctx: typer.Context, start: str = FromOpt, end: str = ToOpt, fmt: Fmt = FmtOpt) -> None:
    """Conversion and cost per sale by attempt number and lead source, and the measured cap."""
    from telekpi.analysis.attempts import attempts

    engine = open_workspace(ctx).engine()
    days = _days(engine, start, end, 90)
    data = attempts(engine, days)
    if fmt != Fmt.table:
        print_json(data)
        return
    for g in data["groups"]:
        rows = [{**s, "conversion": _("{rate} ({low}–{high})").format(
                    rate=_pct(s["conversion"]), low=_pct(s["conversion_low"]), high=_pct(s["conversion_high"])),
                 "pays": "—" if s["pays"] is None else (_("yes") if s["pays"] else _("no"))}
                for s in g["attempts"]]
        print_table(["attempt", "calls", "sales", "conversion", "cost_per_sale", "expected_value", "pays"], rows,
                    {"calls": "count", "sales": "count", "cost_per_sale": "money", "expected_value": "money"},
                    title=_("{campaign}, source {source}").format(campaign=g["campaign_id"] or "—",
                                                                  source=g["source"] or "—"),
                    labels={"attempt": _("Attempt"), "calls": _("Calls"), "sales": _("Sales"),
                            "conversion": _("Conversion (95 %)"), "cost_per_sale": _("Cost per sale"),
                            "expected_value": _("Expected value"), "pays": _("Pays")})
        typer.echo(cap_words(g))


def cap_words(g: dict) -> str:
    """The recommended cap of one campaign and source, with the arithmetic behind it."""
    if g["recommended_cap"] is None:
        return _("No cap measured: too few calls per attempt, or no cost or revenue to weigh them.")
    text = (_("Recommended cap: {cap} attempts (every attempt with enough calls paid; more data may "
              "raise it)") if g["capped_by_data"] else
            _("Recommended cap: {cap} attempts: the next one's conversion × value per sale is below its cost"))
    return text.format(cap=g["recommended_cap"]) + " " + _(
        "(cost per attempt {cost}, value per sale {value})").format(
        cost=human(g["cost_per_attempt"], "money"), value=human(g["value_per_sale"], "money"))


def _bounds(start: str | None, end: str | None, zone, default_hours: float | None):
    """--from/--to as instants (local midnights); without --from, ``default_hours`` back."""
    from telekpi.days import day_bounds

    first = date_option(start, "--from")
    since, until = day_bounds(first, date_option(end, "--to"), zone)
    if first is None and default_hours:
        since = datetime.now(UTC) - timedelta(hours=default_hours)
    return since, until


def _local(ts: datetime | None, zone) -> str:
    return ts.astimezone(zone).strftime("%Y-%m-%d %H:%M") if ts else "—"


@ops_app.command("lost")
def lost_cmd(ctx: typer.Context, start: str = FromOpt, end: str = ToOpt, limit: int = RowsOpt,
             fmt: Fmt = FmtOpt) -> None:
    """Lost inbound calls whose customer has not been reached again, oldest first
    [default: those of the last recovery_window_h, still to win back]."""
    ws = open_workspace(ctx)
    tz = ws.settings.tz
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
                  limit: int = RowsOpt, fmt: Fmt = FmtOpt) -> None:
    """Callbacks promised and not kept, past their due time plus callback_tolerance_min,
    longest overdue first."""
    ws = open_workspace(ctx)
    tz = ws.settings.tz
    since, until = _bounds(start, end, tz, None)
    page = ws.operations().overdue_callbacks(since=since, until=until, limit=limit)
    if fmt != Fmt.table:
        print_json({"total": page.total, "rows": page.rows})
        return
    names = names_for(ws.engine())
    rows = [{"call": r["call_id"] or _("scheduled callback {id}").format(id=r["callback_id"]),
             "promised": _local(r["started_at"], tz),
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
