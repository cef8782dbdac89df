"""Request → a plan (``plan.py``): its steps as data and one query as a sqlglot syntax tree
in DuckDB's dialect, rendered with a comment per step.

Plan: (1) resolve metrics to the measures they need; (2) group measures by
semantic model; (3) one CTE per model aggregates its measures by the asked
dimensions and period, after the time and --where filters (``steps.py``); (4) the CTEs are
outer-joined on their keys (null-safe) and (5) the metrics are computed as
expressions over the measure columns. Growth metrics join a model CTE to itself
one period back; retention joins customers to themselves across periods.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

from sqlglot import exp

from telekpi.catalog.applies import NotBy, models_of, not_by
from telekpi.catalog.loader import Catalog
from telekpi.catalog.models import DIMENSIONS, MODELS, Model, model_for
from telekpi.catalog.snippets import parse, tree
from telekpi.catalog.spec import Metric
from telekpi.engine.dialects import localize
from telekpi.engine.plan import Plan, Step
from telekpi.engine.request import PERIODS, UNKNOWN_METRIC, Request
from telekpi.engine.rollups import Rollup
from telekpi.engine.scope import date_literal, period_start, step
from telekpi.engine.steps import ModelSteps, keys, where_params
from telekpi.errors import NOT_ONE_OF, QueryError
from telekpi.i18n import N_, _
from telekpi.settings import Settings
from telekpi.sql import alias, cast, column, fn, select

ADDITIVE = ("count", "sum", "count_distinct")
# Plans kept: building and rendering one takes milliseconds (bench/plan_bench.py), and a
# dashboard asks the same requests again and again. A catalog and settings are not changed
# once loaded (Settings is frozen), so a plan stays right for them.
PLANS: OrderedDict[tuple, tuple[Catalog, Settings, Plan]] = OrderedDict()
PLANS_KEPT = 512
_PLANS_LOCK = threading.Lock()


class Planner(ModelSteps):
    def __init__(self, catalog: Catalog, settings: Settings, rollups: dict[str, Rollup] | None = None,
                 lake_months: frozenset[str] = frozenset()):
        """``lake_months``: tables of a lake partitioned by local month in this timezone,
        whose ``month_view`` the planner reads for month, quarter and year periods
        (a constant per file instead of a local time per row) and --from/--to (whole
        months of files skipped)."""
        self.catalog, self.settings = catalog, settings
        self.rollups = rollups or {}
        self.lake_months = lake_months

    # -- step 1: metrics → measures ------------------------------------------------
    def _check(self, req: Request) -> None:
        if not req.metrics:
            raise QueryError(N_("name at least one metric; {catalog} lists them"), field="metrics")
        unknown = [m for m in req.metrics if m not in self.catalog.metrics]
        if unknown:
            raise QueryError(UNKNOWN_METRIC, field="metrics", value=unknown[0],
                             allowed=self.catalog.metrics)
        for param, dims in (("by", req.by), ("where", [w[0] for w in req.where])):
            for d in dims:
                if d not in DIMENSIONS:
                    raise QueryError(N_("unknown dimension {value} in {param}; expected one of: "
                                        "{allowed}"), field=param, value=d, allowed=DIMENSIONS)
        twice = [d for i, d in enumerate(req.by) if d in req.by[:i]]
        if twice:
            raise QueryError(N_("dimension {value} is given twice in {param}"), field="by",
                             value=twice[0])
        if req.period and req.period not in PERIODS:
            raise QueryError(NOT_ONE_OF, field="period", value=req.period, allowed=PERIODS)
        if req.start and req.end and req.start > req.end:
            raise QueryError(N_("{given} is after {given_to}"), field="from", value=req.start,
                             to=req.end)
        for mid in req.metrics:
            if self.catalog.metrics[mid].type in ("growth", "retention") and not req.period:
                raise QueryError(N_("{metric} compares with the previous period; add {param} "
                                    "(month for month-over-month, year for year-over-year)"),
                                 field="period", allowed=PERIODS, metric=mid)

    def _measures_of(self, metric: Metric, acc: dict[str, set[str]],
                     lagged: dict[str, set[str]]) -> None:
        if metric.type == "simple":
            acc.setdefault(metric.part("measure"), set())
        elif metric.type == "ratio":
            acc.setdefault(metric.part("numerator"), set())
            acc.setdefault(metric.part("denominator"), set())
        elif metric.type == "growth":
            lagged.setdefault(self.catalog.measures[metric.part("measure")].model, set()).add(metric.part("measure"))
        elif metric.type == "derived":
            for ref in sorted(_refs(metric.part("expr"))):
                if ref in self.catalog.metrics:
                    self._measures_of(self.catalog.metrics[ref], acc, lagged)
                else:
                    acc.setdefault(ref, set())

    def _check_dims(self, model: Model, req: Request) -> None:
        missing = [(p, d) for p, dims in (("by", req.by), ("where", [w[0] for w in req.where]))
                   for d in dims if d not in model.dims]
        if missing:
            param, dim = missing[0]
            users = sorted(m for m in req.metrics if model.name in self._models_of(m))
            raise QueryError(N_("{metrics} cannot be split or filtered by {dimension} "
                                "(the {model} data carry no {name})"), field=param, value=dim,
                             allowed=sorted(model.dims), metrics=", ".join(users),
                             dimension=repr(dim), model=model.name, name=dim)

    def _models_of(self, metric_id: str) -> set[str]:
        return set(models_of(self.catalog, metric_id))

    def _not_applicable(self, req: Request) -> dict[str, NotBy]:
        """The asked metrics that cannot be split or filtered as asked, and why: they are
        answered null (``catalog/applies.py``)."""
        dims = list(req.by) + [w[0] for w in req.where]
        out = {}
        for mid in req.metrics:
            why = not_by(self.catalog, mid, dims)
            if why is not None:
                out[mid] = why
        return out

    def can_split(self, metric_id: str, dim: str) -> bool:
        """Whether ``metric_id`` split by ``dim`` is answered, as its plan would find it: not
        null with a reason (``not_by``), and every model it reads carries the dimension (else
        the request is refused). Without planning: a screen of metrics × dimensions asks it."""
        if not_by(self.catalog, metric_id, [dim]) is not None:
            return False
        return all(dim in model_for(name, self.settings).dims
                   for name in models_of(self.catalog, metric_id))

    # -- steps 2 to 5 ----------------------------------------------------------------
    def plan(self, req: Request) -> Plan:
        """The plan of a request: kept (``PLANS``), and shared by the planners of the same
        catalog and settings objects (the web app's engine of each request) while the rollups
        they may read stay the same. Not to be changed."""
        key = (id(self.catalog), id(self.settings), req, tuple(self.rollups.items()),
               self.lake_months)
        with _PLANS_LOCK:
            kept = PLANS.get(key)
            if kept is not None and kept[0] is self.catalog and kept[1] is self.settings:
                PLANS.move_to_end(key)
                return kept[2]
        plan = self._plan(req)
        with _PLANS_LOCK:   # the web app plans from many threads
            PLANS[key] = (self.catalog, self.settings, plan)   # held: their ids stay theirs
            while len(PLANS) > PLANS_KEPT:
                PLANS.popitem(last=False)   # the least recently used goes first
        return plan

    def _plan(self, req: Request) -> Plan:
        """A metric that cannot be split or filtered as asked is answered null, with its
        reason (``Plan.missing``). Its measures are still aggregated where their models carry
        the dimensions (the groups stay those of the data); where they do not, they are left
        out, and a request left with nothing to aggregate is an error."""
        self._check(req)
        missing = self._not_applicable(req)
        acc: dict[str, set[str]] = {}
        lagged: dict[str, set[str]] = {}
        retention = False
        for mid in req.metrics:
            if mid in missing and missing[mid].model is not None:
                continue   # its data carry no such dimension: nothing to aggregate
            m = self.catalog.metrics[mid]
            if m.type == "retention":
                retention = True
            else:
                self._measures_of(m, acc, lagged)
        by_model: dict[str, list[str]] = {}
        for meas in acc:
            by_model.setdefault(self.catalog.measures[meas].model, []).append(meas)
        steps: list[Step] = []
        col_of: dict[str, tuple[str, str]] = {}   # measure → (step, column)
        for name, measures in by_model.items():
            model = model_for(name, self.settings)
            steps += [self._prelude(p) for p in model.preludes]
            self._check_dims(model, req)
            body, rollup = self._model_cte(model, measures, req, widen=False)
            steps.append(Step(f"m_{name}", body, tuple(measures), rollup, keyed=True))
            for meas in measures:
                col_of[meas] = (f"m_{name}", f"m__{meas}")
        for name, lag in sorted(lagged.items()):
            # Growth compares whole periods, so its measures get their own CTE reaching one
            # period before --from; the other metrics of the model keep the asked scope.
            model = model_for(name, self.settings)
            if name not in by_model:
                steps += [self._prelude(p) for p in model.preludes]
            self._check_dims(model, req)
            body, rollup = self._model_cte(model, sorted(lag), req, widen=True)
            steps.append(Step(f"g_{name}", body, tuple(sorted(lag)), rollup, growth=True,
                              keyed=True))
        if retention:
            self._check_dims(MODELS["orders"], req)
            (base, rows), (agg, body) = self._retention_ctes(req)
            steps += [Step(base, rows), Step(agg, body, ("customers",), keyed=True)]
            col_of["prev_customers"] = ("m_retention", "m__prev_customers")
            col_of["retained_customers"] = ("m_retention", "m__retained_customers")
        if not any(s.keyed for s in steps):   # no metric's data carry the dimensions
            first = next(iter(missing.values()))
            self._check_dims(MODELS[first.model or "calls"], req)
        query, ci = self._answer(req, steps, col_of, growth=sorted(lagged), retention=retention,
                                 missing=missing)
        query.set("with_", exp.With(expressions=[
            exp.CTE(this=s.body, alias=exp.TableAlias(this=exp.to_identifier(s.name)))
            for s in steps]))
        localised = localize(query, self.settings.timezone, copy=False)
        steps = [replace(s, body=cte.this)   # the steps as they run
                 for s, cte in zip(steps, localised.args["with_"].expressions, strict=True)]
        columns = list(req.by) + (["period"] if req.period else []) + list(req.metrics)
        params = dict(zip(where_params(req), (v for __, v in req.where), strict=True))
        return Plan(req.metrics, req.period, steps, localised, columns, ci, params,
                    self._cost_columns(req), missing)

    def _prelude(self, prelude: tuple[str, str]) -> Step:
        """A CTE a model's rows need (the days costs cover, the talk shares that allocate them)."""
        name, body = prelude
        return Step(name, tree(body, self.settings))

    def _answer(self, req: Request, steps: list[Step], col_of: dict[str, tuple[str, str]],
                growth: list[str], retention: bool, missing: dict[str, NotBy] | None = None,
                ) -> tuple[exp.Select, dict[str, tuple[str, str]]]:
        """Step 4: the keyed steps outer-joined on their keys (null-safe; through a step ``k``
        of every key, added to ``steps``, when there are several), growth one period back;
        step 5: the metrics over their measure columns. The final SELECT, and the numerator
        and denominator columns of each confidence interval."""
        keyed = [s.name for s in steps if s.keyed]
        names = keys(req)
        joins: list[exp.Join] = []
        if not names:
            source, key_of = keyed[0], {}
            joins = [exp.Join(this=exp.table_(c), kind="CROSS") for c in keyed[1:]]
        elif len(keyed) == 1:
            source, key_of = keyed[0], {k: keyed[0] for k in names}
        else:
            union = exp.union(*(select([column(k) for k in names], exp.table_(c)) for c in keyed),
                              distinct=True, copy=False)
            steps.append(Step("k", union))
            source, key_of = "k", {k: "k" for k in names}
            joins = [exp.Join(this=exp.table_(c), side="LEFT", on=exp.and_(*(
                exp.NullSafeEQ(this=column(k, c), expression=column(k, "k")) for k in names),
                copy=False)) for c in keyed]
        for name in growth:
            prev = f"p_{name}"
            on: list[exp.Expr] = [
                exp.NullSafeEQ(this=column(k, prev), expression=column(k, key_of[k]))
                for k in names if k != "__period"]
            on.append(exp.EQ(this=column("__period", prev), expression=exp.Sub(
                this=column("__period", key_of["__period"]), expression=step(req.period or ""))))
            joins.append(exp.Join(this=exp.table_(f"g_{name}", alias=prev), side="LEFT",
                                  on=exp.and_(*on, copy=False)))
        cols: list[exp.Expr] = [
            alias(cast(column(f"d_{d}", key_of[f"d_{d}"]), "VARCHAR"), d, quoted=True)
                for d in req.by]
        if req.period:
            cols.append(alias(cast(column("__period", key_of["__period"]), "VARCHAR"), "period",
                              quoted=True))
        ci: dict[str, tuple[str, str]] = {}
        for mid, name in self._cost_columns(req).items():
            measures = self._cost_measures(mid)
            total: exp.Expr = self._col(measures[0], col_of)
            for meas in measures[1:]:
                total = exp.Add(this=total, expression=self._col(meas, col_of))
            cols.append(alias(total, name, quoted=True))
        for mid in req.metrics:
            m = self.catalog.metrics[mid]
            if mid in (missing or {}):
                cols.append(alias(cast(exp.Null(), "DOUBLE"), mid, quoted=True))
                continue
            cols.append(alias(self._metric_expr(m, col_of), mid, quoted=True))
            if req.ci and m.is_proportion and m.type == "ratio":
                ci[mid] = (f"__num_{mid}", f"__den_{mid}")
                cols += [alias(self._col(m.part("numerator"), col_of), ci[mid][0], quoted=True),
                         alias(self._col(m.part("denominator"), col_of), ci[mid][1], quoted=True)]
        where = []
        if req.period and req.start and (growth or retention):
            where.append(exp.GTE(this=column("__period", key_of["__period"]),
                                 expression=date_literal(period_start(req.start, req.period))))
        query = select(cols, exp.table_(source), joins=joins, where=where)
        order = [exp.Ordered(this=exp.Literal.number(i + 1), nulls_first=False)
                 for i in range(len(names))]
        if order:
            query.set("order", exp.Order(expressions=order))
        return query, ci

    # -- breakdowns of costs: what the rows cannot carry -------------------------------
    def _cost_columns(self, req: Request) -> dict[str, str]:
        """In a breakdown (--by), each asked metric that reads costs and does not add up over
        rows (a ratio: pnl_ratio, cost_benefit_ratio, cost_per_sale) → a hidden column of its
        cost per row. Part of a cost that no value of a dimension can carry (a campaign's
        cost by site) lands on the row without one; the engine then marks the metric not
        meaningful for that breakdown (``Result.not_meaningful``), since each row's ratio
        would leave that part out."""
        if not req.by:
            return {}
        return {mid: f"__cost_{mid}" for mid in req.metrics
                if self._cost_measures(mid) and not self._additive(self.catalog.metrics[mid])}

    def _cost_measures(self, metric_id: str) -> list[str]:
        """The measures of the costs model a metric reads."""
        m = self.catalog.metrics[metric_id]
        if m.type in ("growth", "retention"):
            return []
        acc: dict[str, set[str]] = {}
        self._measures_of(m, acc, {})
        return sorted(x for x in acc if self.catalog.measures[x].model == "costs")

    def _additive(self, m: Metric) -> bool:
        """Do the metric's values over the rows of a breakdown add up to its total? Sums and
        counts, and sums and differences of them (profit = revenue - cost) do; ratios do not."""
        if m.type == "simple":
            return self.catalog.measures[m.part("measure")].agg in ("count", "sum")
        if m.type != "derived":
            return False

        def adds(node: exp.Expr) -> bool:
            if isinstance(node, exp.Column):
                if node.name in self.catalog.metrics:
                    return self._additive(self.catalog.metrics[node.name])
                return self.catalog.measures[node.name].agg in ("count", "sum")
            if isinstance(node, exp.Paren | exp.Neg):
                return adds(node.this)
            if isinstance(node, exp.Add | exp.Sub):
                return adds(node.this) and adds(node.expression)
            if isinstance(node, exp.Mul):   # a sum times a number
                a, b = node.this, node.expression
                return (isinstance(a, exp.Literal) and adds(b)) or (isinstance(b, exp.Literal) and adds(a))
            return False   # a product or quotient of sums, or a constant on every row
        return adds(parse(m.part("expr")))

    def _col(self, measure: str, col_of: dict[str, tuple[str, str]]) -> exp.Expr:
        """A measure's column; a count or sum is 0 where its step has no row."""
        col = column(col_of[measure][1], col_of[measure][0])
        if measure in self.catalog.measures and self.catalog.measures[measure].agg in ADDITIVE:
            return fn("coalesce", col, exp.Literal.number(0))
        return col

    def _metric_expr(self, m: Metric, col_of: dict[str, tuple[str, str]]) -> exp.Expr:
        if m.type == "simple":
            return self._col(m.part("measure"), col_of)
        if m.type == "ratio":
            return _ratio(self._col(m.part("numerator"), col_of), self._col(m.part("denominator"), col_of))
        if m.type == "growth":
            measure = m.part("measure")
            model = self.catalog.measures[measure].model
            cur = self._col(measure, {measure: (f"g_{model}", f"m__{measure}")})
            prev = column(f"m__{measure}", f"p_{model}")
            return _ratio(exp.Sub(this=cur, expression=prev), prev.copy())
        if m.type == "retention":
            return _ratio(column("m__retained_customers", "m_retention"),
                          column("m__prev_customers", "m_retention"))
        return self._derived(parse(m.part("expr")), col_of)

    def _derived(self, node: exp.Expr, col_of: dict[str, tuple[str, str]]) -> exp.Expr:
        """Metric and measure names → their expressions; every division made null-safe."""
        if isinstance(node, exp.Column):
            ref = node.name
            if ref in self.catalog.metrics:
                return exp.Paren(this=self._metric_expr(self.catalog.metrics[ref], col_of))
            return self._col(ref, col_of)
        if isinstance(node, exp.Paren):
            return exp.Paren(this=self._derived(node.this, col_of))
        if isinstance(node, exp.Div):
            return _ratio(self._derived(node.this, col_of), self._derived(node.expression, col_of))
        if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
            return type(node)(this=self._derived(node.this, col_of),
                              expression=self._derived(node.expression, col_of))
        if isinstance(node, exp.Neg):
            return exp.Neg(this=self._derived(node.this, col_of))
        if isinstance(node, exp.Literal):
            return node.copy()
        raise QueryError(_("derived metric expression {expr}: only + - * / and numbers "
                           "over metric and measure ids are supported").format(expr=repr(node.sql())))


def _ratio(num: exp.Expr, den: exp.Expr) -> exp.Expr:
    """``CAST(num AS DOUBLE) / nullif(den, 0)``: a float, null where the denominator is 0."""
    return exp.Div(this=cast(num, "DOUBLE"), expression=fn("nullif", den, exp.Literal.number(0)),
                   typed=False, safe=False)


def _refs(expr: str) -> set[str]:
    return {c.name for c in parse(expr).find_all(exp.Column)}
