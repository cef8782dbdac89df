"""Time scope: dates in the workspace timezone → UTC instants and period SQL."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

STEP = {"day": "INTERVAL 1 DAY", "week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH",
        "quarter": "INTERVAL 3 MONTH", "year": "INTERVAL 1 YEAR"}


def local_midnight_utc(d: date, tz: str) -> str:
    """The instant a local day begins, as a UTC timestamptz literal."""
    local = datetime.combine(d, time(0), tzinfo=ZoneInfo(tz))
    return "TIMESTAMPTZ '" + local.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00") + "'"


def period_start(d: date, period: str) -> date:
    if period == "day":
        return d
    if period == "week":
        return d - timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    if period == "quarter":
        return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)
    return d.replace(month=1, day=1)


def previous_period_start(d: date, period: str) -> date:
    start = period_start(d, period)
    if period == "day":
        return start - timedelta(days=1)
    if period == "week":
        return start - timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    y, m = divmod(start.year * 12 + start.month - 1 - months, 12)
    return date(y, m + 1, 1)


def period_sql(period: str, time_expr: str, is_date: bool, tz_literal: str) -> str:
    local = time_expr if is_date else f"timezone({tz_literal}, {time_expr})"
    return f"CAST(date_trunc('{period}', {local}) AS DATE)"


def period_end_sql(period: str, period_col: str, tz_literal: str) -> str:
    """The instant after a period ends, for `{scope_end}` in period queries."""
    return f"timezone({tz_literal}, CAST({period_col} + {STEP[period]} AS TIMESTAMP))"


def time_filter(time_expr: str, is_date: bool, tz: str, start: date | None,
                end: date | None) -> list[str]:
    out = []
    if is_date:
        if start:
            out.append(f"{time_expr} >= DATE '{start.isoformat()}'")
        if end:
            out.append(f"{time_expr} <= DATE '{end.isoformat()}'")
        return out
    if start:
        out.append(f"{time_expr} >= {local_midnight_utc(start, tz)}")
    if end:
        out.append(f"{time_expr} < {local_midnight_utc(end + timedelta(days=1), tz)}")
    return out
