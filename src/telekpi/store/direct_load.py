"""The direct load: a file's good rows written once, straight into an empty canonical table.

``store/upsert.py`` stages every row, then applies the staged rows by key. When the target
table is empty when the import starts, there is nothing to apply them against: every good row
is new. The import then runs in one transaction from its first batch, and each batch's good
rows go straight into the target; only the rejected rows are staged (for the quarantine). The
rows reach the file once instead of twice. DuckDB (2.0) holds the rows an open transaction
appends in memory until it commits (3M calls: 1.5 GB), so only a file up to
``upsert.DIRECT_MAX_BYTES`` is loaded so; a crash before the commit leaves the table as it
was: empty.

What the staging did for the keys is done here from the keys and lines of the good rows,
kept as Arrow columns while the batches go by: keys repeated within the file are found at
the end, and the earlier lines of each are moved to the quarantine with the same reason the
staged path gives, the last line winning. The target held nothing before, so its rows are
this file's good rows in the order they were written (``rowid``), which pairs each of a
repeated key's rows with its line.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from telekpi.model.tables import Table
from telekpi.sql import identifier as _q
from telekpi.sql import string as _q_lit
from telekpi.store.warehouse import STAGING

KEYS, DUPS, DUP_ROWS = "__direct_keys", "__direct_dups", "__direct_dup_rows"


class DirectLoad:
    """The good rows of one import written into ``table``, empty when it started, in the
    caller's open transaction; the bad ones staged for the quarantine."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: Table):
        self.con, self.table = con, table
        self.keys: list[pa.Table] = []   # per batch: the good rows' key columns and __line
        self.written = 0                 # good rows written into the target

    def add(self, select_sql: str) -> None:
        """One batch: the validator's SELECT (``quality.validate.RowCompiler.select``) run once;
        its good rows into the target, the others into the staging table."""
        con, t = self.con, self.table
        rows = con.sql(select_sql).to_arrow_table()
        bad = pc.is_valid(rows["__reason"])
        if pc.any(bad).as_py():
            _insert(con, STAGING, rows.filter(bad), "*")
            rows = rows.filter(pc.invert(bad))
        if rows.num_rows:
            _insert(con, _q(t.name), rows, ", ".join(_q(n) for n in t.names))
            self.keys.append(rows.select([*t.key, "__line"]))
            self.written += rows.num_rows

    def settle_duplicates(self, reason_sql: str) -> int:
        """Move the earlier lines of keys repeated in the file to the staging table as
        quarantined, with ``reason_sql`` (SQL over ``s``, the row and its ``last_line``);
        how many were moved."""
        if not self.keys:
            return 0
        con, t = self.con, self.table
        key = ", ".join(_q(k) for k in t.key)
        keys = pa.concat_tables(self.keys)
        self.keys = []
        con.register(KEYS, keys)
        try:
            dups = con.sql(f"SELECT {key}, max(__line) AS last_line FROM {KEYS} GROUP BY {key} "
                               "HAVING count(*) > 1").to_arrow_table()
            if not dups.num_rows:
                return 0
            con.register(DUPS, dups)
            try:
                return self._move(reason_sql, key)
            finally:
                con.unregister(DUPS)
        finally:
            con.unregister(KEYS)

    def _move(self, reason_sql: str, key: str) -> int:
        con, t = self.con, self.table
        on = " AND ".join(f"r.{_q(k)} = l.{_q(k)}" for k in t.key)
        semi = " AND ".join(f"x.{_q(k)} = d.{_q(k)}" for k in t.key)
        xkey = ", ".join(f"x.{_q(k)}" for k in t.key)
        # a repeated key's rows in the order they were written, beside its lines in file order
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {DUP_ROWS} AS
            WITH r AS (SELECT x.rowid AS __rid, x.*, row_number() OVER (PARTITION BY {xkey} ORDER BY x.rowid)
                       AS __n FROM {_q(t.name)} x SEMI JOIN {DUPS} d ON {semi}),
                 l AS (SELECT {xkey}, x.__line, d.last_line,
                       row_number() OVER (PARTITION BY {xkey} ORDER BY x.__line) AS __n
                       FROM {KEYS} x JOIN {DUPS} d ON {semi})
            SELECT r.*, l.__line, l.last_line FROM r JOIN l ON {on} AND r.__n = l.__n
            WHERE l.__line < l.last_line""")
        first = t.key[0]
        cols = ", ".join(f"s.{_q(n)}" for n in t.names)
        raw = f"json_object({', '.join(f'{_q_lit(n)}, s.{_q(n)}' for n in t.names)})"
        con.execute(f"INSERT INTO {STAGING} SELECT {cols}, s.__line, {_q_lit(first)}, "
                    f"{reason_sql}, {raw} FROM {DUP_ROWS} s")
        moved = con.execute(f"SELECT count(*) FROM {DUP_ROWS}").fetchall()[0][0]
        con.execute(f"DELETE FROM {_q(t.name)} WHERE rowid IN (SELECT __rid FROM {DUP_ROWS})")
        con.execute(f"DROP TABLE {DUP_ROWS}")
        self.written -= moved
        return moved


def _insert(con: duckdb.DuckDBPyConnection, target: str, rows: pa.Table, cols: str) -> None:
    con.register("__direct_rows", rows)
    try:
        con.execute(f"INSERT INTO {target} SELECT {cols} FROM __direct_rows")
    finally:
        con.unregister("__direct_rows")
