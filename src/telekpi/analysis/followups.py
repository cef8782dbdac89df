"""What ``diagnose`` says from the operations and the call analysis (issues 25 and 27): lost
calls not won back, callbacks never made, and the QA items a team's agents skip most often.
Each is one sentence a manager can act on, from the catalog's metrics (so it is the number
``telekpi kpi`` gives for the same scope) or, for QA items, from the QA results."""

from __future__ import annotations

from dataclasses import replace

from telekpi.engine.call_view import missed_by_team
from telekpi.engine.lookup import Lookup
from telekpi.engine.names import Names
from telekpi.engine.request import Request
from telekpi.i18n import _, current
from telekpi.units import formatter

# A team's QA item is named when its agents miss it on at least this share of the calls
# scored on it, over at least QA_MIN_CALLS calls; at most QA_SENTENCES are said.
QA_SHARE = 0.25
QA_MIN_CALLS = 20
QA_SENTENCES = 3
FOLLOWUPS = ("lost_calls", "lost_calls_recovered", "lost_call_recovery_rate", "callbacks_due",
             "callbacks_never")


def _worst(engine, req: Request, metric: str, by: str) -> dict | None:
    """The group of ``by`` with the most ``metric``; None when it cannot be split so, or the
    data hold one group only (naming it would say nothing: the centre's one queue)."""
    if not engine.supports(metric, [by, *(d for d, _v in req.where)]):
        return None
    rows = [r for r in engine.query(replace(req, metrics=(metric,), by=(by,), period=None, ci=False)).rows
            if r.get(by) is not None]
    some = [r for r in rows if r.get(metric)]
    return max(some, key=lambda r: (r[metric], str(r[by]))) if len(rows) > 1 and some else None


def followups(engine, req: Request) -> list[str]:
    """Lost calls not won back and callbacks never made in the request's scope, one sentence
    each, with the queue or agent that holds most of them."""
    metrics = tuple(m for m in FOLLOWUPS if m in engine.catalog.metrics)
    if not metrics:
        return []
    row = engine.query(replace(req, metrics=metrics, by=(), period=None, ci=False)).rows[0]
    fmt = formatter(current())
    names = Names.whole_centre(engine)
    out = []
    lost, won = row.get("lost_calls") or 0, row.get("lost_calls_recovered") or 0
    if lost > won:
        values = {"n": fmt.number(lost - won), "lost": fmt.number(lost),
                  "hours": fmt.number(engine.settings.recovery_window_h),
                  "rate": fmt.percent(row.get("lost_call_recovery_rate") or 0, 0)}
        worst = _worst(engine, req, "lost_calls", "queue")
        out.append(_("{n} of {lost} lost calls were not won back within {hours} h ({rate} recovered); most "
                     "were lost in queue {queue} ({most})").format(**values, queue=worst["queue"],
                                                                   most=fmt.number(worst["lost_calls"]))
                   if worst else
                   _("{n} of {lost} lost calls were not won back within {hours} h ({rate} recovered)").format(
                       **values))
    never, due = row.get("callbacks_never") or 0, row.get("callbacks_due") or 0
    if never:
        values = {"n": fmt.number(never), "due": fmt.number(due)}
        worst = _worst(engine, req, "callbacks_never", "agent")
        out.append(_("{n} of {due} promised callbacks were never made; {agent} left {most}").format(
            **values, agent=names.of("agent", worst["agent"]), most=fmt.number(worst["callbacks_never"]))
                   if worst else _("{n} of {due} promised callbacks were never made").format(**values))
    return out


def skipped_items(engine, req: Request) -> list[str]:
    """The QA items a team's agents miss on at least ``QA_SHARE`` of the calls scored on them
    (over ``QA_MIN_CALLS`` or more), worst first. Centre-wide only, as a team is every agent
    in it: a request filtered to a team or an agent gets none."""
    if req.where:
        return []
    fmt = formatter(current())
    names = Names.whole_centre(engine)
    out: list[str] = []
    for r in missed_by_team(Lookup(engine), req.start, req.end, min_calls=QA_MIN_CALLS):
        if r["missed_share"] < QA_SHARE or len(out) == QA_SENTENCES:
            break
        out.append(_("{team}: its agents miss “{item}” ({section}, {form}) in {share} of the calls QA scored "
                     "for it ({missed} of {scored})").format(
            team=names.of("team", r["team_id"]), item=r["item_id"].replace("_", " "),
            section=r["section"] or "—", form=r["form_id"],
            share=fmt.percent(r["missed_share"], 0), missed=fmt.number(r["missed"]),
            scored=fmt.number(r["scored"])))
    return out
