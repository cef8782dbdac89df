"""How one canonical column is read from a file: the rule a mapping gives and the
validator compiles (a column, a constant or a template; its format, unit and value map)."""

from __future__ import annotations

import string
from dataclasses import dataclass

UNITS = {"s": 1.0, "ms": 0.001, "min": 60.0, "h": 3600.0}
TIME_FORMATS = ("epoch", "epoch_ms")


@dataclass(frozen=True)
class ColumnRule:
    target: str
    column: str | None = None         # a file column
    constant: str | None = None
    template: str | None = None       # "{A}-{B}": file columns A and B joined
    format: str | None = None         # strptime pattern, or epoch / epoch_ms
    unit: str | None = None           # s, ms, min, h
    # file code → canonical value (trimmed, case-insensitive); None: the code means empty (NULL)
    values: tuple[tuple[str, str | None], ...] = ()
    otherwise: str | None = None      # value for a code `values` does not list
    default: str | None = None        # value for an empty cell
    thousands: str | None = None
    decimal: str | None = None
    pattern: str | None = None        # regular expression; its first group (or whole match) is the value
    minus: str | None = None          # a file column subtracted from `column` (numbers)
    line: int | None = None

    def sources(self) -> list[str]:
        if self.column is not None:
            return [self.column] + ([self.minus] if self.minus else [])
        if self.template is not None:
            return [f for _, f, _, _ in string.Formatter().parse(self.template) if f]
        return []


@dataclass(frozen=True)
class RowFilter:
    """One rule of a mapping's ``skip`` or ``where`` list, on a file column's text (trimmed; the
    mapping's ``nulls`` texts read as empty): the row matches when every test given holds."""
    column: str
    values: tuple[str, ...] | None = None   # one of these texts, any case
    pattern: str | None = None              # a regular expression found in the text
    empty: bool | None = None               # true: the cell is empty; false: it is not
    line: int | None = None
