"""Text a spreadsheet must never run: the one rule for what looks like a formula.

A name, an id or a campaign comes from the data (a CRM export, an API batch), and a
spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a
tab or a carriage return it strips, any of those) as a formula: ``=HYPERLINK(…)`` becomes a
live link, ``=cmd|…`` a command (CSV injection, OWASP). Every file people open in a
spreadsheet asks ``looks_like_formula``: the XLSX report writes such a cell as text (its type
``s``, shown with Excel's quote prefix), a CSV writes it with a leading single quote as
OWASP recommends (``csv_text``). A number written as text ("-3.5", "+66812345678") is
left as it is: it is not a formula and cannot become one. JSON, which programs read, keeps
every value exact."""

from __future__ import annotations

import re
from typing import TypeGuard

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def looks_like_formula(value: object) -> TypeGuard[str]:
    """Would a spreadsheet run this cell? Only text can be a formula; a plain number is not."""
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _NUMBER.fullmatch(value))


def csv_text(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text that looks like a formula gets a leading
    single quote (the csv module then quotes the cell as it needs); other values unchanged."""
    return "'" + value if looks_like_formula(value) else value
