"""The report as data (``.json``): every section, table, value and chart of the report,
with its scope and the window it is compared with, for a program or a test to read.

Values are the raw numbers the other writers format (fractions, seconds, amounts in the
currency), never text; labels are in the report's language, ids and units are not. Keys
come in a fixed order (the model's, then a row's extra keys sorted), so the same report
gives the same bytes."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from telekpi.i18n import language
from telekpi.i18n.numbers import Formatter
from telekpi.reports.model import Chart, Report, Table


def plain(value: Any) -> Any:
    """A value JSON holds as it is: dates as ISO text, non-finite numbers as null."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def where_data(where) -> dict[str, list[str]]:
    """DIM=VALUE filters as ``{dim: [values]}`` (several values of one dimension: any of)."""
    out: dict[str, list[str]] = {}
    for dim, value in where:
        out.setdefault(dim, []).append(value)
    return out


def table_data(t: Table) -> dict:
    keys = [c.key for c in t.columns]
    rows = []
    for i, row in enumerate(t.rows):
        out = {k: plain(row.get(k)) for k in keys}
        out |= {k: plain(row[k]) for k in sorted(row) if k not in out}
        if i < len(t.styles):
            out["style"] = t.styles[i]
        rows.append(out)
    return {"id": t.id, "title": t.title, "note": t.note,
            "columns": [{"key": c.key, "label": c.label, "unit": c.unit} for c in t.columns],
            "rows": rows}


def chart_data(c: Chart) -> dict:
    return {"id": c.id, "kind": c.kind, "title": c.title, "unit": c.unit,
            "categories": [plain(x) for x in c.categories],
            "series": [{"name": name, "values": [plain(v) for v in values]}
                       for name, values in c.series.items()]}


def report_data(report: Report) -> dict:
    """The whole report as JSON-ready dicts and lists."""
    with language(report.lang):
        fmt = Formatter(report.lang, report.currency)
        return {
            "title": report.title,
            "language": report.lang,
            "currency": report.currency,
            "timezone": report.timezone,
            "generated": report.generated.isoformat(),
            "scope": {**report.window.to_json(fmt), "where": where_data(report.where)},
            "previous_window": report.previous.to_json(fmt),
            "versus": report.window.versus(fmt),
            "sections": [{"id": s.id, "title": s.title, "paragraphs": list(s.paragraphs),
                          "tables": [table_data(t) for t in s.tables],
                          "charts": [chart_data(c) for c in s.charts]} for s in report.sections],
        }


def write_json(report: Report, path: Path) -> None:
    text = json.dumps(report_data(report), ensure_ascii=False, indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
