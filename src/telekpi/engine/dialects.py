"""The planner's DuckDB SQL, rewritten for Spark SQL and ClickHouse.

sqlglot transpiles the grammar (quoting, casts, UNION, intervals); the few
functions whose meaning differs between engines are rewritten here on the
syntax tree first, because sqlglot's own mappings are not faithful for them:
it turns ``isodow`` into ``dayofweek(x) % 7 + 1`` on Spark (Monday = 3), and
``epoch`` into a whole-second ``unix_timestamp``.

Rewrites (DuckDB → Spark | ClickHouse):

- ``agg(x) FILTER (WHERE c)`` → ``agg(CASE WHEN c THEN x END)`` (Spark has no
  FILTER on window aggregates; the CASE form means the same everywhere);
- ``timezone(tz, instant)`` → local wall-clock time: ``from_utc_timestamp`` |
  ``toTimeZone``; ``timezone(tz, CAST(local AS TIMESTAMP))`` → the instant that
  local time names: ``to_utc_timestamp`` | ``toDateTime64(…, tz)``;
- ``make_timestamp(epoch_us(t) + offset)`` (the planner's local time in a fixed-offset
  zone) → ``timestamp_micros(unix_micros(t) + offset)`` | ``fromUnixTimestamp64Micro(…)``;
- ``isodow``, ``hour``, ``epoch`` (fractional seconds), ``median`` (interpolated,
  as DuckDB's), ``bool_or``, ``TIMESTAMPTZ '…'`` literals;
- ``$name`` parameters → ``:name`` | ``{name: String}``.

Spark sessions must run with ``spark.sql.session.timeZone = UTC``: its
timestamps are instants rendered in the session zone, and the rewrites above
shift them explicitly.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from telekpi.errors import NOT_ONE_OF, QueryError
from telekpi.i18n import _

DIALECTS = ("duckdb", "spark", "clickhouse")
AGGREGATES = (exp.Count, exp.Sum, exp.Min, exp.Max, exp.Avg, exp.Median, exp.LogicalOr,
              exp.LogicalAnd)


def transpile(sql: str, dialect: str) -> str:
    """The DuckDB query ``sql`` in ``dialect``, meaning the same."""
    if dialect == "duckdb":
        return sql
    if dialect not in DIALECTS:
        raise QueryError(NOT_ONE_OF, field="engine", value=dialect, allowed=DIALECTS)
    comments = "".join(line + "\n" for line in sql.splitlines() if line.startswith("--"))
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    tree = sqlglot.parse_one(body, read="duckdb")
    tree = _rewrite(tree, _filter_to_case)
    tree = _rewrite(tree, _spark if dialect == "spark" else _clickhouse)
    return comments + tree.sql(dialect=dialect, pretty=True)


def _rewrite(tree: exp.Expression, fn) -> exp.Expression:
    """Apply ``fn`` to every node, children before parents, so nested rewrites compose."""
    for node in reversed(list(tree.dfs())):
        new = fn(node)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def _filter_to_case(node: exp.Expression) -> exp.Expression:
    if not isinstance(node, exp.Filter):
        return node
    agg, cond = node.this, node.expression.this
    if not isinstance(agg, AGGREGATES):
        raise QueryError(_("{aggregate} FILTER (…) cannot be rewritten for this engine").format(
            aggregate=agg.sql("duckdb")))
    arg = agg.this
    distinct = isinstance(arg, exp.Distinct)
    if distinct:
        arg = arg.expressions[0]
    if isinstance(arg, exp.Star) or arg is None:
        arg = exp.Literal.number(1)
    case = exp.Case(ifs=[exp.If(this=cond, true=arg)])
    new = agg.copy()
    new.set("this", exp.Distinct(expressions=[case]) if distinct else case)
    return new


def _fn(node: exp.Expression) -> str | None:
    return node.name.lower() if isinstance(node, exp.Anonymous) else None


def _is_local_cast(node: exp.Expression) -> bool:
    """A CAST to a zone-less TIMESTAMP: a local wall-clock time, not an instant."""
    return isinstance(node, exp.Cast) and node.to.this in (
        exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ)


def _tz_literal(node: exp.Expression) -> tuple[str, str] | None:
    """``TIMESTAMPTZ 'YYYY-MM-DD HH:MM:SS+00'`` → ('YYYY-MM-DD HH:MM:SS', offset)."""
    if (isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.TIMESTAMPTZ
            and isinstance(node.this, exp.Literal) and node.this.is_string):
        m = re.fullmatch(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\+00(:00)?", node.this.name)
        if not m:
            raise QueryError(_("timestamp literal {literal} must be in UTC").format(
                literal=repr(node.this.name)))
        return m.group(1), "UTC"
    return None


def _spark(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Placeholder):
        return exp.Placeholder(this=node.name)          # $w0 → :w0
    name = _fn(node)
    if name == "timezone":
        tz, value = node.expressions
        f = "to_utc_timestamp" if _is_local_cast(value) else "from_utc_timestamp"
        return exp.Anonymous(this=f, expressions=[value, tz])
    if name == "epoch_us":
        return exp.Anonymous(this="unix_micros", expressions=node.expressions)
    if isinstance(node, exp.TimeToUnix):
        return exp.Div(this=exp.Anonymous(this="unix_micros", expressions=[node.this]),
                       expression=exp.Literal.number("1000000.0"))
    if isinstance(node, exp.DayOfWeekIso):
        return exp.Extract(this=exp.var("DAYOFWEEK_ISO"), expression=node.this)
    if isinstance(node, exp.Median):
        return exp.Anonymous(this="percentile", expressions=[node.this, exp.Literal.number("0.5")])
    lit = _tz_literal(node)
    if lit:
        return exp.Cast(this=exp.Literal.string(lit[0]), to=exp.DataType.build("TIMESTAMP"))
    return node


def _clickhouse(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Placeholder):              # $w0 → {w0: String}
        return exp.Placeholder(this=node.name, kind=exp.DataType.build("String", dialect="clickhouse"))
    name = _fn(node)
    if name == "timezone":
        tz, value = node.expressions
        if _is_local_cast(value):
            return exp.Anonymous(this="toDateTime64", expressions=[
                exp.Anonymous(this="toString", expressions=[value.this]),
                exp.Literal.number(6), tz])
        return exp.Anonymous(this="toTimeZone", expressions=[value, tz])
    if name == "epoch_us":
        return exp.Anonymous(this="toUnixTimestamp64Micro", expressions=[
            exp.Anonymous(this="toDateTime64", expressions=[node.expressions[0], exp.Literal.number(6)])])
    if isinstance(node, exp.TimeToUnix):
        return exp.Div(
            this=exp.Anonymous(this="toUnixTimestamp64Micro", expressions=[
                exp.Anonymous(this="toDateTime64", expressions=[node.this,
                                                                exp.Literal.number(6)])]),
            expression=exp.Literal.number("1000000.0"))
    if isinstance(node, exp.Hour):
        return exp.Anonymous(this="toHour", expressions=[node.this])
    if isinstance(node, exp.DayOfWeekIso):
        return exp.Anonymous(this="toDayOfWeek", expressions=[node.this])
    if isinstance(node, exp.Median):
        return exp.Anonymous(this="quantileExactInclusive(0.5)", expressions=[node.this])
    if isinstance(node, exp.LogicalOr):
        return exp.Max(this=node.this)
    lit = _tz_literal(node)
    if lit:
        return exp.Anonymous(this="toDateTime64", expressions=[
            exp.Literal.string(lit[0]), exp.Literal.number(6), exp.Literal.string(lit[1])])
    return node

