"""Variant comparisons (seed 004): conversion per script or campaign with a
two-proportion z-test against the variant with the most calls."""

from __future__ import annotations

from dataclasses import replace

from telekpi.engine.request import Request
from telekpi.i18n import _
from telekpi.stats import two_proportion_test, wilson
from telekpi.units import human

ALPHA = 0.05
# A rate metric's successes and trials, as catalog metrics (so every engine can answer).
PARTS = {"call_conversion_rate": ("successful_calls", "calls"),
         "connection_rate": ("connected_calls", "calls"),
         "call_success_rate": ("connected_calls", "calls")}


def ab_test(engine, req: Request, variant: str = "script", within: str | None = "campaign",
            metric: str = "call_conversion_rate") -> list[dict]:
    """Per ``within`` group: each variant's rate with its 95 % interval, and its z-test
    against the baseline (the variant with most trials). A verdict in words per group."""
    successes, trials = PARTS[metric]
    by = ((within,) if within else ()) + (variant,)
    rows = engine.query(replace(req, metrics=(successes, trials), by=by, ci=False)).rows
    groups: dict = {}
    for r in rows:
        if r[variant] is None or not r[trials]:
            continue
        groups.setdefault(r[within] if within else None, []).append(r)
    out = []
    for key, variants in sorted(groups.items(), key=lambda kv: str(kv[0])):
        if len(variants) < 2:
            continue
        variants.sort(key=lambda r: -r[trials])
        base = variants[0]
        items = []
        for v in variants:
            x, n = v[successes] or 0, v[trials]
            lo, hi = wilson(x, n)
            test = None if v is base else two_proportion_test(x, n, base[successes] or 0, base[trials])
            items.append({"variant": v[variant], "successes": x, "trials": n, "rate": x / n,
                          "ci_low": lo, "ci_high": hi,
                          "z": test[0] if test else None, "p_value": test[1] if test else None,
                          "significant": bool(test and test[1] < ALPHA)})
        winners = [i for i in items if i["significant"]]
        if not winners:
            verdict = _("no significant difference between {variants} (p ≥ {alpha})").format(
                variants=", ".join(str(i["variant"]) for i in items), alpha=f"{ALPHA:g}")
        else:
            parts = [(_("{a} beats {b} ({ra} vs {rb}, p = {p})") if i["rate"] > items[0]["rate"]
                      else _("{a} trails {b} ({ra} vs {rb}, p = {p})")).format(
                a=i["variant"], b=items[0]["variant"], ra=human(i["rate"], "rate"),
                rb=human(items[0]["rate"], "rate"), p=f"{i['p_value']:.3g}") for i in winners]
            verdict = "; ".join(parts)
        out.append({"group": key, "baseline": base[variant], "variants": items, "verdict": verdict})
    return out
