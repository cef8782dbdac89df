"""What a report holds, independent of file type: sections of tables, charts and words.

Values stay raw (fractions, seconds, amounts) so each writer formats them its own way:
Babel text in HTML and PDF, number formats in Excel. Labels are already translated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from telekpi.analysis.windows import Window


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str | None = None     # catalog unit, "change" (relative change), "row" (the row's own
                                # "unit", for tables of different metrics), or None for text

    def unit_of(self, row: dict) -> str | None:
        return row.get("unit") if self.unit == "row" else self.unit


@dataclass
class Table:
    id: str
    title: str
    columns: list[Column]
    rows: list[dict]
    note: str | None = None
    # For headline-like tables: which metric each row is, so writers can colour bands.
    styles: list[dict] = field(default_factory=list)


@dataclass
class Chart:
    id: str
    kind: str                   # bar | line | funnel
    title: str
    categories: list
    series: dict[str, list]     # label -> values, one per category
    unit: str = "count"


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    title: str
    start: date
    end: date
    where: tuple[tuple[str, str], ...]
    generated: datetime
    lang: str
    currency: str
    timezone: str
    sections: list[Section] = field(default_factory=list)

    @property
    def window(self) -> Window:
        return Window(self.start, self.end)

    @property
    def previous(self) -> Window:
        """The window every "previous period" of the report is (``Window.previous``)."""
        return self.window.previous()

    def section(self, id: str) -> Section:
        return next(s for s in self.sections if s.id == id)

    def table(self, id: str) -> Table:
        return next(t for s in self.sections for t in s.tables if t.id == id)
