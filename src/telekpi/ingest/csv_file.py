"""CSV (and TSV) files, streamed with pyarrow: bounded memory, true line numbers.

Every value is read as bytes and checked as UTF-8 here; judging values is the
validator's job. Rows with the wrong number of fields and values that are not
valid text come back as rejects with their line.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from telekpi.errors import InputError
from telekpi.i18n import _, current, language
from telekpi.ingest.registry import Format, read_head, register_format
from telekpi.ingest.source import RawBatch, ReadOptions, Reject, lines_between

DELIMITERS = (",", ";", "\t", "|")
BLOCK_BYTES = 64 << 20


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def looks_like_text(path: Path, head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head[:8192] if b < 0x20 and b not in (9, 10, 13))
    return controls <= len(head[:8192]) // 10


def sniff_delimiter(header: str) -> str:
    """The candidate that splits the header into the most fields (quotes respected)."""
    best, best_n = ",", 1
    for d in DELIMITERS:
        n = len(next(csv.reader([header], delimiter=d), []))
        if n > best_n:
            best, best_n = d, n
    return best


class _Counting(io.RawIOBase):
    """A file that counts the bytes read through it, for the progress bar."""

    def __init__(self, f):
        self.f, self.read_bytes = f, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self.f.readinto(b)
        self.read_bytes += n or 0
        return n

    def close(self) -> None:
        self.f.close()
        super().close()


class CsvSource:
    def __init__(self, path: Path, options: ReadOptions):
        self.path, self.options = path, options
        head = read_head(path)
        self.encoding = options.encoding or detect_encoding(head)
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise InputError(_("unknown encoding {encoding}; try utf-8, utf-16, cp1258 (Vietnamese), "
                               "cp874 (Thai), gb18030 or big5").format(encoding=repr(self.encoding)),
                             file=str(path)) from None
        text = head.decode(self.encoding, errors="replace")
        lines = text.splitlines()
        skip = options.skip_rows
        self.header_line = skip if options.names else skip + 1
        if len(lines) <= skip or not lines[skip].strip():
            raise InputError(_("has no header line naming the columns"), file=str(path), line=skip + 1)
        self.delimiter = options.delimiter or sniff_delimiter(lines[skip])
        if len(self.delimiter) != 1:
            raise InputError(_("the delimiter must be one character, got {delimiter}").format(
                delimiter=repr(self.delimiter)), file=str(path))
        header = list(options.names) if options.names else \
            next(csv.reader([lines[skip].lstrip("\ufeff")], delimiter=self.delimiter))
        # An unnamed field (often a trailing delimiter) gets a name of its own and is not used.
        self.columns = [h.strip() or f"column {i}" for i, h in enumerate(header, 1)]
        seen: dict[str, int] = {}
        for i, name in enumerate(self.columns, 1):
            if name in seen:
                raise InputError(_("header names column {column} twice (fields {first} and {second})").format(
                    column=repr(name), first=seen[name], second=i),
                                 file=str(path), line=self.header_line, column=name)
            seen[name] = i
        self.size = path.stat().st_size or 1
        self.block_bytes = BLOCK_BYTES
        self._file = _Counting(open(path, "rb"))  # noqa: SIM115 - read across batches(), closed by close()

    def progress(self) -> float:
        return min(1.0, self._file.read_bytes / self.size)

    def batches(self) -> Iterator[RawBatch]:
        skipped: list[int] = []
        rejects: list[Reject] = []
        ncols = len(self.columns)
        lang = current()   # pyarrow may call on_invalid from a thread of its own, in no context

        def on_invalid(row) -> str:
            skipped.append(row.number)
            with language(lang):
                reason = _("has {found} fields, expected {expected}").format(
                    found=row.actual_columns, expected=ncols)
            rejects.append(Reject(row.number, reason, raw=row.text))
            return "skip"

        names = [f"f{i}" for i in range(ncols)]
        try:
            reader = pacsv.open_csv(
                io.BufferedReader(self._file, buffer_size=1 << 20),
                read_options=pacsv.ReadOptions(
                    use_threads=False, block_size=self.block_bytes, skip_rows=self.header_line,
                    column_names=names, encoding=self.encoding.replace("utf-8-sig", "utf8")),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter, newlines_in_values=self.options.multiline,
                    ignore_empty_lines=False, invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.binary() for n in names}, check_utf8=False,
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
        except pa.ArrowInvalid as e:
            if "Empty CSV file" in str(e):
                return
            raise InputError(_("cannot be read as CSV ({error})").format(error=e), file=str(self.path)) from None
        first = self.header_line + 1
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as e:
                raise InputError(_("cannot be read as CSV ({error})").format(error=str(e).splitlines()[0]),
                                 file=str(self.path)) from None
            n = batch.num_rows
            lines = lines_between(first, n, sorted(skipped))
            if n:
                first = int(lines[-1]) + 1
            # rows pyarrow skips carry their line (it reads with use_threads=False)
            mine = [r for r in rejects if cast(int, r.line) < first]
            rejects[:] = [r for r in rejects if cast(int, r.line) >= first]
            table, lines, bad_text = _decode(batch, self.columns, lines)
            yield RawBatch(table, lines, mine + bad_text)
        if rejects:
            yield RawBatch(pa.table({c: pa.array([], pa.string()) for c in self.columns}),
                           np.array([], dtype=np.int64), rejects)

    def close(self) -> None:
        self._file.close()


def _decode(batch: pa.RecordBatch, columns: list[str], lines: np.ndarray):
    """Binary → UTF-8 strings; rows with bytes that are not UTF-8 become rejects."""
    arrays, bad = [], np.zeros(batch.num_rows, dtype=bool)
    bad_column: dict[int, str] = {}
    for name, col in zip(columns, batch.columns, strict=True):
        try:
            arrays.append(col.cast(pa.string()))
        except pa.ArrowInvalid:
            for i, v in enumerate(col.to_pylist()):
                try:
                    v.decode("utf-8")
                except UnicodeDecodeError:
                    bad[i] = True
                    bad_column.setdefault(i, name)
            arrays.append(None)
    if not bad.any():
        return pa.Table.from_arrays(arrays, names=columns), lines, []
    keep = pa.array(~bad)
    rejects = []
    for r in np.flatnonzero(bad).tolist():
        raw = {c: batch.column(j)[r].as_py().decode("utf-8", errors="replace")
               for j, c in enumerate(columns)}
        rejects.append(Reject(int(lines[r]), _("is not valid UTF-8 text; if the file is in another "
                                               "encoding, say which with --encoding (e.g. cp1258, cp874, gb18030)"),
                              raw=_raw_json(raw), column=bad_column[r]))
    cols = [pc.filter(batch.column(j), keep).cast(pa.string()) for j in range(len(columns))]
    return pa.Table.from_arrays(cols, names=columns), lines[~bad], rejects


def _raw_json(row: dict) -> str:
    import json

    return json.dumps(row, ensure_ascii=False)


def sniff_csv(path: Path, head: bytes) -> bool:
    return looks_like_text(path, head)


register_format(Format(
    name="csv", help="comma, semicolon, tab or pipe separated text with a header line",
    open=CsvSource, sniff=sniff_csv, extensions=("csv", "tsv", "txt"), priority=-100))
