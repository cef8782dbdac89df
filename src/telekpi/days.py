"""Local days as instants: a day of the workspace's calendar begins at midnight in its zone,
and a range of days ``first``…``last`` reads from the first one's midnight (inclusive) to the
midnight after the last (exclusive). Every list, lookup and window that turns days into
times takes them from here, so a day is the same day on every surface (and across DST, where
a day is 23 or 25 hours long)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo


def day_start(d: date, tz: tzinfo) -> datetime:
    """The first instant of local day ``d`` in zone ``tz``; a day's end is the next day's start."""
    return datetime.combine(d, time(), tz)


def day_bounds(first: date | None, last: date | None,
               tz: tzinfo) -> tuple[datetime | None, datetime | None]:
    """Local days ``first``…``last`` (both included; either open) as the instants a list reads
    from (inclusive) and to (exclusive)."""
    return (day_start(first, tz) if first else None,
            day_start(last + timedelta(days=1), tz) if last else None)


def end_of_day(d: date, tz: tzinfo) -> datetime:
    """The last whole second of local day ``d``: what "as of the end of the day" evaluates at
    (the dashboard's and the report's alerts for a range ending on ``d``)."""
    return day_start(d + timedelta(days=1), tz) - timedelta(seconds=1)
