"""Time scope: dates in the workspace timezone → UTC instants and period SQL."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from telekpi import sql as sqltext

STEP = {"day": "INTERVAL 1 DAY", "week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH",
        "quarter": "INTERVAL 3 MONTH", "year": "INTERVAL 1 YEAR"}


def local_midnight_utc(d: date, tz: ZoneInfo) -> str:
    """The instant a local day begins, as a UTC timestamptz literal."""
    local = datetime.combine(d, time(0), tzinfo=tz)
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


def time_filter(time_expr: str, is_date: bool, tz: ZoneInfo, start: date | None,
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


# Fixed-offset zones: a zone whose UTC offset has not changed since FIXED_SINCE gets its local
# times by integer arithmetic instead of ICU's zone rules (4x cheaper per row, measured on 10M
# calls). Ho Chi Minh City, Bangkok, Jakarta, Kolkata, UTC qualify, and so do Shanghai and
# Taipei (their last DST ended in 1991 and 1979); zones with DST do not. A timestamp before
# 1992 in a fixed-offset workspace would be read with today's offset.
FIXED_SINCE = 1992


@lru_cache(maxsize=64)
def fixed_offset(tz: ZoneInfo) -> int | None:
    """The zone's offset in seconds if it is the same every half month from FIXED_SINCE to 2100."""
    offsets = {datetime(y, m, d, tzinfo=timezone.utc).astimezone(tz).utcoffset()
               for y in range(FIXED_SINCE, 2101) for m in range(1, 13) for d in (1, 16)}
    return int(offsets.pop().total_seconds()) if len(offsets) == 1 else None


def localize(sql: str, tz: ZoneInfo) -> str:
    """``timezone('<tz>', instant)`` → ``make_timestamp(epoch_us(instant) + offset)`` when the
    workspace zone has one fixed offset; the local → instant form (``CAST(… AS TIMESTAMP)``)
    and every other zone keep ICU. The planner's final step: one pass over the SQL text."""
    offset = fixed_offset(tz)
    if offset is None:
        return sql
    head = "timezone(" + sqltext.string(tz.key) + ", "
    out, i = [], 0
    while (j := sql.find(head, i)) >= 0:
        start, depth, k = j + len(head), 1, j + len(head)
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[k], 0)
            k += 1
        arg = sql[start:k - 1]
        out.append(sql[i:j])
        if re.fullmatch(r"CAST\(.* AS TIMESTAMP\)", arg, re.S):
            out.append(sql[j:k])
        else:
            out.append(f"make_timestamp(epoch_us({localize(arg, tz)}) + {offset * 1_000_000})")
        i = k
    out.append(sql[i:])
    return "".join(out)
