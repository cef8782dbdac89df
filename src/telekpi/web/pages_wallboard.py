"""The wallboard: today's tiles, the floor now (each agent's state and for how long) and the
inbound queues, in the workspace's time with its zone named, as of the latest data.

It reloads itself every ``REFRESH`` seconds (``data-refresh``, read by the app's own
script: no inline script under the CSP)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from telekpi.days import day_start
from telekpi.engine.live import agent_states, last_data, queues
from telekpi.engine.operations import OperationsLists
from telekpi.engine.request import Request as KpiRequest
from telekpi.i18n import _, ngettext
from telekpi.units import human
from telekpi.web.access import scope_of
from telekpi.web.pages import PageDep

router = APIRouter(include_in_schema=False)

WALL = ("calls", "connection_rate", "aht", "abandonment_rate", "call_conversion_rate", "revenue")
QUEUE = ("offered", "service_level", "asa", "queue_abandonment_rate")
PER_QUEUE = ("service_level", "asa")   # each queue's line: today's service level and ASA
# Lost calls today (docs/operations.md): lost, won back, and the oldest not yet won back.
LOST = ("lost_calls", "lost_calls_recovered")
STATES = ("on_call", "wrap", "pause", "available", "offline")
REFRESH = 30


def ago(seconds: float) -> str:
    """A span as a wallboard says it: "45 s", "12 min", "2 h 05 min"."""
    s = int(seconds)
    if s < 60:
        return _("{n} s").format(n=s)
    if s < 3600:
        return _("{n} min").format(n=s // 60)
    if s < 48 * 3600:
        return _("{h} h {m:02d} min").format(h=s // 3600, m=s % 3600 // 60)
    return ngettext("{n} day", "{n} days", s // 86400).format(n=s // 86400)


def out_of_adherence_now(p, as_of: datetime | None, states: list[dict]) -> list[dict]:
    """The agents on this board (the viewer's scope) scheduled for one thing and doing
    another as of the last data, longest first (wfm/adherence.py)."""
    from telekpi.wfm.adherence import out_of_adherence

    if as_of is None:
        return []
    seen = {a["agent"]: a for a in states}
    out = []
    for r in out_of_adherence(p.engine, as_of):
        a = seen.get(r["agent_id"])
        if a is not None:
            out.append({**r, "name": a["name"], "team": a["team"], "for": ago(r["seconds"])})
    return out


@router.get("/wallboard")
def wallboard(p: PageDep) -> HTMLResponse:
    zone = p.engine.settings.tz
    today = p.default_end if p.request.query_params.get("day") is None else p.filters.end
    metrics = p.allowed(WALL)
    rows = p.engine.query(KpiRequest(tuple(metrics), start=today, end=today, where=p.where)).rows
    last = last_data(p.look)
    now = p.now()
    as_of = last.astimezone(zone) if last is not None else None
    states = agent_states(p.look, as_of, scope_of(p.user)) if as_of else []
    counts = {s: sum(1 for a in states if a["state"] == s) for s in STATES}
    rank = {s: i for i, s in enumerate(STATES)}
    states.sort(key=lambda a: (rank.get(a["state"], len(rank)), -a["seconds"]))
    for a in states:
        a["for"] = ago(a["seconds"])
    adrift = out_of_adherence_now(p, as_of, states)
    midnight = day_start(as_of.date(), zone) if as_of else None
    # Queues are the centre's (abandoned calls reach no team): shown to those who see it all.
    centre = not p.where
    lines = queues(p.look, midnight, as_of) if as_of and midnight and centre else []
    queue_metrics = [m for m in QUEUE if m in p.engine.catalog.metrics] if centre else []
    queue_today = p.engine.query(KpiRequest(tuple(queue_metrics), start=as_of.date(), end=as_of.date())
                                 ).rows[0] if queue_metrics and as_of else {}
    per_queue = [m for m in PER_QUEUE if m in queue_metrics]
    if lines and per_queue and as_of:
        by_queue = {r["queue"] or "": r for r in p.engine.query(KpiRequest(
            tuple(per_queue), by=("queue",), start=as_of.date(), end=as_of.date())).rows}
        for line in lines:
            line.update({m: by_queue.get(line["queue"], {}).get(m) for m in per_queue})
    lost_today = p.engine.query(KpiRequest(LOST, start=as_of.date(), end=as_of.date())).rows[0] \
        if centre and as_of else {}
    oldest = OperationsLists(p.engine).lost_not_recovered(
        since=midnight, limit=1).rows if centre and midnight else []
    return p.render(
        "wallboard.html", day=today, values=rows[0] if rows else {}, metrics=metrics,
        zone=p.engine.settings.timezone, refresh=REFRESH,
        refreshed=now.strftime("%H:%M:%S"),
        last=human(as_of.replace(tzinfo=None), "datetime") if as_of else None,
        last_ago=ago((now - as_of).total_seconds()) if as_of and now >= as_of else None,
        states=states, counts=counts, adrift=adrift, queues=lines, queue_metrics=queue_metrics,
        per_queue=per_queue,
        queue_today=queue_today, centre=centre, na=p.not_applicable(WALL),
        lost_metrics=LOST if lost_today else (), lost_today=lost_today,
        oldest_lost=oldest[0] if oldest else None,
        oldest_lost_for=ago((now - oldest[0]["started_at"].astimezone(zone)).total_seconds())
        if oldest else None)
