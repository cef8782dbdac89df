"""Excel workbooks (XLSX, XLSM, XLS, ODS) through calamine; a row's line is its sheet row.

Cells arrive typed; they are turned into the text a person would type, so the
validator treats a workbook exactly like a CSV: whole-number floats lose their
``.0`` (ids), dates and times become ISO text (naive: workspace time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.ingest.registry import Format, is_zip_workbook, register_format
from telekpi.ingest.source import RawBatch, ReadOptions

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def cell_text(v) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return repr(v.total_seconds())
    return str(v)


class XlsxSource:
    def __init__(self, path: Path, options: ReadOptions):
        from python_calamine import CalamineWorkbook

        self.path, self.options = path, options
        try:
            self._book = CalamineWorkbook.from_path(str(path))
        except Exception as e:  # calamine raises its own error types for damaged workbooks
            raise InputError(_("is not a readable workbook ({error})").format(error=str(e).splitlines()[0]),
                             file=str(path)) from None
        names = self._book.sheet_names
        sheet = options.sheet
        try:
            if sheet is None:
                self._sheet = self._book.get_sheet_by_index(0)
            elif isinstance(sheet, int):
                self._sheet = self._book.get_sheet_by_index(sheet - 1)
            else:
                self._sheet = self._book.get_sheet_by_name(str(sheet))
        except Exception:
            raise InputError(_("has no sheet {sheet}; its sheets are: {sheets}").format(
                sheet=repr(sheet), sheets=", ".join(names)), file=str(path)) from None
        self.sheet_name = self._sheet.name
        self.total = max(1, self._sheet.total_height)
        self._rows = enumerate(self._sheet.iter_rows(), 1)
        self.done = 0
        self.header_line = 0
        for line, row in self._rows:
            self.done = line
            if line <= options.skip_rows:
                continue
            if any(cell_text(v).strip() for v in row):
                self.header_line = line
                header = [cell_text(v).strip() for v in row]
                break
        else:
            raise InputError(_("sheet {sheet} has no header row naming the columns").format(
                sheet=repr(self.sheet_name)), file=str(path), line=options.skip_rows + 1)
        # Trailing unnamed columns are ignored; an unnamed column between named ones is an error.
        while header and not header[-1]:
            header.pop()
        self.width = len(header)
        seen: dict[str, int] = {}
        for i, name in enumerate(header, 1):
            if not name:
                raise InputError(_("header cell {cell} of sheet {sheet} is empty; every column needs a name").format(
                    cell=i, sheet=repr(self.sheet_name)), file=str(path), line=self.header_line)
            if name in seen:
                raise InputError(_("header names column {column} twice").format(column=repr(name)), file=str(path),
                                 line=self.header_line, column=name)
            seen[name] = i
        self.columns = header

    def progress(self) -> float:
        return min(1.0, self.done / self.total)

    def batches(self) -> Iterator[RawBatch]:
        size = self.options.batch_rows
        cols: list[list[str]] = [[] for _ in self.columns]
        lines: list[int] = []
        w = self.width
        for line, row in self._rows:
            self.done = line
            texts = [cell_text(v) for v in row[:w]]
            if not any(t.strip() for t in texts) and not any(cell_text(v).strip() for v in row[w:]):
                continue   # blank sheet rows are layout, not data
            texts += [""] * (w - len(texts))
            for c, t in zip(cols, texts, strict=True):
                c.append(t)
            lines.append(line)
            if len(lines) >= size:
                yield self._batch(cols, lines)
                cols, lines = [[] for _ in self.columns], []
        if lines:
            yield self._batch(cols, lines)

    def _batch(self, cols, lines) -> RawBatch:
        table = pa.table({n: pa.array(c, pa.string()) for n, c in zip(self.columns, cols, strict=True)})
        return RawBatch(table, np.asarray(lines, dtype=np.int64))

    def close(self) -> None:
        self._book.close()


def sniff_workbook(path: Path, head: bytes) -> bool:
    return head.startswith(OLE_MAGIC) or is_zip_workbook(path, head) or (
        head.startswith(b"PK\x03\x04") and b"opendocument.spreadsheet" in head[:200])


register_format(Format(
    name="xlsx", help="Excel or OpenDocument workbook (first sheet unless the mapping names one)",
    open=XlsxSource, sniff=sniff_workbook, extensions=("xlsx", "xlsm", "xls", "ods")))
