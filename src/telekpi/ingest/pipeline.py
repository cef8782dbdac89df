"""One file in, one transaction: read → map → validate → stage → upsert.

Every row read ends up inserted, updated, unchanged, skipped (by the mapping's
``skip``/``where`` rules) or quarantined, and the five counts add up to the rows read.
A failure or Ctrl-C rolls the file back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa

from telekpi.ingest.fingerprint import fingerprint
from telekpi.ingest.mapping import Mapping, parse_mapping, resolve, resolve_filters
from telekpi.ingest.registry import Format, detect_format, get_format, read_head
from telekpi.ingest.source import (
    DerivesColumns,
    HasNotes,
    KeepsState,
    MakesRows,
    RawBatch,
    Source,
    check_column_names,
    prefetch,
)
from telekpi.model.tables import table as canonical_table
from telekpi.quality.validate import RowCompiler, register_phone_function
from telekpi.settings import Settings
from telekpi.store import import_marks
from telekpi.store.upsert import Counts, Upsert, WriteObserver
from telekpi.store.warehouse import Warehouse
from telekpi.yaml_lines import load

Progress = Callable[[float], None]


@dataclass
class FileResult:
    path: Path
    table: str
    format: str
    counts: Counts
    seconds: float
    ignored_columns: list[str] = field(default_factory=list)
    unknown_dispositions: list[tuple[str, int]] = field(default_factory=list)
    examples: list[tuple[int | None, str | None, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # what a log format wants said (pending calls)
    lines_read: int | None = None   # a log whose lines make rows (source.MakesRows): its lines
    @property
    def rows_per_s(self) -> float:
        return self.counts.rows_read / self.seconds if self.seconds else 0.0


def import_file(wh: Warehouse, table_name: str, path: Path, settings: Settings, *,
                fmt: str | None = None, mapping: Mapping | None = None,
                encoding: str | None = None, progress: Progress | None = None,
                observer: WriteObserver | None = None) -> FileResult:
    t0 = time.perf_counter()
    table = canonical_table(table_name)
    read_head(path)  # a clear sentence for a missing or unreadable file
    f = get_format(fmt) if fmt else detect_format(path, encoding or (mapping.read.encoding if mapping else None))
    if f.tables and table.name not in f.tables:
        from telekpi.errors import UsageError
        from telekpi.i18n import _

        raise UsageError(_("format {format} fills {tables}, not {table}").format(
            format=f.name, tables=", ".join(f.tables), table=table.name))
    mapping = format_mapping(f, mapping)
    options = replace(mapping.read, table=table.name)
    if encoding is not None:
        options = replace(options, encoding=encoding)
    source = f.open(path, options)
    label = str(path.resolve())
    try:
        mark = None
        if not isinstance(source, KeepsState):   # a log carrying state across files is read again
            mark = fingerprint(path, table.name, f.name, options, mapping, settings)
            if (before := import_marks.unchanged(wh.con, label, table.name, mark)) is not None:
                return _unchanged(wh, table.name, path, label, f.name, before, t0)
        return import_source(wh, table.name, source, settings, mapping=mapping,
                             label=label, fmt=f.name, progress=progress, t0=t0,
                             report_unused=not f.mapping, observer=observer, fingerprint=mark)
    finally:
        source.close()


def _unchanged(wh: Warehouse, table: str, path: Path, label: str, fmt: str, mark: dict,
               t0: float) -> FileResult:
    """The result of importing a file found unchanged since its last import (same bytes, mapping
    and settings; nothing written to the table since): logged, nothing else to do."""
    from telekpi.i18n import _

    counts = import_marks.log_no_op(wh.con, label, table, fmt, mark)
    notes = [*mark["notes"], _("the file, its mapping and the settings are as at its last import, and "
                               "nothing has changed the table since: nothing to do")]
    return FileResult(path, table, fmt, counts, time.perf_counter() - t0, mark["ignored"],
                      [(code, n) for code, n in mark["unknown"]],
                      import_marks.first_quarantined(wh.con, label, table), notes, mark["lines_read"])


def import_path(wh: Warehouse, table_name: str, path: Path, settings: Settings, *,
                fmt: str | None = None, mapping: Mapping | None = None, encoding: str | None = None,
                progress: Progress | None = None, observer: WriteObserver | None = None) -> list[FileResult]:
    """Import a file; a log that feeds several tables (queue_log: calls and agent states) fills
    all of them, the named one first (and only it with ``mapping``)."""
    read_head(path)
    f = get_format(fmt) if fmt else detect_format(path, encoding or (mapping.read.encoding if mapping else None))
    tables = [table_name]
    if table_name in f.tables:
        tables += [t for t in f.tables if t != table_name]
    return [import_file(wh, t, path, settings, fmt=f.name, mapping=mapping if t == table_name else None,
                        encoding=encoding, progress=progress, observer=observer) for t in tables]


def format_mapping(f: Format, mapping: Mapping | None) -> Mapping:
    """The user's mapping over the format's built-in one: the user's rules win column by column."""
    base = parse_mapping(load(f.mapping), f"<{f.name} format>") if f.mapping else None
    return (mapping or Mapping()).over(base)


def import_source(wh: Warehouse, table_name: str, source: Source, settings: Settings, *,
                  mapping: Mapping | None = None, label: str, fmt: str,
                  progress: Progress | None = None, t0: float | None = None,
                  report_unused: bool = True, lines: tuple[int, int] | None = None,
                  line_offset: int = 0, on_commit: Callable | None = None,
                  observer: WriteObserver | None = None, fingerprint: str | None = None) -> FileResult:
    """Import an opened source (a file, or rows posted to the API) under ``label``, the
    name its quarantine entries and import record carry.

    ``lines`` limits the quarantine this import replaces to that range of the source
    (a followed log is imported piece by piece), and ``line_offset`` is added to the
    lines the reader counts, so a piece's rows carry their lines in the whole file. A source that keeps state between
    imports (``source.KeepsState``: calls still in progress at the end of a log) loads it with
    ``begin(con)`` and saves it with ``commit(con)`` in the import's transaction, as does ``on_commit``.
    ``observer`` hears of the write in that transaction (``store.upsert.WriteObserver``).
    ``fingerprint`` (``ingest/fingerprint.py``) is recorded with the import, so the same file
    again can be skipped (``store/import_marks.py``); without it, any such mark is forgotten.
    """
    t0 = time.perf_counter() if t0 is None else t0
    table = canonical_table(table_name)
    check_column_names(source.columns, str(source.path))
    mapping = mapping or Mapping()
    rules = resolve(mapping, table, source.columns, str(source.path), source.header_line)
    skip, where = resolve_filters(mapping, source.columns, str(source.path), source.header_line)
    used = {s for r in rules.values() for s in r.sources()} | {f.column for f in skip + where}
    ignored = [c for c in source.columns if c not in used] if report_unused else []
    tz = mapping.timezone or settings.timezone
    con = wh.con
    if isinstance(source, KeepsState):
        source.begin(con)
    derived = source.derived if isinstance(source, DerivesColumns) else frozenset()
    up = Upsert(con, table, label, fmt, lines=lines, observer=observer)
    try:
        # Into an empty table the good rows are written once, in the one transaction begun now;
        # otherwise they are staged batch by batch and applied in one transaction at the end.
        if any(c.type == "phone" for c in table.columns):
            # before the transaction: DuckDB forgets a function made in one that rolls back, and
            # would refuse to make it again on this connection
            register_phone_function(con)
        began = up.start_direct(_text_bytes(Path(source.path)))
        try:
            sql, count_skipped = None, None
            for batch in prefetch(source.batches()):
                if line_offset:
                    batch = _shifted(batch, line_offset)
                up.add_rejects(batch.rejects)
                if batch.table.num_rows:
                    data = batch.table.append_column("__line", pa.array(batch.lines, pa.int64()))
                    if sql is None:
                        rc = RowCompiler(table, rules, data.schema, tz, con, mapping.file, derived,
                                         mapping.nulls, skip, where, region=settings.phone_country,
                                         settings=settings)
                        sql, skipped = rc.select("__batch"), rc.skipped()
                        count_skipped = skipped and \
                            f"SELECT count(*) FROM __batch WHERE NOT ({rc.blank()}) AND {skipped}"
                    con.register("__batch", data)
                    try:
                        up.add(sql)
                        if count_skipped:
                            up.skipped += con.execute(count_skipped).fetchall()[0][0]
                    finally:
                        con.unregister("__batch")
                if progress:
                    progress(source.progress())
            if not began:
                con.begin()
                began = True
            counts = up.finish()
            if isinstance(source, KeepsState):
                source.commit(con)
            if on_commit is not None:
                on_commit(con)
            unknown = up.unknown_codes("disposition", settings.dispositions) if table.name == "calls" else []
            notes = source.notes() if isinstance(source, HasNotes) else []
            lines_read = source.lines_read if isinstance(source, MakesRows) else None
            if fingerprint is None:
                import_marks.forget(con, label, table.name)
            else:
                import_marks.record(con, label, table.name, fingerprint, counts, {
                    "ignored": ignored, "unknown": unknown, "notes": notes, "lines_read": lines_read})
            con.commit()
        except BaseException:
            if began:
                con.rollback()
            raise
        examples = up.examples()
    finally:
        up.close()
    return FileResult(Path(source.path), table.name, fmt, counts, time.perf_counter() - t0,
                      ignored, unknown, examples, notes, lines_read)


def _text_bytes(path: Path) -> int | None:
    """About how many bytes of text the file holds (a Parquet or XLSX file is compressed:
    eight times its size); None when the rows come from no file (rows posted to the API)."""
    try:
        size = path.stat().st_size
    except (OSError, ValueError):
        return None
    return size * 8 if path.suffix.lower() in (".parquet", ".xlsx", ".gz") else size


def _shifted(batch: RawBatch, by: int) -> RawBatch:
    rejects = [replace(r, line=None if r.line is None else r.line + by) for r in batch.rejects]
    return RawBatch(batch.table, batch.lines + by, rejects)
