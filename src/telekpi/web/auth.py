"""Users, roles, sessions and API tokens, kept in SQLite beside the warehouse.

SQLite rather than the warehouse: `telekpi user add` must work while
`telekpi serve` holds the DuckDB file, and SQLite lets several processes
write. Passwords are argon2 hashes; session ids and API tokens are random and
stored only as SHA-256 digests, so a copy of the file logs nobody in.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from telekpi.errors import UsageError
from telekpi.i18n import _
from telekpi.store.sqlite_store import SqliteStore

ROLES = ("admin", "supervisor", "agent")
SESSION_SECONDS = 12 * 3600
TOKEN_PREFIX = "tk_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, password TEXT NOT NULL, role TEXT NOT NULL,
    teams TEXT NOT NULL DEFAULT '[]', agent_id TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL, label TEXT, created_at REAL NOT NULL);
"""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    teams: tuple[str, ...] = ()
    agent_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Users(SqliteStore):
    """The user store of one workspace (``telekpi-users.sqlite`` next to the warehouse)."""

    FILE = "telekpi-users.sqlite"
    SCHEMA = _SCHEMA
    PRIVATE = True    # password hashes, session and API token digests

    def __init__(self, path: str | Path):
        super().__init__(path)
        self._hasher = PasswordHasher()
        self._dummy = self._hasher.hash("not a password")   # equal work for unknown names

    # -- users -----------------------------------------------------------------------
    def add(self, name: str, password: str, role: str, teams: tuple[str, ...] = (),
            agent_id: str | None = None) -> User:
        name = name.strip()
        if not name:
            raise UsageError(_("a user needs a name"))
        if role not in ROLES:
            raise UsageError(_("role {role} is not one of {roles}").format(role=repr(role), roles=", ".join(ROLES)))
        if len(password) < 8:
            raise UsageError(_("a password needs at least 8 characters"))
        if role == "supervisor" and not teams:
            raise UsageError(_("a supervisor needs the teams they supervise (--team T1 --team T2)"))
        if role == "agent" and not agent_id:
            raise UsageError(_("an agent user needs their agent id (--agent A001)"))
        if self.get(name):
            raise UsageError(_("user {name} exists already; remove it first to change it").format(name=repr(name)))
        self._q("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                (name, self._hasher.hash(password), role, json.dumps(list(teams)), agent_id,
                 time.time()))
        return User(name, role, tuple(teams), agent_id)

    def get(self, name: str) -> User | None:
        rows = self._q("SELECT name, role, teams, agent_id FROM users WHERE name = ?", (name,))
        return _user(rows[0]) if rows else None

    def list(self) -> list[User]:
        return [_user(r) for r in self._q("SELECT name, role, teams, agent_id FROM users ORDER BY name")]

    def remove(self, name: str) -> None:
        if not self.get(name):
            raise UsageError(_("no user {name}; `telekpi user list` shows them").format(name=repr(name)))
        for table in ("users", "sessions", "tokens"):
            self._q(f"DELETE FROM {table} WHERE name = ?", (name,))

    def check_password(self, name: str, password: str) -> User | None:
        rows = self._q("SELECT password FROM users WHERE name = ?", (name,))
        stored = rows[0][0] if rows else self._dummy
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return self.get(name) if rows else None

    # -- sessions (browser) ------------------------------------------------------------
    def new_session(self, user: User) -> tuple[str, str]:
        """A fresh session id and its CSRF token."""
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        self._q("DELETE FROM sessions WHERE expires_at < ?", (now,))
        self._q("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (_digest(sid), user.name, csrf, now + SESSION_SECONDS))
        return sid, csrf

    def session(self, sid: str) -> tuple[User, str] | None:
        rows = self._q("SELECT name, csrf FROM sessions WHERE digest = ? AND expires_at > ?",
                       (_digest(sid), time.time()))
        if not rows:
            return None
        user = self.get(rows[0][0])
        return (user, rows[0][1]) if user else None

    def end_session(self, sid: str) -> None:
        self._q("DELETE FROM sessions WHERE digest = ?", (_digest(sid),))

    # -- API tokens (machines) ---------------------------------------------------------
    def new_token(self, name: str, label: str | None = None) -> str:
        if not self.get(name):
            raise UsageError(_("no user {name}; a token acts as a user, add the user first").format(name=repr(name)))
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self._q("INSERT INTO tokens VALUES (?, ?, ?, ?)", (_digest(token), name, label, time.time()))
        return token

    def token_user(self, token: str) -> User | None:
        rows = self._q("SELECT name FROM tokens WHERE digest = ?", (_digest(token),))
        return self.get(rows[0][0]) if rows else None


def _user(row: tuple) -> User:
    return User(row[0], row[1], tuple(json.loads(row[2] or "[]")), row[3])
