"""Stage a file's rows, then apply them to a canonical table by natural key.

Rows are staged with their line and verdict; ``finish()`` settles duplicate
keys within the file (the last line wins, earlier ones are quarantined),
counts what is new, changed and unchanged, MERGEs, and replaces the
quarantine of this source. The caller wraps ``finish()`` in one transaction.

The staging table is an ordinary table of the warehouse, filled batch by
batch outside that transaction: DuckDB keeps rows appended inside an open
transaction in memory until it commits, so staging 10M rows in the
transaction would hold them all; staged and committed batches go to disk.
The canonical tables are touched only by ``finish()``, so a crash while
staging leaves them as they were; a leftover staging table is dropped the
next time the warehouse is opened for writing.

An ``observer`` (``engine.rollup_upkeep.RollupUpkeep``) hears of the write in
its transaction: ``before(con, table)`` ahead of it, and after it
``after(con, table, CHANGED)``, CHANGED holding the new and changed rows and,
marked ``__old``, the versions they replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import duckdb
import pyarrow as pa

from telekpi.i18n import _
from telekpi.model.rejects import Reject
from telekpi.model.tables import Table
from telekpi.sql import identifier as _q
from telekpi.sql import message as sql_message
from telekpi.sql import quoted
from telekpi.sql import string as _q_lit
from telekpi.store.direct_load import DirectLoad
from telekpi.store.warehouse import STAGING, column_defs, touch

CHANGED = "__upsert_changed"
# The largest file (as text: a Parquet or XLSX file counts eight times its size) whose rows
# go straight into an empty table, held in memory until the import commits (about 1 GB).
DIRECT_MAX_BYTES = 256 << 20


class WriteObserver(Protocol):
    max_rows: int   # a larger write is not shown to ``after`` (its changes are not copied)

    def before(self, con, table: str) -> None: ...
    def after(self, con, table: str, changed: str) -> None: ...


@dataclass
class Counts:
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    skipped: int = 0      # left out by the mapping's skip/where rules

    @property
    def accepted(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def add(self, other: Counts) -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))


class Upsert:
    def __init__(self, con: duckdb.DuckDBPyConnection, table: Table, source: str, fmt: str,
                 lines: tuple[int, int] | None = None, observer: WriteObserver | None = None):
        self.con, self.table, self.source, self.fmt = con, table, source, fmt
        self.lines = lines   # replace only this range of the source's quarantine
        self.observer = observer
        self.skipped = 0   # rows the mapping's skip/where rules left out (not staged)
        self.direct: DirectLoad | None = None   # set by start_direct()
        # Explicit DDL, not CREATE TABLE AS … LIMIT 0: in DuckDB 2.0.0 a table created empty by
        # CTAS and then filled with >122,880 rows in the same transaction gives wrong aggregates.
        con.execute(f"CREATE OR REPLACE TABLE {STAGING} ({column_defs(table)}, __line BIGINT, "
                    "__col VARCHAR, __reason VARCHAR, __raw VARCHAR)")

    def start_direct(self, file_bytes: int | None) -> bool:
        """When the target is empty and the file small enough, begin the import's one transaction
        now and write good rows straight into it (``store/direct_load.py``); False (and nothing
        begun) otherwise. The caller commits or rolls back after ``finish()``, as for the staged
        path. DuckDB 2.0 holds the rows a transaction appends in memory until it commits (3M
        calls, a 344 MB CSV: 1.3 GB), so a larger file (``file_bytes``, None when the rows
        come from no file) is staged, committed batch by batch, within the memory bound."""
        t = _q(self.table.name)
        if self.lines is not None or (file_bytes or 0) > DIRECT_MAX_BYTES or \
                self.con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]:
            return False
        self.con.begin()
        if self.observer:
            self.observer.before(self.con, self.table.name)
        self.direct = DirectLoad(self.con, self.table)
        return True

    def add(self, select_sql: str) -> None:
        if self.direct is not None:
            self.direct.add(select_sql)
        else:
            self.con.execute(f"INSERT INTO {STAGING} {select_sql}")

    def add_rejects(self, rejects: list[Reject]) -> None:
        if not rejects:
            return
        batch = pa.table({
            "__line": pa.array([r.line for r in rejects], pa.int64()),
            "__col": pa.array([r.column for r in rejects], pa.string()),
            "__reason": pa.array([r.reason for r in rejects], pa.string()),
            "__raw": pa.array([r.raw for r in rejects], pa.string()),
        })
        self.con.register("__rejects", batch)
        try:
            self.con.execute(f"INSERT INTO {STAGING} (__line, __col, __reason, __raw) "
                             "SELECT __line, __col, __reason, __raw FROM __rejects")
        finally:
            self.con.unregister("__rejects")

    def _keys(self, alias: str = "") -> str:
        p = f"{alias}." if alias else ""
        return ", ".join(p + _q(k) for k in self.table.key)

    def _duplicate_reason(self, last_line: str) -> str:
        """SQL of the reason an earlier line of a key repeated in the file is quarantined (the
        row as ``s``; ``last_line``: SQL of the line that wins)."""
        return sql_message(
            _("duplicate {key} {value} in this file; line {line} has the same key and wins"),
            {"value": quoted(f"s.{_q(self.table.key[0])}"),
             "line": f"CAST({last_line} AS VARCHAR)"}, key="/".join(self.table.key))

    def _settle_duplicates(self) -> None:
        key = self._keys()
        first = self.table.key[0]
        con = self.con
        dups = con.sql(f"""SELECT {key}, max(__line) AS last_line FROM {STAGING}
            WHERE __reason IS NULL GROUP BY {key} HAVING count(*) > 1""").to_arrow_table()
        if not dups.num_rows:
            return
        con.register("__dups", dups)
        join = " AND ".join(f"s.{_q(k)} = d.{_q(k)}" for k in self.table.key)
        reason = self._duplicate_reason("d.last_line")
        con.execute(f"""UPDATE {STAGING} AS s SET __col = {_q_lit(first)},
            __reason = {reason},
            __raw = json_object({', '.join(f"{_q_lit(n)}, s.{_q(n)}" for n in self.table.names)})
            FROM __dups d WHERE {join} AND s.__line < d.last_line AND s.__reason IS NULL""")
        con.unregister("__dups")

    def finish(self) -> Counts:
        if self.direct is not None:
            return self._finish_direct(self.direct)
        con, t = self.con, self.table
        target = _q(t.name)
        self._settle_duplicates()
        c = Counts()
        staged, c.quarantined = con.execute(
            f"SELECT count(*), count(__reason) FROM {STAGING}").fetchall()[0]
        c.skipped, c.rows_read = self.skipped, staged + self.skipped
        cols = [_q(n) for n in t.names]
        non_key = [_q(n) for n in t.names if n not in t.key]
        on = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in t.key)
        same = " AND ".join(f"t.{n} IS NOT DISTINCT FROM s.{n}" for n in non_key) or "true"
        good = f"(SELECT {', '.join(cols)} FROM {STAGING} WHERE __reason IS NULL)"
        empty = con.execute(f"SELECT count(*) = 0 FROM {target}").fetchall()[0][0]
        if self.observer:
            self.observer.before(con, t.name)
        watch = False
        if empty:
            c.inserted = staged - c.quarantined
            watch = self.observer is not None and 0 < c.inserted <= self.observer.max_rows
            if watch:
                con.execute(f"CREATE OR REPLACE TEMP TABLE {CHANGED} AS "
                            f"SELECT *, false AS __old FROM {good}")
            con.execute(f"INSERT INTO {target} SELECT * FROM {good}")
        elif self.observer:
            # the changed rows once, for the counts, the observer and the MERGE
            key0 = f"t.{_q(t.key[0])}"
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {CHANGED} AS SELECT s.*, false AS __old, "
                f"{key0} IS NULL AS __new FROM {good} s LEFT JOIN {target} t ON {on} "
                f"WHERE {key0} IS NULL OR NOT ({same})")
            c.inserted, changed = con.execute(
                f"SELECT count(*) FILTER (WHERE __new), count(*) FROM {CHANGED}").fetchall()[0]
            c.updated = changed - c.inserted
            c.unchanged = staged - c.quarantined - changed
            if c.updated:   # and the versions they replace
                con.execute(f"INSERT INTO {CHANGED} SELECT t.*, true, false FROM {target} t "
                            f"SEMI JOIN {CHANGED} s ON {on} AND NOT s.__new")
            watch = 0 < changed <= self.observer.max_rows
            if changed:
                new = f"(SELECT {', '.join(cols)} FROM {CHANGED} WHERE NOT __old)"
                self._merge(new, on, non_key, cols, same)
            con.execute(f"ALTER TABLE {CHANGED} DROP COLUMN __new")
        else:
            c.inserted, c.unchanged = con.execute(
                f"SELECT count(*) FILTER (WHERE t.{_q(t.key[0])} IS NULL), "
                f"count(*) FILTER (WHERE t.{_q(t.key[0])} IS NOT NULL AND {same}) "
                f"FROM {good} s LEFT JOIN {target} t ON {on}").fetchall()[0]
            c.updated = staged - c.quarantined - c.inserted - c.unchanged
            if c.updated or c.inserted:
                self._merge(good, on, non_key, cols, same)
        self._record(c, watch)
        return c

    def _finish_direct(self, direct: DirectLoad) -> Counts:
        """``finish()`` of a direct load: the target holds this file's good rows alone."""
        con, t = self.con, self.table
        direct.settle_duplicates(self._duplicate_reason("s.last_line"))
        c = Counts(inserted=direct.written, skipped=self.skipped)
        c.quarantined = con.execute(f"SELECT count(*) FROM {STAGING}").fetchall()[0][0]
        c.rows_read = c.inserted + c.quarantined + c.skipped
        watch = self.observer is not None and 0 < c.inserted <= self.observer.max_rows
        if watch:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {CHANGED} AS SELECT *, false AS __old FROM {_q(t.name)}")
        self._record(c, watch)
        return c

    def _record(self, c: Counts, watch: bool) -> None:
        """The write's marks: the table's generation, the observer, the quarantine, the imports log."""
        con, t = self.con, self.table
        if c.inserted or c.updated:
            touch(con, [t.name])
            if watch and self.observer:
                self.observer.after(con, t.name, CHANGED)
        self._replace_quarantine()
        con.execute(
            'INSERT INTO imports (source, "table", format, rows_read, inserted, updated, unchanged, quarantined, '
            "skipped, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
            [self.source, t.name, self.fmt, c.rows_read, c.inserted, c.updated, c.unchanged, c.quarantined,
             c.skipped])

    def _merge(self, source: str, on: str, non_key: list[str], cols: list[str], same: str) -> None:
        sets = ", ".join(f"{n} = s.{n}" for n in non_key)
        update = f"WHEN MATCHED AND NOT ({same}) THEN UPDATE SET {sets} " if non_key else ""
        self.con.execute(
            f"MERGE INTO {_q(self.table.name)} AS t USING {source} AS s ON {on} {update}"
            f"WHEN NOT MATCHED THEN INSERT ({', '.join(cols)}) "
            f"VALUES ({', '.join('s.' + n for n in cols)})")

    def examples(self, limit: int = 5) -> list[tuple[int | None, str | None, str]]:
        """The first rows quarantined: (line, column, reason)."""
        return [tuple(r) for r in self.con.execute(
            f"SELECT __line, __col, __reason FROM {STAGING} WHERE __reason IS NOT NULL "
            "ORDER BY __line LIMIT ?", [limit]).fetchall()]

    def unknown_codes(self, column: str, known: Iterable[str], limit: int = 10) -> list[tuple[str, int]]:
        """The codes of ``column`` in the rows accepted that ``known`` does not list (trimmed,
        case-insensitively), most frequent first, with their counts."""
        codes = sorted(str(code).upper() for code in known)
        marks = ", ".join("?" for _ in codes) or "NULL"
        col = f"upper(trim({_q(column)}))"
        # a direct load's good rows are the target's (empty before it), the staged path's are staged
        rows = (_q(self.table.name) + " WHERE true") if self.direct is not None else \
            f"{STAGING} WHERE __reason IS NULL"
        return [tuple(r) for r in self.con.execute(
            f"SELECT {col} AS code, count(*) FROM {rows} "
            f"AND nullif(trim({_q(column)}), '') IS NOT NULL AND {col} NOT IN ({marks}) "
            "GROUP BY code ORDER BY count(*) DESC, code LIMIT ?", [*codes, limit]).fetchall()]

    def close(self) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {STAGING}")
        self.con.execute(f"DROP TABLE IF EXISTS {CHANGED}")

    def _replace_quarantine(self) -> None:
        """This source's quarantine becomes this import's; identical entries keep their first time."""
        con = self.con
        same = ("q.line IS NOT DISTINCT FROM s.__line AND q.reason = s.__reason "
                "AND q.raw IS NOT DISTINCT FROM s.__raw")
        scope = ""
        args: list[object] = [self.source, self.table.name]
        if self.lines is not None:
            scope, args = " AND q.line BETWEEN ? AND ?", args + list(self.lines)
        con.execute(f"""DELETE FROM quarantine q WHERE q.source = ? AND q."table" = ?{scope} AND NOT EXISTS
            (SELECT 1 FROM {STAGING} s WHERE s.__reason IS NOT NULL AND {same})""", args)
        con.execute(f"""INSERT INTO quarantine SELECT ?, s.__line, ?, s.__col, s.__raw, s.__reason, now()
            FROM {STAGING} s WHERE s.__reason IS NOT NULL AND NOT EXISTS
            (SELECT 1 FROM quarantine q WHERE q.source = ? AND q."table" = ? AND {same})""",
                    [self.source, self.table.name, self.source, self.table.name])
