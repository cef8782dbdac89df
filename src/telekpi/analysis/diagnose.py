"""Diagnosis (seeds 003 and 004): where the funnel breaks and why, each agent's weakest
KPIs against target, the best time to call, and whether script and campaign variants
really differ. Data for the CLI (`telekpi diagnose`), the API and the dashboard."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from telekpi.analysis.compare import ab_test
from telekpi.analysis.funnel import funnel
from telekpi.engine.request import Request
from telekpi.i18n import N_, _, current, translate
from telekpi.stats import wilson
from telekpi.units import formatter

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
AGENT_METRICS = ("connection_rate", "call_conversion_rate", "aht", "csat", "calls_per_hour")


# The two questions of the best time to call, each a grid of weekday × hour: when do people
# pick up (connected calls / calls), and when do the calls that are picked up turn into a sale
# or an appointment (successful calls / connected calls). Each has its own denominator, so the
# two grids differ where the hours differ (the demo's every answered call is a conversation, so
# the catalog's call_success_rate, conversations / calls, would only repeat the first).
QUESTIONS = {
    "connection_rate": (N_("When people pick up"), N_("connected calls / calls")),
    "connected_conversion": (N_("When pick-ups turn into sales"),
                             N_("successful calls (a sale or an appointment) / connected calls")),
}


def best_time(engine, req: Request, top: int = 5) -> dict:
    """Two grids by weekday × hour (``QUESTIONS``): the connection rate, and the conversion of
    connected calls. Slots are ranked by the lower end of the rate's 95 % interval (so a lucky
    slot with few calls does not win): ``top`` and ``worst`` to reach people (slots with at
    least min_sample calls), ``top_sales`` to sell to those reached (min_sample connected calls)."""
    rows = engine.query(replace(req, metrics=("calls", "connected_calls", "successful_calls"),
                                by=("weekday", "hour"))).rows
    grids: dict[str, list[list[float | None]]] = {m: [[None] * 24 for __ in DAYS] for m in QUESTIONS}
    slots: list[dict[str, Any]] = []
    sales: list[dict[str, Any]] = []
    day_name = formatter(current()).weekday   # ISO weekday → "Mon", "Th 2", "周一", …
    minimum = engine.settings.min_sample
    for r in rows:
        if r["weekday"] is None or r["hour"] is None:
            continue
        d, h = int(r["weekday"]) - 1, int(r["hour"])
        calls, connected, won = r["calls"] or 0, r["connected_calls"] or 0, r["successful_calls"] or 0
        rate = connected / calls if calls else None
        conversion = won / connected if connected else None
        grids["connection_rate"][d][h] = rate
        grids["connected_conversion"][d][h] = conversion
        slot = {"day": day_name(d + 1), "weekday": d + 1, "hour": h, "calls": calls,
                "connected_calls": connected, "successful_calls": won,
                "connection_rate": rate, "connected_conversion": conversion}
        if calls >= minimum:
            lo, hi = wilson(connected, calls)
            slots.append({**slot, "ci_low": lo, "ci_high": hi})
        if connected >= minimum:
            lo, hi = wilson(won, connected)
            sales.append({**slot, "ci_low": lo, "ci_high": hi})
    slots.sort(key=lambda s: (-(s["ci_low"] or 0), s["weekday"], s["hour"]))
    sales.sort(key=lambda s: (-(s["ci_low"] or 0), s["weekday"], s["hour"]))
    return {"grids": grids, "top": slots[:top], "worst": slots[::-1][:top], "slots": len(slots),
            "top_sales": sales[:top], "sales_slots": len(sales),
            "questions": {k: {"title": translate(t), "formula": translate(f)}
                          for k, (t, f) in QUESTIONS.items()}}


def _shortfall(actual, target, better: str) -> float | None:
    if actual is None or target in (None, 0):
        return None
    return (target - actual) / abs(target) if better != "lower" else (actual - target) / abs(target)


def weakest_kpis(engine, req: Request, template=None, per_agent: int = 2) -> list[dict]:
    """Per agent (with enough calls), the one or two KPIs furthest below target, with the gap.

    Targets come from a KPI template when one is given (each agent's own), else from the
    catalog's targets, else the agent's team average over the same scope (an inbound care
    agent is not measured against the sales floor), else the centre's."""
    cat = engine.catalog.metrics
    if template is not None:
        from telekpi.targets.scorecard import scorecard

        out = []
        for a in scorecard(engine, template)["agents"]:
            if not a["judged"]:
                continue
            gaps = [{"metric": i["metric"], "name": i["name"], "unit": i["unit"], "actual": i["actual"],
                     "better": i["better"], "target": i["target"], "target_source": _("template"),
                     "shortfall": _shortfall(i["actual"], i["target"], i["better"])}
                    for i in a["items"]]
            out.append({"agent": a["agent"], "team": a["team"], "calls": a["calls"],
                        "weakest": _worst(gaps, per_agent)})
        return out
    metrics = tuple(m for m in AGENT_METRICS if m in cat and engine.supports(m, {"agent"}))
    from telekpi.engine.lookup import Lookup

    centre = engine.query(replace(req, metrics=metrics, by=(), period=None)).rows[0]
    teams = {r["team"]: r for r in engine.query(replace(req, metrics=metrics, by=("team",),
                                                        period=None)).rows}
    rows = engine.query(replace(req, metrics=("calls",) + metrics, by=("agent",), period=None)).rows
    team_of = {a["agent_id"]: a["team_id"] for a in Lookup(engine).agents(
        [r["agent"] for r in rows if r["agent"] is not None])}
    out = []
    for r in rows:
        if r["agent"] is None or (r["calls"] or 0) < engine.settings.min_sample:
            continue
        team = team_of.get(r["agent"])
        gaps = []
        for m in metrics:
            if cat[m].target is not None:
                target, source = cat[m].target, _("catalog target")
            elif team in teams and teams[team].get(m) is not None:
                target, source = teams[team][m], _("team {team} average").format(team=team)
            else:
                target, source = centre.get(m), _("centre average")
            gaps.append({"metric": m, "name": cat[m].name, "unit": cat[m].unit, "actual": r[m],
                         "better": cat[m].better or "higher", "target": target,
                         "target_source": source,
                         "shortfall": _shortfall(r[m], target, cat[m].better or "higher")})
        out.append({"agent": r["agent"], "team": team, "calls": r["calls"],
                    "weakest": _worst(gaps, per_agent)})
    return out


def _worst(gaps: list[dict], n: int) -> list[dict]:
    below = [g for g in gaps if g["shortfall"] is not None and g["shortfall"] > 0]
    return sorted(below, key=lambda g: -g["shortfall"])[:n]


def diagnose(engine, req: Request, template=None) -> dict:
    f = funnel(engine, replace(req, metrics=()))
    by_team = funnel(engine, replace(req, metrics=(), by=("team",)))
    return {
        "funnel": {"bottleneck": f["groups"][0]["bottleneck"] if f["groups"] else None,
                   "stages": f["groups"][0]["stages"] if f["groups"] else [],
                   "by_team": [{"team": g["team"], "bottleneck": g["bottleneck"]}
                               for g in by_team["groups"]
                               if g["team"] is not None and g["stages"][0]["leads"]]},
        "agents": weakest_kpis(engine, req, template),
        "best_time": {k: v for k, v in best_time(engine, req).items() if k != "grids"},
        "scripts": ab_test(engine, req, variant="script", within="campaign"),
        "campaigns": ab_test(engine, req, variant="campaign", within="industry"),
    }
