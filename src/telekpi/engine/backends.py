"""Where a planned query runs: the DuckDB warehouse, or a Parquet lake on DuckDB,
Spark or ClickHouse.

Each backend takes the SQL already in its dialect (``engine/dialects.py``) and
the ``--where`` values as named parameters, and returns column names and rows.
The canonical tables appear under their own names: views over the lake's
Parquet files (``store/lake.py``), without the ``month`` partition column.

DuckDB over a lake also names each partitioned table's files as ``month_view(table)``:
the same rows with the folder's month as ``__lake_month`` ('2026-01'), which the
planner reads instead of working out a local month per row (``Planner.lake_months``;
8.4 → 6.9 s for the KPIs per agent per month of 100M calls). Spark and ClickHouse get
no such view: their own local-month functions cost as little as reading the folder's
month (ClickHouse grouped 10M calls in 0.47 s by toStartOfMonth and 0.50 s by the
folder), and their queries were no faster with it (10M calls: chdb 2.7 vs 2.4 s,
Spark 9.0 vs 7.5 s).
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from pathlib import Path
from typing import Any, ClassVar, Protocol

import duckdb

from telekpi import sql as sqltext
from telekpi.errors import (
    NOT_ONE_OF,
    InputError,
    MissingDependencyError,
    TelekpiError,
    UsageError,
)
from telekpi.i18n import N_, _
from telekpi.model.tables import TABLES
from telekpi.store.lake import (
    LAKE_MONTH,
    REVIEW_TABLES,
    month_view,
    read_manifest,
    table_is_partitioned,
)

LOG4J = Path(__file__).with_name("spark-log4j2.properties")


class Backend(Protocol):
    dialect: str

    def execute(self, sql: str, params: dict[str, Any] | list[Any]) -> tuple[list[str], list[tuple]]:
        """Named parameters (``$name``), or ``?`` arguments in a list for DuckDB (``Engine.rows``)."""
        ...

    def close(self) -> None: ...


class Unconnected:
    """A backend that only names its dialect: for ``--explain`` without starting an engine."""

    def __init__(self, dialect: str):
        self.dialect = _known(dialect)

    def execute(self, sql, params):
        raise UsageError(_("this engine only explains queries"))

    def close(self):
        pass


def _files(lake: Path, name: str) -> str:
    return str(lake / name / ("**/*.parquet" if table_is_partitioned(name) else "*.parquet"))


def _lake_tables(lake: Path, manifest: dict) -> list[tuple[str, str, bool]]:
    """(view name, Parquet files, partitioned) of every canonical table, review table the
    lake holds (``REVIEW_TABLES``) and daily rollup."""
    held = [name for name in REVIEW_TABLES if name in (manifest.get("tables") or {})]
    out = [(name, _files(lake, name), table_is_partitioned(name)) for name in [*TABLES, *held]]
    out += [(e["table"], str(lake / e["path"] / "*.parquet"), False)
            for e in (manifest.get("rollups") or {}).values()]
    return out


class DuckDBBackend:
    """The warehouse file (the default), or an in-memory DuckDB with views over a lake."""

    dialect = "duckdb"
    manifest: dict | None = None
    month_views: frozenset[str] = frozenset()   # tables with a month_view() (over a lake)

    def __init__(self, con, owned: bool = False):
        self.con, self._owned = con, owned

    @classmethod
    def over_lake(cls, lake: Path) -> DuckDBBackend:
        manifest = read_manifest(lake)
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        months = set()
        for name, path, hive in _lake_tables(lake, manifest):
            path = sqltext.string(path)
            try:
                con.execute(f'CREATE VIEW {sqltext.identifier(name)} AS SELECT * {"EXCLUDE (month) " if hive else ""}'
                            f"FROM read_parquet({path}, hive_partitioning = {str(hive).lower()})")
                if hive:
                    con.execute(f'CREATE VIEW {sqltext.identifier(month_view(name))} AS SELECT * EXCLUDE (month), '
                                f"month AS {LAKE_MONTH} FROM read_parquet({path}, hive_partitioning = "
                                "true, hive_types = {'month': VARCHAR})")
                    months.add(name)
            except duckdb.Error as e:
                con.close()
                raise InputError(_("cannot be read as the {table} table of a telekpi lake ({error}); "
                                   "write it again with `telekpi export-lake`").format(
                                     table=name, error=str(e).splitlines()[0]),
                                 file=str(lake / name)) from None
        backend = cls(con, owned=True)
        backend.manifest, backend.month_views = manifest, frozenset(months)
        return backend

    def execute(self, sql, params):
        try:
            cur = self.con.execute(sql, params or None)
        except duckdb.Error as e:
            raise TelekpiError(_("the query failed in DuckDB: {error}").format(
                error=str(e).splitlines()[0])) from None
        return [d[0] for d in cur.description], cur.fetchall()

    def close(self):
        if self._owned:
            self.con.close()


class SparkBackend:
    """A Spark session (local by default) with the lake's tables as temporary views.

    The session runs in UTC (``dialects.py`` shifts times explicitly); a local
    session binds its driver to 127.0.0.1 and starts no web UI.
    """

    dialect = "spark"

    def __init__(self, lake: str | Path, master: str | None = None,
                 conf: dict[str, str] | None = None, session=None):
        """``lake``: a folder, or a URI Spark reads (``s3a://bucket/lake``, ``file:///…``),
        whose manifest only Spark can reach."""
        lake = str(lake)
        self.manifest = read_manifest(lake) if "://" not in lake else None
        self.spark = session or self._session(master, conf or {})
        self._owned = session is None
        for name in TABLES:
            path = f"{lake.rstrip('/')}/{name}"
            df = self.spark.read.option("basePath", path).parquet(path)
            if "month" in df.columns and table_is_partitioned(name):
                df = df.drop("month")
            df.createOrReplaceTempView(name)
        for e in ((self.manifest or {}).get("rollups") or {}).values():
            self.spark.read.parquet(f"{lake.rstrip('/')}/{e['path']}").createOrReplaceTempView(e["table"])

    @staticmethod
    def _session(master: str | None, conf: dict[str, str]):
        # pyspark warns on import and on first use that it has not been tried with pandas 3
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise MissingDependencyError("--engine spark", "spark") from None  # i18n: keep an option
        builder = SparkSession.builder.appName("telekpi")
        local = master is None or master.startswith("local")
        if master:
            builder = builder.master(master)
        settings = {
            "spark.sql.session.timeZone": "UTC",
            "spark.ui.showConsoleProgress": "false",
            "spark.driver.extraJavaOptions": f"-Dlog4j.configurationFile={LOG4J}",
        }
        if local:
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            settings.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
                             "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4"})
        settings.update(conf)
        if settings["spark.sql.session.timeZone"] != "UTC":
            raise UsageError(_("telekpi runs Spark in UTC; drop spark.sql.session.timeZone"))
        for k, v in settings.items():
            builder = builder.config(k, v)
        try:
            return builder.getOrCreate()
        except Exception as e:   # no Java, cluster unreachable
            raise TelekpiError(_("could not start Spark ({error}); Spark needs Java 17 or newer "
                                 "(JAVA_HOME)").format(error=str(e).splitlines()[0])) from None

    def execute(self, sql, params):
        try:
            df = self.spark.sql(sql, args=params or None)
            rows = df.collect()
        except Exception as e:
            raise TelekpiError(_("the query failed in Spark: {error}").format(error=_first_line(e))) from None
        return list(df.columns), [tuple(r) for r in rows]

    def close(self):
        if self._owned:
            self.spark.stop()


class ClickHouseBackend:
    """Embedded ClickHouse (chdb) with views over the lake, or a server (clickhouse-connect)
    whose database holds the canonical tables.

    Settings that make ClickHouse answer as SQL does: outer joins give NULL, not 0
    (``join_use_nulls``); an aggregate over no rows is NULL (``aggregate_functions_null_for_empty``).
    """

    dialect = "clickhouse"
    SETTINGS: ClassVar[dict[str, int | str]] = {"join_use_nulls": 1, "aggregate_functions_null_for_empty": 1,
                "session_timezone": "UTC"}

    def __init__(self, lake: Path | None = None, url: str | None = None):
        self.client = self.session = self.manifest = None
        if url:
            try:
                import clickhouse_connect
            except ImportError:
                raise MissingDependencyError(_("--engine clickhouse with a server URL"), "clickhouse") from None
            try:
                self.client = clickhouse_connect.get_client(dsn=url, settings=self.SETTINGS)
            except Exception as e:
                raise TelekpiError(_("could not connect to ClickHouse at {url} ({error})").format(
                    url=url, error=_first_line(e))) from None
            return
        if lake is None:
            raise UsageError(N_("{given_engine} needs {param} DIR (embedded) or {param_clickhouse_url}"),
                             field="lake", engine=self.dialect)
        self.manifest = read_manifest(lake)
        try:
            from chdb import session as chs
        except ImportError:
            raise MissingDependencyError("--engine clickhouse", "clickhouse") from None  # i18n: keep an option
        self.session = chs.Session()
        self.session.query("CREATE DATABASE IF NOT EXISTS telekpi")
        for name, path, __ in _lake_tables(lake, self.manifest):
            path = path.replace("'", "\\'")
            self.session.query(f"CREATE OR REPLACE VIEW telekpi.`{name}` AS "
                               f"SELECT * FROM file('{path}', Parquet)")
        self.session.query("USE telekpi")

    def execute(self, sql, params):
        settings = " SETTINGS " + ", ".join(f"{k} = {v!r}" for k, v in self.SETTINGS.items())
        try:
            if self.client is not None:
                res = self.client.query(sql, parameters=params or None)
                return list(res.column_names), [tuple(r) for r in res.result_rows]
            assert self.session is not None   # embedded: opened in __init__
            out = self.session.query(sql + settings, "JSONCompact", params=params or None)
        except Exception as e:
            raise TelekpiError(_("the query failed in ClickHouse: {error}").format(
                error=_first_line(e))) from None
        data = json.loads(out.bytes() or b'{"meta": [], "data": []}')
        names = [m["name"] for m in data["meta"]]
        return names, [tuple(_ch_value(v, m["type"]) for v, m in zip(row, data["meta"], strict=True))
                       for row in data["data"]]

    def close(self):
        with contextlib.suppress(Exception):
            if self.session is not None:
                self.session.close()
            if self.client is not None:
                self.client.close()


def _ch_value(v, ch_type: str):
    """JSONCompact quotes 64-bit integers and decimals; give them back as numbers."""
    if isinstance(v, str) and ("Int" in ch_type or "Decimal" in ch_type or "Float" in ch_type):
        return float(v) if ("Decimal" in ch_type or "Float" in ch_type) else int(v)
    return v


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def _known(engine: str) -> str:
    # dialects.py (sqlglot) only for a lake or --explain: not on the warehouse's way
    from telekpi.engine.dialects import DIALECTS as ENGINES

    if engine not in ENGINES:
        raise UsageError(NOT_ONE_OF, field="engine", value=engine, allowed=ENGINES)
    return engine


def open_backend(engine: str, lake: str | Path | None, *, spark_master: str | None = None,
                 spark_conf: dict[str, str] | None = None, clickhouse_url: str | None = None):
    """The backend ``--engine`` names, over ``--lake`` (DuckDB without a lake: the warehouse).
    Options for another engine than the one named are not used."""
    if _known(engine) == "duckdb":
        return DuckDBBackend.over_lake(Path(lake)) if lake else None
    if engine == "spark":
        if lake is None:
            raise UsageError(N_("{given_engine} needs {param} DIR; write one with `telekpi export-lake DIR`"),
                             field="lake", engine=engine)
        return SparkBackend(lake, spark_master, spark_conf)
    return ClickHouseBackend(Path(lake) if lake else None, clickhouse_url)
