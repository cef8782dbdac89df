"""Small side stores in SQLite beside the warehouse (users, alert state).

SQLite because several processes may write them while one holds the DuckDB
warehouse (`telekpi serve` and `telekpi user add`, say). One connection per
store, shared by threads behind a lock; WAL so readers do not wait on writers.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path


class SqliteStore:
    FILE = ""        # the file's name beside the warehouse
    SCHEMA = ""      # CREATE TABLE IF NOT EXISTS … statements
    PRIVATE = False  # readable by its owner only (secrets: password hashes, tokens)

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.PRIVATE:
            self._owner_only()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None,
                                   timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(self.SCHEMA)
        self._lock = threading.Lock()

    def _owner_only(self) -> None:
        """Create the file readable and writable by its owner only (SQLite gives its -wal and
        -shm files the same mode), and take the others' access from one created before."""
        try:
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            if os.stat(self.path).st_mode & 0o077:
                os.chmod(self.path, 0o600)
        except PermissionError:
            pass   # someone else's file, opened to read: leave its mode to its owner

    @classmethod
    def beside(cls, warehouse: str | Path):
        return cls(Path(warehouse).resolve().parent / cls.FILE)

    def _q(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        self._db.close()
