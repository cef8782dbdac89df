"""The plan's aggregation steps as syntax trees: one per semantic model (from its rows or its
daily rollup), and the two of retention.

A model's step aggregates its measures by the asked dimensions (``d_<dim>``) and period
(``__period``), after the time and ``--where`` filters, in an inner SELECT over the model's
rows with only the joins its expressions need. ``Planner`` (``planner.py``) mixes this in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlglot import exp

from telekpi.catalog.loader import Catalog
from telekpi.catalog.models import LEAD_TOUCHES, MODELS, Model
from telekpi.catalog.snippets import tree
from telekpi.engine.measures import measure_expr
from telekpi.engine.request import Request
from telekpi.engine.rollups import MERGE, Rollup, column_of, mergeable
from telekpi.engine.rollups.combos import DIMS as COMBO_DIMS
from telekpi.engine.rollups.combos import MODEL as COMBO_MODEL
from telekpi.engine.rollups.combos import TOUCHES_TABLE
from telekpi.engine.rollups.combos import flag_columns as combo_columns
from telekpi.engine.rollups.combos import month_of_scope as combo_scope
from telekpi.engine.scope import (
    local_midnight_utc,
    period_end,
    period_expr,
    previous_period_start,
    step,
    time_filter,
)
from telekpi.model.tables import TABLES
from telekpi.settings import Settings
from telekpi.sql import alias, cast, column, fn, is_not_null, select
from telekpi.store.lake import LAKE_MONTH, month_view

LAKE_PERIODS = ("month", "quarter", "year")


def keys(req: Request, period: bool | None = None) -> list[str]:
    """The key columns of a step: ``d_<dim>`` per --by dimension, and ``__period``."""
    with_period = bool(req.period) if period is None else period
    return [f"d_{d}" for d in req.by] + (["__period"] if with_period else [])


class ModelSteps:
    catalog: Catalog
    settings: Settings
    rollups: dict[str, Rollup]
    lake_months: frozenset[str]

    def _dim(self, model: Model, dim: str) -> exp.Expr:
        return model.dim(dim, self.settings)

    def _model_cte(self, model: Model, measures: list[str], req: Request,
                   widen: bool) -> tuple[exp.Select, str | None]:
        """A model's step, and the rollup it sums (None: it reads the rows)."""
        combos = self._combos_cte(model, measures, req, widen)
        if combos is not None:
            return combos
        rollup = self._rollup_for(model, measures, req)
        if rollup is not None:
            return self._rollup_cte(rollup, measures, req, widen), rollup.table
        tz = self.settings.timezone
        dims = {d: self._dim(model, d) for d in req.by}
        start = self._start(req, widen)
        time = tree(model.time, self.settings)
        where = time_filter(time, model.time_is_date, tz, start, req.end)
        where += self._where_filters(req, lambda d: self._dim(model, d))
        period = period_expr(req.period, time.copy(), model.time_is_date, tz) if req.period else None
        base = model.base_tree()
        if model.base == LEAD_TOUCHES and COMBO_MODEL in self.rollups:
            # each lead's touch history, kept with the funnel's rollup (combos.TOUCHES_TABLE)
            base = exp.table_(TOUCHES_TABLE, alias="x")
        lake = self._lake_table(model)
        if lake and (req.period in LAKE_PERIODS or start or req.end):
            base = exp.table_(month_view(lake), alias="x")
            for cmp, d in ((exp.GTE, start), (exp.LTE, req.end)):
                if d:
                    where.append(cmp(this=column(LAKE_MONTH, "x"),
                                     expression=exp.Literal.string(d.strftime("%Y-%m"))))
            if req.period in LAKE_PERIODS:
                first = exp.DPipe(this=fn("nullif", column(LAKE_MONTH, "x"), exp.Literal.string("none")),
                                  expression=exp.Literal.string("-01"), safe=True)
                month = cast(first, "DATE")
                period = month if req.period == "month" else period_expr(req.period, month, True, tz)
        exprs = [*dims.values(), time, *where]
        named: list[exp.Expr] = [alias(e.copy(), f"d_{d}") for d, e in dims.items()]
        named += [alias(period, "__period")] if period else []
        inner_cols = [column("*", "x"), *named]
        if model.grain:
            grain = {k: tree(v, self.settings) for k, v in model.grain_columns.items()}
            exprs += grain.values()
            inner_cols = [alias(tree(model.grain, self.settings), "__grain"), *named,
                          *(alias(v.copy(), k) for k, v in grain.items())]
            where.append(is_not_null(tree(model.grain, self.settings)))
        inner = select(inner_cols, base, joins=model.joins_for(exprs), where=where,
                       group_all=bool(model.grain))
        end = self._scope_end(req)
        aggs = [alias(measure_expr(self.catalog.measures[m], self.settings, end), f"m__{m}")
                for m in measures]
        return self._outer(req, aggs, inner), None

    def _outer(self, req: Request, aggs: Sequence[exp.Expr], inner: exp.Select) -> exp.Select:
        """``SELECT keys, aggs FROM (inner) x GROUP BY keys``."""
        group = keys(req)
        return select([*(column(k) for k in group), *aggs], inner.subquery("x", copy=False),
                      group=[column(k) for k in group])

    def _start(self, req: Request, widen: bool) -> date | None:
        """--from, or the start of the period before it (growth reads one period more)."""
        if widen and req.start and req.period:
            return previous_period_start(req.start, req.period)
        return req.start

    def _lake_table(self, model: Model) -> str | None:
        """The lake table a model reads as is, when its time is the table's partition time."""
        for name in self.lake_months:
            if model.base == f"{name} x" and model.time == f"x.{TABLES[name].time}":
                return name
        return None

    def _rollup_for(self, model: Model, measures: list[str], req: Request) -> Rollup | None:
        """The model's daily rollup, if it holds every measure and dimension asked."""
        rollup = self.rollups.get(model.name)
        if (rollup is None or model is not MODELS.get(model.name)
                or not rollup.serves(list(req.by) + [w[0] for w in req.where])):
            return None
        for m in measures:
            measure = self.catalog.measures[m]
            if not mergeable(measure) or column_of(measure, self.settings) not in rollup.columns:
                return None
        return rollup

    def _rollup_cte(self, rollup: Rollup, measures: list[str], req: Request,
                    widen: bool) -> exp.Select:
        """Sums of the day rows of the rollup's smallest grouping set that has the asked
        dimensions: the same answer as aggregating the model's rows."""
        def dim(d: str) -> exp.Expr:
            return fn("isodow", column("__day", "x")) if d == "weekday" else column(f"d_{d}", "x")

        tz = self.settings.timezone
        mask = rollup.pick(list(req.by) + [w[0] for w in req.where])
        where: list[exp.Expr] = [
            exp.EQ(this=column("__set", "x"), expression=exp.Literal.number(mask))]
        where += time_filter(column("__day", "x"), True, tz, self._start(req, widen), req.end)
        where += self._where_filters(req, dim)
        cols = {m: column_of(self.catalog.measures[m], self.settings) for m in measures}
        inner: list[exp.Expr] = [column(c, "x") for c in sorted(set(cols.values()))]
        inner += [alias(dim(d), f"d_{d}") for d in req.by]
        if req.period:
            inner.append(alias(period_expr(req.period, column("__day", "x"), True, tz), "__period"))
        aggs = [alias(fn(MERGE[self.catalog.measures[m].agg], column(c)), f"m__{m}")
                for m, c in cols.items()]
        rows = select(inner, exp.table_(rollup.table, alias="x"), where=where)
        return self._outer(req, aggs, rows)

    def _combos_cte(self, model: Model, measures: list[str], req: Request,
                    widen: bool) -> tuple[exp.Select, str] | None:
        """The funnel's lead counts from the combos rollup (``rollups/combos.py``), when it
        counted the leads in this scope: all time, one month or each month, and dimensions of
        one of its grouping sets (a set's key split by, or filtered to one value)."""
        rollup = self.rollups.get(model.name)
        if (rollup is None or model.name != COMBO_MODEL or model is not MODELS.get(model.name)
                or set(model.grain_columns) - rollup.columns or (widen and req.start and req.period)):
            return None
        if req.period:
            if req.period != "month" or req.start or req.end:
                return None
            month: str | bool | None = "each"
        else:
            month = combo_scope(req.start, req.end, rollup.months)
            if month is False:
                return None
        values: dict[str, int] = {}
        for d, _v in req.where:
            values[d] = values.get(d, 0) + 1
        wanted = set(req.by) | set(values)
        chosen = next((have for have, _mask in sorted(rollup.sets, key=lambda s: len(s[0]))
                       if wanted <= have and (not have or _key(have) in req.by
                                              or values.get(_key(have)) == 1)), None)
        if chosen is None:
            return None
        flags, sums = combo_columns(self.settings)
        aggs: list[exp.Expr] = []
        for m in measures:
            measure = self.catalog.measures[m]
            cond = tree(measure.filter, self.settings) if measure.filter else None
            if cond is not None and {c.name for c in cond.find_all(exp.Column)} - set(flags) - set(sums):
                return None
            if measure.agg == "count" and not measure.expr:
                value: exp.Expr = fn("sum", column("__n"))
            elif measure.agg == "sum" and measure.expr in sums:
                value = fn("sum", column(measure.expr or ""))
            else:
                return None
            if cond is not None:
                value = exp.Filter(this=value, expression=exp.Where(this=cond))
            if measure.agg == "count":
                value = cast(fn("coalesce", value, exp.Literal.number(0)), "BIGINT")
            aggs.append(alias(value, f"m__{m}"))
        mask = next(k for have, k in rollup.sets if have == chosen)
        where: list[exp.Expr] = [exp.EQ(this=column("__set", "x"), expression=exp.Literal.number(mask))]
        if month is None:
            where.append(exp.Is(this=column("__month", "x"), expression=exp.Null()))
        elif month == "each":
            where.append(is_not_null(column("__month", "x")))
        else:
            where.append(exp.EQ(this=column("__month", "x"),
                                expression=cast(exp.Literal.string(str(month)), "DATE")))
        where += self._where_filters(req, lambda d: column(f"d_{d}", "x"))
        inner: list[exp.Expr] = [column(c, "x") for c in (*flags, *sums, "__n")]
        inner += [alias(column(f"d_{d}", "x"), f"d_{d}") for d in req.by]
        if req.period:
            inner.append(alias(column("__month", "x"), "__period"))
        rows = select(inner, exp.table_(rollup.table, alias="x"), where=where)
        return self._outer(req, aggs, rows), rollup.table

    def _scope_end(self, req: Request) -> exp.Expr:
        """The instant the scope ends: the period's end, or --to's when that comes first."""
        end = (local_midnight_utc(req.end + timedelta(days=1), self.settings.timezone)
               if req.end else None)
        if req.period:
            last = period_end(req.period, column("__period"), self.settings.timezone)
            return fn("least", last, end) if end else last
        return end or exp.Null()

    def _where_filters(self, req: Request, dim) -> list[exp.Expr]:
        """--where values are bound parameters ($w0, $w1, …), never spliced into the SQL."""
        names: dict[str, list[str]] = {}
        for name, (d, __) in zip(where_params(req), req.where, strict=True):
            names.setdefault(d, []).append(name)
        return [exp.In(this=cast(dim(d), "VARCHAR"), expressions=[exp.Placeholder(this=n) for n in ns])
                for d, ns in names.items()]

    # -- retention: customers of the previous period seen again in this one ------------
    def _retention_ctes(self, req: Request) -> list[tuple[str, exp.Select]]:
        base = self._retention_rows(MODELS["orders"], req)
        period = req.period or ""
        on: list[exp.Expr] = [exp.NullSafeEQ(this=column(k, "c"), expression=column(k, "p")) for k in keys(req, False)]
        on += [exp.EQ(this=column("customer_id", "c"), expression=column("customer_id", "p")),
               exp.EQ(this=column("__period", "c"),
                      expression=exp.Add(this=column("__period", "p"), expression=step(period)))]
        cols: list[exp.Expr] = [column(k, "p") for k in keys(req, False)]
        cols += [alias(cast(exp.Add(this=column("__period", "p"), expression=step(period)), "DATE"),
                       "__period"),
                 alias(exp.Count(this=exp.Star(), big_int=True), "m__prev_customers"),
                 alias(exp.Count(this=column("customer_id", "c"), big_int=True),
                       "m__retained_customers")]
        last = select([fn("max", column("__period"))], exp.table_("r_base"))
        join = exp.Join(this=exp.table_("r_base", alias="c"), side="LEFT",
                        on=exp.and_(*on, copy=False))
        agg = select(cols, exp.table_("r_base", alias="p"), joins=[join],
                     where=[exp.LT(this=column("__period", "p"), expression=last.subquery(copy=False))],
                     group_all=True)
        return [("r_base", base), ("m_retention", agg)]

    def _retention_rows(self, model: Model, req: Request) -> exp.Select:
        """Each (keys, period, customer) with a completed order, from one period before --from."""
        tz = self.settings.timezone
        start = previous_period_start(req.start, req.period) if req.start and req.period else None
        time = tree(model.time, self.settings)
        where = time_filter(time, False, tz, start, req.end)
        where += self._where_filters(req, lambda d: self._dim(model, d))
        where += [exp.EQ(this=column("status", "x"), expression=exp.Literal.string("completed")),
                  is_not_null(column("customer_id", "x"))]
        dims = [self._dim(model, d) for d in req.by]
        joins = model.joins_for(dims + where)
        cols: list[exp.Expr] = [alias(e.copy(), f"d_{d}") for d, e in zip(req.by, dims, strict=True)]
        cols += [alias(period_expr(req.period or "", time, False, tz), "__period"),
                 column("customer_id", "x")]
        return select(cols, model.base_tree(), joins=joins, where=where, distinct=True)


def _key(dims: frozenset[str]) -> str:
    """A combos grouping set's key: the dimension the others follow from (an agent's team)."""
    return next(d for d in COMBO_DIMS if d in dims)


def where_params(req: Request) -> list[str]:
    return [f"w{i}" for i in range(len(req.where))]
