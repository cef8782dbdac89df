"""Users, roles, sessions and API tokens, kept in SQLite beside the warehouse.

SQLite rather than the warehouse: `telekpi user add` must work while
`telekpi serve` holds the DuckDB file, and SQLite lets several processes
write. Passwords are argon2 hashes; session ids and API tokens are random and
stored only as SHA-256 digests, so a copy of the file logs nobody in.

An API token has a public id (the first 12 hex digits of its digest, which tell nothing
of the token), a label, an optional expiry, the time it was last used (written at most
once a minute per token, not once per request) and, once revoked, when. Revoked tokens
stay listed, so an admin can see what was cut off and when. A store made before tokens
had these columns gains them when opened; its tokens keep working, without expiry.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from telekpi.days import day_start
from telekpi.errors import NotFoundError, UsageError
from telekpi.i18n import N_, _
from telekpi.store.sqlite_store import SqliteStore

ROLES = ("admin", "supervisor", "agent")
SESSION_SECONDS = 12 * 3600
TOKEN_PREFIX = "tk_"
TOKEN_ID_DIGITS = 12     # a token's public id: this many hex digits of its digest
LAST_USE_EVERY = 60.0    # seconds: a token's last use is written at most this often

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, password TEXT NOT NULL, role TEXT NOT NULL,
    teams TEXT NOT NULL DEFAULT '[]', agent_id TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, name TEXT NOT NULL, label TEXT, created_at REAL NOT NULL,
    expires_at REAL, last_used_at REAL, revoked_at REAL);
"""
# Columns the tokens table gained after its first release; older stores get them on opening.
_TOKEN_COLUMNS = ("expires_at", "last_used_at", "revoked_at")
_TOKEN_FIELDS = "digest, name, label, created_at, expires_at, last_used_at, revoked_at"



@dataclass(frozen=True)
class User:
    name: str
    role: str
    teams: tuple[str, ...] = ()
    agent_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


TOKEN_STATUSES = (N_("active"), N_("expired"), N_("revoked"))   # as lists and pages word them


@dataclass(frozen=True)
class Token:
    """What is known of an API token (never the token itself); times in epoch seconds."""

    id: str
    name: str
    label: str | None
    created_at: float
    expires_at: float | None = None
    last_used_at: float | None = None
    revoked_at: float | None = None

    def status(self, now: float) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_id(secret: str) -> str:
    """The public id of the token ``secret``."""
    return _digest(secret)[:TOKEN_ID_DIGITS]


def _token(row: tuple) -> Token:
    return Token(row[0][:TOKEN_ID_DIGITS], *row[1:])


EXPIRES_FORMAT = N_("{param} takes a number of days such as 30d or a last day such as 2026-12-31, "
                    "not {value}")
_DURATION = re.compile(r"\s*(\d{1,5})\s*([dh])\s*", re.IGNORECASE)


def expiry(text: str | None, zone: ZoneInfo, now: float) -> float | None:
    """When a token given ``--expires text`` stops working: ``30d`` (or ``12h``) from now,
    or a date, the last day it works (to its end, in the workspace's zone); None for none."""
    if text is None or not text.strip():
        return None
    found = _DURATION.fullmatch(text)
    if found:
        n, unit = int(found.group(1)), found.group(2).lower()
        if n == 0:
            raise UsageError(EXPIRES_FORMAT, field="expires", value=text)
        return now + n * (86400 if unit == "d" else 3600)
    try:
        day = date.fromisoformat(text.strip()) + timedelta(days=1)
    except (ValueError, OverflowError):   # not a date, or 9999-12-31
        raise UsageError(EXPIRES_FORMAT, field="expires", value=text) from None
    end = day_start(day, zone).timestamp()
    if end <= now:
        raise UsageError(N_("{given} is in the past"), field="expires", value=text)
    return end


class Users(SqliteStore):
    """The user store of one workspace (``telekpi-users.sqlite`` next to the warehouse)."""

    FILE = "telekpi-users.sqlite"
    SCHEMA = _SCHEMA
    PRIVATE = True    # password hashes, session and API token digests

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time):
        super().__init__(path)
        self.clock = clock
        self._add_token_columns()
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
                 self.clock()))
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
        now = self.clock()
        self._q("DELETE FROM sessions WHERE expires_at < ?", (now,))
        self._q("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (_digest(sid), user.name, csrf, now + SESSION_SECONDS))
        return sid, csrf

    def session(self, sid: str) -> tuple[User, str] | None:
        rows = self._q("SELECT name, csrf FROM sessions WHERE digest = ? AND expires_at > ?",
                       (_digest(sid), self.clock()))
        if not rows:
            return None
        user = self.get(rows[0][0])
        return (user, rows[0][1]) if user else None

    def end_session(self, sid: str) -> None:
        self._q("DELETE FROM sessions WHERE digest = ?", (_digest(sid),))

    # -- API tokens (machines) ---------------------------------------------------------
    def _add_token_columns(self) -> None:
        have = {row[1] for row in self._q("PRAGMA table_info(tokens)")}
        for column in _TOKEN_COLUMNS:
            if column not in have:
                try:
                    self._q(f"ALTER TABLE tokens ADD COLUMN {column} REAL")
                except sqlite3.OperationalError as e:   # another process added it meanwhile
                    if "duplicate column" not in str(e):
                        raise

    def new_token(self, name: str, label: str | None = None, expires_at: float | None = None) -> str:
        """A new token acting as ``name`` (the only time it is seen: only its digest is kept)."""
        if not self.get(name):
            raise UsageError(_("no user {name}; a token acts as a user, add the user first").format(name=repr(name)))
        now = self.clock()
        if expires_at is not None and expires_at <= now:
            raise UsageError(_("a token cannot expire before it is made"))
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self._q(f"INSERT INTO tokens ({_TOKEN_FIELDS}) VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                (_digest(token), name, (label or "").strip() or None, now, expires_at))
        return token

    def token(self, secret: str) -> Token | None:
        """The token ``secret`` is, whatever its status; None if it is none."""
        rows = self._q(f"SELECT {_TOKEN_FIELDS} FROM tokens WHERE digest = ?", (_digest(secret),))
        return _token(rows[0]) if rows else None

    def tokens(self, name: str | None = None) -> tuple[Token, ...]:
        """Every token (of ``name``), oldest first, revoked and expired ones too."""
        where, args = ("WHERE name = ?", (name,)) if name is not None else ("", ())
        return tuple(_token(r) for r in self._q(
            f"SELECT {_TOKEN_FIELDS} FROM tokens {where} ORDER BY created_at, digest", args))

    def token_by_id(self, tid: str, name: str | None = None) -> Token:
        """The token whose id is ``tid`` (and whose user is ``name``, when given)."""
        tid = tid.strip().lower()
        rows = [] if not re.fullmatch(f"[0-9a-f]{{{TOKEN_ID_DIGITS}}}", tid) else self._q(
            f"SELECT {_TOKEN_FIELDS} FROM tokens WHERE substr(digest, 1, {TOKEN_ID_DIGITS}) = ?", (tid,))
        found = [t for t in map(_token, rows) if name is None or t.name == name]
        if not found:
            raise NotFoundError(_("no API token {id}").format(id=repr(tid)))
        return found[0]

    def revoke(self, tid: str, name: str | None = None) -> Token:
        """Revoke the token ``tid`` (of ``name``, when given) from now on; the token as it was."""
        token = self.token_by_id(tid, name)
        if token.revoked_at is None:
            self._q(f"UPDATE tokens SET revoked_at = ? WHERE substr(digest, 1, {TOKEN_ID_DIGITS}) = ?",
                    (self.clock(), token.id))
        return token

    def used(self, token: Token) -> None:
        """Note that ``token`` was used now, unless that was noted less than a minute ago."""
        now = self.clock()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
            self._q(f"UPDATE tokens SET last_used_at = ? WHERE substr(digest, 1, {TOKEN_ID_DIGITS}) = ?",
                    (now, token.id))


def _user(row: tuple) -> User:
    return User(row[0], row[1], tuple(json.loads(row[2] or "[]")), row[3])
