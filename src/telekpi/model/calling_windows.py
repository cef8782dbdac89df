"""Permitted calling windows, in the called person's local time: the rules and the check.

A rule names a country (ISO 3166, as ``phonenumbers`` gives a number's region; ``*`` for every
other country) and its windows: the local hours calls may be placed, on all days or on some
weekdays (``mon-fri 08:30-20:00, sat-sun 08:00-18:00``). The workspace writes its rules in the
setting ``calling_windows`` (``docs/operations-compliance.md``); ``DEFAULT_WINDOWS`` are
conservative defaults taken from the rules cited there, not legal advice.

A number's time zones come from ``phonenumbers.timezone`` (its region and, where the prefix
says, its area). A number that may be in several zones (a US toll-free or mobile number, an
Australian mobile) follows the strictest reading: a call is inside the window only when it is
inside it in every zone the number may be in. A number whose zone is unknown is read in the
workspace's zone. Each local time is computed with ``zoneinfo``, so daylight saving time is
that of the called person's zone on that day. Public holidays are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from telekpi.i18n import _

# Conservative defaults (docs/operations-compliance.md cites each): Vietnam's Decree
# 91/2020/ND-CP (advertising calls 08:00-17:00), Thailand's consumer-protection guidance on
# telemarketing hours (weekdays 08:30-20:00, weekends 08:00-18:00), the US TCPA (47 CFR
# 64.1200(c)(1): 08:00-21:00 at the called party's location); elsewhere 09:00-20:00.
DEFAULT_WINDOWS = ("VN=08:00-17:00; TH=mon-fri 08:30-20:00, sat-sun 08:00-18:00; "
                   "US=08:00-21:00; CA=08:00-21:00; *=09:00-20:00")

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class WindowsError(ValueError):
    """A ``calling_windows`` text that cannot be read; the message says where."""


@dataclass(frozen=True)
class Window:
    days: frozenset[int]   # weekday numbers, Monday 0
    start: time
    end: time              # exclusive: a call at the end minute is outside

    def holds(self, local: datetime) -> bool:
        return local.weekday() in self.days and self.start <= local.time() < self.end


@dataclass(frozen=True)
class Rule:
    region: str
    windows: tuple[Window, ...]

    def allows(self, local: datetime) -> bool:
        return any(w.holds(local) for w in self.windows)

    def describe(self) -> str:
        parts = []
        for w in self.windows:
            days = "" if len(w.days) == 7 else _days_text(w.days) + " "
            parts.append(f"{days}{w.start:%H:%M}-{w.end:%H:%M}")
        return ", ".join(parts)


def _days_text(days: frozenset[int]) -> str:
    ordered = sorted(days)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 1:
        return f"{DAYS[ordered[0]]}-{DAYS[ordered[-1]]}"
    return ",".join(DAYS[d] for d in ordered)


def _clock(text: str, where: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        if len(minutes) != 2:
            raise ValueError
        h, m = int(hours), int(minutes)
    except ValueError:
        raise WindowsError(_("{where}: {value} is not a time such as 08:00").format(
            where=where, value=repr(text.strip()))) from None
    if h == 24 and m == 0:
        return time.max
    if not (0 <= h < 24 and 0 <= m < 60):
        raise WindowsError(_("{where}: {value} is not a time such as 08:00").format(
            where=where, value=repr(text.strip())))
    return time(h, m)


def _days(text: str, where: str) -> frozenset[int]:
    out: set[int] = set()
    for part in text.split(","):
        part = part.strip().lower()
        first, __, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise WindowsError(_("{where}: {value} is not a day or days such as mon-fri").format(
                where=where, value=repr(part)))
        a, b = DAYS.index(first), DAYS.index(last or first)
        out.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(out)


@lru_cache(maxsize=64)
def parse_windows(text: str) -> dict[str, Rule]:
    """``VN=08:00-17:00; TH=mon-fri 08:30-20:00, sat-sun 08:00-18:00; *=09:00-20:00`` → rules
    by region. Raises ``WindowsError`` saying which part is wrong."""
    rules: dict[str, Rule] = {}
    for chunk in (c.strip() for c in text.split(";")):
        if not chunk:
            continue
        region, eq, spec = chunk.partition("=")
        region = region.strip().upper()
        if not eq or not (region == "*" or (len(region) == 2 and region.isalpha())):
            raise WindowsError(_("{value} must be a country code (such as VN) or *, then =, then its "
                                "hours such as 08:00-21:00").format(value=repr(chunk)))
        windows = []
        for piece in (p.strip() for p in _split_windows(spec)):
            days_text, __, hours = piece.rpartition(" ")
            start_text, dash, end_text = hours.partition("-")
            if not dash:
                raise WindowsError(_("{where}: {value} is not hours such as 08:00-21:00").format(
                    where=region, value=repr(piece)))
            start, end = _clock(start_text, region), _clock(end_text, region)
            if end <= start:
                raise WindowsError(_("{where}: {value} ends before it starts").format(
                    where=region, value=repr(piece)))
            days = _days(days_text, region) if days_text.strip() else frozenset(range(7))
            windows.append(Window(days, start, end))
        if not windows:
            raise WindowsError(_("{where}: no hours given").format(where=region))
        rules[region] = Rule(region, tuple(windows))
    return rules


def _split_windows(spec: str) -> list[str]:
    """``mon-fri 08:30-20:00, sat-sun 08:00-18:00`` → its windows: a comma starts a new window
    only when what follows holds hours (``mon,wed 09:00-17:00`` is one window)."""
    parts: list[str] = []
    for piece in spec.split(","):
        if parts and ":" not in parts[-1]:
            parts[-1] += "," + piece
        else:
            parts.append(piece)
    return [p for p in parts if p.strip()]


@dataclass(frozen=True)
class Place:
    """Where a called number rings, as far as its number says."""

    region: str | None          # ISO 3166 code, None when the number is not one
    zones: tuple[str, ...]      # IANA zones it may be in; empty: unknown


@lru_cache(maxsize=100_000)
def place_of(number: str) -> Place:
    """The region and possible time zones of an E.164 number (``+84974442778``)."""
    import phonenumbers
    from phonenumbers import timezone as pn_timezone

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return Place(None, ())
    region = phonenumbers.region_code_for_number(parsed)
    zones = tuple(z for z in pn_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")
    return Place(region if region and region != "ZZ" else None, zones)


@dataclass(frozen=True)
class Verdict:
    """A call's place in the window: ``outside`` is True when some zone the number may be in
    had it outside its region's window; ``local`` the called person's local time there;
    ``window`` the rule's hours (written out for a call outside them only)."""

    outside: bool
    region: str
    zone: str
    local: datetime
    window: str
    zone_known: bool


def judge(number: str, at: datetime, rules: dict[str, Rule], fallback_zone: str) -> Verdict | None:
    """The verdict on a call placed at ``at`` (aware) to ``number``; None for a number that is not
    an international number (an extension, ``anonymous``) or with no rule for its region."""
    if not number.startswith("+"):
        return None
    place = place_of(number)
    if place.region is None:
        return None
    rule = rules.get(place.region) or rules.get("*")
    if rule is None:
        return None
    zones = place.zones or (fallback_zone,)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    first: Verdict | None = None
    for zone in zones:
        local = at.astimezone(ZoneInfo(zone))
        if not rule.allows(local):   # the strictest reading: outside in any zone is outside
            return Verdict(True, place.region, zone, local, _describe(rule), bool(place.zones))
        first = first or Verdict(False, place.region, zone, local, "", bool(place.zones))
    return first


@lru_cache(maxsize=256)
def _describe(rule: Rule) -> str:
    return rule.describe()
