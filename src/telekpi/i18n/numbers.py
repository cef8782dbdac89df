"""Numbers, money, durations and dates as a reader of each language writes them (Babel).

VND has no decimals and THB, CNY and TWD two, as CLDR says; Vietnamese and Thai
dates are dd/mm/yyyy. Rates are fractions in data and percentages on screen."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
)

from telekpi.i18n import current

BABEL_LOCALE = {"en": "en", "vi": "vi", "th": "th", "zh_Hans": "zh_Hans_CN", "zh_Hant": "zh_Hant_TW"}
DATE_PATTERN = {"en": "yyyy-MM-dd", "vi": "dd/MM/yyyy", "th": "dd/MM/yyyy", "zh_Hans": "yyyy-MM-dd",
                "zh_Hant": "yyyy/MM/dd"}
SHORT_PATTERN = {"en": "MMM d", "vi": "dd/MM", "th": "dd/MM", "zh_Hans": "M/d", "zh_Hant": "M/d"}
MONTH_PATTERN = {"en": "MMM yyyy", "vi": "MM/yyyy", "th": "MMM yyyy", "zh_Hans": "yyyy年M月",
                 "zh_Hant": "yyyy年M月"}


def half_up(v, digits: int) -> Decimal:
    """Round as Excel and people do (12.5 → 13), not as banks do (12.5 → 12)."""
    return Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def clock(seconds: float) -> str:
    s = int(round(seconds))
    sign, s = ("-", -s) if s < 0 else ("", s)
    return f"{sign}{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{sign}{s // 60}:{s % 60:02d}"


class Formatter:
    """Formats values by unit for one language and currency."""

    def __init__(self, lang: str | None = None, currency: str = "USD"):
        self.lang = lang or current()
        self.locale = Locale.parse(BABEL_LOCALE.get(self.lang, "en"))
        self.currency = currency
        self.currency_digits = get_currency_precision(currency)

    def number(self, v, digits: int | None = None) -> str:
        if v is None:
            return "—"
        if digits is None:
            if isinstance(v, int) or float(v).is_integer():
                return format_decimal(int(v), "#,##0", locale=self.locale)
            digits = 2
        return format_decimal(half_up(v, digits), "#,##0." + "0" * digits if digits else "#,##0",
                              locale=self.locale)

    def percent(self, v, digits: int = 1) -> str:
        if v is None:
            return "—"
        return format_percent(v, "#,##0." + "0" * digits + "%" if digits else "#,##0%", locale=self.locale)

    def change(self, v) -> str:
        """A relative change, signed: +12.3%."""
        return "—" if v is None else ("+" if v > 0 else "") + self.percent(v)

    def money(self, v, symbol: bool = True) -> str:
        """Whole amounts above 100 (as managers read totals); cents below, if the currency has them."""
        if v is None:
            return "—"
        digits = 0 if abs(v) >= 100 else self.currency_digits
        if not symbol:
            return self.number(v, digits)
        pattern = self.locale.currency_formats["standard"].pattern.split(";")[0]
        pattern = re.sub(r"\.0+", "." + "0" * digits if digits else "", pattern)
        return format_currency(half_up(v, digits), self.currency, pattern, locale=self.locale,
                               currency_digits=False)

    def seconds(self, v) -> str:
        return "—" if v is None else clock(v)

    def value(self, v, unit: str | None, symbol: bool = False) -> str:
        """One value by its catalog unit (rate, seconds, money, ratio, score, count)."""
        if v is None:
            return "—"
        if unit == "rate":
            return self.percent(v)
        if unit == "seconds":
            return clock(v)
        if unit == "money":
            return self.money(v, symbol)
        if unit in ("ratio", "score"):
            return self.number(v, 2)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return self.number(v)
        return str(v)

    def date(self, d: date | str | None) -> str:
        if d is None:
            return "—"
        if isinstance(d, str):
            d = date.fromisoformat(d[:10])
        return format_date(d, DATE_PATTERN.get(self.lang, "yyyy-MM-dd"), locale=self.locale)

    def short_date(self, d: date | str) -> str:
        """Day and month only, for chart axes."""
        if isinstance(d, str):
            d = date.fromisoformat(d[:10])
        return format_date(d, SHORT_PATTERN.get(self.lang, "MMM d"), locale=self.locale)

    def month(self, d: date | str) -> str:
        if isinstance(d, str):
            d = date.fromisoformat(d[:10])
        return format_date(d, MONTH_PATTERN.get(self.lang, "MMM yyyy"), locale=self.locale)

    def datetime(self, t: datetime) -> str:
        return format_datetime(t, DATE_PATTERN.get(self.lang, "yyyy-MM-dd") + " HH:mm", locale=self.locale)

    def weekday(self, iso: int, width: str = "abbreviated") -> str:
        return self.locale.days["format"][width][iso - 1]
