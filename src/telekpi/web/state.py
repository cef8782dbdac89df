"""What the web app keeps between requests: the warehouse, its users, the answer cache,
the background rollup refresher and the alert state."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from telekpi.catalog.loader import Catalog, load_catalog
from telekpi.engine.engine import Engine, ResultCache
from telekpi.engine.rollups import available, refresh
from telekpi.engine.rollups.upkeep import RollupUpkeep
from telekpi.i18n import _
from telekpi.settings import Settings, load_settings
from telekpi.store.warehouse import Warehouse
from telekpi.web.auth import Users


@dataclass
class Cursor:
    """A Warehouse-shaped view on one DuckDB cursor, for one request."""

    con: object
    path: Path

    @property
    def workspace(self) -> Path:
        return self.path.resolve().parent


class WebState:
    def __init__(self, db: Path, users: Users | None = None, secure_cookies: bool = False):
        self.warehouse = Warehouse(db)
        self.settings: Settings = load_settings(self.warehouse.workspace)
        self.catalog: Catalog = load_catalog(self.warehouse.workspace)
        self.users = users or Users.beside(db)
        self.write_lock = threading.Lock()
        self.secure_cookies = secure_cookies
        self.cache = ResultCache()
        self.warmed = threading.Event()
        self._rollups: dict | None = None
        # logs each write for the rollups, in its transaction (under the write lock)
        self.upkeep = RollupUpkeep(self.catalog, self.settings)
        self._refresh_due = threading.Event()
        self._urgent = threading.Event()     # a view waits: fold the logs now, not after quiet
        self._settled = threading.Event()    # no write since the last refresh
        self._settled.set()
        self._refresher: threading.Thread | None = None
        self._closed = False
        from telekpi.alerts.state import AlertState

        self.alerts = AlertState.beside(db)

    def data_changed(self) -> None:
        """Call after every write: cached answers are dropped, and the writes logged for the
        daily rollups are folded in (stale ones rebuilt) in the background once the writes
        pause, or at once when a view asks for them."""
        self._settled.clear()
        self.cache.clear()
        self._rollups = None
        if self._refresher is None:
            self._refresher = threading.Thread(target=self._refresh_loop, daemon=True,
                                               name="telekpi-rollups")
            self._refresher.start()
        self._refresh_due.set()

    SETTLE_WAIT_S = 2.0

    def rollups(self) -> dict:
        """The rollups current for the warehouse as it is now (remembered until a write).
        After a write, a view first waits (a little) for the writes to be folded in: that
        takes a fraction of a second, reading the rows of 10M calls takes seconds."""
        found = self._rollups
        if found is None and not self._settled.is_set() and self._refresher is not None:
            self._urgent.set()
            self._refresh_due.set()
            self._settled.wait(self.SETTLE_WAIT_S)
            found = self._rollups
        if found is None:
            cur = self._cursor()
            try:
                found = self._rollups = available(cur.con, self.settings)
            finally:
                cur.con.close()
        return found

    def refresh_rollups(self) -> list[dict]:
        """Fold the logged writes into the rollups and rebuild stale ones, through the one
        writer; answers cached from a stale rollup are dropped with them."""
        with self.write_lock:
            cur = self._cursor()
            try:
                done = refresh(cur.con, self.catalog, self.settings)
            finally:
                cur.con.close()
            self._rollups = None
            if done:
                self.cache.clear()
        return done

    REFRESH_QUIET_S = 1.0   # views do not wait for it: they ask for the fold

    def _refresh_loop(self) -> None:
        while not self._closed:
            self._refresh_due.wait()
            while not self._urgent.is_set():   # a burst of writes (API batches) first
                self._refresh_due.clear()
                if not self._refresh_due.wait(self.REFRESH_QUIET_S) or self._closed:
                    break
            if self._closed:
                return
            self._urgent.clear()
            self._refresh_due.clear()
            try:
                self.refresh_rollups()
            except Exception as e:   # queries keep reading the rows; the next write retries
                print("telekpi: " + _("the daily rollups were not rebuilt: {error}").format(error=e),
                      file=sys.stderr)
            if not self._refresh_due.is_set():
                self._settled.set()

    def _cursor(self) -> Cursor:
        cur = Cursor(self.warehouse.con.cursor(), self.warehouse.path)
        cur.con.execute("SET TimeZone = 'UTC'")
        return cur

    @contextmanager
    def session(self) -> Iterator[Engine]:
        """An engine on its own DuckDB cursor, closed afterwards: one per request or task."""
        cur = self._cursor()
        try:
            yield Engine(cur, self.settings, self.catalog, self.cache,   # type: ignore[arg-type]
                         rollups=self.rollups())
        finally:
            cur.con.close()

    @contextmanager
    def write(self) -> Iterator[Cursor]:
        """The one writer: a cursor under the write lock; cached answers are dropped after."""
        with self.write_lock:
            cur = self._cursor()
            try:
                yield cur
            finally:
                cur.con.close()
                self.data_changed()

    def check_alerts(self, now=None) -> list:
        """One round of the alert rules (the workspace's alerts.yaml, else the built-in ones):
        record what fires for the dashboard, send what is new. Returns what fires."""
        from datetime import datetime

        from telekpi.alerts.channels import deliver
        from telekpi.alerts.evaluate import evaluate
        from telekpi.alerts.rules import load_rules

        own = self.warehouse.workspace / "alerts.yaml"
        rules = load_rules(own if own.exists() else None, self.catalog)
        with self.session() as engine:
            firing = evaluate(engine, rules, now or datetime.now(self.settings.tz))
        self.alerts.update(firing)
        deliver(rules, self.alerts, firing)
        return firing

    def close(self) -> None:
        self._closed = True
        self._refresh_due.set()
        if self._refresher is not None:
            self._refresher.join(timeout=60)
        self.warehouse.close()
        self.users.close()
        self.alerts.close()
