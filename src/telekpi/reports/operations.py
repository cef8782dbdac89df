"""The report's sections of the Operations pages: lost calls won back, callbacks kept and
first-contact resolution against the previous period, by queue, agent and team
(docs/operations.md); the rules kept (docs/operations-compliance.md); the queue's staffing
(docs/workforce.md). Each takes the report's ``Builder`` (build.py, which imports this
module)."""

from __future__ import annotations

from typing import Any

from telekpi.i18n import _, current
from telekpi.reports.model import Chart, Column, Section, Table
from telekpi.units import formatter

OPERATIONS = ("lost_calls", "lost_call_recovery_rate", "recovery_time", "recovered_sales",
              "callbacks_due", "callback_on_time_rate", "callbacks_never", "fcr_rate",
              "repeat_contact_rate")
BY_QUEUE = ("lost_calls", "lost_call_recovery_rate", "recovery_time", "fcr_rate",
            "repeat_contact_rate")
BY_AGENT = ("missed_calls", "callbacks_due", "callback_on_time_rate", "fcr_rate")


def operations_section(b: Any) -> Section:
    """``b``: the report's ``Builder`` (build.py, which imports this module)."""
    s = Section("operations", _("Operations"))
    s.paragraphs.append(_("Lost calls are inbound calls that reached a queue or rang an agent and "
                          "were not answered; won back when the customer was reached again within "
                          "{hours} h. First-contact resolution: no repeat contact within {days} "
                          "days (docs/operations.md).").format(
        hours=f"{b.engine.settings.recovery_window_h:g}", days=f"{b.engine.settings.fcr_window_days:g}"))
    s.tables.append(b.versus("operations", _("Operations against the previous period"), OPERATIONS))
    dims = {d for d, _v in b.where}
    if b.engine.supports("lost_calls", dims | {"queue"}):
        s.tables.append(b.by("operations_queues", _("By queue"), "queue", BY_QUEUE, _("Queue")))
    agent = [m for m in b.allowed(BY_AGENT) if b.engine.supports(m, dims | {"agent"})]
    table = b.by("operations_agents", _("By agent"), "agent", agent, _("Agent"), sort="missed_calls")
    table.rows = [r for r in table.rows if any(r.get(m) for m in agent)]
    s.tables.append(table)
    return s


def compliance(b: Any) -> Section:
    """Rules kept over the report's days (docs/operations-compliance.md): the breaches of each
    kind and each campaign's rolling abandonment against its cap, as of the last day. The
    whole centre's: a report filtered to a team or an agent says so rather than a part."""
    from telekpi.analysis.compliance import Days
    from telekpi.analysis.compliance import compliance as rules_kept

    s = Section("compliance", _("Compliance"))
    if b.where:
        s.paragraphs.append(_("Compliance is reported for the whole centre only."))
        return s
    data = rules_kept(b.engine, Days(b.start, b.end, b.engine.settings.tz), limit=1)
    c = data["counts"]
    s.paragraphs.append(_("{outside} calls outside the calling window, {dnc} calls after a stop "
                          "request, {over} campaigns over the abandonment cap.").format(
        outside=c["outside_window"], dnc=c["dnc"], over=c["abandon_cap"]))
    s.tables.append(Table("abandonment", _("Outbound abandonment over {days} days to {day}").format(
        days=b.engine.settings.abandon_window_days, day=b.end),
        [Column("campaign", _("Campaign")), Column("abandoned", _("Dropped"), "count"),
         Column("live", _("Picked up"), "count"), Column("rate", _("Rate"), "rate"),
         Column("cap", _("Cap"), "rate"), Column("crosses_on", _("At today's pace"))],
        [{"campaign": a["campaign_id"], "abandoned": a["abandoned"], "live": a["live"], "rate": a["rate"],
          "cap": a["cap"], "crosses_on": _("over the cap") if a["over"] else (
              str(a["crosses_on"]) if a["crosses_on"] else "—")} for a in data["abandonment"]]))
    return s


def staffing(b: Any) -> list[Section]:
    """The queue's staffing (wfm/board.py, as the Staffing page shows it): for a centre-wide
    report with inbound calls, schedules or agent states; none otherwise."""
    from telekpi.wfm.board import staffing_board

    if b.where:
        return []   # the queue and its rota are the centre's
    board = staffing_board(b.engine, b.start, b.end, 60)
    rows = board["rows"]
    if not rows:
        return []
    s = Section("staffing", _("Staffing"))
    shrink = board["shrinkage"]
    if shrink["value"] is not None:
        top = ", ".join(f"{r['reason']} {formatter(current()).percent(r['shrinkage'], 1)}"
                        for r in shrink["by_reason"][:5])
        s.paragraphs.append(_("Shrinkage {share} of logged-in time ({reasons}).").format(
            share=formatter(current()).percent(shrink["value"], 1), reasons=top))
    cols = [("interval", _("Interval"), None), ("offered", _("Offered"), "count"),
            ("forecast", _("Forecast"), "count"), ("required", _("Required on the phones"), "count"),
            ("required_scheduled", _("Required to schedule"), "count"), ("scheduled", _("Scheduled"), "count"),
            ("logged_in", _("Logged in"), "count"), ("service_level", _("Service level"), "rate")]
    s.tables.append(Table("staffing", _("Each interval of the day, averaged over the period ({target})").format(
        target=board["target"]), [Column(k, label, unit) for k, label, unit in cols], rows))
    s.charts.append(Chart("staffing_agents", "line", _("Agents by interval: required, scheduled, logged in"),
                          [r["interval"] for r in rows],
                          {_("required (to schedule)"): [r["required_scheduled"] for r in rows],
                           _("scheduled"): [r["scheduled"] for r in rows],
                           _("logged in"): [r["logged_in"] for r in rows]}))
    return [s]
