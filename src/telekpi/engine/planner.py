"""Request → one SQL query (DuckDB dialect), with a comment per plan step.

Plan: (1) resolve metrics to the measures they need; (2) group measures by
semantic model; (3) one CTE per model aggregates its measures by the asked
dimensions and period, after the time and --where filters; (4) the CTEs are
outer-joined on their keys (null-safe) and (5) the metrics are computed as
expressions over the measure columns. Growth metrics join a model CTE to itself
one period back; retention joins customers to themselves across periods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from telekpi.catalog.loader import Catalog
from telekpi.catalog.models import DIMENSIONS, MODELS, Model, model_for
from telekpi.catalog.snippets import expand, sql_string
from telekpi.catalog.spec import Metric
from telekpi.engine.measures import measure_sql
from telekpi.engine.request import PERIODS, UNKNOWN_METRIC, Request
from telekpi.engine.rollups import MERGE, Rollup, mergeable
from telekpi.engine.rollups import column as rollup_column
from telekpi.engine.scope import (
    STEP,
    localize,
    period_end_sql,
    period_sql,
    period_start,
    previous_period_start,
    time_filter,
)
from telekpi.errors import NOT_ONE_OF, QueryError
from telekpi.i18n import N_, _
from telekpi.model.tables import TABLES
from telekpi.settings import Settings
from telekpi.store.lake import LAKE_MONTH, month_view

ADDITIVE = ("count", "sum", "count_distinct")


@dataclass
class Plan:
    sql: str
    columns: list[str]                      # output columns in order
    ci: dict[str, tuple[str, str]] = field(default_factory=dict)  # metric → (num col, den col)
    params: dict[str, str] = field(default_factory=dict)  # $name → value of a --where filter


class Planner:
    def __init__(self, catalog: Catalog, settings: Settings, rollups: dict[str, Rollup] | None = None,
                 lake_months: frozenset[str] = frozenset()):
        """``lake_months``: tables of a lake partitioned by local month in this timezone,
        whose ``month_view`` the planner reads for month, quarter and year periods
        (a constant per file instead of a local time per row) and --from/--to (whole
        months of files skipped)."""
        self.catalog, self.settings = catalog, settings
        self.tz = sql_string(settings.timezone)
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
            acc.setdefault(metric.measure, set())
        elif metric.type == "ratio":
            acc.setdefault(metric.numerator, set())
            acc.setdefault(metric.denominator, set())
        elif metric.type == "growth":
            lagged.setdefault(self.catalog.measures[metric.measure].model, set()).add(metric.measure)
        elif metric.type == "derived":
            for ref in sorted(_refs(metric.expr)):
                if ref in self.catalog.metrics:
                    self._measures_of(self.catalog.metrics[ref], acc, lagged)
                else:
                    acc.setdefault(ref, set())

    def _dim(self, model: Model, dim: str) -> str:
        """A dimension's SQL with its placeholders (the timezone of hour and weekday) filled."""
        return expand(model.dims[dim], self.settings)

    # -- step 3: one CTE per model ---------------------------------------------------
    def _model_cte(self, model: Model, measures: list[str], req: Request, widen: bool) -> str:
        self._check_dims(model, req)
        rollup = self._rollup_for(model, measures, req)
        if rollup is not None:
            return self._rollup_cte(model, rollup, measures, req, widen)
        dims = [f"{self._dim(model, d)} AS d_{d}" for d in req.by]
        start = req.start
        if widen and start and req.period:
            start = previous_period_start(start, req.period)
        where = time_filter(model.time, model.time_is_date, self.settings.tz, start, req.end)
        where += self._where_filters(model, req)
        period = (period_sql(req.period, model.time, model.time_is_date, self.tz)
                  if req.period else None)
        base = model.base
        lake = self._lake_table(model)
        if lake and (req.period in ("month", "quarter", "year") or start or req.end):
            base = f"{month_view(lake)} x"
            where += [f"x.{LAKE_MONTH} {op} '{d.strftime('%Y-%m')}'"
                      for op, d in ((">=", start), ("<=", req.end)) if d]
            if req.period in ("month", "quarter", "year"):
                month = f"CAST(nullif(x.{LAKE_MONTH}, 'none') || '-01' AS DATE)"
                period = month if req.period == "month" else period_sql(req.period, month, True, self.tz)
        scope_end = self._scope_end(req)
        inner_cols = (["x.*"] if not model.grain else [])
        inner_cols += dims + ([f"{period} AS __period"] if period else [])
        exprs = [self._dim(model, d) for d in req.by] + [model.time] + [w for w in where]
        group_keys = [f"d_{d}" for d in req.by] + (["__period"] if period else [])
        if model.grain:
            grain = {k: expand(v, self.settings) for k, v in model.grain_columns.items()}
            inner_cols = ([f"{model.grain} AS __grain"] + dims
                          + ([f"{period} AS __period"] if period else [])
                          + [f"{v} AS {k}" for k, v in grain.items()])
            exprs += list(grain.values())
            where.append(f"{model.grain} IS NOT NULL")
        joins = model.joins_for(exprs)
        inner = (f"SELECT {', '.join(inner_cols)}\n    FROM {base}"
                 + "".join(f"\n    {j}" for j in joins)
                 + (f"\n    WHERE {' AND '.join(where)}" if where else ""))
        if model.grain:
            inner += "\n    GROUP BY ALL"
        aggs = [f"{self.measure_sql(self.catalog.measures[m], scope_end)} AS m__{m}" for m in measures]
        sql = f"SELECT {', '.join(group_keys + aggs)}\n  FROM (\n    {inner}\n  ) x"
        if group_keys:
            sql += f"\n  GROUP BY {', '.join(group_keys)}"
        return sql

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
            if not mergeable(measure) or self._column(measure) not in rollup.columns:
                return None
        return rollup

    def _column(self, measure) -> str:
        return rollup_column(measure.model, self.measure_sql(measure, "NULL"))

    def _rollup_cte(self, model: Model, rollup: Rollup, measures: list[str], req: Request,
                    widen: bool) -> str:
        """Sums of the day rows of the rollup's smallest grouping set that has the asked
        dimensions: the same answer as aggregating the model's rows."""
        def dim(d: str) -> str:
            return "isodow(x.__day)" if d == "weekday" else f"x.d_{d}"

        start = req.start
        if widen and start and req.period:
            start = previous_period_start(start, req.period)
        where = [f"x.__set = {rollup.pick(list(req.by) + [w[0] for w in req.where])}"]
        where += time_filter("x.__day", True, self.settings.tz, start, req.end)
        where += self._where_filters(model, req, dim)
        cols = {m: self._column(self.catalog.measures[m]) for m in measures}
        inner = ([f"x.{c}" for c in sorted(set(cols.values()))]
                 + [f"{dim(d)} AS d_{d}" for d in req.by])
        if req.period:
            inner.append(f"{period_sql(req.period, 'x.__day', True, self.tz)} AS __period")
        group_keys = [f"d_{d}" for d in req.by] + (["__period"] if req.period else [])
        aggs = [f"{MERGE[self.catalog.measures[m].agg]}({c}) AS m__{m}" for m, c in cols.items()]
        sql = (f"SELECT {', '.join(group_keys + aggs)}\n  FROM (\n    SELECT {', '.join(inner)}"
               f"\n    FROM {rollup.table} x"
               + (f"\n    WHERE {' AND '.join(where)}" if where else "") + "\n  ) x")
        if group_keys:
            sql += f"\n  GROUP BY {', '.join(group_keys)}"
        return sql

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

    def _scope_end(self, req: Request) -> str:
        """The instant the scope ends: the period's end, or --to's when that comes first."""
        end = (time_filter("", False, self.settings.tz, None, req.end)[0].split("< ", 1)[1]
               if req.end else None)
        if req.period:
            period_end = period_end_sql(req.period, "__period", self.tz)
            return f"least({period_end}, {end})" if end else period_end
        return end or "NULL"

    def _where_filters(self, model: Model, req: Request, dim=None) -> list[str]:
        """--where values are bound parameters ($w0, $w1, …), never spliced into the SQL."""
        names: dict[str, list[str]] = {}
        for name, (d, __) in zip(where_params(req), req.where, strict=True):
            names.setdefault(d, []).append(f"${name}")
        dim = dim or (lambda d: self._dim(model, d))
        return [f"CAST({dim(d)} AS VARCHAR) IN ({', '.join(ns)})" for d, ns in names.items()]

    def measure_sql(self, m, scope_end: str) -> str:
        return measure_sql(m, self.settings, scope_end)

    def _models_of(self, metric_id: str) -> set[str]:
        acc: dict[str, set[str]] = {}
        m = self.catalog.metrics[metric_id]
        if m.type == "retention":
            return {"orders"}
        lagged: dict[str, set[str]] = {}
        self._measures_of(m, acc, lagged)
        return {self.catalog.measures[x].model for x in acc} | set(lagged)

    # -- retention: customers of the previous period seen again in this one ------------
    def _retention_ctes(self, req: Request) -> list[tuple[str, str]]:
        model = MODELS["orders"]
        base = self._model_cte_rows(model, req)
        keys = [f"d_{d}" for d in req.by]
        on = " AND ".join([f"c.{k} IS NOT DISTINCT FROM p.{k}" for k in keys]
                          + ["c.customer_id = p.customer_id",
                             f"c.__period = p.__period + {STEP[req.period]}"])
        sel = ", ".join([f"p.{k}" for k in keys]
                        + [f"CAST(p.__period + {STEP[req.period]} AS DATE) AS __period",
                           "count(*) AS m__prev_customers",
                           "count(c.customer_id) AS m__retained_customers"])
        agg = (f"SELECT {sel}\n  FROM r_base p LEFT JOIN r_base c ON {on}\n"
               f"  WHERE p.__period < (SELECT max(__period) FROM r_base)\n"
               f"  GROUP BY ALL")
        return [("r_base", base), ("m_retention", agg)]

    def _model_cte_rows(self, model: Model, req: Request) -> str:
        self._check_dims(model, req)
        start = previous_period_start(req.start, req.period) if req.start else None
        where = time_filter(model.time, False, self.settings.tz, start, req.end)
        where += self._where_filters(model, req)
        where += ["x.status = 'completed'", "x.customer_id IS NOT NULL"]
        dims = [f"{self._dim(model, d)} AS d_{d}" for d in req.by]
        period = period_sql(req.period, model.time, False, self.tz)
        joins = model.joins_for([self._dim(model, d) for d in req.by] + where)
        return (f"SELECT DISTINCT {', '.join(dims + [f'{period} AS __period', 'x.customer_id'])}\n"
                f"  FROM {model.base}" + "".join(f"\n  {j}" for j in joins)
                + f"\n  WHERE {' AND '.join(where)}")

    # -- steps 4 and 5 ---------------------------------------------------------------
    def plan(self, req: Request) -> Plan:
        self._check(req)
        acc: dict[str, set[str]] = {}
        lagged: dict[str, set[str]] = {}
        retention = False
        for mid in req.metrics:
            m = self.catalog.metrics[mid]
            if m.type == "retention":
                retention = True
            else:
                self._measures_of(m, acc, lagged)
        by_model: dict[str, list[str]] = {}
        for meas in acc:
            by_model.setdefault(self.catalog.measures[meas].model, []).append(meas)
        ctes: list[tuple[str, str]] = []
        col_of: dict[str, str] = {}
        for name, measures in by_model.items():
            model = model_for(name, self.settings)
            if model.prelude:
                ctes.append((model.prelude[0], expand(model.prelude[1], self.settings)))
            ctes.append((f"m_{name}", self._model_cte(model, measures, req, widen=False)))
            for meas in measures:
                col_of[meas] = f"m_{name}.m__{meas}"
        for name, measures in sorted(lagged.items()):
            # Growth compares whole periods, so its measures get their own CTE reaching one
            # period before --from; the other metrics of the model keep the asked scope.
            model = model_for(name, self.settings)
            if model.prelude and name not in by_model:
                ctes.append((model.prelude[0], expand(model.prelude[1], self.settings)))
            ctes.append((f"g_{name}", self._model_cte(model, sorted(measures), req, widen=True)))
        if retention:
            ctes += self._retention_ctes(req)
            col_of["prev_customers"] = "m_retention.m__prev_customers"
            col_of["retained_customers"] = "m_retention.m__retained_customers"
        keyed = [c for c, _ in ctes if c.startswith(("m_", "g_"))]
        keys = [f"d_{d}" for d in req.by] + (["__period"] if req.period else [])
        comments = [f"-- plan: metrics {', '.join(req.metrics)}"]
        bodies = dict(ctes)
        for c in keyed:
            if c.startswith("g_"):
                line = (f"-- step: {c} aggregates {', '.join(sorted(lagged[c[2:]]))} "
                        f"from one {req.period} before the scope, for growth")
            else:
                line = f"-- step: {c} aggregates {', '.join(by_model.get(c[2:], ['customers']))}"
            rolled = re.search(r"FROM (_rollup_\w+) x", bodies[c])
            comments.append(line + (f" (summing the daily rollup {rolled.group(1)})" if rolled else ""))
        if not keys:
            from_sql = " CROSS JOIN ".join(keyed)
            key_ref = {}
        elif len(keyed) == 1:
            from_sql = f"{keyed[0]}"
            key_ref = {k: f"{keyed[0]}.{k}" for k in keys}
        else:
            union = "\n  UNION\n  ".join(f"SELECT {', '.join(keys)} FROM {c}" for c in keyed)
            ctes.append(("k", union))
            comments.append("-- step: k holds every key any model produced")
            from_sql = "k" + "".join(
                f"\n  LEFT JOIN {c} ON " + " AND ".join(
                    f"{c}.{k} IS NOT DISTINCT FROM k.{k}" for k in keys) for c in keyed)
            key_ref = {k: f"k.{k}" for k in keys}
        for name in sorted(lagged):
            cte = f"g_{name}"
            prev = f"p_{name}"
            conds = [f"{prev}.{k} IS NOT DISTINCT FROM {key_ref[k]}" for k in keys if k != "__period"]
            conds.append(f"{prev}.__period = {key_ref['__period']} - {STEP[req.period]}")
            from_sql += f"\n  LEFT JOIN {cte} {prev} ON " + " AND ".join(conds)
            comments.append(f"-- step: {prev} is {cte} one {req.period} earlier, for growth")
        select = [f"CAST({key_ref[f'd_{d}']} AS VARCHAR) AS \"{d}\"" for d in req.by]
        if req.period:
            select.append(f"CAST({key_ref['__period']} AS VARCHAR) AS \"period\"")
        plan_ci: dict[str, tuple[str, str]] = {}
        for mid in req.metrics:
            m = self.catalog.metrics[mid]
            select.append(f"{self._metric_sql(m, col_of)} AS \"{mid}\"")
            if req.ci and m.is_proportion and m.type == "ratio":
                num, den = self._col(m.numerator, col_of), self._col(m.denominator, col_of)
                select += [f"{num} AS \"__num_{mid}\"", f"{den} AS \"__den_{mid}\""]
                plan_ci[mid] = (f"__num_{mid}", f"__den_{mid}")
        where = []
        if req.period and req.start and (lagged or retention):
            where.append(f"{key_ref['__period']} >= DATE '{period_start(req.start, req.period)}'")
        order = [f"{i + 1} NULLS LAST" for i in range(len(req.by) + (1 if req.period else 0))]
        sql = "\n".join(comments) + "\nWITH " + ",\n".join(
            f"{name} AS (\n  {body}\n)" for name, body in ctes)
        sql += f"\nSELECT {', '.join(select)}\nFROM {from_sql}"
        if where:
            sql += f"\nWHERE {' AND '.join(where)}"
        if order:
            sql += f"\nORDER BY {', '.join(order)}"
        sql = localize(sql, self.settings.tz)
        columns = list(req.by) + (["period"] if req.period else []) + list(req.metrics)
        params = dict(zip(where_params(req), (v for __, v in req.where), strict=True))
        return Plan(sql, columns, plan_ci, params)

    def _col(self, measure: str, col_of: dict[str, str]) -> str:
        col = col_of[measure]
        if measure in self.catalog.measures and self.catalog.measures[measure].agg in ADDITIVE:
            return f"coalesce({col}, 0)"
        return col

    def _metric_sql(self, m: Metric, col_of: dict[str, str]) -> str:
        if m.type == "simple":
            return self._col(m.measure, col_of)
        if m.type == "ratio":
            return (f"CAST({self._col(m.numerator, col_of)} AS DOUBLE) / "
                    f"nullif({self._col(m.denominator, col_of)}, 0)")
        if m.type == "growth":
            model = self.catalog.measures[m.measure].model
            cur = self._col(m.measure, {m.measure: f"g_{model}.m__{m.measure}"})
            prev = f"p_{model}.m__{m.measure}"
            return f"CAST({cur} - {prev} AS DOUBLE) / nullif({prev}, 0)"
        if m.type == "retention":
            return ("CAST(m_retention.m__retained_customers AS DOUBLE) / "
                    "nullif(m_retention.m__prev_customers, 0)")
        return self._derived_sql(sqlglot.parse_one(m.expr, read="duckdb"), col_of)

    def _derived_sql(self, node: exp.Expression, col_of: dict[str, str]) -> str:
        """Metric and measure names → their SQL; every division made null-safe."""
        if isinstance(node, exp.Column):
            ref = node.name
            if ref in self.catalog.metrics:
                return f"({self._metric_sql(self.catalog.metrics[ref], col_of)})"
            return self._col(ref, col_of)
        if isinstance(node, exp.Paren):
            return f"({self._derived_sql(node.this, col_of)})"
        if isinstance(node, exp.Div):
            return (f"CAST({self._derived_sql(node.this, col_of)} AS DOUBLE) / "
                    f"nullif({self._derived_sql(node.expression, col_of)}, 0)")
        if isinstance(node, exp.Binary):
            op = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*"}.get(type(node))
            if op:
                return (f"{self._derived_sql(node.this, col_of)} {op} "
                        f"{self._derived_sql(node.expression, col_of)}")
        if isinstance(node, exp.Neg):
            return f"-{self._derived_sql(node.this, col_of)}"
        if isinstance(node, exp.Literal):
            return node.sql(dialect="duckdb")
        raise QueryError(_("derived metric expression {expr}: only + - * / and numbers "
                           "over metric and measure ids are supported").format(expr=repr(node.sql())))


def where_params(req: Request) -> list[str]:
    return [f"w{i}" for i in range(len(req.where))]


def _refs(expr: str) -> set[str]:
    return {c.name for c in sqlglot.parse_one(expr, read="duckdb").find_all(exp.Column)}
