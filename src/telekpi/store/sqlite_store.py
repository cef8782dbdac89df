"""Small side stores in SQLite beside the warehouse (users, alert state).

SQLite because several processes may write them while one holds the DuckDB
warehouse (`telekpi serve` and `telekpi user add`, say). One connection per
store, shared by threads behind a lock; WAL so readers do not wait on writers.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class SqliteStore:
    FILE = ""        # the file's name beside the warehouse
    SCHEMA = ""      # CREATE TABLE IF NOT EXISTS … statements

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None,
                                   timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(self.SCHEMA)
        self._lock = threading.Lock()

    @classmethod
    def beside(cls, warehouse: str | Path):
        return cls(Path(warehouse).resolve().parent / cls.FILE)

    def _q(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        self._db.close()
