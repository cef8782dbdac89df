"""Plausibility: the range a typed value must lie in to be stored (docs/import.md,
"Plausibility ranges"; per column in docs/tables.md).

A value can be of its column's type and still poison the warehouse: ``NaN`` or ``1e309``
seconds, a call in year 0 or 10000, an offset of +99:99, an 11-digit phone number that
landed in ``wait_s``, a 40 MB field. Such a row is quarantined with a reason that names the
range and, where a centre may move it, its setting:

- every number finite (no NaN, no ±infinity, no literal too large for a double);
- durations (``seconds``) at most ``max_duration_s``;
- times and dates from 1970-01-01 (the workspace's local day) to ``future_horizon_days``
  after today (and at most ``model.tables.LATEST``), which also rules out year 0, negative
  years and years from 10000;
- a time's UTC offset within ±14:00;
- a field read at most ``max_field_chars`` characters.

The conditions are SQL over the validator's columns (``quality.validate``): each check is
(condition, column blamed, SQL of the reason), tested in order after the type checks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from telekpi.days import day_start
from telekpi.i18n import _
from telekpi.model.tables import EARLIEST, LATEST, MAX_OFFSET_MINUTES, Column
from telekpi.settings import Settings
from telekpi.sql import message as sql_message
from telekpi.sql import string as lit

Check = tuple[str, str, str]   # condition, column, reason (SQL)

# The offset at the end of a time the validator reads as one ('+07:00', '-0530', '+14'):
# its sign, hours and minutes.
OFFSET_PARTS = r"([+-])(\d\d):?(\d\d)?$"
# The epoch seconds DuckDB can turn into a time (years 1 to 9999); a value outside them would
# stop the import with a conversion error, so it is left untyped and rejected as not a time.
EPOCH_RANGE = (-62135596800, 253402300799)


def epoch_time(seconds: str) -> str:
    """SQL for ``to_timestamp(seconds)``, NULL (not an error) for seconds DuckDB cannot convert."""
    lo, hi = EPOCH_RANGE
    return f"(CASE WHEN {seconds} BETWEEN {lo} AND {hi} THEN to_timestamp({seconds}) END)"


class Plausible:
    """The plausibility checks of one import: its settings, its zone, and today."""

    def __init__(self, settings: Settings, timezone: str, today: date | None = None):
        self.settings = settings
        today = today or datetime.now(ZoneInfo(timezone)).date()
        self.latest_day = today + timedelta(days=min(settings.future_horizon_days,
                                                     (LATEST - today).days))
        zone = ZoneInfo(timezone)
        self.earliest = day_start(EARLIEST, zone).astimezone(UTC)
        self.latest = day_start(self.latest_day + timedelta(days=1), zone).astimezone(UTC)

    def length(self, col: Column, raw: str) -> Check:
        """A field longer than ``max_field_chars`` (``strlen``, bytes, is free and at least the
        length in characters, so ``length`` is counted only for a long value)."""
        limit = self.settings.max_field_chars
        return (f"strlen({raw}) > {limit} AND length({raw}) > {limit}", col.name,
                sql_message(_("{column}: a value of {length} characters; the limit is {max} "
                              "(setting max_field_chars)"), {"length": f"CAST(length({raw}) AS VARCHAR)"},
                            column=col.name, max=limit))

    def checks(self, col: Column, typed: str, raw: str, shown: dict[str, str]) -> list[Check]:
        """The checks of a typed value ``typed`` read from ``raw`` (its value quoted: ``shown``)."""
        out: list[Check] = []
        if col.type in ("seconds", "double", "int"):
            out.append((f"NOT isfinite({typed})", col.name,
                        sql_message(_("{column}: {value} is not a finite number"), shown, column=col.name)))
        if col.type == "seconds":
            limit = self.settings.max_duration_s
            out.append((f"{typed} > {limit!r}", col.name,
                        sql_message(_("{column}: {value} is more than {max} seconds, the longest "
                                      "plausible duration (setting max_duration_s)"), shown,
                                    column=col.name, max=f"{limit:g}")))
        if col.type in ("timestamp", "date"):
            if col.type == "timestamp":
                first, last = (f"CAST({lit(t.strftime('%Y-%m-%d %H:%M:%S+00'))} AS TIMESTAMPTZ)"
                               for t in (self.earliest, self.latest))
                after = f"{typed} >= {last}"
            else:
                first, last = (f"CAST({lit(d.isoformat())} AS DATE)" for d in (EARLIEST, self.latest_day))
                after = f"{typed} > {last}"
            out.append((f"{typed} < {first}", col.name,
                        sql_message(_("{column}: {value} is before {min}"), shown, column=col.name,
                                    min=EARLIEST.isoformat())))
            out.append((after, col.name,
                        sql_message(_("{column}: {value} is after {max}, {days} days from today "
                                      "(setting future_horizon_days)"), shown, column=col.name,
                                    max=self.latest_day.isoformat(),
                                    days=self.settings.future_horizon_days)))
        return out

    def offset(self, col: Column, raw: str, shown: dict[str, str]) -> Check:
        """A time whose offset is beyond ±14:00 (+99:99 would move it by 100 hours), or whose
        minutes are not minutes. ``raw`` is text the validator read as a time with an offset."""
        hours = f"CAST(regexp_extract({raw}, {lit(OFFSET_PARTS)}, 2) AS INTEGER)"
        minutes = f"coalesce(TRY_CAST(regexp_extract({raw}, {lit(OFFSET_PARTS)}, 3) AS INTEGER), 0)"
        return (f"regexp_matches({raw}, {lit(OFFSET_PARTS)}) AND ({minutes} > 59 OR "
                f"{hours} * 60 + {minutes} > {MAX_OFFSET_MINUTES})", col.name,
                sql_message(_("{column}: {value} has a UTC offset beyond ±14:00"), shown, column=col.name))
