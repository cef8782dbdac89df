"""The DuckDB → Spark / ClickHouse rewrites, one construct at a time; the engines' own
answers are compared in test_engine_parity.py."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
import sqlglot

from telekpi.engine.dialects import DIALECTS, transpile
from telekpi.errors import QueryError


def _tree(sql: str):
    return sqlglot.parse_one(sql, read="duckdb")


def _sql(sql: str, dialect: str) -> str:
    return " ".join(transpile(_tree(sql), dialect).split())


@pytest.mark.parametrize("dialect", ["spark", "clickhouse"])
def test_filter_becomes_case_inside_the_aggregate(dialect):
    out = _sql("SELECT count(*) FILTER (WHERE a > 1), count(DISTINCT b) FILTER (WHERE c), "
               "min(t) FILTER (WHERE e) OVER (PARTITION BY l) FROM x", dialect)
    assert "FILTER" not in out.upper()
    assert "COUNT(CASE WHEN a > 1 THEN 1 END)" in out
    assert "COUNT(DISTINCT CASE WHEN c THEN b END)" in out
    assert "MIN(CASE WHEN e THEN t END) OVER (PARTITION BY l)" in out


def test_filter_means_the_same_as_case():
    """The rewrite's meaning, checked on DuckDB itself, nulls and all."""
    con = duckdb.connect()
    con.execute("CREATE TABLE x AS SELECT * FROM (VALUES (1, 2, true), (3, NULL, true), "
                "(5, 6, false), (NULL, 8, NULL)) t(a, b, c)")
    original = ("SELECT count(*) FILTER (WHERE c), sum(a) FILTER (WHERE c), count(DISTINCT b) "
                "FILTER (WHERE a > 1), avg(b) FILTER (WHERE c IS NULL), "
                "max(a) FILTER (WHERE false) FROM x")
    rewritten = sqlglot.transpile(transpile(_tree(original), "spark"), read="spark", write="duckdb")[0]
    assert con.execute(original).fetchall() == con.execute(rewritten).fetchall()


def test_isodow_on_spark_is_iso():
    """sqlglot's own mapping gives Monday = 3; telekpi's gives Monday = 1."""
    assert "EXTRACT(DAYOFWEEK_ISO FROM" in _sql("SELECT isodow(t) FROM x", "spark")
    assert "toDayOfWeek(t)" in _sql("SELECT isodow(t) FROM x", "clickhouse")


def test_epoch_keeps_fractions_of_a_second():
    assert "UNIX_MICROS(t) / 1000000.0" in _sql("SELECT epoch(t) FROM x", "spark")
    assert "toUnixTimestamp64Micro(toDateTime64(t, 6)) / 1000000.0" in _sql(
        "SELECT epoch(t) FROM x", "clickhouse")


def test_timezone_of_an_instant_and_of_a_local_time():
    instant = "SELECT timezone('Asia/Bangkok', x.started_at) FROM x"
    local = "SELECT timezone('Asia/Bangkok', CAST(p + INTERVAL 1 MONTH AS TIMESTAMP)) FROM x"
    assert "FROM_UTC_TIMESTAMP(x.started_at, 'Asia/Bangkok')" in _sql(instant, "spark")
    assert "TO_UTC_TIMESTAMP(CAST(p + INTERVAL '1' MONTH AS TIMESTAMP_NTZ), 'Asia/Bangkok')" in _sql(local, "spark")
    assert "toTimeZone(x.started_at, 'Asia/Bangkok')" in _sql(instant, "clickhouse")
    assert "toDateTime64(toString(p + INTERVAL '1' MONTH), 6, 'Asia/Bangkok')" in _sql(local, "clickhouse")


def test_utc_literals():
    sql = "SELECT 1 FROM x WHERE t >= TIMESTAMPTZ '2026-01-31 17:00:00+00'"
    assert "CAST('2026-01-31 17:00:00' AS TIMESTAMP)" in _sql(sql, "spark")
    assert "toDateTime64('2026-01-31 17:00:00', 6, 'UTC')" in _sql(sql, "clickhouse")
    with pytest.raises(QueryError, match="must be in UTC"):
        transpile(_tree("SELECT 1 FROM x WHERE t >= TIMESTAMPTZ '2026-01-31 17:00:00+07'"), "spark")


def test_median_is_interpolated_everywhere():
    assert "PERCENTILE(v, 0.5)" in _sql("SELECT median(v) FROM x", "spark")
    assert "quantileExactInclusive(0.5)(v)" in _sql("SELECT median(v) FROM x", "clickhouse")


def test_parameters_stay_parameters():
    sql = "SELECT 1 FROM x WHERE CAST(a.team_id AS VARCHAR) IN ($w0, $w1)"
    assert "IN (:w0, :w1)" in _sql(sql, "spark")
    assert "IN ({w0: String}, {w1: String})" in _sql(sql, "clickhouse")


def test_duckdb_is_untouched_and_so_is_the_tree():
    text = "SELECT count(*) FILTER (WHERE a) FROM x WHERE t >= TIMESTAMPTZ '2026-01-31 17:00:00+00'"
    tree = _tree(text)
    assert transpile(tree, "duckdb") == tree.sql("duckdb", pretty=True)
    transpile(tree, "spark")
    assert tree == _tree(text)


def test_unknown_engine():
    with pytest.raises(QueryError, match="engine trino is not one of: duckdb, spark, clickhouse") as e:
        transpile(_tree("SELECT 1"), "trino")
    assert (e.value.field, e.value.value, e.value.allowed) == ("engine", "trino", DIALECTS)


def test_every_builtin_metric_transpiles(tmp_path):
    """All metrics in one request (the largest plan there is) transpile for both engines."""
    from telekpi.engine.engine import Engine
    from telekpi.engine.request import Request

    engine = Engine.unconnected("spark", None)
    req = Request(tuple(engine.catalog.metrics), period="month", start=dt.date(2026, 1, 1))
    for dialect in ("spark", "clickhouse"):
        out = engine.explain(req, dialect)
        assert "FILTER (" not in out and "isodow" not in out.lower() and "epoch(" not in out
