"""The one facade front ends call: ``query()`` and ``explain()``. Only here is SQL run."""

from __future__ import annotations

import threading
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path

import duckdb
import sqlglot

from telekpi.catalog.loader import Catalog, load_catalog
from telekpi.engine.planner import Planner
from telekpi.engine.request import Request, Result
from telekpi.engine.stats import wilson
from telekpi.errors import QueryError, TelekpiError
from telekpi.settings import Settings, load_settings
from telekpi.store.warehouse import Warehouse

DIALECTS = {"duckdb": "duckdb", "spark": "spark", "clickhouse": "clickhouse"}


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
    def __init__(self, warehouse: Warehouse, settings: Settings | None = None,
                 catalog: Catalog | None = None, cache: ResultCache | None = None):
        self.warehouse = warehouse
        self.cache = cache
        self.settings = settings or load_settings(warehouse.workspace)
        self.catalog = catalog or load_catalog(warehouse.workspace)
        self.planner = Planner(self.catalog, self.settings)

    @classmethod
    def open(cls, db: str | Path, *, read_only: bool = True) -> Engine:
        return cls(Warehouse(db, read_only=read_only))

    def explain(self, req: Request, dialect: str = "duckdb") -> str:
        plan = self.planner.plan(req)
        sql = "".join(f"-- ${k} = {v!r}\n" for k, v in plan.params.items()) + plan.sql
        if dialect == "duckdb":
            return sql
        return sqlglot.transpile(sql, read="duckdb", write=DIALECTS[dialect], pretty=True)[0]

    def query(self, req: Request) -> Result:
        plan = self.planner.plan(req)
        key = plan.sql + "\n" + repr(sorted(plan.params.items()))
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            return Result(list(req.metrics), list(req.by), req.period,
                          [dict(r) for r in cached], plan.sql)
        try:
            cur = self.warehouse.con.execute(plan.sql, plan.params or None)
        except duckdb.Error as e:
            raise TelekpiError(f"the query failed in DuckDB: {str(e).splitlines()[0]}") from None
        names = [d[0] for d in cur.description]
        rows = []
        for values in cur.fetchall():
            raw = dict(zip(names, values, strict=True))
            row = {c: _plain(raw[c]) for c in plan.columns}
            for mid, (num, den) in plan.ci.items():
                lo, hi = wilson(_plain(raw[num]) or 0, _plain(raw[den]) or 0)
                row[f"{mid}_ci_low"], row[f"{mid}_ci_high"] = lo, hi
            rows.append(row)
        if self.cache:
            self.cache.put(key, [dict(r) for r in rows])
        return Result(list(req.metrics), list(req.by), req.period, rows, plan.sql)

    def supports(self, metric_id: str, dims) -> bool:
        """Can ``metric_id`` be split or filtered by every one of ``dims``?"""
        from telekpi.engine.models import model_for

        models = self.planner._models_of(metric_id)
        return all(d in model_for(m, self.settings).dims for m in models for d in dims)

    def metric(self, metric_id: str):
        try:
            return self.catalog.metrics[metric_id]
        except KeyError:
            raise QueryError(f"unknown metric {metric_id!r}") from None


def _plain(v):
    if isinstance(v, Decimal):
        return float(v)
    return v
