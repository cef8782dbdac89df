"""Shift patterns for the schedule builder (``wfm/rostering.py``): the shifts a centre may
give, read from ``shifts.yaml`` beside the warehouse (or ``--shifts FILE``), each error named
with its file and line. docs/workforce.md shows the file::

    shifts:
      - name: day
        starts: ["07:00", "08:00"]     # or start: "07:00", or earliest/latest/every
        length: 8h                     # 8h, 7h30m, 450m or minutes as a number
        breaks: [{after: 4h, length: 30m}]   # off the phones, still paid
        cost: 1.0                      # weight of an agent-hour (default 1)

Without a file, ``DEFAULT_PATTERNS``: an 8-hour shift with a 30-minute break after 4 hours
and a 4-hour one, each starting on any hour."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from telekpi.errors import ConfigError
from telekpi.i18n import _
from telekpi.yaml_lines import KEY_LINES, LINE, load_file

SHIFTS_FILE = "shifts.yaml"
DAY = 24 * 60
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?")


@dataclass(frozen=True)
class Pattern:
    """A shift: its ``starts`` (minutes after local midnight), ``length`` in minutes, ``breaks``
    as (minutes after the start, minutes) and ``cost``, the weight of one of its paid hours."""

    name: str
    starts: tuple[int, ...]
    length: int
    breaks: tuple[tuple[int, int], ...] = ()
    cost: float = 1.0

    @property
    def hours(self) -> float:
        """Paid hours of one shift (breaks included)."""
        return self.length / 60

    def working(self, offset: int) -> bool:
        """Is minute ``offset`` of the shift (0 = its first) on the phones?"""
        return 0 <= offset < self.length and not any(a <= offset < a + n for a, n in self.breaks)


DEFAULT_PATTERNS = (
    Pattern("full-time", tuple(range(0, DAY, 60)), 480, ((240, 30),)),
    Pattern("part-time", tuple(range(0, DAY, 60)), 240),
)


def load_patterns(path: Path | None) -> tuple[list[Pattern], str]:
    """The patterns of ``path`` (the defaults when it is None) and where they come from."""
    if path is None:
        return list(DEFAULT_PATTERNS), _("the default patterns (8 h with a 30-minute break, 4 h; any hour)")
    data = load_file(path, _("cannot read the shift patterns ({reason})"))
    return parse_patterns(data, str(path)), str(path)


def parse_patterns(data, file: str) -> list[Pattern]:
    """``data`` (a parsed shifts YAML) as patterns; a ConfigError with file and line else."""
    items = data.get("shifts") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ConfigError(_("no shift patterns: write a list under shifts: (docs/workforce.md shows one)"),
                          file=file, line=data.get(LINE) if isinstance(data, dict) else None)
    out, names = [], set()
    for item in items:
        if not isinstance(item, dict):
            raise ConfigError(_("each shift pattern is a mapping with name, start(s) and length"), file=file)
        pattern = _pattern(item, file)
        if pattern.name in names:
            raise ConfigError(_("shift pattern {name} is declared twice").format(name=pattern.name),
                              file=file, line=item.get(LINE))
        names.add(pattern.name)
        out.append(pattern)
    return out


def _pattern(item: dict, file: str) -> Pattern:
    def fail(key: str, message: str) -> NoReturn:
        line = item.get(KEY_LINES, {}).get(key, item.get(LINE))
        raise ConfigError(message, file=file, line=line, column=key)

    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        fail("name", _("a shift pattern needs a name"))
    length = _minutes(item.get("length"))
    if length is None or not 0 < length <= DAY:
        fail("length", _("{value} is not a shift length; write e.g. 8h, 7h30m or 450m (at most 24h)").format(
            value=repr(item.get("length"))))
    starts = _starts(item, fail)
    breaks = []
    for b in item.get("breaks") or []:
        after = _minutes(b.get("after")) if isinstance(b, dict) else None
        span = _minutes(b.get("length")) if isinstance(b, dict) else None
        if after is None or span is None or span <= 0 or after + span > length:
            fail("breaks", _("{value} is not a break within the shift; write e.g. {{after: 4h, length: 30m}}")
                 .format(value=repr({k: v for k, v in b.items() if k not in (LINE, KEY_LINES)}
                                    if isinstance(b, dict) else b)))
        breaks.append((after, span))
    cost = item.get("cost", 1.0)
    if isinstance(cost, bool) or not isinstance(cost, int | float) or not cost > 0:
        fail("cost", _("{value} is not a cost per agent-hour; write a number above 0, e.g. 1.25").format(
            value=repr(cost)))
    return Pattern(str(name).strip(), starts, length, tuple(sorted(breaks)), float(cost))


def _starts(item: dict, fail: Callable[[str, str], NoReturn]) -> tuple[int, ...]:
    if "start" in item or "starts" in item:
        given = item.get("starts", item.get("start"))
        values = given if isinstance(given, list) else [given]
        starts = [_clock(v) for v in values]
        if not values or None in starts:
            fail("starts" if "starts" in item else "start",
                 _("{value} is not a list of start times (HH:MM)").format(value=repr(given)))
        return tuple(sorted(set(s for s in starts if s is not None)))
    first, last, every = _clock(item.get("earliest")), _clock(item.get("latest")), _minutes(item.get("every", "1h"))
    if first is None or last is None or last < first:
        fail("earliest", _("a shift pattern needs start: HH:MM, starts: [HH:MM, …] or earliest: HH:MM and "
                           "latest: HH:MM (latest not before earliest)"))
    if every is None or every <= 0:
        fail("every", _("{value} is not a step between starts; write e.g. 30m or 1h").format(
            value=repr(item.get("every"))))
    return tuple(range(first or 0, (last or 0) + 1, every or 60))


def _clock(value) -> int | None:
    """``"07:30"`` → 450; also YAML's sexagesimal reading of an unquoted 07:30 (450)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < DAY else None
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip()) if isinstance(value, str) else None
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        return None
    return int(m.group(1)) * 60 + int(m.group(2))


def _minutes(value) -> int | None:
    """``8h``, ``7h30m``, ``450m`` or a number of minutes → minutes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    m = _DURATION.fullmatch(str(value).strip().lower().replace(" ", "")) if isinstance(value, str) else None
    if not m or not (m.group(1) or m.group(2)):
        return None
    return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
