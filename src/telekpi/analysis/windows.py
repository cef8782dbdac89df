"""Date windows: the named ones (today, last_7_days, previous_month, …), the window a
scope is compared with, and that comparison in words. The one definition the dashboard,
the reports, the alerts and the CLI share, so "vs the previous period" means the same
days on every surface. Dates are local days of the workspace, both ends included.

The previous window has the same length and sits just before. A whole calendar month,
quarter or year is compared with the one before it (November with October, Q3 with Q2,
2026 with 2025, all of March with all of February); any other span with as many days
just before (1–15 March with 14–28 February)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from telekpi.i18n import _, current
from telekpi.i18n.numbers import Formatter
from telekpi.units import formatter

WINDOWS = ("today", "yesterday", "last_7_days", "last_30_days", "week", "month",
           "previous_week", "previous_month")
# Windows that run "to date": a scheduled report of one ends with the last full day before
# the run (a Monday 08:00 report of `week` covers last Monday to Sunday, not a few hours).
TO_DATE = ("last_7_days", "last_30_days", "week", "month")


def _month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def period_days(start: date, period: str) -> Window:
    """The days of the trend period (``Window.trend_period``: day, week, month) that begins
    on ``start``: what a point of a trend chart stands for."""
    if period == "week":
        return Window(start, start + timedelta(days=6))
    if period == "month":
        return Window(start, _month_end(start))
    return Window(start, start)


def _months_before(d: date, months: int) -> date:
    """The 1st of the month ``months`` before ``d``'s month."""
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, 1)


class Window(NamedTuple):
    """Local days ``start``–``end``, both included (unpacks as ``start, end``)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def calendar(self) -> str | None:
        """"year", "quarter" or "month" when the window is exactly one of them, else None."""
        s, e = self.start, self.end
        if s.day != 1 or e != _month_end(e):
            return None
        months = (e.year - s.year) * 12 + e.month - s.month + 1
        if months == 12 and s.month == 1:
            return "year"
        if months == 3 and s.month % 3 == 1:
            return "quarter"
        return "month" if months == 1 else None

    def previous(self) -> Window:
        """What this window is compared with: the calendar month, quarter or year before a
        whole one; as many days just before any other."""
        months = {"month": 1, "quarter": 3, "year": 12}.get(self.calendar or "")
        if months:
            first = _months_before(self.start, months)
            return Window(first, self.start - timedelta(days=1))
        return Window(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def trend_period(self) -> str:
        """The period of a trend line over the window: days up to two months, then weeks, then months."""
        return "day" if self.days <= 62 else "week" if self.days <= 370 else "month"

    def words(self, fmt: Formatter | None = None) -> str:
        """The window as the language says it: "October 2026", "Q2 2026", "2025",
        "Feb 14 – 28, 2026", "Mar 14, 2026"."""
        fmt = fmt or formatter(current())
        kind = self.calendar
        if kind == "month":
            return fmt.month_name(self.start)
        if kind in ("quarter", "year"):
            return fmt.value(self.start, kind)
        return fmt.span(self.start, self.end)

    def to_json(self, fmt: Formatter | None = None) -> dict:
        """The window as the JSON report and the API give it: ISO days, length, words."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "days": self.days,
                "words": self.words(fmt)}

    def versus(self, fmt: Formatter | None = None) -> str:
        """The comparison in words: "vs October 2026", "vs Feb 14 – 28, 2026"."""
        return _("vs {period}").format(period=self.previous().words(fmt))


def window(name: str, today: date) -> Window:
    """The days of window ``name`` as seen on ``today``."""
    if name == "today":
        return Window(today, today)
    if name == "yesterday":
        return Window(today - timedelta(days=1), today - timedelta(days=1))
    if name == "last_7_days":
        return Window(today - timedelta(days=6), today)
    if name == "last_30_days":
        return Window(today - timedelta(days=29), today)
    if name == "week":
        return Window(today - timedelta(days=today.weekday()), today)
    if name == "previous_week":
        monday = today - timedelta(days=today.weekday() + 7)
        return Window(monday, monday + timedelta(days=6))
    if name == "previous_month":
        first = _months_before(today, 1)
        return Window(first, _month_end(first))
    if name == "month":
        return Window(today.replace(day=1), today)
    raise ValueError(f"unknown window {name!r}")


def run_window(name: str, run_day: date) -> Window:
    """The days a scheduled report of window ``name`` run on ``run_day`` covers."""
    return window(name, run_day - timedelta(days=1) if name in TO_DATE else run_day)
