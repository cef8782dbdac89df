"""Catalog SQL snippets: their placeholders expanded, and their syntax trees.

``{flag:NAME}``  a boolean over ``disposition`` from the workspace's map
``{tz}``         the workspace timezone as a string literal
``{scope_end}``  the end of the scope (or of each period) as a timestamp
``{SETTING}``    a setting from telekpi.toml: a number (a threshold), a boolean (TRUE/FALSE)
                 or one of a setting's choices (a string literal)

A snippet is parsed once, where it enters (``tree``, cached by its expanded text); the engine
combines the trees and never parses SQL it wrote itself.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sqlglot
from sqlglot import exp

from telekpi.i18n import _
from telekpi.model.dispositions import FLAGS, codes_with
from telekpi.settings import Settings, declared
from telekpi.sql import string

PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([a-z_]+))?\}")
NUMERIC_SETTINGS = {s.name for s in declared() if s.type in (int, float)}
# Settings a snippet may read besides the numbers: yes/no switches and closed choices (variants
# of a definition, such as service_level_basis), given as SQL literals.
VALUE_SETTINGS = NUMERIC_SETTINGS | {s.name for s in declared() if s.type is bool or s.choices}


def sql_string(value: str) -> str:
    return string(value)


def flag_sql(flag: str, settings: Settings, column: str = "disposition") -> str:
    codes = codes_with(flag, settings.dispositions)
    if not codes:
        return "FALSE"
    return f"(upper(trim({column})) IN ({', '.join(sql_string(c) for c in codes)}))"


def placeholder_problems(snippet: str) -> list[str]:
    problems = []
    for m in PLACEHOLDER.finditer(snippet):
        name, arg = m.groups()
        if name == "flag":
            if arg not in FLAGS:
                problems.append(_("unknown flag {flag}; flags are: {flags}").format(
                    flag=repr(arg), flags=", ".join(FLAGS)))
        elif arg is not None or name not in VALUE_SETTINGS | {"tz", "scope_end"}:
            problems.append(_("unknown placeholder {placeholder}; use {placeholders} or one of: "
                              "{settings}").format(placeholder=m.group(0),
                                                   placeholders="{flag:NAME}, {tz}, {scope_end}",
                                                   settings=", ".join(sorted(VALUE_SETTINGS))))
    return problems


def expand(snippet: str, settings: Settings, scope_end: str = "NULL") -> str:
    def repl(m: re.Match) -> str:
        name, arg = m.groups()
        if name == "flag":
            return flag_sql(arg, settings)
        if name == "tz":
            return sql_string(settings.timezone)
        if name == "scope_end":
            return scope_end
        value = getattr(settings, name)
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, str):
            return sql_string(value)
        return repr(value)

    return PLACEHOLDER.sub(repl, snippet)


# ``{scope_end}`` in a tree: a parameter the engine replaces by the scope's end (``with_scope_end``)
SCOPE_END = "$scope_end"


@lru_cache(maxsize=4096)
def parse(sql: str) -> exp.Expr:
    """Catalog SQL (DuckDB's dialect) as a tree; shared: copy it before changing it."""
    return sqlglot.parse_one(sql, read="duckdb")


def tree(snippet: str, settings: Settings) -> exp.Expr:
    """A snippet's tree, placeholders filled; ``{scope_end}`` stays a parameter."""
    return parse(expand(snippet, settings, SCOPE_END)).copy()


def with_scope_end(node: exp.Expr, scope_end: exp.Expr) -> exp.Expr:
    """``node`` with each ``{scope_end}`` replaced by ``scope_end`` (in place)."""
    if isinstance(node, exp.Placeholder) and node.name == SCOPE_END[1:]:
        return scope_end.copy()
    for hole in list(node.find_all(exp.Placeholder)):
        if hole.name == SCOPE_END[1:]:
            hole.replace(scope_end.copy())
    return node
