"""What every connector hands the pipeline: raw batches with line numbers.

A connector only splits a file into rows and fields; it does not judge
values. Rows it cannot split (wrong field count, bad bytes) come back as
``Reject`` so the pipeline can quarantine them with their line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import duckdb
import numpy as np
import pyarrow as pa

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.model.rejects import Reject


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file; the mapping's ``csv:``/``sheet:`` keys and CLI options fill it."""

    encoding: str | None = None
    delimiter: str | None = None
    skip_rows: int = 0            # lines (CSV) or rows (XLSX) above the header
    sheet: str | int | None = None
    # Quoted values may hold line breaks (csv_records' rules); False: a line is always a record.
    multiline: bool | None = None
    batch_rows: int = 250_000     # rows per batch from row-wise readers (XLSX)
    names: tuple[str, ...] | None = None   # a file without a header line: its fields' names
    table: str | None = None      # the canonical table being filled (formats that feed several)


@dataclass
class RawBatch:
    table: pa.Table                       # columns named as in the file's header
    lines: np.ndarray                     # int64, line (or row) of each row, 1-based
    rejects: list[Reject] = field(default_factory=list)


class Source(Protocol):
    """An opened file: its header, then its rows in batches.

    A source may also have the optional behaviours declared below (``KeepsState``,
    ``HasNotes``, ``DerivesColumns``), which the pipeline asks for with ``isinstance``.
    They are protocols rather than a base class with no-op defaults because sources are
    structural: a third-party format's ``open`` returns any object with these members,
    and the built-in readers share no base class either."""

    path: Path
    columns: list[str]
    header_line: int

    def batches(self) -> Iterator[RawBatch]: ...

    def progress(self) -> float:
        """Fraction of the file read so far, 0..1."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class KeepsState(Protocol):
    """A source that carries state from one import to the next (calls still open at the end of
    a log): ``begin`` loads it before the first batch, ``commit`` saves it in the import's
    transaction, so an import that fails or is cancelled saves nothing. Both get the
    warehouse's connection; the state itself lives behind ``store.connector_state``."""

    def begin(self, con: duckdb.DuckDBPyConnection) -> None: ...

    def commit(self, con: duckdb.DuckDBPyConnection) -> None: ...


@runtime_checkable
class HasNotes(Protocol):
    """A source with something to tell after its import (calls left pending, agents logged in)."""

    def notes(self) -> list[str]: ...


@runtime_checkable
class MakesRows(Protocol):
    """A log whose lines are events, not rows (queue_log: several lines make one call):
    ``lines_read`` counts the lines read, so an import says lines read and rows made."""

    lines_read: int


@runtime_checkable
class DerivesColumns(Protocol):
    """A source that computes some of its columns rather than reading them: ``derived`` names
    them, and they do not keep a blank line from being blank."""

    derived: frozenset[str]


def check_column_names(columns: list[str], file: str) -> None:
    """Refuse (InputError, 400 on the API) a source with a column, or a JSON key, that no table
    can have: one with no name, one with a control character, or one of telekpi's own (``__line``:
    names that start with ``__`` are the import's working columns)."""
    for name in columns:
        if not name.strip():
            problem = _("a column has no name ({name}); every column needs one")
        elif any(ch < " " or ch == "\x7f" for ch in name):
            problem = _("column {name} has a control character in its name")
        elif name.startswith("__"):
            problem = _("column {name}: names that start with __ are telekpi's own; rename it")
        else:
            continue
        raise InputError(problem.format(name=repr(name)), file=file)


def lines_between(first: int, count: int, skipped: list[int]) -> np.ndarray:
    """The ``count`` line numbers from ``first`` on, leaving out ``skipped`` (sorted) lines.

    Readers that drop rows they cannot split use this so that the rows they
    keep still carry their true line numbers.
    """
    idx = np.arange(count, dtype=np.int64)
    if not skipped:
        return idx + first
    s = np.asarray(skipped, dtype=np.int64)
    s = s[s >= first]
    if s.size == 0:
        return idx + first
    # A kept row's line is first + i + (number of skipped lines at or before it).
    shifted = s - first - np.arange(s.size, dtype=np.int64)
    return idx + first + np.searchsorted(shifted, idx, side="right")


def prefetch(batches: Iterator[RawBatch], depth: int = 2) -> Iterator[RawBatch]:
    """Read the next batches in a thread while the caller works on this one.

    Parsing (pyarrow) and validation (DuckDB) both release the GIL, so on two
    cores they overlap. Errors in the reader surface in the caller. The thread runs in a copy
    of the caller's context, so what it writes (reject reasons) is in the caller's language.
    """
    import contextvars
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for b in batches:
                while not stop.is_set():
                    try:
                        q.put(b, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as e:  # handed to the caller, raised there
            q.put(e)

    t = threading.Thread(target=contextvars.copy_context().run, args=(work,), name="telekpi-reader",
                         daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        t.join(timeout=5)
