"""Sign-in throttling: too many failed sign-ins lock an account name, or an address, for a while.

A failure is a wrong name or password on the login form (counted against the name typed
and the address it came from) or an API token that is not valid (counted against the
address). Once a name has ``signin_account_failures`` failures within ``signin_window_s``
seconds, or an address ``signin_address_failures``, it is locked for ``signin_lockout_s``
seconds: every sign-in for that name or from that address is refused with 429 and a
``Retry-After``, a correct password too (else a lock would only tell a guesser when they
are right), without the password being checked at all. When the lock ends the count
starts again from nothing. A successful sign-in clears its name's failures but not its
address's, so one account the guesser owns cannot wash their address clean.

The back-off is fixed, not exponential: a lock lasts as long the tenth time as the first.
That caps the guesses an attacker gets (five per name per quarter hour by default, 480 a
day) while a colleague who mistyped, or a name an attacker keeps locking on purpose,
gets back in at a time the page can state, never hours later.

The counts live in this process's memory (``telekpi serve`` is one process), so a restart
clears them; each table holds at most ``capacity`` names or addresses, the ones seen least
recently dropped first (locked ones last), so spraying made-up names cannot grow memory.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from telekpi.errors import TooManySignIns
from telekpi.settings import Settings

log = logging.getLogger("telekpi.signin")

CAPACITY = 10_000     # names and addresses each table remembers at most
NAME_CHARS = 200      # a name typed longer than this is counted by its first 200 characters


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)   # at most the limit: a list is smallest
    locked_until: float = 0.0


class _Table:
    """Failures and locks of one kind of key (names or addresses), bounded in size."""

    def __init__(self, limit: int, window: float, lockout: float, capacity: int):
        self.limit, self.window, self.lockout, self.capacity = limit, window, lockout, capacity
        self.records: OrderedDict[str, _Record] = OrderedDict()

    def locked_for(self, key: str, now: float) -> float:
        rec = self.records.get(key)
        if rec is None or rec.locked_until <= now:
            return 0.0
        return rec.locked_until - now

    def fail(self, key: str, now: float) -> bool:
        """Count a failure; True when it locks ``key``."""
        if self.limit <= 0:
            return False
        rec = self.records.pop(key, None) or _Record()
        self.records[key] = rec            # most recently seen last
        if rec.locked_until and rec.locked_until <= now:
            rec.locked_until = 0.0         # a lock that ended starts a fresh count
            rec.failures.clear()
        rec.failures = [t for t in rec.failures if t > now - self.window]
        rec.failures.append(now)
        locks = len(rec.failures) >= self.limit
        if locks:
            rec.locked_until = now + self.lockout
            rec.failures.clear()
        self._trim(now)
        return locks

    def clear(self, key: str) -> None:
        self.records.pop(key, None)

    def _trim(self, now: float) -> None:
        if len(self.records) <= self.capacity:
            return
        for key in [k for k, r in self.records.items() if r.locked_until <= now]:
            del self.records[key]
            if len(self.records) <= self.capacity:
                return
        while len(self.records) > self.capacity:   # all locked: the oldest go all the same
            self.records.popitem(last=False)


class SignInThrottle:
    """Failed sign-ins per account name and per address; thread-safe; ``clock`` in seconds."""

    def __init__(self, account_failures: int = 5, address_failures: int = 20,
                 window_s: float = 900.0, lockout_s: float = 900.0, *,
                 capacity: int = CAPACITY, clock: Callable[[], float] = time.monotonic):
        self.accounts = _Table(account_failures, window_s, lockout_s, capacity)
        self.addresses = _Table(address_failures, window_s, lockout_s, capacity)
        self.clock = clock
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, **kw) -> SignInThrottle:
        return cls(settings.signin_account_failures, settings.signin_address_failures,
                   settings.signin_window_s, settings.signin_lockout_s, **kw)

    def refusal(self, address: str, name: str | None = None) -> TooManySignIns | None:
        """Why a sign-in from ``address`` (as ``name``) must be refused now, if it must."""
        now = self.clock()
        with self._lock:
            seconds = max(self.addresses.locked_for(address, now),
                          self.accounts.locked_for(_key(name), now) if name is not None else 0.0)
        return TooManySignIns(max(1, math.ceil(seconds))) if seconds > 0 else None

    def failed(self, address: str, name: str | None = None) -> TooManySignIns | None:
        """Count a failed sign-in; the refusal it brings about when it locks the name or the
        address (logged once, as the lock starts)."""
        now = self.clock()
        with self._lock:
            if name is not None and self.accounts.fail(_key(name), now):
                log.warning("sign-in locked: account %r after %d failed sign-ins within %d s "
                            "(last from %s); refused for %d s", _key(name), self.accounts.limit,
                            self.accounts.window, address, self.accounts.lockout)
            if self.addresses.fail(address, now):
                log.warning("sign-in locked: address %s after %d failed sign-ins or API tokens "
                            "within %d s (the last %s); refused for %d s", address,
                            self.addresses.limit, self.addresses.window,
                            f"as {_key(name)!r}" if name is not None else "an API token",
                            self.addresses.lockout)
        return self.refusal(address, name)

    def succeeded(self, name: str) -> None:
        """A right password: the name's failures are forgiven (the address's are not)."""
        with self._lock:
            self.accounts.clear(_key(name))


def _key(name: str | None) -> str:
    return (name or "").strip()[:NAME_CHARS]
