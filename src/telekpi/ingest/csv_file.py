"""CSV (and TSV) files, streamed: bounded memory, true line numbers.

``csv_records`` finds where each record starts and ends (and the damaged quotes),
pyarrow splits the records into fields. Every value is read as bytes and checked
as text here; judging values is the validator's job. Rows with the wrong number of
fields, a damaged quote, bytes that are not text or a NUL byte come back as rejects
with their line and column.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from telekpi.errors import InputError
from telekpi.i18n import _, current, language
from telekpi.ingest.csv_records import Records, RecordSplitter, line_ends
from telekpi.ingest.registry import Format, read_head, register_format
from telekpi.ingest.source import RawBatch, ReadOptions, Reject
from telekpi.ingest.text_encoding import (
    Utf8Reader,
    checked_encoding,
    detect_encoding,
    is_utf8,
    looks_like_text,
)

DELIMITERS = (",", ";", "\t", "|")
BLOCK_BYTES = 64 << 20
HEADER_LIMIT = 1 << 20           # the header line is read whole up to this; longer refuses the file
MAX_COLUMNS = 4096               # more refuses the file (the validator's memory grows with the columns)
HEADER_READ = 64 << 10


def sniff_delimiter(header: str) -> str:
    """The candidate that splits the header into the most fields (quotes respected)."""
    best, best_n = ",", 1
    for d in DELIMITERS:
        try:
            n = len(next(csv.reader([header], delimiter=d), []))
        except csv.Error:   # a field past the csv module's limit (128 KiB): count plainly
            n = header.count(d) + 1
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
        self.encoding = checked_encoding(options.encoding or detect_encoding(read_head(path)), str(path))
        skip = options.skip_rows
        self.header_line = skip if options.names else skip + 1
        self.size = path.stat().st_size or 1
        self.block_bytes = BLOCK_BYTES
        self.multiline_rows = 0
        self._file = _Counting(open(path, "rb"))  # noqa: SIM115 - read across batches(), closed by close()
        try:
            self._text = Utf8Reader(io.BufferedReader(self._file, buffer_size=1 << 20), self.encoding)
            first, self._carry = self._read_header(skip)
        except BaseException:
            self._file.close()
            raise
        if first is None or not first.strip():
            self._file.close()
            raise InputError(_("has no header line naming the columns"), file=str(path), line=skip + 1)
        self.delimiter = options.delimiter or sniff_delimiter(first)
        if len(self.delimiter) != 1:
            self._file.close()
            raise InputError(_("the delimiter must be one character, got {delimiter}").format(
                delimiter=repr(self.delimiter)), file=str(path))
        try:
            header = list(options.names) if options.names else \
                next(csv.reader([first.lstrip("\ufeff")], delimiter=self.delimiter))
        except csv.Error:   # a name past the csv module's field limit (128 KiB)
            self._file.close()
            raise InputError(_("has a column name longer than {limit} characters in its header; that is "
                               "no header telekpi can read").format(limit=f"{csv.field_size_limit():,}"),
                             file=str(path), line=self.header_line) from None
        if len(header) > MAX_COLUMNS:
            self._file.close()
            raise InputError(_("has {n} columns; telekpi reads files of up to {limit} columns").format(
                n=f"{len(header):,}", limit=f"{MAX_COLUMNS:,}"), file=str(path), line=self.header_line)
        # An unnamed field (often a trailing delimiter) gets a name of its own and is not used.
        self.columns = [h.strip() or f"column {i}" for i, h in enumerate(header, 1)]
        seen: dict[str, int] = {}
        for i, name in enumerate(self.columns, 1):
            if name in seen:
                self._file.close()
                raise InputError(_("header names column {column} twice (fields {first} and {second})").format(
                    column=repr(name), first=seen[name], second=i),
                                 file=str(path), line=self.header_line, column=name)
            seen[name] = i

    def _read_header(self, skip: int) -> tuple[str | None, bytes]:
        """The header line (or, with ``names``, the first data line, for the delimiter) read whole,
        and the bytes after the header. Lines above it are skipped as they are (title lines)."""
        buf, eof = b"", False
        while True:
            ends = line_ends(np.frombuffer(buf, dtype=np.uint8), eof)
            header_start = int(ends[skip - 1]) if skip and ends.size >= skip else 0
            if ends.size > skip or eof:
                break
            if ends.size >= skip and len(buf) - header_start > HEADER_LIMIT:
                raise InputError(_("has a header line longer than {limit} MiB; telekpi reads header lines "
                                   "up to {limit} MiB").format(limit=HEADER_LIMIT >> 20),
                                 file=str(self.path), line=skip + 1)
            more = self._text.read(HEADER_READ)
            eof = not more
            buf += more
        if ends.size <= skip:
            return None, b""
        line = buf[header_start:int(ends[skip])]
        if len(line) > HEADER_LIMIT:
            raise InputError(_("has a header line longer than {limit} MiB; telekpi reads header lines "
                               "up to {limit} MiB").format(limit=HEADER_LIMIT >> 20),
                             file=str(self.path), line=skip + 1)
        data_start = header_start if self.options.names else int(ends[skip])
        return line.decode("utf-8", errors="replace").rstrip("\r\n"), buf[data_start:]

    def progress(self) -> float:
        return min(1.0, self._file.read_bytes / self.size)

    def notes(self) -> list[str]:
        if not self.multiline_rows:
            return []
        return [_("{n} rows hold a quoted value with line breaks: each is one row, numbered by the line "
                  "it starts on").format(n=f"{self.multiline_rows:,}")]

    def batches(self) -> Iterator[RawBatch]:
        splitter = RecordSplitter(self._text.read, self._parse, delimiter=self.delimiter, columns=self.columns,
                                  first_line=self.header_line + 1, multiline=self.options.multiline,
                                  block_bytes=self.block_bytes, carry=self._carry)
        try:
            yield from splitter
        except InputError as e:
            raise InputError(e.message, file=str(self.path), line=e.line) from None

    def _parse(self, records: Records, exact: bool) -> RawBatch | None:
        """The records split into fields by pyarrow; rows it cannot split become rejects. None
        when pyarrow finds fewer records than it was given lines (a quoted value holds a line
        break, or a quote is damaged) and the records were not ``exact``ly found."""
        ncols = len(self.columns)
        lines = records.lines
        invalid: list[int] = []
        rejects = list(records.rejects)
        lang = current()   # pyarrow may call on_invalid from a thread of its own, in no context

        def on_invalid(row) -> str:
            invalid.append(row.number - 1)
            if row.number > lines.size:      # more records than lines cannot be; fewer: see below
                return "skip"
            line = int(lines[row.number - 1])
            with language(lang):
                reason = _("has {found} fields, expected {expected}").format(
                    found=row.actual_columns, expected=ncols)
            rejects.append(Reject(line, reason, raw=row.text))
            return "skip"

        names = [f"f{i}" for i in range(ncols)]
        if not records.data:
            return RawBatch(_empty(self.columns), np.array([], dtype=np.int64), rejects)
        data, replaced = records.data, False
        if not _is_utf8(data):
            # pyarrow cannot hand on_invalid a row that holds bytes that are not UTF-8: read with
            # those bytes as U+FFFD, which marks the values that held them (see _decode)
            data, replaced = bytes(data).decode("utf-8", errors="replace").encode("utf-8"), True
        try:
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(
                    use_threads=False, block_size=max(len(data) + 1, 1 << 20), column_names=names),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.delimiter, newlines_in_values=True,
                    ignore_empty_lines=False, invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.binary() for n in names}, check_utf8=False,
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
        except pa.ArrowInvalid as e:
            raise InputError(_("cannot be read as CSV ({error})").format(error=str(e).splitlines()[0]),
                             file=str(self.path), line=int(lines[0])) from None
        if table.num_rows + len(invalid) != lines.size and not exact:
            return None
        if table.num_rows + len(invalid) != lines.size:   # the splitter and pyarrow disagree: a bug
            raise RuntimeError(f"{self.path}: {lines.size} records from line {lines[0]}, pyarrow read "
                               f"{table.num_rows} rows and {len(invalid)} bad ones")
        self.multiline_rows += records.multiline
        kept = np.delete(lines, invalid) if invalid else lines
        table, kept, bad = _decode(table, self.columns, kept, self.encoding, records.has_nul, replaced)
        rejects.sort(key=lambda r: r.line or 0)
        return RawBatch(table, kept, rejects + bad)

    def close(self) -> None:
        self._file.close()


def _is_utf8(data: bytes | memoryview) -> bool:
    """Whether ``data`` is valid UTF-8 (pyarrow's check, without copying it)."""
    if len(data) >= 1 << 31:
        return all(_is_utf8(data[i:i + (1 << 30)]) for i in range(0, len(data), 1 << 30))
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32))
    try:
        pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _empty(columns: list[str]) -> pa.Table:
    return pa.table({c: pa.array([], pa.string()) for c in columns})


def _decode(table: pa.Table, columns: list[str], lines: np.ndarray, encoding: str, has_nul: bool,
            replaced: bool = False):
    """Binary → UTF-8 strings; rows with bytes that are not text, or with a NUL byte, become
    rejects naming the column. With ``replaced``, bytes that were not text are U+FFFD."""
    n = table.num_rows
    bad, bad_column, reasons = np.zeros(n, dtype=bool), {}, {}
    not_text = _("is not valid UTF-8 text; if the file is in another encoding, say which with --encoding "
                 "(e.g. cp1258, cp874, gb18030)") if is_utf8(encoding) else \
        _("is not valid {encoding} text; if the file is in another encoding, say which with --encoding "
          "(e.g. cp1258, cp874, gb18030)").format(encoding=encoding)
    nul = _("{column} holds a NUL byte (\\x00), which is not text")
    arrays = []
    for name, col in zip(columns, table.columns, strict=True):
        if replaced:
            for i in np.flatnonzero(pc.fill_null(pc.match_substring(col, "\ufffd"), False).to_numpy(
                    zero_copy_only=False)).tolist():
                if not bad[i]:
                    bad[i], bad_column[i], reasons[i] = True, name, not_text
        if has_nul:
            for i in np.flatnonzero(pc.fill_null(pc.match_substring(col, "\x00"), False).to_numpy(
                    zero_copy_only=False)).tolist():
                if not bad[i]:
                    bad[i], bad_column[i], reasons[i] = True, name, nul.format(column=name)
        arrays.append(col.cast(pa.string()))     # valid UTF-8: _parse made it so
    if not bad.any():
        return pa.Table.from_arrays(arrays, names=columns), lines, []
    keep = pa.array(~bad)
    rejects = []
    for r in np.flatnonzero(bad).tolist():
        raw = {c: table.column(j)[r].as_py().decode("utf-8", errors="replace")
               for j, c in enumerate(columns)}
        rejects.append(Reject(int(lines[r]), reasons[r], raw=json.dumps(raw, ensure_ascii=False),
                              column=bad_column[r]))
    cols = [pc.filter(table.column(j), keep).cast(pa.string()) for j in range(len(columns))]
    return pa.Table.from_arrays(cols, names=columns), lines[~bad], rejects


def sniff_csv(path: Path, head: bytes) -> bool:
    return looks_like_text(head)


register_format(Format(
    name="csv", help="comma, semicolon, tab or pipe separated text with a header line",
    open=CsvSource, sniff=sniff_csv, extensions=("csv", "tsv", "txt"), priority=-100))
