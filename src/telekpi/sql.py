"""DuckDB SQL in one place: quoting a value or a name into text, and building syntax trees.

The engine builds its queries as sqlglot syntax trees (``fn``, ``cast``, ``select`` …); the
lower layers (validation, the warehouse, the lake) write a few statements of their own, and
quote through here so that every string literal and identifier is escaped the way sqlglot
renders it for DuckDB (``tests/test_sql.py`` holds the two to the same text).

Quoting needs no sqlglot, and the tree builders import it when first called: a command that
runs a plan kept from before (``engine/kept_plans.py``) over the warehouse never loads it
(importing sqlglot and its DuckDB dialect took about 0.13 s of every `telekpi kpi`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from telekpi.i18n import pieces

if TYPE_CHECKING:
    from sqlglot import exp


def string(value: object) -> str:
    """A string literal: ``it's`` → ``'it''s'`` (DuckDB reads a backslash as itself)."""
    return "'" + str(value).replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A quoted identifier: ``a"b`` → ``"a""b"``."""
    return '"' + name.replace('"', '""') + '"'


def value(v: object) -> str:
    """A number as itself, anything else as a string literal."""
    return repr(v) if isinstance(v, int | float) and not isinstance(v, bool) else string(v)


def quoted(expr: str) -> str:
    """SQL for a value quoted in a message, cut to a readable length."""
    return f"'''' || left(CAST({expr} AS VARCHAR), 60) || ''''"


def message(text: str, sql: dict[str, str], **values: object) -> str:
    """SQL for a (translated) message: its ``{name}`` placeholders named in ``sql`` become those
    SQL expressions, worked out row by row; the others become ``values``, as text."""
    parts = pieces(text, **{k: str(v) for k, v in values.items()}, **{k: (e,) for k, e in sql.items()})
    return " || ".join(string(p) if isinstance(p, str) else p[0] for p in parts) or string("")


def fn(name: str, *args: exp.Expr) -> exp.Func:
    """A function call as DuckDB's parser reads it (``date_trunc`` → ``TimestampTrunc``), so
    the rewrites for other engines see the same nodes as in parsed SQL. The arguments become
    its children, as they are."""
    from sqlglot import exp

    return exp.func(name, *args, dialect="duckdb", copy=False)


def cast(node: exp.Expr, to: str) -> exp.Cast:
    """``CAST(node AS to)``, the type as DuckDB reads it (VARCHAR is TEXT)."""
    from sqlglot import exp

    return exp.Cast(this=node, to=_type(to).copy())


@lru_cache(maxsize=64)
def _type(name: str) -> exp.DataType:
    from sqlglot import exp

    return exp.DataType.build(name, dialect="duckdb")


def column(name: str, table: str | None = None) -> exp.Column:
    """``table.name``, or ``table.*`` for ``name='*'``."""
    from sqlglot import exp

    return exp.column(exp.Star() if name == "*" else name, table)


def alias(node: exp.Expr, name: str, quoted: bool = False) -> exp.Alias:
    """``node AS name``."""
    from sqlglot import exp

    return exp.Alias(this=node, alias=exp.to_identifier(name, quoted=quoted))


def select(cols: Sequence[exp.Expr], source: exp.Expr, *, joins=(), where=(),
           group: Sequence[exp.Expr] | None = None, group_all: bool = False,
           distinct: bool = False) -> exp.Select:
    """``SELECT cols FROM source joins WHERE a AND b GROUP BY …``."""
    from sqlglot import exp

    q = exp.Select(expressions=list(cols), from_=exp.From(this=source))
    if distinct:
        q.set("distinct", exp.Distinct())
    if joins:
        q.set("joins", list(joins))
    if where:
        q.set("where", exp.Where(this=exp.and_(*where, copy=False)))
    if group_all:
        q.set("group", exp.Group(all=True))
    elif group:
        q.set("group", exp.Group(expressions=list(group)))
    return q


def is_not_null(node: exp.Expr) -> exp.Expr:
    """``node IS NOT NULL``."""
    from sqlglot import exp

    return exp.Not(this=exp.Is(this=node, expression=exp.Null()))
