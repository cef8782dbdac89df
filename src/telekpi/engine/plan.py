"""A plan as data: the steps a request is answered by, and its query as one syntax tree.

The planner (``planner.py``) fills a ``Plan``; nothing reads a plan's SQL text back: which
rollup a step sums, the ``--where`` values bound as ``$name`` parameters and the output
columns are fields. ``Plan.text`` renders the tree for an engine (``dialects.py``), with a
comment line per step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlglot import exp

from telekpi.catalog.applies import NotBy
from telekpi.engine.dialects import transpile


@dataclass(frozen=True)
class Step:
    """One CTE of the plan."""

    name: str
    body: exp.Expr                    # its SELECT (or UNION)
    measures: tuple[str, ...] = ()    # the measures it aggregates, as columns m__<id>
    rollup: str | None = None         # the daily rollup table it sums instead of the rows
    growth: bool = False              # reaches one period before the scope, for growth
    keyed: bool = False               # joined on the keys to give the answer's rows


@dataclass
class Plan:
    metrics: tuple[str, ...]
    period: str | None
    steps: list[Step]
    tree: exp.Expr                    # the whole query (DuckDB), WITH the steps
    columns: list[str]                # output columns in order
    ci: dict[str, tuple[str, str]] = field(default_factory=dict)  # metric → (num col, den col)
    params: dict[str, str] = field(default_factory=dict)  # $name → value of a --where filter
    # metric → the hidden column of its cost per row, for the ratios over costs of a breakdown
    # (``Planner._cost_columns``): not meaningful when part of the cost has no row of its own
    costs: dict[str, str] = field(default_factory=dict)
    missing: dict[str, NotBy] = field(default_factory=dict)  # metric answered null, and why

    @property
    def comments(self) -> list[str]:
        """``-- plan:`` and one ``-- step:`` line per keyed step, the key union and growth join."""
        lines = [f"-- plan: metrics {', '.join(self.metrics)}"]
        for s in self.steps:
            if not s.keyed:
                continue
            if s.growth:
                line = (f"-- step: {s.name} aggregates {', '.join(s.measures)} "
                        f"from one {self.period} before the scope, for growth")
            else:
                line = f"-- step: {s.name} aggregates {', '.join(s.measures)}"
            lines.append(line + (f" (summing the daily rollup {s.rollup})" if s.rollup else ""))
        if any(s.name == "k" for s in self.steps):
            lines.append("-- step: k holds every key any model produced")
        for mid, why in self.missing.items():
            lines.append(f"-- null: {mid} cannot be split or filtered by {why.dim}")
        for s in self.steps:
            if s.growth:
                model = s.name[2:]
                lines.append(f"-- step: p_{model} is {s.name} one {self.period} earlier, for growth")
        return lines

    @cached_property
    def sql(self) -> str:
        """The query in DuckDB's dialect, as the warehouse runs it."""
        return self.text("duckdb")

    def text(self, dialect: str) -> str:
        """The query in ``dialect``, its comment lines first."""
        return "\n".join(self.comments) + "\n" + transpile(self.tree, dialect)
