"""A catalog measure as the aggregate SQL the planner and the rollups both compute."""

from __future__ import annotations

from telekpi.catalog.snippets import expand
from telekpi.catalog.spec import Measure
from telekpi.settings import Settings


def measure_sql(m: Measure, settings: Settings, scope_end: str) -> str:
    """A measure's aggregate, placeholders filled: ``count(*) FILTER (WHERE …)``."""
    expr = expand(m.expr, settings) if m.expr else None
    flt = f" FILTER (WHERE {expand(m.filter, settings, scope_end)})" if m.filter else ""
    if m.agg == "count":
        return f"count(*){flt}" if not expr else f"count({expr}){flt}"
    if m.agg == "count_distinct":
        return f"count(DISTINCT {expr}){flt}"
    return f"{m.agg}({expr}){flt}"
