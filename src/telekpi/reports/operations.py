"""The report's Operations section (docs/operations.md): lost calls won back, callbacks kept
and first-contact resolution against the previous period, by queue, agent and team."""

from __future__ import annotations

from typing import Any

from telekpi.i18n import _
from telekpi.reports.model import Section

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
