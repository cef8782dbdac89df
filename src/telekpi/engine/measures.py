"""A catalog measure as the aggregate the planner and the rollups both compute."""

from __future__ import annotations

from sqlglot import exp

from telekpi.catalog.snippets import expand, tree, with_scope_end
from telekpi.catalog.spec import Measure
from telekpi.settings import Settings


def measure_expr(m: Measure, settings: Settings, scope_end: exp.Expr) -> exp.Expr:
    """A measure's aggregate as a tree, placeholders filled: ``count(*) FILTER (WHERE …)``."""
    arg = tree(m.expr, settings) if m.expr else None
    if m.agg == "count":
        agg: exp.Expr = exp.Count(this=arg or exp.Star(), big_int=True)
    elif m.agg == "count_distinct":
        agg = exp.Count(this=exp.Distinct(expressions=[arg]), big_int=True)
    else:
        agg = exp.func(m.agg, arg, dialect="duckdb")
    if not m.filter:
        return agg
    cond = with_scope_end(tree(m.filter, settings), scope_end)
    return exp.Filter(this=agg, expression=exp.Where(this=cond))


def measure_key(m: Measure, settings: Settings) -> str:
    """A measure's identity in this workspace: its aggregate as text, placeholders filled.
    Rollup columns are named by its hash (``rollups.column``), so a changed disposition map
    or threshold finds no column; it keeps the form the rollups were first built with."""
    expr = expand(m.expr, settings) if m.expr else None
    flt = f" FILTER (WHERE {expand(m.filter, settings)})" if m.filter else ""
    if m.agg == "count":
        return f"count(*){flt}" if not expr else f"count({expr}){flt}"
    if m.agg == "count_distinct":
        return f"count(DISTINCT {expr}){flt}"
    return f"{m.agg}({expr}){flt}"
