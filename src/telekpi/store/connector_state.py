"""What connectors and followers carry from one import to the next, kept in the warehouse.

``ConnectorState`` holds a log connector's open entries (``connector_state``): calls still in
the queue at the end of a queue_log, agents' open states. ``FollowOffsets`` holds where
`import --follow` stopped in each followed file (``follow_offsets``). Both write in the
caller's transaction, so what they save commits, or rolls back, with the rows imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import pyarrow as pa


@dataclass(frozen=True)
class Entry:
    """One open entry: its key (a call's uniqueid, an agent), when its state began (epoch
    seconds), the connector's own record of it (JSON) and the line of the file that opened it."""

    key: str
    at: float
    value: str
    line: int | None = None


class ConnectorState:
    """The open entries of one format and kind (``asterisk-queue-log``, ``call``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, fmt: str, kind: str):
        self.con, self.fmt, self.kind = con, fmt, kind

    def before(self, at: float) -> list[Entry]:
        """The entries dated before ``at``: those a file whose first event is at ``at`` continues."""
        return [Entry(*r) for r in self.con.execute(
            'SELECT key, "at", value, line FROM connector_state WHERE format = ? AND kind = ? AND "at" < ? '
            "ORDER BY key", [self.fmt, self.kind, at]).fetchall()]

    def replace(self, taken: Mapping[str, float], entries: Iterable[Entry], source: str) -> None:
        """Delete the entries an import took over (``taken``: key → ``at`` as read by ``before``)
        and save the ones still open at its end (``entries``, read from ``source``), in the
        caller's transaction. An entry replaces an older one of its key, and is not saved where
        a newer import saved a later one: re-importing an older file leaves the newer state."""
        rows = list(entries)
        self.con.register("__taken", pa.table({"key": pa.array(list(taken), pa.string()),
                                               "at": pa.array(list(taken.values()), pa.float64())}))
        self.con.register("__open", pa.table({"key": pa.array([e.key for e in rows], pa.string()),
                                              "at": pa.array([e.at for e in rows], pa.float64()),
                                              "value": pa.array([e.value for e in rows], pa.string()),
                                              "line": pa.array([e.line for e in rows], pa.int64())}))
        mine, args = "format = ? AND kind = ?", [self.fmt, self.kind]
        newer = ('SELECT 1 FROM connector_state n WHERE n.format = ? AND n.kind = ? '
                 'AND n.key = o.key AND n."at" >= o."at"')
        try:
            self.con.execute(f'DELETE FROM connector_state WHERE {mine} AND (key, "at") IN '
                             '(SELECT key, "at" FROM __taken)', args)
            self.con.execute(f"DELETE FROM connector_state s WHERE {mine} AND EXISTS (SELECT 1 FROM __open o "
                             f"WHERE o.key = s.key AND NOT EXISTS ({newer}))", args + args)
            self.con.execute(f'INSERT INTO connector_state SELECT ?, ?, key, "at", value, ?, line FROM __open o '
                             f"WHERE NOT EXISTS ({newer})", args + [source] + args)
        finally:
            self.con.unregister("__taken")
            self.con.unregister("__open")


@dataclass(frozen=True)
class Position:
    """Where a followed file was left: which file (device, inode, and a hash of its first
    bytes, since inodes are reused), the byte offset and the lines read up to it."""

    device: int | None
    inode: int | None
    head: str | None
    offset: int
    line: int


class FollowOffsets:
    """Where `import --follow` stands in each followed file, per table it fills."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def get(self, path: str, table: str) -> Position | None:
        rows = self.con.execute('SELECT device, inode, head, "offset", line FROM follow_offsets '
                                'WHERE path = ? AND "table" = ?', [path, table]).fetchall()
        return Position(*rows[0]) if rows else None

    def save(self, path: str, table: str, pos: Position) -> None:
        """Record ``pos`` for ``path`` and ``table``, in the caller's transaction."""
        self.con.execute('DELETE FROM follow_offsets WHERE path = ? AND "table" = ?', [path, table])
        self.con.execute("INSERT INTO follow_offsets VALUES (?, ?, ?, ?, ?, ?, ?, now())",
                         [path, table, pos.device, pos.inode, pos.head, pos.offset, pos.line])
