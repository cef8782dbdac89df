"""The lead funnel: stages, drop-off, bands and the bottleneck (seed 003).

Built on ``Engine.query``: the stage counts are catalog metrics, and the stage
rates with targets come from the catalog's bands. The bottleneck is the banded
rate with the largest relative shortfall below its target; seed 003 says to
start at the top of the funnel, so ties go to the earlier stage.

Each stage carries two rates with their denominators in their names: ``step_rate``
(of the stage before) and ``of_attempted`` (of the leads attempted). Each banded rate
carries its ``basis``, the stages it divides ("Leads reaching a decision maker / Leads
attempted"), so the contact rate is seen to be the decision-maker row's share of the
leads attempted and not the connected step. A rate's bands agree with its target: a
rate below its target is in a band below *standard*, one at or above it is not.

A group with no lead attempted has no funnel and is left out (``--by campaign`` has no
"campaign=None" block of zeros for the calls no campaign made). ``headline`` words the
centre's bottleneck together with its breakdown, so "every stage meets its target"
is never said of a centre where two teams fall short.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from telekpi.engine.request import Request
from telekpi.i18n import N_, _, current, translate
from telekpi.i18n.words import dim_name
from telekpi.units import formatter, human

STAGES = ("attempted", "connected", "decision_maker", "qualified", "won")
STAGE_METRICS = tuple(f"leads_{s}" for s in STAGES)
RATES = ("contact_rate", "qualified_rate", "close_rate")
EXTRA = ("lead_conversion_rate", "calls", "attempts_per_lead")

CAUSES = {
    "contact_rate": N_("few decision makers reached: check lead quality and list data, call hours "
                    "(see the best time to call), speed to lead, and gatekeeper handling"),
    "qualified_rate": N_("decision makers reached but not qualified: check targeting and segments, "
                      "and the script's discovery questions"),
    "close_rate": N_("qualified leads not closing: check the offer and price, objection handling, "
                  "and follow-up of callbacks"),
}


@dataclass
class StageRate:
    metric: str
    value: float | None
    target: float | None
    band: str | None
    label: str | None
    numerator: str | None = None     # the stage metric counted (leads_decision_maker)
    denominator: str | None = None   # the stage metric it is a share of (leads_attempted)
    basis: str = ""                  # both, by name, in the language in use
    name: str = ""                   # the rate's catalog name (English; translate to show)


def basis(catalog, metric_id: str) -> tuple[str | None, str | None, str]:
    """A ratio's numerator and denominator and "Numerator / Denominator" by their names."""
    m = catalog.metrics[metric_id]
    names = [translate(catalog.metrics[x].name) if x in catalog.metrics else x
             for x in (m.numerator, m.denominator) if x]
    return m.numerator, m.denominator, " / ".join(names)


def funnel(engine, req: Request) -> dict:
    """Stage counts, step conversion and drop-off, banded rates and the bottleneck per group."""
    q = replace(req, metrics=STAGE_METRICS + RATES + EXTRA, ci=False)
    result = engine.query(q)
    cat = engine.catalog
    groups = []
    for row in result.rows:
        if not row[STAGE_METRICS[0]]:
            continue   # no lead attempted: calls outside any lead (inbound care), no funnel
        stages: list[dict[str, Any]] = []
        prev = attempted = None
        for stage, mid in zip(STAGES, STAGE_METRICS, strict=True):
            n = row[mid] or 0
            attempted = n if attempted is None else attempted
            step: float | None = None if prev is None else (n / prev if prev else None)
            stages.append({"stage": stage, "leads": n, "step_rate": step,
                           "dropoff": None if step is None else 1 - step,
                           "of_attempted": n / attempted if attempted else None})
            prev = n
        rates = []
        for mid in RATES:
            m = cat.metrics[mid]
            band = m.band(row[mid])
            rates.append(StageRate(mid, row[mid], m.target, band.level if band else None,
                                   band.label if band else None, *basis(cat, mid), name=m.name))
        groups.append({
            **{d: row[d] for d in result.by},
            **({"period": row["period"]} if req.period else {}),
            "stages": stages,
            "rates": [r.__dict__ for r in rates],
            "lead_conversion_rate": row["lead_conversion_rate"],
            "attempts_per_lead": row["attempts_per_lead"],
            "bottleneck": bottleneck(rates, engine.settings.min_sample, stages[0]["leads"], cat),
        })
    return {"by": result.by, "period": req.period, "groups": groups}


def summary(engine, req: Request, dim: str = "team", names=None) -> dict:
    """The funnel of the whole scope, its breakdown by ``dim`` (``breakdown``) and the
    ``headline`` over both: what the CLI without --by, the dashboard and the report show.
    ``names`` (``engine.names.Names``) names the teams in the headline; else their ids."""
    whole = funnel(engine, replace(req, by=(), period=None))
    parts = funnel(engine, replace(req, by=(dim,), period=None))["groups"]
    centre = whole["groups"][0] if whole["groups"] else None
    return {**whole, "breakdown": {"by": dim, "groups": parts},
            "headline": headline(centre, parts, dim, engine.catalog, names)}


def bottleneck(rates: list[StageRate], min_sample: int, attempted: int, catalog=None) -> dict:
    """The rate furthest below its target, with its likely causes; ``metric`` None when
    there are too few leads to judge (``judged`` False) or every rate meets its target."""
    if attempted < min_sample:
        return {"metric": None, "judged": False,
                "message": _("too few to judge ({n} leads attempted, fewer than "
                             "min_sample {min})").format(n=attempted, min=min_sample)}
    worst, gap = None, 0.0
    for r in rates:
        if r.value is None or not r.target:
            continue
        shortfall = (r.target - r.value) / r.target
        if shortfall > gap:
            worst, gap = r, shortfall
    if worst is None:
        return {"metric": None, "judged": True, "message": _("every stage rate meets its target")}
    fmt = formatter(current())
    name = translate(catalog.metrics[worst.metric].name) if catalog else worst.metric
    return {
        "metric": worst.metric, "judged": True, "value": worst.value, "target": worst.target,
        "shortfall": gap,
        "message": _("{metric} is {value}, {gap} below its target {target}: {cause}").format(
            metric=name, value=human(worst.value, "rate"), gap=fmt.percent(gap, 0),
            target=fmt.percent(worst.target, 0),
            cause=translate(CAUSES.get(worst.metric, N_("fix this stage first")))),
    }


def verdict(group: dict) -> str:
    """A group's bottleneck as a sentence: "Bottleneck: …", or why there is none."""
    b = group["bottleneck"]
    if b["metric"]:
        return _("Bottleneck: {message}").format(message=b["message"])
    return b["message"][:1].upper() + b["message"][1:]   # a sentence of its own


def headline(centre: dict | None, groups: list[dict], dim: str, catalog, names=None) -> str:
    """The funnel's verdict for the whole scope, saying too which of its ``dim`` groups (teams)
    fall short: the whole meeting its targets never hides a team that does not."""
    if centre is None:
        return _("No leads in this scope.")
    short = [g for g in groups if g.get(dim) is not None and g["bottleneck"]["metric"]]
    items = "; ".join(_("{key}: {metric} {value} (target {target})").format(
        key=names.of(dim, g[dim]) if names else g[dim],
        metric=translate(catalog.metrics[g["bottleneck"]["metric"]].name),
        value=human(g["bottleneck"]["value"], "rate"),
        target=formatter(current()).percent(g["bottleneck"]["target"], 0)) for g in short)
    b = centre["bottleneck"]
    if b["metric"] is None and b["judged"]:
        if short:
            return _("Every stage rate meets its target overall, but not for every {dim}: "
                     "{items}.").format(dim=dim_name(dim), items=items)
        named = [g for g in groups if g.get(dim) is not None]
        if named and all(g["bottleneck"]["judged"] for g in named):
            return _("Every stage rate meets its target, overall and for every {dim}.").format(
                dim=dim_name(dim))
    if not short:
        return verdict(centre)
    return verdict(centre) + " " + _("Below target by {dim}: {items}.").format(
        dim=dim_name(dim), items=items)
