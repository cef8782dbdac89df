"""Scorecards: each agent's actual against their own targets, attainment per item
(inverted for lower-is-better metrics), the weighted score, the bonus tier, the
commission and the reward; the same rolled up per team and per vendor.

Attainment = actual / target (higher is better) or target / actual (lower is
better), between 0 and the template's cap. An item with no data for an agent is
left out and the other weights re-weighed (``missing: skip``), or scores 0
(``missing: zero``). Agents below ``min_sample`` calls are shown but get no tier
and no reward: "too few to judge". An item whose metric does not apply to the agent's kind of
work (the kind of the campaigns most of their calls are on; no conversion for inbound care)
is shown, not judged and left out of the score, whatever ``missing`` says.

A tier is decided on the exact score (a tier holds its min and not its max, as a
catalog band does). Attainments and scores are kept to ten decimals (``EXACT``), which
sheds binary floating-point noise (a mean of 80 % attainments is 0.8, not
0.7999999999999999) and nothing anyone could see. Every surface shows them with
``Formatter.attainment``: to 0.1 %, rounded down, so the score shown never sits in a
higher tier than the one awarded; JSON and CSV carry the numbers themselves.
"""

from __future__ import annotations

from datetime import date, timedelta

from telekpi.catalog.applies import like_with_like
from telekpi.engine.lookup import Lookup
from telekpi.engine.request import Request
from telekpi.i18n import _
from telekpi.i18n.words import KINDS, word
from telekpi.targets.template import Template

ADDITIVE_UNITS = ("count", "money")
EXACT = 10   # decimals kept of an attainment or a score


def attainment(actual: float | None, target: float, better: str, cap: float) -> float | None:
    if actual is None:
        return None
    if better == "lower":
        if actual <= 0:
            return cap if target >= 0 else 0.0
        value = target / actual
    else:
        if target == 0:
            return cap if actual > 0 else 1.0
        value = actual / target
    return round(max(0.0, min(cap, value)), EXACT)


def score_of(items: list[dict], template: Template) -> float | None:
    used = [i for i in items if i.get("applies", True)
            and (i["target_attainment"] is not None or template.missing == "zero")]
    weight = sum(i["weight"] for i in used)
    if not used or not weight:
        return None
    return round(sum(i["weight"] * (i["target_attainment"] or 0.0) for i in used) / weight, EXACT)


def _reward(t: Template, score: float | None, base: float | None) -> dict:
    tier = t.tier_for(score)
    bonus = tier.bonus if tier else 0.0
    commission = 0.0
    c = t.commission
    if c and score is not None and score >= c.min_score and base:
        commission = max(c.floor, base * c.rate)
        if c.cap is not None:
            commission = min(c.cap, commission)
    return {"tier": tier.label if tier else None, "bonus": bonus, "commission": commission,
            "reward": bonus + commission}


def asked(t: Template) -> tuple[str, ...]:
    """What a scorecard asks the engine: the items, calls (for min_sample), the commission base."""
    return tuple(dict.fromkeys([i.metric for i in t.items] + ["calls"]
                               + ([t.commission.of] if t.commission else [])))


def additive(metric) -> bool:
    return metric.unit in ADDITIVE_UNITS and metric.type != "ratio"


def scorecard(engine, t: Template, as_of: date | None = None) -> dict:
    """The scorecard of a template, as data for the CLI, the web and reports.

    ``as_of`` scores the period so far (a review inside it): the actuals run to that day
    and the targets of counts and money are pro-rated to the share of the period elapsed;
    rates and durations keep their targets."""
    cat = engine.catalog.metrics
    end = t.end if as_of is None else max(t.start, min(as_of, t.end))
    share = ((end - t.start).days + 1) / ((t.end - t.start).days + 1)
    req = Request(asked(t), by=("agent",), start=t.start, end=end, where=t.scope)
    rows = {r["agent"]: r for r in engine.query(req).rows if r["agent"] is not None}
    look = Lookup(engine)
    people = {a["agent_id"]: a for a in look.agents(list(rows))}
    kinds = look.kinds("agent", t.start, end)
    # an item with no value per agent in the template's scope (dialer drops reach no agent)
    no_value = {i.metric: engine.why_not(i.metric, ["agent"] + [d for d, _v in t.scope])
                for i in t.items}
    minimum = engine.settings.min_sample
    agents = []
    for agent_id, row in sorted(rows.items()):
        info = people.get(agent_id, {})
        team, level, kind = info.get("team_id"), info.get("level"), kinds.get(agent_id)
        items = []
        for it in t.items:
            target = t.target_for(it.metric, agent_id, team, level)
            if additive(cat[it.metric]):
                target *= share
            actual = row.get(it.metric)
            why = no_value[it.metric] or (None if cat[it.metric].applies_to(kind) else _(
                "it does not apply to {kind}").format(kind=word(KINDS, kind)))
            applies = why is None
            items.append({"metric": it.metric, "name": cat[it.metric].name,
                          "unit": cat[it.metric].unit, "better": it.better, "weight": it.weight,
                          "actual": actual, "target": target, "applies": applies, "reason": why,
                          "target_attainment": attainment(actual, target, it.better, t.attainment_cap)
                          if applies else None})
        judged = (row.get("calls") or 0) >= minimum
        score = score_of(items, t)
        base = row.get(t.commission.of) if t.commission else None
        reward = _reward(t, score, base) if judged else {
            "tier": None, "bonus": None, "commission": None, "reward": None}
        agents.append({"agent": agent_id, "name": info.get("name"), "team": team,
                       "level": level, "site": info.get("site"), "vendor": info.get("vendor"),
                       "kind": kind, "calls": row.get("calls") or 0, "judged": judged,
                       "items": items, "score": score, **reward,
                       "note": None if judged else _("too few to judge ({n} calls, fewer than "
                                                     "min_sample {min})").format(
                           n=row.get("calls") or 0, min=minimum)})
    reviews = review_dates(t)
    # Why some items are not judged, in words: kinds of work, and KPIs with no value per agent.
    notes = [why for why in dict.fromkeys(no_value.values()) if why]
    if any(not cat[i.metric].applies_to(a["kind"]) for a in agents for i in t.items):
        notes.insert(0, like_with_like(engine.catalog, [i.metric for i in t.items],
                                       [a["kind"] for a in agents]))
    compared = " ".join(notes) or None
    return {"template": {"name": t.name, "file": t.file, "goal": t.goal, "start": t.start.isoformat(),
                         "end": t.end.isoformat(), "cadence": t.cadence, "supervisor": t.supervisor,
                         "items": [{"metric": i.metric, "weight": i.weight, "target": i.target,
                                    "better": i.better} for i in t.items]},
            "as_of": end.isoformat(), "elapsed": share, "compared": compared,
            "next_review": next((d.isoformat() for d in reviews if d > end), None),
            "agents": agents,
            "teams": _groups(engine, t, "team", agents, end),
            "vendors": _groups(engine, t, "vendor", agents, end)}


def review_dates(t: Template) -> list[date]:
    """The review days of the evaluation period by its cadence (twice a week: Monday and
    Thursday, seed 003), ending with the period's last day."""
    days = [t.start + timedelta(days=i) for i in range((t.end - t.start).days + 1)]
    pick = {"daily": lambda d: True, "weekly": lambda d: d.weekday() == 0,
            "twice_weekly": lambda d: d.weekday() in (0, 3), "monthly": lambda d: d.day == 1}[t.cadence]
    out = [d for d in days if pick(d) and d != t.start]
    return out + ([t.end] if not out or out[-1] != t.end else [])


def _groups(engine, t: Template, dim: str, agents: list[dict], end: date) -> list[dict]:
    """A team's (vendor's) actuals come from the engine; its target is the sum of its agents'
    targets for counts and money, their mean for rates and durations."""
    cat = engine.catalog.metrics
    answer = engine.query(Request(asked(t), by=(dim,), start=t.start, end=end, where=t.scope))
    rows = answer.rows
    out = []
    for row in rows:
        key = row[dim]
        members = [a for a in agents if a[dim] == key]
        if key is None or not members:
            continue
        items = []
        for it in t.items:
            # a team is judged on an item through the members it applies to (like with like)
            mine = [i for a in members for i in a["items"] if i["metric"] == it.metric]
            applies = any(i["applies"] for i in mine) and it.metric not in answer.not_meaningful
            targets = [i["target"] for i in mine if i["applies"] or not applies]
            target = sum(targets) if additive(cat[it.metric]) else sum(targets) / len(targets)
            actual = row.get(it.metric)
            att = attainment(actual, target, it.better, t.attainment_cap) if applies else None
            items.append({"metric": it.metric, "name": cat[it.metric].name, "unit": cat[it.metric].unit,
                          "better": it.better, "weight": it.weight, "actual": actual,
                          "target": target, "target_attainment": att, "applies": applies})
        score = score_of(items, t)
        tier = t.tier_for(score)
        out.append({dim: key, "agents": len(members), "calls": row.get("calls") or 0,
                    "items": items, "score": score,
                    "tier": tier.label if tier else None,
                    "reward": sum(a["reward"] or 0 for a in members)})
    return sorted(out, key=lambda g: (g["score"] is None, -(g["score"] or 0)))
