"""The planner's DuckDB syntax tree, localised and rewritten for Spark SQL and ClickHouse.

``localize`` turns a fixed-offset zone's local times into integer arithmetic (every engine).
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
- ``$name`` parameters → ``:name`` | ``{name: String}``;
- ClickHouse: ``a // b`` → ``intDiv(a, b)`` (sqlglot divides as floats, inexact past 2^53),
  and ``unnest(range(a, b))`` (the days a cost covers) → ``arrayJoin(range(a, b))``.

Spark sessions must run with ``spark.sql.session.timeZone = UTC``: its
timestamps are instants rendered in the session zone, and the rewrites above
shift them explicitly.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlglot import exp

from telekpi.engine.scope import fixed_offset
from telekpi.errors import NOT_ONE_OF, QueryError
from telekpi.i18n import _
from telekpi.sql import fn

DIALECTS = ("duckdb", "spark", "clickhouse")
AGGREGATES = (exp.Count, exp.Sum, exp.Min, exp.Max, exp.Avg, exp.Median, exp.LogicalOr,
              exp.LogicalAnd)


def localize(tree: exp.Expr, tz: str, copy: bool = True) -> exp.Expr:
    """``timezone('<tz>', instant)`` → ``make_timestamp(epoch_us(instant) + offset)`` when the
    workspace zone has one fixed offset (``scope.fixed_offset``); the local → instant form
    (``CAST(… AS TIMESTAMP)``) and zones with DST keep ICU. A new tree, unless not ``copy``
    (``tree`` itself, changed, is then the answer)."""
    offset = fixed_offset(tz)
    if offset is None:
        return tree

    def local(node: exp.Expr) -> exp.Expr:
        if _name(node) != "timezone":
            return node
        zone, value = node.expressions
        if not (isinstance(zone, exp.Literal) and zone.is_string and zone.name == tz) \
                or _is_local_cast(value):
            return node
        micros = exp.Add(this=exp.Anonymous(this="epoch_us", expressions=[value]),
                         expression=exp.Literal.number(offset * 1_000_000))
        return fn("make_timestamp", micros)

    return _rewrite(tree, local, copy=copy)


def transpile(tree: exp.Expr, dialect: str) -> str:
    """The DuckDB query ``tree`` as text in ``dialect``, meaning the same (``tree`` is left as
    it is)."""
    if dialect not in DIALECTS:
        raise QueryError(NOT_ONE_OF, field="engine", value=dialect, allowed=DIALECTS)
    return rewrite(tree, dialect).sql(dialect=dialect, pretty=True)


def rewrite(tree: exp.Expr, dialect: str) -> exp.Expr:
    """The DuckDB tree with the constructs ``dialect`` means otherwise rewritten; a new tree."""
    if dialect == "duckdb":
        return tree
    tree = _rewrite(tree, _filter_to_case)
    return _rewrite(tree, _spark if dialect == "spark" else _clickhouse, copy=False)


def _rewrite(tree: exp.Expr, rule, copy: bool = True) -> exp.Expr:
    """``tree.transform(rule)``, and on into what ``rule`` puts in place of a node: its
    children (the node's, or new) are rewritten in turn, so nested rewrites compose."""
    def visit(node: exp.Expr) -> exp.Expr:
        new = rule(node)
        if new is node:
            return node
        return new.transform(lambda n: n if n is new else visit(n), copy=False)

    return tree.transform(visit, copy=copy)


def _filter_to_case(node: exp.Expr) -> exp.Expr:
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


def _name(node: exp.Expr) -> str | None:
    return node.name.lower() if isinstance(node, exp.Anonymous) else None


def _is_local_cast(node: exp.Expr) -> bool:
    """A CAST to a zone-less TIMESTAMP: a local wall-clock time, not an instant."""
    return isinstance(node, exp.Cast) and node.to.this in (
        exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ)


def _tz_literal(node: exp.Expr) -> tuple[str, str] | None:
    """``TIMESTAMPTZ 'YYYY-MM-DD HH:MM:SS+00'`` → ('YYYY-MM-DD HH:MM:SS', offset)."""
    if (isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.TIMESTAMPTZ
            and isinstance(node.this, exp.Literal) and node.this.is_string):
        m = re.fullmatch(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\+00(:00)?", node.this.name)
        if not m:
            raise QueryError(_("timestamp literal {literal} must be in UTC").format(
                literal=repr(node.this.name)))
        return m.group(1), "UTC"
    return None


def _spark(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Placeholder):
        return exp.Placeholder(this=node.name)          # $w0 → :w0
    name = _name(node)
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
        return exp.Cast(this=exp.Literal.string(lit[0]), to=exp.DataType.build(exp.DataType.Type.TIMESTAMP))
    return node


@lru_cache(maxsize=1)
def _ch_string() -> exp.DataType:
    """ClickHouse's String type, built once (building it parses the name)."""
    return exp.DataType.build("String", dialect="clickhouse")


def _clickhouse(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Placeholder):              # $w0 → {w0: String}
        return exp.Placeholder(this=node.name, kind=_ch_string().copy())
    name = _name(node)
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
    if isinstance(node, exp.IntDiv):
        return exp.Anonymous(this="intDiv", expressions=[node.this, node.expression])
    if isinstance(node, exp.GenerateSeries) and node.args.get("is_end_exclusive"):
        # range() takes no Nullable: the bounds of a row that has days are set
        return exp.Anonymous(this="range", expressions=[
            exp.Anonymous(this="assumeNotNull", expressions=[node.args["start"]]),
            exp.Anonymous(this="assumeNotNull", expressions=[node.args["end"]])])
    lit = _tz_literal(node)
    if lit:
        return exp.Anonymous(this="toDateTime64", expressions=[
            exp.Literal.string(lit[0]), exp.Literal.number(6), exp.Literal.string(lit[1])])
    return node

