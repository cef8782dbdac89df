"""Where each CSV record starts and ends, and which quotes are damaged, found before
pyarrow splits the fields.

The rules (docs/import.md, "Damaged quotes and line breaks in values"):

* A line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r``; a line break ends a record unless it
  is inside a quoted value.
* A quote opens a quoted value only at the start of a field; inside one, ``""`` is a
  quote and a lone quote closes it; a quote anywhere else is a character of the value.
  These are pyarrow's rules (and Python's csv module's), so both split a record alike.
* A quoted value may hold line breaks: its record is one row, carrying the line it
  starts on, when the quote closes within ``MAX_RECORD_LINES`` lines and the record
  splits into the header's number of fields. Otherwise the quote is damaged: the line
  that opened it is quarantined ("unterminated quote in column X") and reading resumes
  at the next line, so the valid rows after it are kept. With ``multiline: false``
  a quote still open at the end of its line is damaged.

The work is done on whole blocks with numpy: quotes are grouped in runs, each run
is a function on the state (in or out of a quoted value), and each line's function
is composed from its runs; only lines that leave a quote open are looked at one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.ingest.source import Reject

MAX_RECORD_LINES = 1000          # a quoted value holding line breaks closes within this many lines
MAX_LINE_BYTES = 256 << 20       # one line (or record) longer than this refuses the file
QUOTE, LF, CR = 34, 10, 13
R = TypeVar("R")


@dataclass
class Records:
    data: bytes | memoryview      # the well-formed records back to back, each with its line end
    lines: np.ndarray             # int64: the line each of them starts on
    rejects: list[Reject] = field(default_factory=list)   # damaged quotes, with their line
    multiline: int = 0            # records among them that span several lines
    has_nul: bool = False         # whether data holds a NUL byte


def line_ends(a: np.ndarray, eof: bool) -> np.ndarray:
    """Offsets just past each line end in ``a`` (a trailing ``\\r`` waits for the next block,
    which may start with its ``\\n``); at the end of the file a last line without one ends there."""
    nl = np.flatnonzero(a == LF)
    cr = np.flatnonzero(a == CR)
    if cr.size:
        nxt = np.minimum(cr + 1, a.size - 1)
        lone = cr[(cr + 1 >= a.size) | (a[nxt] != LF)]
        if not eof and lone.size and lone[-1] == a.size - 1:
            lone = lone[:-1]
        nl = np.union1d(nl, lone)
    ends = nl + 1
    if eof and a.size and (ends.size == 0 or ends[-1] != a.size):
        ends = np.append(ends, a.size)
    return ends.astype(np.int64)


class _Quotes:
    """The runs of quotes in a block and, for any run, whether a quoted value is open after
    it when the record started (outside quotes) at a given run."""

    def __init__(self, a: np.ndarray, delimiter: int):
        q = np.flatnonzero(a == QUOTE)
        brk = np.flatnonzero(np.diff(q) != 1) + 1
        self.starts = q[np.r_[0, brk]] if q.size else q
        self.ends = (np.r_[q[brk - 1], q[-1:]] + 1) if q.size else q
        lengths = self.ends - self.starts
        before = a[np.maximum(self.starts - 1, 0)]
        at_field_start = (self.starts == 0) | (before == delimiter) | (before == LF) | (before == CR)
        odd = lengths % 2 == 1
        # At a field's start an odd run opens a value (or closes one that is open): a toggle.
        # Elsewhere an odd run closes an open value and is a character otherwise: out of quotes.
        # An even run changes nothing ("" is a quote inside a value, an empty value outside).
        self.toggles = np.cumsum(at_field_start & odd)
        resets = ~at_field_start & odd
        self.last_reset = np.maximum.accumulate(np.where(resets, np.arange(self.starts.size), -1))

    def open_after(self, runs: np.ndarray, first: int) -> np.ndarray:
        """For each run index in ``runs`` (>= ``first`` - 1), whether a value is open after it,
        the record having started outside quotes just before run ``first``."""
        runs = np.asarray(runs)
        if not self.starts.size:
            return np.zeros(runs.shape, dtype=bool)
        safe = np.maximum(runs, 0)
        reset = self.last_reset[safe]
        base = np.where(reset >= first, reset, first - 1)
        tog = self.toggles
        count = tog[safe] - np.where(base >= 0, tog[np.maximum(base, 0)], 0)
        return (runs >= first) & (count % 2 == 1)


def _functions(quotes: _Quotes, starts: np.ndarray, ends: np.ndarray):
    """Per line: (first run, last run, open at its end when it starts outside quotes,
    open at its end when it starts inside a quoted value)."""
    first = np.searchsorted(quotes.starts, starts)
    last = np.searchsorted(quotes.starts, ends) - 1
    has = last >= first
    open_from_out = np.zeros(starts.size, dtype=bool)
    open_from_in = np.ones(starts.size, dtype=bool)
    if quotes.starts.size and has.any():
        i = np.flatnonzero(has)
        f, la = first[i], last[i]
        reset = quotes.last_reset[la]
        tog = quotes.toggles
        after_reset = (tog[la] - tog[np.maximum(reset, 0)]) % 2 == 1
        toggled = (tog[la] - np.where(f > 0, tog[np.maximum(f - 1, 0)], 0)) % 2 == 1
        was_reset = reset >= f
        open_from_out[i] = np.where(was_reset, after_reset, toggled)
        open_from_in[i] = np.where(was_reset, after_reset, ~toggled)
    return first, last, open_from_out, open_from_in


class RecordSplitter(Generic[R]):
    """Reads UTF-8 blocks with ``read``; yields what ``parse`` makes of their records, which are
    numbered from ``first_line``.

    Each block's lines are first handed to ``parse`` as one record each: when pyarrow reads as
    many records as there are lines, no quoted value holds a line break and that is the answer
    (``parse`` returns it). Otherwise (``parse`` returns None) the block's quotes are worked out
    and ``parse`` gets the records as they are, the damaged quotes left out as rejects."""

    def __init__(self, read: Callable[[int], bytes], parse: Callable[[Records, bool], R | None], *,
                 delimiter: str, columns: list[str], first_line: int, multiline: bool | None,
                 block_bytes: int, carry: bytes = b""):
        self.read, self.parse, self.delimiter = read, parse, ord(delimiter.encode("utf-8")[:1] or b",")
        self.columns, self.line = columns, first_line
        self.multiline, self.block_bytes, self.carry = multiline, block_bytes, carry

    def __iter__(self) -> Iterator[R]:
        buf, eof = self.carry, False
        while not (eof and not buf):
            if not eof:
                more = self.read(self.block_bytes)
                eof = not more
                buf = buf + more if buf else more
            a = np.frombuffer(buf, dtype=np.uint8)
            ends = line_ends(a, eof)
            if not ends.size:
                if len(buf) > MAX_LINE_BYTES:
                    raise InputError(_("has a line longer than {limit} MiB; telekpi reads lines up to "
                                       "{limit} MiB").format(limit=MAX_LINE_BYTES >> 20), line=self.line)
                continue
            used, lines = int(ends[-1]), int(ends.size)
            view = memoryview(buf)[:used]
            result = None
            if not self._open_at_end(a, ends):
                # pyarrow closes a quote left open at the end of what it is given: only the last line can
                result = self.parse(Records(view, np.arange(lines, dtype=np.int64) + self.line,
                                            has_nul=buf.find(b"\x00", 0, used) >= 0), False)
            if result is None:
                records, used, lines = self._split(buf, a, ends, eof)
                if records.lines.size or records.rejects:
                    result = self.parse(records, True)
            if result is not None:
                yield result
            buf, self.line = buf[used:], self.line + lines

    def _open_at_end(self, a: np.ndarray, ends: np.ndarray) -> bool:
        """Whether the block's last line, read from outside quotes, leaves a quoted value open."""
        start = int(ends[-2]) if ends.size > 1 else 0
        line = a[start:int(ends[-1])]
        if not (line == QUOTE).any():
            return False
        quotes = _Quotes(line, self.delimiter)
        return bool(_functions(quotes, np.array([0]), np.array([line.size]))[2][0])

    def _split(self, buf: bytes, a: np.ndarray, ends: np.ndarray, eof: bool) -> tuple[Records, int, int]:
        n = ends.size
        starts = np.r_[0, ends[:-1]]
        quotes = _Quotes(a[: ends[-1]], self.delimiter)
        first, last, open_out, open_in = _functions(quotes, starts, ends)
        opens, closes = np.flatnonzero(open_out), np.flatnonzero(~open_in)
        damaged: list[int] = []
        spans: list[tuple[int, int]] = []
        rejects: list[Reject] = []
        cut, pos = n, 0
        while (oi := int(np.searchsorted(opens, pos))) < opens.size:
            j = int(opens[oi])
            ci = int(np.searchsorted(closes, j + 1))
            k = int(closes[ci]) if ci < closes.size else None
            if self.multiline is not False and k is None and not eof and n - j < MAX_RECORD_LINES:
                cut = j          # the quoted value may close in the next block
                break
            if self.multiline is not False and k is not None and k - j < MAX_RECORD_LINES \
                    and self._closes_cleanly(a, quotes, int(first[k]), int(last[k]), int(ends[k])) \
                    and self._fields(a, quotes, int(starts[j]), int(ends[k]), int(first[j])) == len(self.columns):
                spans.append((j, k))
                pos = k + 1
                continue
            if self.multiline is False:
                why = _("unterminated quote in column {column}: the quoted value does not close on "
                        "its line (the mapping says values hold no line breaks)")
            elif k is None:
                why = _("unterminated quote in column {column}: the quoted value runs to the end of "
                        "the file; reading went on at the next line")
            elif k - j >= MAX_RECORD_LINES:
                why = _("unterminated quote in column {column}: the quoted value does not close within "
                        "{limit} lines; reading went on at the next line")
            else:
                why = _("unterminated quote in column {column}: the quote on line {end} does not close it "
                        "into a row of {expected} fields; reading went on at the next line")
            column = self._open_column(a, quotes, int(starts[j]), int(first[j]), int(last[j]))
            damaged.append(j)
            raw = bytes(a[starts[j]:ends[j]]).decode("utf-8", "replace").rstrip("\r\n")[:2000]
            rejects.append(Reject(self.line + j, why.format(
                column=column, limit=f"{MAX_RECORD_LINES:,}", end=self.line + (k or 0),
                expected=len(self.columns)), raw=raw, column=column if column in self.columns else None))
            pos = j + 1
        return self._records(buf, starts, ends, cut, damaged, spans, rejects), \
            int(ends[cut - 1]) if cut else 0, cut

    def _records(self, buf: bytes, starts, ends, cut: int, damaged: list[int],
                 spans: list[tuple[int, int]], rejects: list[Reject]) -> Records:
        is_start = np.ones(cut, dtype=bool)
        for j, k in spans:
            is_start[j + 1:k + 1] = False
        if not damaged:
            data = buf[: int(ends[cut - 1])] if cut else b""
        else:
            is_start[damaged] = False
            keep = np.ones(cut, dtype=bool)
            keep[damaged] = False
            edges = np.flatnonzero(np.diff(np.r_[0, keep.astype(np.int8), 0]))
            pieces = [buf[int(starts[s]): int(ends[e - 1])] for s, e in zip(edges[::2], edges[1::2], strict=True)]
            # a piece ending in a lone \r before one starting with \n would make one line of two
            data = b"".join(p + b"\n" if p.endswith(b"\r") else p for p in pieces)
        lines = np.flatnonzero(is_start).astype(np.int64) + self.line
        return Records(data, lines, rejects, len(spans), b"\x00" in data)

    def _closes_cleanly(self, a: np.ndarray, quotes: _Quotes, first_run: int, last_run: int, end: int) -> bool:
        """Whether the quote that closes a value carried into this line (runs ``first_run`` to
        ``last_run``, line end at byte ``end``) is followed by a delimiter or the line's end; a
        quote followed by text is the opening quote of another value, not this one's end."""
        runs = np.arange(first_run, last_run + 1)
        from_out = quotes.open_after(runs, first_run)
        # open_after starts outside quotes; from inside, the state is the other one until a reset
        inside = np.where(quotes.last_reset[runs] >= first_run, from_out, ~from_out)
        r = int(runs[np.flatnonzero(~inside)[0]])
        after = int(quotes.ends[r])
        return after >= end or a[after] in (self.delimiter, LF, CR)

    def _fields(self, a: np.ndarray, quotes: _Quotes, start: int, end: int, first_run: int) -> int:
        """The fields of the record from byte ``start`` to ``end`` (delimiters outside quotes, + 1)."""
        d = np.flatnonzero(a[start:end] == self.delimiter) + start
        inside = quotes.open_after(np.searchsorted(quotes.starts, d) - 1, first_run)
        return int((~inside).sum()) + 1

    def _open_column(self, a: np.ndarray, quotes: _Quotes, start: int, first_run: int, last_run: int) -> str:
        """The column whose quoted value is left open at the end of the line from ``start``."""
        runs = np.arange(first_run, last_run + 1)
        after = quotes.open_after(runs, first_run)
        before = np.r_[False, after[:-1]]
        opener = int(runs[np.flatnonzero(~before & after)[-1]])
        n = self._fields(a, quotes, start, int(quotes.starts[opener]), first_run)
        return self.columns[n - 1] if n <= len(self.columns) else _("field {n}").format(n=n)
