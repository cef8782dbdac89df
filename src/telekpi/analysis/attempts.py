"""Attempts worth making (docs/operations-compliance.md): conversion and cost per sale by
attempt number (the nth outbound call to a lead) and lead source, and the attempt beyond which
another call costs more than it is expected to earn.

The arithmetic, per campaign and source. The nth attempt reaches the leads still being called
at n; of its calls, a share ``conversion(n)`` = sales on the nth call / nth calls ends in a sale
(95 % Wilson interval). One more call is worth making while what it is expected to earn,
``conversion(n) × value per sale``, is at least what it costs, ``cost per attempt``:

- cost per attempt = the campaign's cost / its calls in the period (the catalog's ``cost``,
  each cost spread over the days it covers; a campaign with no cost of its own takes the
  centre's cost per call);
- value per sale = the campaign's revenue per completed order (``aov``; else the centre's)
  × the setting ``sale_margin``.

The recommended cap is the last attempt before the first one that does not pay, counting only
attempts with at least ``min_sample`` calls; past the data, the cap is the last attempt with
enough calls and ``capped_by_data`` says so. Cost per sale at attempt n = cost per attempt ×
calls / sales, with the interval from the conversion's.
"""

from __future__ import annotations

from telekpi.analysis.compliance import Days
from telekpi.engine.lookup import EVERYONE, Scope
from telekpi.engine.operations_rows import OperationsRows
from telekpi.engine.request import Request
from telekpi.stats import wilson


def _economics(engine, days: Days) -> tuple[dict, dict]:
    """Per campaign (and None: the centre): cost per call, value per sale."""
    margin = engine.settings.sale_margin
    metrics = ("cost", "calls", "revenue", "orders")
    centre = engine.query(Request(metrics, start=days.start, end=days.end)).rows[0]
    rows = engine.query(Request(metrics, by=("campaign",), start=days.start, end=days.end)).rows

    def per_call(r):
        return r["cost"] / r["calls"] if r.get("cost") and r.get("calls") else None

    def per_sale(r):
        return float(r["revenue"]) / r["orders"] * margin if r.get("revenue") and r.get("orders") else None

    cost = {r["campaign"]: per_call(r) for r in rows}
    value = {r["campaign"]: per_sale(r) for r in rows}
    cost[None], value[None] = per_call(centre), per_sale(centre)
    return cost, value


def attempts(engine, days: Days, scope: Scope = EVERYONE) -> dict:
    """By campaign and lead source: each attempt's calls, sales, conversion (with its interval),
    cost per sale and expected value, and the recommended cap."""
    minimum = engine.settings.min_sample
    cost, value = _economics(engine, days)
    groups: dict[tuple, list[dict]] = {}
    for r in OperationsRows(engine).attempts(days.since, days.until, scope):
        groups.setdefault((r["campaign_id"], r["source"]), []).append(r)
    out = []
    for (campaign, source), rows in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        per_attempt = cost.get(campaign) or cost[None]
        per_sale = value.get(campaign) or value[None]
        steps = []
        for r in sorted(rows, key=lambda r: r["attempt"]):
            calls, sales = int(r["calls"]), int(r["sales"])
            lo, hi = wilson(sales, calls)
            conv = sales / calls if calls else None
            expected = conv * per_sale if conv is not None and per_sale is not None else None
            steps.append({
                "attempt": int(r["attempt"]), "calls": calls, "sales": sales, "conversion": conv,
                "conversion_low": lo, "conversion_high": hi,
                "cost_per_sale": per_attempt * calls / sales if per_attempt is not None and sales else None,
                "cost_per_sale_low": per_attempt / hi if per_attempt is not None and hi else None,
                "cost_per_sale_high": per_attempt / lo if per_attempt is not None and lo else None,
                "expected_value": expected, "pays": None if expected is None or per_attempt is None
                else expected >= per_attempt, "enough": calls >= minimum,
            })
        cap, by_data = _cap(steps)
        out.append({"campaign_id": campaign, "source": source, "cost_per_attempt": per_attempt,
                    "value_per_sale": per_sale, "attempts": steps, "recommended_cap": cap,
                    "capped_by_data": by_data})
    return {"from": days.start, "to": days.end, "margin": engine.settings.sale_margin,
            "min_sample": minimum, "groups": out}


def _cap(steps: list[dict]) -> tuple[int | None, bool]:
    """The last attempt before the first (with enough calls) that does not pay; when every
    attempt with enough calls pays, the last of them, and True (the data, not the money,
    ends it). None when no attempt has enough calls or the economics are unknown."""
    last = None
    for s in steps:
        if not s["enough"]:
            break
        if s["pays"] is None:
            return None, False
        if not s["pays"]:
            return s["attempt"] - 1, False
        last = s["attempt"]
    return last, last is not None
