"""`import --follow`: keep the warehouse current from a log the switch is still writing.

Each round reads the complete lines added since the saved offset (a line the
switch is half-way through writing waits for the next round), imports them as
one piece, and saves the new offset in the same transaction as the rows, per
table. So a crash or restart resumes exactly where the warehouse left off:
no line is imported twice or skipped.

Rotation: when the path names a new file (logrotate's rename, Asterisk's
``logger rotate``), the rest of the old file is read first from wherever it
now lives in the same folder (``queue_log.1``, ``Master.csv.0``…, found by
its inode), then the new file from its start. A file that shrank in place
(``copytruncate``) is read again from its start; lines written between the
last round and the truncation are lost to every reader, which is why rename
rotation is the one to use.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

from telekpi.i18n import _
from telekpi.ingest.mapping import Mapping
from telekpi.ingest.pipeline import FileResult, format_mapping, import_source
from telekpi.ingest.registry import Format, detect_format, formats, get_format
from telekpi.settings import Settings
from telekpi.store.connector_state import FollowOffsets, Position
from telekpi.store.upsert import WriteObserver

CHUNK_BYTES = 32 << 20
HEAD_BYTES = 1024


def _head(path: Path, upto: int) -> str:
    with open(path, "rb") as f:
        return hashlib.sha1(f.read(min(HEAD_BYTES, upto))).hexdigest()


class Follower:
    """Follows one log file into every table its format feeds."""

    def __init__(self, path: Path, table: str, settings: Settings, writer: Callable[[], AbstractContextManager],
                 *, fmt: str | None = None, mapping: Mapping | None = None, chunk_bytes: int = CHUNK_BYTES,
                 observer: WriteObserver | None = None):
        self.path = Path(path).resolve()
        self.observer = observer   # hears of each piece's write (the daily rollups' upkeep)
        self.settings, self.writer, self.chunk_bytes = settings, writer, chunk_bytes
        self.user_mapping = mapping
        self.table = table
        self.format: Format | None = get_format(fmt) if fmt else None
        if self.format is not None:
            self._check(self.format)
        self.tables = [table]
        self.notes: list[str] = []

    def _fmt(self) -> Format:
        if self.format is None:
            self.format = self._check(detect_format(self.path))
        if len(self.tables) == 1 and self.table in self.format.tables:
            self.tables += [t for t in self.format.tables if t != self.table]
        return self.format

    @staticmethod
    def _check(fmt: Format) -> Format:
        if not fmt.followable:
            from telekpi.errors import UsageError

            followable = sorted(n for n, f in formats().items() if f.followable)
            raise UsageError(_("--follow reads logs the switch appends to ({formats}); format {format} is a "
                               "file read whole: import it without --follow").format(
                formats=", ".join(followable), format=fmt.name))
        return fmt

    def poll(self) -> list[FileResult]:
        """One round: import what was added to the file (and to its rotated self) since the last."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return []
        fmt = self._fmt()
        results = []
        for table in self.tables:
            results += self._poll_table(fmt, table)
        return results

    def _poll_table(self, fmt: Format, table: str) -> list[FileResult]:
        st = self.path.stat()
        with self.writer() as wh:
            saved = FollowOffsets(wh.con).get(str(self.path), table)
        results = []
        if saved is not None and (saved.device, saved.inode) != (st.st_dev, st.st_ino):
            old = self._rotated(saved)
            if old is not None:
                results += self._read(fmt, table, old, saved, final=True)
            else:
                self.notes.append(_("{path} was rotated and its old file is no longer in {folder}; lines after "
                                    "line {line} of it were not read").format(
                    path=self.path, folder=self.path.parent, line=saved.line))
            saved = None
        if saved is not None and (st.st_size < saved.offset or saved.head != _head(self.path, saved.offset)):
            self.notes.append(_("{path} was truncated or replaced; reading it again from the start").format(
                path=self.path))
            saved = None
        pos = saved or Position(st.st_dev, st.st_ino, None, 0, 0)
        results += self._read(fmt, table, self.path, pos)
        return results

    def _rotated(self, saved: Position) -> Path | None:
        with os.scandir(self.path.parent) as entries:
            for entry in entries:
                try:
                    s = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                # Inodes are reused: the same inode must also start with the same bytes.
                if (s.st_dev, s.st_ino) == (saved.device, saved.inode) and entry.is_file() \
                        and s.st_size >= saved.offset and _head(Path(entry.path), saved.offset) == saved.head:
                    return Path(entry.path)
        return None

    def _read(self, fmt: Format, table: str, path: Path, pos: Position, final: bool = False) -> list[FileResult]:
        """Import complete lines from ``pos`` on, a chunk per transaction, saving the offset with each."""
        results: list[FileResult] = []
        st = path.stat()
        while True:
            chunk = self._chunk(path, pos.offset, final)
            if not chunk:
                return results
            n_lines = chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)
            end = Position(st.st_dev, st.st_ino, None, pos.offset + len(chunk), pos.line + n_lines)
            end = replace(end, head=_head(path, end.offset))
            results.append(self._import(fmt, table, path, chunk, pos, end))
            pos = end

    def _chunk(self, path: Path, offset: int, final: bool) -> bytes:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(self.chunk_bytes)
        cut = data.rfind(b"\n")
        if cut < 0:
            # A single line longer than a chunk, or a last line still being written.
            return data if final or len(data) >= self.chunk_bytes else b""
        return data[: cut + 1]

    def _import(self, fmt: Format, table: str, path: Path, chunk: bytes, start: Position,
                end: Position) -> FileResult:
        def save(con) -> None:
            # Under the name followed, with the inode of the file being read (the rotated one
            # while its rest is read), in the piece's transaction.
            FollowOffsets(con).save(str(self.path), table, end)

        with tempfile.NamedTemporaryFile("wb", suffix=path.suffix or ".log", delete=False) as tmp:
            tmp.write(chunk)
        tmp_path = Path(tmp.name)
        try:
            mapping = format_mapping(fmt, self.user_mapping if table == self.table else None)
            source = fmt.open(tmp_path, replace(mapping.read, table=table))
            try:
                with self.writer() as wh:
                    result = import_source(
                        wh, table, source, self.settings, mapping=mapping, label=str(path), fmt=fmt.name,
                        report_unused=not fmt.mapping, line_offset=start.line,
                        lines=(start.line + 1, end.line), on_commit=save,
                        observer=self.observer)
            finally:
                source.close()
        finally:
            tmp_path.unlink(missing_ok=True)
        return replace(result, path=path)

    def run(self, interval: float = 1.0, on_result: Callable[[FileResult], None] | None = None,
            stop: threading.Event | None = None) -> Iterator[None]:
        """Poll every ``interval`` seconds until ``stop`` is set; yields after each round."""
        stop = stop or threading.Event()
        while not stop.is_set():
            for r in self.poll():
                if on_result:
                    on_result(r)
            yield
            stop.wait(interval)
