"""Diagnosis: where the funnel breaks and why, each agent's weakest KPIs against target,
the best time to call, and whether script and campaign variants really differ. Data for
the CLI (`telekpi diagnose`), the API and the dashboard.

An agent's KPI is named only when the gap matters: it is at least ``MATERIAL`` of the
target, and the agent's 95 % interval lies wholly on the wrong side of the target, so the
gap is unlikely to be chance. The interval of a rate is its Wilson interval (the engine's
``ci``); of an average or a per-hour figure (handle time, calls per hour), the agent's
value ± the 95 % interval of the mean of their daily values; a count or an amount against
a template's target is a fact and needs none."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from telekpi.analysis.compare import ab_test
from telekpi.analysis.followups import followups, skipped_items
from telekpi.analysis.funnel import funnel
from telekpi.catalog.applies import applicable, like_with_like
from telekpi.engine.request import Request
from telekpi.i18n import N_, _, current, translate
from telekpi.i18n.words import KINDS, word
from telekpi.stats import mean_half_width, wilson
from telekpi.units import formatter

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
AGENT_METRICS = ("connection_rate", "call_conversion_rate", "aht", "csat", "calls_per_hour")
MATERIAL = 0.05   # a gap smaller than 5 % of the target is not named, however sure


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
    """Per agent (with enough calls), the one or two KPIs furthest below target where the gap
    matters (module docstring), each with the gap and the agent's 95 % interval, on the KPIs
    that apply to the agent's kind of work only (no conversion for inbound care).

    Targets come from a KPI template when one is given (each agent's own), else from the
    catalog's targets, else the agent's team average over the same scope when the team does
    the same kind of work, else the average of the agents of that kind (an inbound care
    agent is not measured against the sales floor), else the centre's."""
    from telekpi.engine.lookup import Lookup

    cat = engine.catalog.metrics
    look = Lookup(engine)
    if template is not None:
        from telekpi.targets.scorecard import scorecard

        t = template
        scope = Request((), start=t.start, end=t.end, where=t.scope)
        spread = _intervals(engine, scope, [i.metric for i in t.items])
        out = []
        for a in scorecard(engine, t)["agents"]:
            if not a["judged"]:
                continue
            gaps = [_gap(i["metric"], i["name"], i["unit"], i["better"], i["actual"], i["target"],
                         _("template"), spread.get((a["agent"], i["metric"])), i["actual"] is not None
                         and _factual(cat[i["metric"]]))
                    for i in a["items"] if i["applies"]]
            out.append({"agent": a["agent"], "team": a["team"], "kind": a["kind"], "calls": a["calls"],
                        **_worst(gaps, per_agent)})
        return out
    metrics = tuple(m for m in AGENT_METRICS if m in cat and engine.supports(m, {"agent"}))
    kinds = look.kinds("agent", req.start, req.end)
    team_kinds = look.kinds("team", req.start, req.end)
    centre = engine.query(replace(req, metrics=metrics, by=(), period=None)).rows[0]
    teams = {r["team"]: r for r in engine.query(replace(req, metrics=metrics, by=("team",),
                                                        period=None)).rows}
    rows = engine.query(replace(req, metrics=("calls",) + metrics, by=("agent",), period=None)).rows
    spread = _intervals(engine, req, list(metrics))
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
            gaps.append(_gap(m, cat[m].name, cat[m].unit, cat[m].better or "higher", r[m], target, source,
                             spread.get((r["agent"], m)), False))
        out.append({"agent": r["agent"], "team": team, "kind": kind, "calls": r["calls"],
                    **_worst(gaps, per_agent)})
    return out


def _factual(metric) -> bool:
    """A count or an amount (not a rate or an average): it is what it is, no interval."""
    return metric.unit in ("count", "money") and metric.type == "simple"


def _intervals(engine, req: Request, metrics: list[str]) -> dict[tuple[str, str], tuple[float, float]]:
    """Each agent's 95 % interval per metric: Wilson's for a rate, the value ± the interval of
    the mean of the agent's daily values for an average or a per-hour figure."""
    cat = engine.catalog.metrics
    rates = tuple(m for m in metrics if cat[m].is_proportion and cat[m].type == "ratio")
    means = tuple(m for m in metrics if m not in rates and not _factual(cat[m]))
    out: dict[tuple[str, str], tuple[float, float]] = {}
    if rates:
        for r in engine.query(replace(req, metrics=rates, by=("agent",), period=None, ci=True)).rows:
            for m in rates:
                if r.get(f"{m}_ci_low") is not None:
                    out[(r["agent"], m)] = (r[f"{m}_ci_low"], r[f"{m}_ci_high"])
    if means:
        whole = {r["agent"]: r for r in engine.query(replace(req, metrics=means, by=("agent",),
                                                              period=None)).rows}
        daily: dict[tuple[str, str], list[float]] = {}
        for r in engine.query(replace(req, metrics=means, by=("agent",), period="day", ci=False)).rows:
            for m in means:
                if r[m] is not None:
                    daily.setdefault((r["agent"], m), []).append(float(r[m]))
        for (agent, m), values in daily.items():
            half = mean_half_width(values)
            value = whole.get(agent, {}).get(m)
            if half is not None and value is not None:
                out[(agent, m)] = (value - half, value + half)
    return out


def _gap(metric: str, name: str, unit: str, better: str, actual, target, source: str,
         interval: tuple[float, float] | None, factual: bool) -> dict:
    """One KPI against its target: how far short, the agent's interval, and whether the gap
    matters (``clear``)."""
    short = _shortfall(actual, target, better)
    low, high = interval or (None, None)
    beyond = factual or (interval is not None and target is not None
                         and (high < target if better != "lower" else low > target))
    return {"metric": metric, "name": name, "unit": unit, "actual": actual, "better": better,
            "target": target, "target_source": source, "shortfall": short, "ci_low": low, "ci_high": high,
            "clear": bool(short is not None and short >= MATERIAL and beyond)}


def _worst(gaps: list[dict], n: int) -> dict:
    """The ``n`` largest gaps that matter (``weakest``), and the KPIs below target by a gap
    that could be chance or is too small to matter (``unclear``)."""
    clear = sorted((g for g in gaps if g["clear"]), key=lambda g: -g["shortfall"])
    return {"weakest": clear[:n],
            "unclear": [g["metric"] for g in gaps if not g["clear"] and (g["shortfall"] or 0) > 0]}


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
        "abandon_cap": abandon_cap(engine, req),
        "followups": followups(engine, req),
        "qa_items": skipped_items(engine, req),
    }


def abandon_cap(engine, req: Request) -> list[str]:
    """The campaigns over the outbound abandonment cap, or that will cross it at today's pace
    (analysis/compliance.py), one sentence each, as of the request's last day. Centre-wide
    only: the rate is a campaign's, so a request filtered to a team or an agent gets none."""
    from telekpi.analysis.compliance import last_day, rolling_abandonment

    if req.where:
        return []
    fmt = formatter(current())
    out = []
    for a in rolling_abandonment(engine, req.end or last_day(engine)):
        cap = fmt.percent(a["cap"], 0)
        if a["over"]:
            out.append(_("{campaign} is over the {cap} abandon cap: {rate} over {days} days").format(
                campaign=a["campaign_id"], cap=cap, rate=fmt.percent(a["rate"], 1), days=a["window_days"]))
        elif a["crosses_on"]:
            out.append(_("{campaign} is {points} points from the {cap} abandon cap and will cross it on "
                         "{day} at today's pace").format(
                campaign=a["campaign_id"], points=formatter(current()).number(a['headroom_points'], 1), cap=cap,
                day=fmt.date(a["crosses_on"])))
    return out
