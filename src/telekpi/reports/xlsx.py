"""The report as an Excel workbook a finance person would have built by hand.

One sheet per section; each table an Excel table (filters, banded rows) with real
numbers and number formats (percentages, the currency, durations as h:mm:ss, dates);
the first header frozen; native Excel charts drawn from cells on the sheet."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo

from telekpi.i18n import _, language
from telekpi.i18n.numbers import Formatter, floor, unknown
from telekpi.presentation import BAND_COLOURS
from telekpi.reports.model import Chart, Report, Table
from telekpi.spreadsheet import looks_like_formula

DATE_FORMAT = {"en": "yyyy-mm-dd", "vi": "dd/mm/yyyy", "th": "dd/mm/yyyy", "zh_Hans": "yyyy-mm-dd",
               "zh_Hant": "yyyy/mm/dd"}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
CHART_ROWS = 18


def money_format(fmt: Formatter) -> str:
    """Excel's code for the currency: the locale's symbol placement, the currency's decimals."""
    pattern = fmt.locale.currency_formats["standard"].pattern.split(";")[0]
    symbol = fmt.locale.currency_symbols.get(fmt.currency, fmt.currency)
    number = "#,##0" + ("." + "0" * fmt.currency_digits if fmt.currency_digits else "")
    body = re.sub(r"[#,0.]+", number, pattern, count=1).replace("\xa0", " ")
    return body.replace("¤", f'"{symbol}"')


class Formats:
    def __init__(self, report: Report):
        self.fmt = Formatter(report.lang, report.currency)
        self.codes = {"rate": "0.0%", "attainment": "0.0%", "count": "#,##0", "money": money_format(self.fmt),
                      "seconds": "[h]:mm:ss", "ratio": "0.00", "score": "0.00",
                      "change": "+0.0%;-0.0%;0.0%", "date": DATE_FORMAT.get(report.lang, "yyyy-mm-dd")}

    def put(self, c, value, unit: str | None) -> None:
        """Write ``value`` into cell ``c`` as Excel should hold it."""
        if unknown(value):
            c.value = None
            return
        if unit == "seconds":
            c.value = value / 86400
        elif unit == "attainment":   # as every surface shows it: to 0.1 %, rounded down
            c.value = float(floor(value, 3))
        elif isinstance(value, str) and unit is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            c.value = date.fromisoformat(value)
            unit = "date"
        else:
            c.value = value
        if unit in self.codes:
            c.number_format = self.codes[unit]
            c.alignment = Alignment(horizontal="right")


def write_xlsx(report: Report, path: Path) -> None:
    with language(report.lang):
        wb = Workbook()
        wb.remove(wb.worksheets[0])   # the empty sheet a new workbook starts with
        f = Formats(report)
        names: set[str] = set()
        for s in report.sections:
            ws = wb.create_sheet(sheet_name(s.title, names))
            ws.sheet_view.showGridLines = False
            ws["A1"] = s.title
            ws["A1"].font = TITLE
            compared = report.window.versus(f.fmt)
            ws["A2"] = (f"{report.title} · {f.fmt.date(report.start)} – {f.fmt.date(report.end)} · "
                        f"{compared} · {report.currency}")
            row = 4
            for p in s.paragraphs:
                ws.cell(row, 1, p)
                row += 1
            frozen = False
            widths: dict[int, int] = {}
            for t in s.tables:
                row += 1 if row > 4 else 0
                header = row + 1
                row = write_table(ws, t, row, f, widths)
                if not frozen and t.rows:
                    ws.freeze_panes = ws.cell(header + 1, 1)
                    frozen = True
                row += 1
            for col, width in widths.items():
                ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 9), 60)
            anchor_col = max(widths or {1: 0}) + 2
            for i, chart in enumerate(s.charts):
                row += 1
                data_row = row
                row = write_chart_data(ws, chart, row, f)
                ws.add_chart(native_chart(ws, chart, data_row, row - 1),
                             f"{get_column_letter(anchor_col)}{4 + i * CHART_ROWS}")
                row += 1
        no_formulas(wb)
        wb.properties.title = f"{report.title} {report.start} – {report.end}"
        wb.properties.creator = "telekpi"
        wb.save(path)


def no_formulas(wb: Workbook) -> None:
    """The report writes no formula: a text cell that looks like one (an agent named
    ``=HYPERLINK(…)``, which openpyxl would store as a formula) is stored as text, with Excel's
    quote prefix so that editing the cell keeps it text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if looks_like_formula(c.value):
                    c.data_type = "s"
                    c.quotePrefix = True


def sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet"
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def write_table(ws, t: Table, row: int, f: Formats, widths: dict[int, int]) -> int:
    """Title, header and rows from ``row``; returns the row after the table."""
    ws.cell(row, 1, t.title).font = BOLD
    row += 1
    header = row
    for j, c in enumerate(t.columns, 1):
        cell = ws.cell(row, j, c.label)
        cell.font = BOLD
        widths[j] = max(widths.get(j, 0), len(c.label))
    for i, r in enumerate(t.rows):
        row += 1
        style = t.styles[i] if t.styles else {}
        for j, c in enumerate(t.columns, 1):
            unit = c.unit_of(r)
            cell = ws.cell(row, j)
            f.put(cell, r.get(c.key), unit)
            shown = f.fmt.value(r.get(c.key), unit) if unit not in (None, "change") else str(r.get(c.key) or "")
            widths[j] = max(widths.get(j, 0), len(shown))
            if c.key == "band" and style.get("band"):
                cell.fill = PatternFill("solid", fgColor=BAND_COLOURS.get(style["band"], "#57606a")[1:])
                cell.font = Font(color="FFFFFF")
            if c.unit == "change" and style.get("good") is not None:
                cell.font = Font(color="1A7F37" if style["good"] else "CF222E")
    if t.rows:
        ref = f"A{header}:{get_column_letter(len(t.columns))}{row}"
        xl = XlTable(displayName=f"t_{t.id}", ref=ref)
        xl.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(xl)
    else:
        row += 1
        ws.cell(row, 1, _("No data in this period.")).font = Font(italic=True)
    if t.note:
        row += 1
        ws.cell(row, 1, t.note).font = Font(italic=True, color="57606A")
    return row + 1


def write_chart_data(ws, chart: Chart, row: int, f: Formats) -> int:
    """The chart's numbers as a small block of cells (charts in Excel draw from cells)."""
    ws.cell(row, 1, chart.title).font = BOLD
    row += 1
    ws.cell(row, 1, "")
    for j, name in enumerate(chart.series, 2):
        ws.cell(row, j, name).font = BOLD
    for i, cat in enumerate(chart.categories):
        r = row + 1 + i
        f.put(ws.cell(r, 1), cat, None)
        for j, values in enumerate(chart.series.values(), 2):
            f.put(ws.cell(r, j), values[i], chart.unit)
    return row + 1 + len(chart.categories)


def native_chart(ws, chart: Chart, first: int, last: int):
    """An Excel bar or line chart over the block written by ``write_chart_data``."""
    xl = LineChart() if chart.kind == "line" else BarChart()
    if chart.kind == "funnel" and isinstance(xl, BarChart):
        xl.type = "bar"            # horizontal bars, top stage first
        xl.y_axis.scaling.orientation = "minMax"
        xl.x_axis.scaling.orientation = "maxMin"
    xl.title = chart.title
    xl.height, xl.width = 8, 16
    data = Reference(ws, min_col=2, max_col=1 + len(chart.series), min_row=first + 1, max_row=last)
    xl.add_data(data, titles_from_data=True)
    xl.set_categories(Reference(ws, min_col=1, min_row=first + 2, max_row=last))
    xl.y_axis.numFmt = {"rate": "0%", "money": "#,##0", "seconds": "[h]:mm:ss"}.get(chart.unit, "#,##0")
    xl.x_axis.delete = False   # newer Excel hides axes openpyxl leaves unset
    xl.y_axis.delete = False
    if len(chart.series) == 1:
        xl.legend = None
    return xl
