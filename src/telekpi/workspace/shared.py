"""A workspace shared by the threads of a long-running process (the server).

DuckDB has one writer per file, and one connection serves many threads through cursors:
each request reads on its own cursor (``session``), writes go one at a time (``write``),
answers are cached until the next write, and the writes logged for the daily rollups are
folded in by a background thread once writes pause — or at once when a view asks."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from telekpi.engine.engine import Engine, ResultCache
from telekpi.i18n import _
from telekpi.store.warehouse import Warehouse
from telekpi.workspace.workspace import Workspace

if TYPE_CHECKING:
    from telekpi.alerts.evaluate import Alert
    from telekpi.alerts.state import AlertState


class SharedWorkspace(Workspace):
    SETTLE_WAIT_S = 2.0      # how long a view waits for logged writes to be folded in
    REFRESH_QUIET_S = 1.0    # a burst of writes (API batches) first: fold after this quiet

    def __init__(self, db: str | Path):
        super().__init__(db)
        _ = self.warehouse   # opened now: the server is the file's one writer
        self.write_lock = threading.Lock()
        self.cache = ResultCache()
        self._rollups: dict | None = None
        self._refresh_due = threading.Event()
        self._urgent = threading.Event()     # a view waits: fold the logs now, not after quiet
        self._settled = threading.Event()    # no write since the last refresh
        self._settled.set()
        self._refresher: threading.Thread | None = None
        self._closed = False
        self._alerts: AlertState | None = None

    # -- reading ----------------------------------------------------------------------------
    def cursor(self) -> Warehouse:
        """The warehouse on a cursor of its own: one per request or task."""
        return self.warehouse.cursor()

    @contextmanager
    def session(self) -> Iterator[Engine]:
        """An engine on its own cursor, closed afterwards, reading the current rollups and
        sharing the answer cache."""
        cur = self.cursor()
        try:
            yield self.engine(warehouse=cur, cache=self.cache, rollups=self.rollups())
        finally:
            cur.close()

    def rollups(self) -> dict:
        """The rollups current for the warehouse as it is now (remembered until a write).
        After a write, a view first waits (a little) for the writes to be folded in: that
        takes a fraction of a second, reading the rows of 10M calls takes seconds."""
        from telekpi.engine.rollups import available

        found = self._rollups
        if found is None and not self._settled.is_set() and self._refresher is not None:
            self._urgent.set()
            self._refresh_due.set()
            self._settled.wait(self.SETTLE_WAIT_S)
            found = self._rollups
        if found is None:
            cur = self.cursor()
            try:
                found = self._rollups = available(cur.con, self.settings)
            finally:
                cur.close()
        return found

    # -- writing ----------------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Warehouse]:
        """The one writer: a cursor under the write lock; cached answers are dropped after,
        and the logged writes are folded into the rollups in the background."""
        with self.write_lock:
            cur = self.cursor()
            try:
                yield cur
            finally:
                cur.close()
                self.data_changed()

    def data_changed(self) -> None:
        """After every write: cached answers go, and the rollups are brought up to date in
        the background once the writes pause, or at once when a view asks for them."""
        self._settled.clear()
        self.cache.clear()
        self._rollups = None
        if self._refresher is None:
            self._refresher = threading.Thread(target=self._refresh_loop, daemon=True,
                                               name="telekpi-rollups")
            self._refresher.start()
        self._refresh_due.set()

    def refresh_rollups(self, *, force: bool = False, warehouse: Warehouse | None = None) -> list[dict]:
        """Fold the logged writes into the rollups and rebuild stale ones, through the one
        writer; answers cached from a stale rollup are dropped with them."""
        with self.write_lock:
            cur = warehouse or self.cursor()
            try:
                done = super().refresh_rollups(force=force, warehouse=cur)
            finally:
                if warehouse is None:
                    cur.close()
            self._rollups = None
            if done:
                self.cache.clear()
        return done

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

    # -- alerts -----------------------------------------------------------------------------
    @property
    def alerts(self) -> AlertState:
        """What fires and what was sent, kept beside the warehouse."""
        if self._alerts is None:
            from telekpi.alerts.state import AlertState

            self._alerts = AlertState.beside(self.db)
        return self._alerts

    def check_alerts(self, now: datetime | None = None) -> list[Alert]:
        """One round of the alert rules: record what fires for the dashboard, send what is
        new. Returns what fires."""
        from telekpi.alerts.channels import deliver

        rules = self.alert_rules()
        with self.session() as engine:
            firing = self.evaluate_alerts(rules, now, engine)
        self.alerts.update(firing)
        deliver(rules, self.alerts, firing)
        return firing

    def close(self) -> None:
        self._closed = True
        self._refresh_due.set()
        if self._refresher is not None:
            self._refresher.join(timeout=60)
        super().close()
        if self._alerts is not None:
            self._alerts.close()
