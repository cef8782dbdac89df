"""What an import of a file left, so that importing the same file again can be skipped.

After an import of a file, ``telekpi_meta`` holds under ``import:<table>:<source>`` its
fingerprint (``ingest/fingerprint.py``: the file's bytes, its format and mapping, the
settings, the day), the table's generation once it was written (``warehouse.touch``) and what
the import reported. When the next import of that source into that table has the same
fingerprint and the table's generation has not moved since, nothing has written to the table
and the import would find every row unchanged and quarantine the same lines for the same
reasons: it is skipped, and logged in ``imports`` with the counts of a no-op.

Every other import of the source into the table (a different fingerprint, a followed log,
rows posted under that name) forgets the mark in its transaction, as it may change the
quarantine without moving the generation.
"""

from __future__ import annotations

import json

import duckdb

from telekpi.store.upsert import Counts

COUNTS = ("rows_read", "inserted", "updated", "unchanged", "quarantined", "skipped")


def _key(source: str, table: str) -> str:
    return f"import:{table}:{source}"


def generation(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    row = con.execute("SELECT value FROM telekpi_meta WHERE key = ?", [f"gen:{table}"]).fetchone()
    return row[0] if row else None


def forget(con: duckdb.DuckDBPyConnection, source: str, table: str) -> None:
    con.execute("DELETE FROM telekpi_meta WHERE key = ?", [_key(source, table)])


def record(con: duckdb.DuckDBPyConnection, source: str, table: str, fingerprint: str, counts: Counts,
           report: dict) -> None:
    """Mark the import just made of ``source`` into ``table``, in its transaction (after its
    write, so the generation recorded is the one it left)."""
    forget(con, source, table)
    mark = {"fingerprint": fingerprint, "generation": generation(con, table),
            "counts": {k: getattr(counts, k) for k in COUNTS}, **report}
    con.execute("INSERT INTO telekpi_meta VALUES (?, ?)", [_key(source, table), json.dumps(mark)])


def unchanged(con: duckdb.DuckDBPyConnection, source: str, table: str, fingerprint: str) -> dict | None:
    """The mark of the last import of ``source`` into ``table`` when it had ``fingerprint``
    and nothing has written to the table since; else None."""
    row = con.execute("SELECT value FROM telekpi_meta WHERE key = ?", [_key(source, table)]).fetchone()
    if not row:
        return None
    mark = json.loads(row[0])
    if mark.get("fingerprint") != fingerprint or mark.get("generation") != generation(con, table):
        return None
    return mark


def log_no_op(con: duckdb.DuckDBPyConnection, source: str, table: str, fmt: str, mark: dict) -> Counts:
    """Log an import skipped as unchanged in ``imports``, with the counts a full one would give:
    every row accepted before is unchanged."""
    before = mark["counts"]
    c = Counts(rows_read=before["rows_read"], quarantined=before["quarantined"], skipped=before["skipped"])
    c.unchanged = c.rows_read - c.quarantined - c.skipped
    con.execute(
        'INSERT INTO imports (source, "table", format, rows_read, inserted, updated, unchanged, quarantined, '
        "skipped, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [source, table, fmt, c.rows_read, c.inserted, c.updated, c.unchanged, c.quarantined, c.skipped])
    return c


def first_quarantined(con: duckdb.DuckDBPyConnection, source: str, table: str,
                      limit: int = 5) -> list[tuple[int | None, str | None, str]]:
    """The first rows of ``source`` quarantined for ``table``: (line, column, reason)."""
    return [tuple(r) for r in con.execute(
        'SELECT line, "column", reason FROM quarantine WHERE source = ? AND "table" = ? '
        "ORDER BY line LIMIT ?", [source, table, limit]).fetchall()]
