"""Variant comparisons: conversion per script or campaign, each variant against the one with
the most calls (a two-proportion z-test), with a verdict in words: which does better and
whether the difference is unlikely to be chance. The statistics (intervals, z, p) stay in
the data for whoever asks (`telekpi diagnose --stats`, the dashboard's details)."""

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
            verdict = _("no clear difference between {variants} ({rates}); it could be chance").format(
                variants=", ".join(str(i["variant"]) for i in items),
                rates=" / ".join(human(i["rate"], "rate") for i in items))
        else:
            better, worse = ((_("{a} converts better than {b} ({ra} vs {rb})"),
                              _("{a} converts worse than {b} ({ra} vs {rb})"))
                             if metric == "call_conversion_rate" else
                             (_("{a} does better than {b} ({ra} vs {rb})"),
                              _("{a} does worse than {b} ({ra} vs {rb})")))
            parts = [(better if i["rate"] > items[0]["rate"] else worse).format(
                a=i["variant"], b=items[0]["variant"], ra=human(i["rate"], "rate"),
                rb=human(items[0]["rate"], "rate")) for i in winners]
            verdict = _("{comparisons}; the difference is unlikely to be chance").format(
                comparisons="; ".join(parts)) if len(parts) == 1 else _(
                "{comparisons}; the differences are unlikely to be chance").format(comparisons="; ".join(parts))
        stats = "; ".join(_("{a} vs {b}: z = {z}, p = {p} (two-proportion z-test, 95 % level)").format(
            a=i["variant"], b=items[0]["variant"], z=f"{i['z']:.2f}", p=f"{i['p_value']:.2g}")
            for i in items if i["p_value"] is not None)
        out.append({"group": key, "baseline": base[variant], "variants": items, "verdict": verdict,
                    "statistics": stats})
    return out
