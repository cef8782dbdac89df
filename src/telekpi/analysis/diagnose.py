"""Diagnosis (seeds 003 and 004): where the funnel breaks and why, each agent's weakest
KPIs against target, the best time to call, and whether script and campaign variants
really differ. Data for the CLI (`telekpi diagnose`), the API and the dashboard."""

from __future__ import annotations

from dataclasses import replace

from telekpi.analysis.compare import ab_test
from telekpi.analysis.funnel import funnel
from telekpi.catalog.applies import applicable, like_with_like
from telekpi.engine.request import Request
from telekpi.i18n import _, current
from telekpi.i18n.words import KINDS, word
from telekpi.stats import wilson
from telekpi.units import formatter

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
AGENT_METRICS = ("connection_rate", "call_conversion_rate", "aht", "csat", "calls_per_hour")


def best_time(engine, req: Request, top: int = 5) -> dict:
    """Connection and call success rate by weekday × hour; slots ranked by the lower end of
    the connection rate's 95 % interval (so a lucky slot with few calls does not win)."""
    rows = engine.query(replace(req, metrics=("calls", "connected_calls", "connection_rate",
                                              "call_success_rate"), by=("weekday", "hour"))).rows
    grids = {m: [[None] * 24 for __ in DAYS] for m in ("connection_rate", "call_success_rate")}
    slots = []
    day_name = formatter(current()).weekday   # ISO weekday → "Mon", "Th 2", "周一", …
    for r in rows:
        if r["weekday"] is None or r["hour"] is None:
            continue
        d, h = int(r["weekday"]) - 1, int(r["hour"])
        for m in grids:
            grids[m][d][h] = r[m]
        if (r["calls"] or 0) >= engine.settings.min_sample:
            lo, hi = wilson(r["connected_calls"] or 0, r["calls"])
            slots.append({"day": day_name(d + 1), "weekday": d + 1, "hour": h, "calls": r["calls"],
                          "connection_rate": r["connection_rate"], "ci_low": lo, "ci_high": hi,
                          "call_success_rate": r["call_success_rate"]})
    slots.sort(key=lambda s: (-(s["ci_low"] or 0), s["weekday"], s["hour"]))
    return {"grids": grids, "top": slots[:top], "worst": slots[::-1][:top], "slots": len(slots)}


def _shortfall(actual, target, better: str) -> float | None:
    if actual is None or target in (None, 0):
        return None
    return (target - actual) / abs(target) if better != "lower" else (actual - target) / abs(target)


def weakest_kpis(engine, req: Request, template=None, per_agent: int = 2) -> list[dict]:
    """Per agent (with enough calls), the one or two KPIs furthest below target, with the gap,
    on the KPIs that apply to the agent's kind of work only (no conversion for inbound care).

    Targets come from a KPI template when one is given (each agent's own), else from the
    catalog's targets, else the agent's team average over the same scope when the team does
    the same kind of work, else the average of the agents of that kind (an inbound care
    agent is not measured against the sales floor), else the centre's."""
    from telekpi.engine.lookup import Lookup

    cat = engine.catalog.metrics
    look = Lookup(engine)
    if template is not None:
        from telekpi.targets.scorecard import scorecard

        out = []
        for a in scorecard(engine, template)["agents"]:
            if not a["judged"]:
                continue
            gaps = [{"metric": i["metric"], "name": i["name"], "unit": i["unit"], "actual": i["actual"],
                     "better": i["better"], "target": i["target"], "target_source": _("template"),
                     "shortfall": _shortfall(i["actual"], i["target"], i["better"])}
                    for i in a["items"] if i["applies"]]
            out.append({"agent": a["agent"], "team": a["team"], "kind": a["kind"],
                        "calls": a["calls"], "weakest": _worst(gaps, per_agent)})
        return out
    metrics = tuple(m for m in AGENT_METRICS if m in cat and engine.supports(m, {"agent"}))
    kinds = look.kinds("agent", req.start, req.end)
    team_kinds = look.kinds("team", req.start, req.end)
    centre = engine.query(replace(req, metrics=metrics, by=(), period=None)).rows[0]
    teams = {r["team"]: r for r in engine.query(replace(req, metrics=metrics, by=("team",),
                                                        period=None)).rows}
    rows = engine.query(replace(req, metrics=("calls",) + metrics, by=("agent",), period=None)).rows
    team_of = {a["agent_id"]: a["team_id"] for a in Lookup(engine).agents(
        [r["agent"] for r in rows if r["agent"] is not None])}
    of_kind: dict[str, dict] = {}

    def kind_average(kind: str) -> dict:
        """The metrics over every agent of ``kind`` together, in the same scope."""
        if kind not in of_kind:
            members = sorted(a for a, k in kinds.items() if k == kind)
            of_kind[kind] = engine.query(replace(
                req, metrics=metrics, by=(), period=None,
                where=tuple(req.where) + tuple(("agent", a) for a in members))).rows[0]
        return of_kind[kind]

    out = []
    for r in rows:
        if r["agent"] is None or (r["calls"] or 0) < engine.settings.min_sample:
            continue
        team, kind = team_of.get(r["agent"]), kinds.get(r["agent"])
        gaps = []
        for m in applicable(engine.catalog, metrics, kind):
            if cat[m].target is not None:
                target, source = cat[m].target, _("catalog target")
            elif team is not None and teams.get(team, {}).get(m) is not None \
                    and team_kinds.get(team) == kind:
                target, source = teams[team][m], _("team {team} average").format(team=team)
            elif kind is not None and kind_average(kind).get(m) is not None:
                target, source = kind_average(kind)[m], _("average of {kind} agents").format(
                    kind=word(KINDS, kind))
            else:
                target, source = centre.get(m), _("centre average")
            gaps.append({"metric": m, "name": cat[m].name, "unit": cat[m].unit, "actual": r[m],
                         "better": cat[m].better or "higher", "target": target,
                         "target_source": source,
                         "shortfall": _shortfall(r[m], target, cat[m].better or "higher")})
        out.append({"agent": r["agent"], "team": team, "kind": kind, "calls": r["calls"],
                    "weakest": _worst(gaps, per_agent)})
    return out


def _worst(gaps: list[dict], n: int) -> list[dict]:
    below = [g for g in gaps if g["shortfall"] is not None and g["shortfall"] > 0]
    return sorted(below, key=lambda g: -g["shortfall"])[:n]


def diagnose(engine, req: Request, template=None) -> dict:
    f = funnel(engine, replace(req, metrics=()))
    by_team = funnel(engine, replace(req, metrics=(), by=("team",)))
    agents = weakest_kpis(engine, req, template)
    metrics = [m for m in AGENT_METRICS if m in engine.catalog.metrics] if template is None \
        else [i.metric for i in template.items]
    return {
        "agents_compared": like_with_like(engine.catalog, metrics, [a["kind"] for a in agents]),
        "funnel": {"bottleneck": f["groups"][0]["bottleneck"] if f["groups"] else None,
                   "stages": f["groups"][0]["stages"] if f["groups"] else [],
                   "by_team": [{"team": g["team"], "bottleneck": g["bottleneck"]}
                               for g in by_team["groups"]
                               if g["team"] is not None and g["stages"][0]["leads"]]},
        "agents": agents,
        "best_time": {k: v for k, v in best_time(engine, req).items() if k != "grids"},
        "scripts": ab_test(engine, req, variant="script", within="campaign"),
        "campaigns": ab_test(engine, req, variant="campaign", within="industry"),
    }
