"""Which alerts are active and which were sent, in SQLite beside the warehouse.

An alert is sent when it fires and is not already active; while it keeps firing it
is not sent again; when it stops firing it clears, and may fire (and be sent) anew.
A send that failed is retried at the next check. SQLite, so the web server and a
`telekpi alerts --watch` process can both read it.
"""

from __future__ import annotations

import time

from telekpi.alerts.evaluate import Alert
from telekpi.store.sqlite_store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    key TEXT PRIMARY KEY, rule TEXT NOT NULL, scope TEXT, message TEXT NOT NULL,
    value REAL, threshold REAL, active INTEGER NOT NULL, fired_at REAL NOT NULL,
    last_seen_at REAL NOT NULL, cleared_at REAL, sent_to TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS sends (
    key TEXT NOT NULL, channel TEXT NOT NULL, at REAL NOT NULL, ok INTEGER NOT NULL, detail TEXT);
"""


class AlertState(SqliteStore):
    FILE = "telekpi-alerts.sqlite"
    SCHEMA = _SCHEMA

    def update(self, firing: list[Alert]) -> list[Alert]:
        """Record this check; return the alerts that are new (fired anew since they cleared)."""
        now = time.time()
        keys = {a.key for a in firing}
        active = {r[0] for r in self._q("SELECT key FROM alerts WHERE active = 1")}
        for key in active - keys:
            self._q("UPDATE alerts SET active = 0, cleared_at = ? WHERE key = ?", (now, key))
        new = []
        for a in firing:
            if a.key in active:
                self._q("UPDATE alerts SET last_seen_at = ?, message = ?, value = ? WHERE key = ?",
                        (now, a.message, a.value, a.key))
                continue
            self._q("""INSERT INTO alerts (key, rule, scope, message, value, threshold, active,
                       fired_at, last_seen_at, cleared_at, sent_to) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, '')
                       ON CONFLICT(key) DO UPDATE SET active = 1, fired_at = excluded.fired_at,
                       last_seen_at = excluded.last_seen_at, cleared_at = NULL, sent_to = '',
                       message = excluded.message, value = excluded.value""",
                    (a.key, a.rule, a.scope, a.message, a.value, a.threshold, now, now))
            new.append(a)
        return new

    def unsent(self, firing: list[Alert]) -> list[tuple[Alert, list[str]]]:
        """Active alerts and the channels they still have to reach."""
        sent = dict(self._q("SELECT key, sent_to FROM alerts WHERE active = 1"))
        out = []
        for a in firing:
            done = set(filter(None, sent.get(a.key, "").split(",")))
            todo = [c for c in a.channels if c not in done]
            if a.key in sent and todo:
                out.append((a, todo))
        return out

    def mark_sent(self, alert: Alert, channel: str, ok: bool, detail: str = "") -> None:
        self._q("INSERT INTO sends VALUES (?, ?, ?, ?, ?)", (alert.key, channel, time.time(), int(ok), detail))
        if ok:
            row = self._q("SELECT sent_to FROM alerts WHERE key = ?", (alert.key,))
            done = set(filter(None, (row[0][0] if row else "").split(","))) | {channel}
            self._q("UPDATE alerts SET sent_to = ? WHERE key = ?", (",".join(sorted(done)), alert.key))

    def active(self) -> list[dict]:
        rows = self._q("SELECT key, rule, scope, message, value, threshold, fired_at, last_seen_at, "
                       "sent_to FROM alerts WHERE active = 1 ORDER BY fired_at DESC, key")
        names = ("key", "rule", "scope", "message", "value", "threshold", "fired_at",
                 "last_seen_at", "sent_to")
        return [dict(zip(names, r, strict=True)) for r in rows]
