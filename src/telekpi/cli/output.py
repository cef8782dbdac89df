"""Render results as a table (rich), JSON or CSV, with units people read."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from telekpi.units import human

if TYPE_CHECKING:
    from rich.console import Console

CALENDAR = {"date", "datetime", "month", "quarter", "year", "weekday"}

FORMATS = ("table", "json", "csv")


def console() -> Console:
    from rich.console import Console

    return Console(soft_wrap=False, width=max(Console().width, 160) if not sys.stdout.isatty() else None)


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def print_csv(columns: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    sys.stdout.write(buf.getvalue())


def print_table(columns: list[str], rows: list[dict], units: dict[str, str],
                title: str | None = None, notes: bool = False, labels: dict[str, str] | None = None) -> None:
    """``labels`` shows (translated) headers for some columns; keys stay the row keys."""
    from rich.table import Table

    t = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        numeric = c in units and units[c] not in CALENDAR
        t.add_column((labels or {}).get(c, c), justify="right" if numeric else "left")
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c)
            if c in units:
                text = human(v, units[c])
            elif isinstance(v, date):     # periods and days, as the language writes dates
                text = human(v, "datetime" if isinstance(v, datetime) else "date")
            else:
                text = "—" if v is None else str(v)
            if notes and r.get(f"__note_{c}"):
                text += f" ({r[f'__note_{c}']})"
            cells.append(text)
        t.add_row(*cells)
    console().print(t)
