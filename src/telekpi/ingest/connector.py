"""Building blocks for connectors that read what switches and dialers write.

A log connector is an ordinary registered ``Format``: it reads the file (with
the shared CSV reader when the log is CSV), adds a few derived columns in
Arrow (the far party's number, the agent's endpoint, a direction guess), and
ships a built-in mapping from those columns onto a canonical table. A user's
``--mapping`` is laid over the built-in one rule by rule, so changing how the
agent or campaign is found is a two-line YAML file, not code.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from telekpi.ingest.csv_file import CsvSource
from telekpi.ingest.source import RawBatch, ReadOptions
from telekpi.ingest.text_encoding import detect_encoding

# The endpoint of a channel name: PJSIP/1001-00000002, SIP/agent7-0a1b, Local/1001@ctx-00;1 → 1001, agent7.
DERIVED_BLOCK_BYTES = 32 << 20
ENDPOINT = r"^[A-Za-z][A-Za-z0-9_]*/(?P<endpoint>[^-@;/,]+)"


def first_records(head: bytes, n: int = 20, delimiter: str = ",") -> list[list[str]]:
    """Up to ``n`` non-blank records from the start of a file (a torn last line left out)."""
    text = head.decode(detect_encoding(head), errors="replace").lstrip("\ufeff")
    # Not splitlines(): U+2028 inside a caller's name is not a line end.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(head) >= 64 * 1024 and lines:
        lines = lines[:-1]
    out = []
    try:
        for rec in csv.reader(io.StringIO("\n".join(lines[: n * 2])), delimiter=delimiter):
            if any(f.strip() for f in rec):
                out.append(rec)
            if len(out) >= n:
                break
    except csv.Error:     # not CSV after all (a binary file, a stray quote): what was read so far
        pass
    return out


def header_sniffer(*required: str, delimiter: str = ",") -> Callable[[Path, bytes], bool]:
    """A sniff that recognises a CSV export by columns its header must name (case-insensitive)."""
    want = {r.casefold() for r in required}

    def sniff(path: Path, head: bytes) -> bool:
        recs = first_records(head, 1, delimiter)
        return bool(recs) and want <= {f.strip().casefold() for f in recs[0]}
    return sniff


def layout_sniffer(layout: Callable[[list[list[str]]], object]) -> Callable[[Path, bytes], bool]:
    """A sniff for a headerless log: its first records fit ``layout`` (which returns None when not)."""

    def sniff(path: Path, head: bytes) -> bool:
        return b"\x00" not in head[:4096] and layout(first_records(head, 5)) is not None
    return sniff


def endpoint(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The endpoint (extension, peer or agent name) of each channel name; null when none."""
    found = pc.extract_regex(arr, ENDPOINT)
    return pc.if_else(pc.is_valid(found), pc.struct_field(found, [0]), pa.scalar(None, pa.string()))


def blank_to_null(arr) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def iso_slashes(arr) -> pa.Array:
    """``2020/2/10 22:41`` → ``2020-2-10 22:41`` (DuckDB reads unpadded ISO dates)."""
    return pc.replace_substring_regex(arr, r"^(\d{4})/(\d{1,2})/(\d{1,2})", r"\1-\2-\3")


class DerivedCsvSource:
    """The shared CSV reader, with columns added to each batch by ``derive(table)``."""

    def __init__(self, path: Path, options: ReadOptions,
                 derive: Callable[[pa.Table], pa.Table], names: tuple[str, ...] | None = None):
        self.inner = CsvSource(path, replace(options, names=names) if names else options)
        # Derived columns widen each batch: smaller blocks keep the batches in flight small.
        self.inner.block_bytes = DERIVED_BLOCK_BYTES
        self.derive = derive
        self.path, self.header_line = path, self.inner.header_line
        probe = derive(pa.table({c: pa.array([], pa.string()) for c in self.inner.columns}))
        self.columns = probe.column_names
        # Computed, not read: a blank line stays blank (not a row) whatever they hold.
        self.derived = frozenset(self.columns) - frozenset(self.inner.columns)

    def batches(self) -> Iterator[RawBatch]:
        for b in self.inner.batches():
            yield RawBatch(self.derive(b.table), b.lines, b.rejects)

    def progress(self) -> float:
        return self.inner.progress()

    def notes(self) -> list[str]:
        return self.inner.notes()

    def close(self) -> None:
        self.inner.close()


def add_columns(table: pa.Table, **columns) -> pa.Table:
    for name, arr in columns.items():
        if name in table.column_names:
            table = table.drop_columns([name])
        table = table.append_column(name, arr)
    return table
