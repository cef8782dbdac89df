"""Quoting a value or a name into DuckDB SQL text, in one place.

The engine builds its queries as sqlglot syntax trees; the lower layers (validation, the
warehouse, the lake) write a few statements of their own, and quote through here so that
every string literal and identifier is escaped the way sqlglot renders it for DuckDB."""

from __future__ import annotations

from sqlglot import exp

from telekpi.i18n import pieces


def string(value: object) -> str:
    """A string literal: ``it's`` → ``'it''s'``."""
    return exp.Literal.string(str(value)).sql(dialect="duckdb")


def identifier(name: str) -> str:
    """A quoted identifier: ``a"b`` → ``"a""b"``."""
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


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
