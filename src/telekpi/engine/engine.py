"""The one facade front ends call: ``query()`` and ``explain()``. Only the engine runs SQL:
it plans here and executes through its backend (``backends.py``).

The planner, and sqlglot under it, is loaded when a request is first planned: a request the
warehouse's engine planned before, for the same catalog, settings and rollups, runs its kept
plan (``kept_plans.py``) without either."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, cast

from telekpi.catalog.loader import Catalog, load_catalog
from telekpi.engine import kept_plans
from telekpi.engine.backends import Backend, DuckDBBackend
from telekpi.engine.kept_plans import Runnable
from telekpi.engine.request import NotMeaningful, Request, Result
from telekpi.errors import QueryError
from telekpi.settings import Settings, load_settings
from telekpi.stats import wilson
from telekpi.store.warehouse import Warehouse

if TYPE_CHECKING:
    from sqlglot import exp

    from telekpi.engine.planner import Planner
    from telekpi.engine.rollups import Rollup


class ResultCache:
    """Answers by SQL text, for a process that is the warehouse's only writer (the web app):
    it clears the cache whenever it writes, so an answer is never stale."""

    def __init__(self, size: int = 512):
        self.size = size
        self._data: OrderedDict[str, list[dict]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sql: str) -> list[dict] | None:
        with self._lock:
            rows = self._data.get(sql)
            if rows is not None:
                self._data.move_to_end(sql)
            return rows

    def put(self, sql: str, rows: list[dict]) -> None:
        with self._lock:
            self._data[sql] = rows
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class Engine:
    """Plans a request once, in DuckDB's dialect, and runs it on its backend: the warehouse
    by default, or a Parquet lake on DuckDB, Spark or ClickHouse (``backends.py``)."""

    def __init__(self, warehouse: Warehouse | None, settings: Settings | None = None,
                 catalog: Catalog | None = None, cache: ResultCache | None = None,
                 backend: Backend | None = None, rollups: dict | None = None,
                 use_rollups: bool = True):
        """``rollups``: the daily rollups the planner may read (``rollups.py``); by default
        the warehouse's current ones, or those the lake was written with."""
        self.warehouse = warehouse
        self.cache = cache
        workspace = warehouse.workspace if warehouse is not None else None
        self.settings = settings or load_settings(workspace)
        self.catalog = catalog or load_catalog(workspace)
        if backend is None and warehouse is None:
            raise QueryError("an engine needs a warehouse or a backend")  # i18n: keep a programming error
        # without a backend there is a warehouse (checked above)
        self.backend: Backend = backend or DuckDBBackend(cast(Warehouse, warehouse).con)
        self._over_warehouse = backend is None
        self._given_rollups = {} if not use_rollups else rollups
        self._recorded: tuple | None = None   # the warehouse's rollup record, read once

    @cached_property
    def rollups(self) -> dict[str, Rollup]:
        """The daily rollups the planner may read: those given, else the warehouse's current
        ones, else those the lake was written with."""
        from telekpi.engine.rollups import available, from_manifest

        if self._given_rollups is not None:
            return self._given_rollups
        if self._over_warehouse:
            return available(cast(Warehouse, self.warehouse).con, self.settings, self._record())
        return from_manifest(getattr(self.backend, "manifest", None) or {}, self.settings)

    @cached_property
    def planner(self) -> Planner:
        from telekpi.engine.planner import Planner

        return Planner(self.catalog, self.settings, self.rollups, _lake_months(self.backend, self.settings))

    def _record(self) -> tuple:
        from telekpi.engine.rollups.state import record

        if self._recorded is None:
            self._recorded = record(cast(Warehouse, self.warehouse).con)
        return self._recorded

    @classmethod
    def open(cls, db: str | Path, *, read_only: bool = True, use_rollups: bool = True) -> Engine:
        return cls(Warehouse(db, read_only=read_only), use_rollups=use_rollups)

    @classmethod
    def over_lake(cls, lake: str | Path | None, engine: str = "duckdb", fallback_workspace: Path | None = None,
                  use_rollups: bool = True, **backend_options) -> Engine:
        """An engine over a Parquet lake (``telekpi export-lake``) on DuckDB, Spark or ClickHouse,
        with the settings and metrics the lake was written with (else ``fallback_workspace``'s)."""
        from telekpi.engine.backends import open_backend
        from telekpi.store.lake import lake_workspace

        workspace = lake_workspace(lake) if lake else None
        if workspace is None or not workspace.is_dir():
            workspace = fallback_workspace
        backend = open_backend(engine, lake, **backend_options)
        return cls(None, load_settings(workspace), load_catalog(workspace), backend=backend,
                   use_rollups=use_rollups)

    @classmethod
    def unconnected(cls, dialect: str, workspace: Path | None) -> Engine:
        """An engine that only plans and explains, in ``dialect``: no warehouse, no cluster."""
        from telekpi.engine.backends import Unconnected

        return cls(None, load_settings(workspace), load_catalog(workspace),
                   backend=Unconnected(dialect))

    def close(self) -> None:
        self.backend.close()

    def explain(self, req: Request, dialect: str | None = None) -> str:
        """The SQL a request runs, in ``dialect`` (default: the backend's), parameters first."""
        plan = self.planner.plan(req)
        dialect = dialect or self.backend.dialect
        head = f"-- engine: {dialect}\n" if dialect != "duckdb" else ""
        head += "".join(f"-- ${k} = {v!r}\n" for k, v in plan.params.items())
        return head + plan.text(dialect)

    def runnable(self, req: Request) -> Runnable:
        """The plan of ``req`` as its backend runs it: kept from an earlier command when this
        engine reads the warehouse with the rollups it has now (``kept_plans.py``), else
        planned, and kept."""
        dialect = self.backend.dialect
        key = None
        if self._over_warehouse and self._given_rollups is None:
            key = kept_plans.key(self.catalog, self.settings, req, dialect, self._record())
            kept = kept_plans.get(key)
            if kept is not None:
                return kept
        plan = self.planner.plan(req)
        out = Runnable(plan.sql if dialect == "duckdb" else plan.text(dialect), plan.columns, plan.ci,
                       plan.params, plan.costs, plan.missing)
        if key is not None:
            kept_plans.put(key, out)
        return out

    def query(self, req: Request) -> Result:
        plan = self.runnable(req)
        sql = plan.sql
        key = sql + "\n" + repr(sorted(plan.params.items()))
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            return _attributed(Result(list(req.metrics), list(req.by), req.period,
                                      [dict(r) for r in cached], sql), plan)
        names, values_list = self.backend.execute(sql, plan.params)
        rows = []
        for values in values_list:
            raw = dict(zip(names, values, strict=True))
            row = {c: _plain(raw[c]) for c in plan.columns}
            for mid, (num, den) in plan.ci.items():
                lo, hi = wilson(_plain(raw[num]) or 0, _plain(raw[den]) or 0)
                row[f"{mid}_ci_low"], row[f"{mid}_ci_high"] = lo, hi
            row |= {c: _plain(raw[c]) for c in plan.costs.values()}
            rows.append(row)
        if self.cache:
            self.cache.put(key, [dict(r) for r in rows])
        return _attributed(Result(list(req.metrics), list(req.by), req.period, rows, sql), plan)

    def rows(self, query: exp.Expr, params: dict) -> list[dict]:
        """Run one of the engine's own queries (a DuckDB tree with ``$name`` parameters: the
        lookups) on whatever backend."""
        from telekpi.engine.dialects import transpile

        names, values = self.backend.execute(transpile(query, self.backend.dialect), params)
        return [{n: _plain(v) for n, v in zip(names, r, strict=True)} for r in values]

    def supports(self, metric_id: str, dims) -> bool:
        """Can ``metric_id`` be split or filtered by every one of ``dims``?"""
        return self.why_not(metric_id, dims) is None

    def why_not(self, metric_id: str, dims) -> str | None:
        """Why ``metric_id`` cannot be split or filtered by ``dims``, in the language in use
        (its value is missing there, ``catalog/applies.py``); None when it can."""
        from telekpi.catalog.applies import not_by

        why = not_by(self.catalog, metric_id, list(dims))
        return why.text(self.catalog) if why else None


def _attributed(result: Result, plan: Runnable) -> Result:
    """Why metrics have no value: those the plan could not split as asked (``Plan.missing``),
    and the ratios over costs of a breakdown (``Plan.costs``) whose cost is partly on no value of
    a dimension (the row whose value is None) have no value on any row: ``not_meaningful``
    says why, with the part not attributed and the total. The hidden cost columns go."""
    result.not_meaningful.update(plan.missing)
    for mid, col in plan.costs.items():
        if mid in plan.missing:
            continue
        total = sum(r[col] or 0 for r in result.rows)
        for dim in result.by:
            off = [r[col] for r in result.rows if r[dim] is None and r[col]]
            if off:
                result.not_meaningful[mid] = NotMeaningful(mid, dim, sum(off), total)
                for r in result.rows:
                    r[mid] = None
                    if f"{mid}_ci_low" in r:
                        r[f"{mid}_ci_low"] = r[f"{mid}_ci_high"] = None
                break
    for r in result.rows:
        for col in plan.costs.values():
            r.pop(col, None)
    return result


def _lake_months(backend, settings: Settings) -> frozenset[str]:
    """Tables whose lake month the planner may read as the local month (DuckDB over a
    lake cut in the timezone the engine answers in)."""
    manifest = getattr(backend, "manifest", None) or {}
    if manifest.get("timezone") != settings.timezone:
        return frozenset()
    return getattr(backend, "month_views", frozenset())


def _plain(v):
    """Numbers as Python floats and ints whatever the backend hands back; a number that is not
    finite (NaN or an infinity a warehouse stored before values were checked, or a sum that
    overflowed) as None, unknown, which every surface shows as such and JSON can hold."""
    if isinstance(v, Decimal):
        v = float(v)
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
