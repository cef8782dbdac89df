"""The lead funnel: stages, drop-off, bands and the bottleneck (seed 003).

Built on ``Engine.query``: the stage counts are catalog metrics, and the stage
rates with targets come from the catalog's bands. The bottleneck is the banded
rate with the largest relative shortfall below its target; seed 003 says to
start at the top of the funnel, so ties go to the earlier stage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from telekpi.engine.request import Request
from telekpi.i18n import N_, _, current, translate
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


def funnel(engine, req: Request) -> dict:
    """Stage counts, step conversion and drop-off, banded rates and the bottleneck per group."""
    q = replace(req, metrics=STAGE_METRICS + RATES + EXTRA, ci=False)
    result = engine.query(q)
    groups = []
    for row in result.rows:
        stages: list[dict[str, Any]] = []
        prev = None
        for stage, mid in zip(STAGES, STAGE_METRICS, strict=True):
            n = row[mid] or 0
            step: float | None = None if prev is None else (n / prev if prev else None)
            stages.append({"stage": stage, "leads": n, "step_rate": step,
                           "dropoff": None if step is None else 1 - step})
            prev = n
        rates = []
        for mid in RATES:
            m = engine.catalog.metrics[mid]
            band = m.band(row[mid])
            rates.append(StageRate(mid, row[mid], m.target, band.level if band else None,
                                   band.label if band else None))
        groups.append({
            **{d: row[d] for d in result.by},
            **({"period": row["period"]} if req.period else {}),
            "stages": stages,
            "rates": [r.__dict__ for r in rates],
            "lead_conversion_rate": row["lead_conversion_rate"],
            "attempts_per_lead": row["attempts_per_lead"],
            "bottleneck": bottleneck(rates, engine.settings.min_sample, stages[0]["leads"]),
        })
    return {"by": result.by, "period": req.period, "groups": groups}


def bottleneck(rates: list[StageRate], min_sample: int, attempted: int) -> dict | None:
    if attempted < min_sample:
        return {"metric": None, "message": _("too few to judge ({n} leads attempted, fewer than "
                                             "min_sample {min})").format(n=attempted, min=min_sample)}
    worst, gap = None, 0.0
    for r in rates:
        if r.value is None or not r.target:
            continue
        shortfall = (r.target - r.value) / r.target
        if shortfall > gap:
            worst, gap = r, shortfall
    if worst is None:
        return {"metric": None, "message": _("no stage is below its band")}
    return {
        "metric": worst.metric, "value": worst.value, "target": worst.target,
        "shortfall": gap,
        "message": _("{metric} is {value}, {gap} below its target {target}: {cause}").format(
            metric=worst.metric, value=human(worst.value, "rate"), gap=formatter(current()).percent(gap, 0),
            target=formatter(current()).percent(worst.target, 0),
            cause=translate(CAUSES.get(worst.metric, N_("fix this stage first")))),
    }
