"""The records of a queue_log, one list of fields per event, from either of its two roads:
the pipe-separated file Asterisk writes (``epoch|uniqueid|queue|agent|EVENT|data…``), or the
``queue_log`` database table dumped as CSV with a header (``time, callid, queuename, agent,
event`` and ``data1`` … ``data5`` or one ``data`` column). A line that cannot be split is a
Reject with its line number; reading counts bytes and lines for the progress bar and the
import's "lines read"."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

from telekpi.i18n import _
from telekpi.ingest.queue_log_events import _num
from telekpi.ingest.source import Reject

LINE = re.compile(rb"^\d{9,11}(\.\d+)?\|[^|\n]*\|[^|\n]*\|[^|\n]*\|[A-Z_]+")
# The queue_log table's columns, as a database dump's header names them.
TABLE_HEADER = ("time", "callid", "queuename", "agent", "event")
DATA_COLUMNS = ("data1", "data2", "data3", "data4", "data5")


class Records:
    """A queue_log's records; ``read`` (bytes) and ``lines_read`` grow as they are read."""

    def __init__(self, path: Path, encoding: str, dump: tuple[list[int], list[int]] | None):
        self.path, self.encoding, self.dump = path, encoding, dump
        self.read = 0
        self.lines_read = 0

    def __call__(self, count: bool = True) -> Iterator[tuple[int, list[str] | Reject | None]]:
        """(line, fields ``time, uniqueid, queue, agent, event, data…``) per record; a Reject for
        a line that cannot be split, None for a blank one. From the pipe-separated log, or
        from a table dump with a header (``self.dump``)."""
        if self.dump is not None:
            yield from self._dump(count)
            return
        with open(self.path, "rb") as f:
            for n, raw in enumerate(f, 1):
                if count:
                    self.read += len(raw)
                    self.lines_read = n
                text = raw.rstrip(b"\r\n")
                if not text.strip():
                    continue
                try:
                    line = text.decode(self.encoding)
                except UnicodeDecodeError:
                    yield n, Reject(n, _("is not valid UTF-8 text"), raw=text.decode("utf-8", "replace"))
                    continue
                parts = line.split("|")
                if len(parts) < 5:
                    yield n, Reject(n, _("is cut short: {n} field(s), expected at least 5 ({layout})").format(
                        n=len(parts), layout="epoch|uniqueid|queue|agent|event"), raw=line)
                    continue
                yield n, parts

    def _dump(self, count: bool) -> Iterator[tuple[int, list[str] | Reject | None]]:
        assert self.dump is not None
        index, data = self.dump
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as f:
            reader = csv.reader(f)
            with suppress(csv.Error):    # the header, already read when the file was recognised
                next(reader, None)
            last = reader.line_num
            while True:
                try:
                    rec = next(reader)
                except StopIteration:
                    break
                except csv.Error:    # a value over the csv module's limit (128 KiB), a NUL, …
                    n, last = last + 1, reader.line_num
                    if count:
                        self.lines_read = reader.line_num
                    yield n, Reject(n, _("cannot be read as a CSV record: a value is too long or "
                                         "its quotes are damaged"))
                    continue
                n, last = last + 1, reader.line_num   # a quoted value may span lines
                if count:
                    self.read += sum(len(v) + 1 for v in rec)
                    self.lines_read = reader.line_num
                if not any(v.strip() for v in rec):
                    continue
                raw = ",".join(rec)
                if len(rec) <= max(index):
                    yield n, Reject(n, _("is cut short: {n} field(s), expected at least {expected} "
                                         "({layout})").format(n=len(rec), expected=max(index) + 1,
                                                              layout=", ".join(TABLE_HEADER)), raw=raw)
                    continue
                values = [_null(rec[i]) for i in index]
                fields = [_null(rec[i]) if i < len(rec) else "" for i in data]
                if len(data) == 1:      # one `data` column, pipe-separated
                    fields = fields[0].split("|")
                while fields and not fields[-1]:   # the empty data columns after the event's own
                    fields.pop()
                yield n, values + fields


def _null(value: str) -> str:
    """A dump's field: the text NULL (an SQL null as mysqldump or psql write it) is empty."""
    value = value.strip()
    return "" if value.upper() in ("NULL", "\\N") else value


def _time(text: str) -> tuple[float | None, bool]:
    """(Unix seconds, whether the time was local: a date and time without an offset)."""
    text = text.strip()
    x = _num(text)
    if x is not None:
        return x, False
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None, False
    if when.tzinfo is None:   # local: seconds as if UTC, written back out as the same wall time
        return when.replace(tzinfo=dt.UTC).timestamp(), True
    return when.timestamp(), False


def dump_columns(head: bytes, encoding: str = "utf-8") -> tuple[list[int], list[int]] | None:
    """For a queue_log table dump, the positions of ``time, callid, queuename, agent, event``
    and of the data columns (``data1`` … ``data5``, or ``data``); None for another file."""
    if b"\x00" in head[:4096]:
        return None
    first = head.split(b"\n", 1)[0].decode(encoding, errors="replace").lstrip("\ufeff").strip()
    try:
        names = [f.strip().strip('"').casefold() for f in next(csv.reader([first]))]
    except (csv.Error, StopIteration):
        return None
    if not set(TABLE_HEADER) <= set(names):
        return None
    data = [names.index(d) for d in DATA_COLUMNS if d in names] or \
        ([names.index("data")] if "data" in names else [])
    if not data:
        return None
    return [names.index(c) for c in TABLE_HEADER], data


def sniff_queue_log(path: Path, head: bytes) -> bool:
    if dump_columns(head) is not None:
        return True
    first = [ln for ln in head.splitlines()[:11] if ln.strip()][:10]
    hits = sum(1 for ln in first if LINE.match(ln))
    return hits > 0 and hits * 5 >= len(first) * 3    # most of the first lines: a few may be damaged
