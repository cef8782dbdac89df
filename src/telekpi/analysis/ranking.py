"""Rank groups by a metric, leaving out those too small to judge (METRICS.md, Statistics)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Ranking:
    ranked: list[dict]     # best first
    too_few: list[dict]    # under min_sample: shown, never ranked


def rank(rows: list[dict], metric: str, better: str | None, *, sample: str,
         min_sample: int) -> Ranking:
    """Order rows by `metric` (best first); rows with `sample` < min_sample go to too_few."""
    judged = [r for r in rows if (r.get(sample) or 0) >= min_sample and r.get(metric) is not None]
    too_few = [r for r in rows if (r.get(sample) or 0) < min_sample]
    judged.sort(key=lambda r: r[metric], reverse=(better != "lower"))
    return Ranking(judged, too_few)
