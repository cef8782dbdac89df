"""Named date windows (today, last_7_days, previous_month, …) and the period each is
compared with. Shared by alert rules, reports and schedules; dates are local days."""

from __future__ import annotations

from datetime import date, timedelta

WINDOWS = ("today", "yesterday", "last_7_days", "last_30_days", "week", "month",
           "previous_week", "previous_month")


def window(name: str, today: date) -> tuple[date, date]:
    """The inclusive days of window ``name`` as seen on ``today``."""
    if name == "today":
        return today, today
    if name == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if name == "last_7_days":
        return today - timedelta(days=6), today
    if name == "last_30_days":
        return today - timedelta(days=29), today
    if name == "week":
        return today - timedelta(days=today.weekday()), today
    if name == "previous_week":
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    if name == "previous_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if name == "month":
        return today.replace(day=1), today
    raise ValueError(f"unknown window {name!r}")


def previous(start: date, end: date) -> tuple[date, date]:
    """What a period is compared with. A period that starts on the 1st and stays in its
    month is compared with the same days of the previous month (a whole month with the
    whole previous month); one that starts on a Monday and stays in its week, with the
    same days of the previous week; any other, with as many days just before."""
    if start.day == 1 and (start.year, start.month) == (end.year, end.month):
        last_day = start - timedelta(days=1)
        first = last_day.replace(day=1)
        month_end = (end + timedelta(days=1)).month != end.month
        if month_end:
            return first, last_day
        return first, min(first.replace(day=min(end.day, last_day.day)), last_day)
    if start.weekday() == 0 and (end - start).days < 7:
        return start - timedelta(days=7), end - timedelta(days=7)
    return days_before(start, end)


def days_before(start: date, end: date) -> tuple[date, date]:
    """As many days as ``start``–``end``, just before it."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def trend_period(start: date, end: date) -> str:
    """The period of a trend line over ``start``–``end``: days up to two months, then weeks, then months."""
    days = (end - start).days + 1
    return "day" if days <= 62 else "week" if days <= 370 else "month"
