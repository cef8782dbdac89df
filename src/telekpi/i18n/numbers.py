"""Numbers, money, durations and dates as a reader of each language writes them (Babel).

VND has no decimals and THB, CNY and TWD two, as CLDR says; Vietnamese and Thai
dates are dd/mm/yyyy. Rates are fractions in data and percentages on screen.

Babel takes about 15 µs a number; a 100,000-cell table would spend seconds on it. So a
value is rounded here (half-up, once) and, where the locale groups by threes in Latin
digits, as all five do, grouped by Python's own formatting with the locale's symbols;
Babel places the sign, percent and currency, learnt once per Formatter from a probe.
Tests hold the fast path to Babel's output.

Importing Babel takes longer than a `telekpi kpi` query on the rollups, so it is imported
when first needed (each Babel call below imports its function): an English Formatter
knows its symbols and sign and percent templates without it (``ENGLISH``, held to what
Babel learns by a test), so counts, rates and durations in English need no Babel;
money, dates and the other languages load it."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from datetime import date as Day
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from telekpi.i18n import current

if TYPE_CHECKING:
    from babel import Locale

BABEL_LOCALE = {"en": "en", "vi": "vi", "th": "th", "zh_Hans": "zh_Hans_CN", "zh_Hant": "zh_Hant_TW"}
DATE_PATTERN = {"en": "yyyy-MM-dd", "vi": "dd/MM/yyyy", "th": "dd/MM/yyyy", "zh_Hans": "yyyy-MM-dd",
                "zh_Hant": "yyyy/MM/dd"}
# A change is shown to 0.1 % (``Formatter.change``); one that rounds to 0.0 % is no change.
CHANGE_DIGITS = 1
# Compact forms on cards and tiles ("5,13 tỷ ₫", "₫5.13B", "₫51.3亿"): money from a million and
# counts from a hundred thousand, to three significant digits; tables keep the full value.
COMPACT_FROM = {"money": 1_000_000, "count": 100_000}
# Vietnamese and Thai read the words ("tỷ", "ล้าน"); CLDR's short forms there are letters
# ("T", "B") few readers know. English and Chinese short forms are their own (5.13B, 51.3亿).
COMPACT_WIDTH = {"vi": "long", "th": "long"}
SHORT_PATTERN = {"en": "MMM d", "vi": "dd/MM", "th": "dd/MM", "zh_Hans": "M/d", "zh_Hant": "M/d"}
MONTH_PATTERN = {"en": "MMM yyyy", "vi": "MM/yyyy", "th": "MMM yyyy", "zh_Hans": "yyyy年M月",
                 "zh_Hant": "yyyy年M月"}


PROBE = Decimal("1234567")
STEPS = [Decimal(1).scaleb(-d) for d in range(10)]


def half_up(v, digits: int, scale: int = 0) -> Decimal:
    """Round as Excel and people do (12.5 → 13), not as banks do (12.5 → 12); no "-0"."""
    d = Decimal(repr(float(v)))
    d = (d.scaleb(scale) if scale else d).quantize(STEPS[digits], ROUND_HALF_UP)
    return d.copy_abs() if d.is_zero() else d


def rounds_to_zero(change) -> bool:
    """Is a relative change shown as 0.0 % (``CHANGE_DIGITS``)? It is then no change: no
    sign and no colour, in every language."""
    return half_up(change, CHANGE_DIGITS, scale=2).is_zero()


def floor(v, digits: int, scale: int = 0) -> Decimal:
    """Round down to ``digits`` (after ``scale``): a score of 79.96 % is shown as 79.9 %, so
    a score shown at a tier's edge has reached it (``Formatter.attainment``)."""
    d = Decimal(repr(float(v)))
    d = (d.scaleb(scale) if scale else d).quantize(STEPS[digits], ROUND_FLOOR)
    return d.copy_abs() if d.is_zero() else d


def unknown(v) -> bool:
    """Is ``v`` no number to show: None, or NaN or an infinity (a warehouse written before values
    were checked can hold them)? Shown as "—", like a value that is missing."""
    if v is None:
        return True
    if isinstance(v, float):
        return not math.isfinite(v)
    return isinstance(v, Decimal) and not v.is_finite()


def _pattern(digits: int) -> str:
    return "#,##0." + "0" * digits if digits else "#,##0"


def clock(seconds: float) -> str:
    s = int(round(seconds))   # noqa: RUF046 - a numpy or Decimal value rounds to its own type
    sign, s = ("-", -s) if s < 0 else ("", s)
    return f"{sign}{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{sign}{s // 60}:{s % 60:02d}"


class Numbers(NamedTuple):
    """What a Formatter learns of a locale's numbers: whether Python may group them (Latin
    digits in threes), the group, decimal and minus symbols, and the templates of a number
    and a percentage, positive and negative ("{}" stands for the grouped digits)."""

    fast: bool
    symbols: tuple[str, str, str]
    number: tuple[str, ...]
    percent: tuple[str, ...]


ENGLISH = Numbers(True, (",", ".", "-"), ("{}", "-{}"), ("{}%", "-{}%"))


def _translation(symbols: tuple[str, str, str]) -> dict[int, str]:
    """Python's grouping (1,234.5, -) into the locale's symbols."""
    group, decimal, minus = symbols
    return str.maketrans({",": group, ".": decimal, "-": minus})


def learn(loc: Locale) -> Numbers:
    """A locale's ``Numbers``, from Babel's own formatting of a probe."""
    from babel.numbers import (
        format_decimal,
        format_percent,
        get_decimal_symbol,
        get_group_symbol,
        get_minus_sign_symbol,
    )

    fmt = loc.decimal_formats.get(None)
    fast = loc.default_numbering_system == "latn" and fmt is not None and fmt.grouping == (3, 3)
    symbols = (get_group_symbol(loc), get_decimal_symbol(loc), get_minus_sign_symbol(loc))
    plain = f"{PROBE:,f}".translate(_translation(symbols)) if fast else format_decimal(PROBE, "#,##0", locale=loc)
    return Numbers(fast, symbols,
                   tuple(format_decimal(sign * PROBE, "#,##0", locale=loc).replace(plain, "{}")
                         for sign in (1, -1)),
                   tuple(format_percent(sign * PROBE / 100, "#,##0%", locale=loc).replace(plain, "{}")
                         for sign in (1, -1)))


class Formatter:
    """Formats values by unit for one language and currency."""

    def __init__(self, lang: str | None = None, currency: str = "USD"):
        self.lang = lang or current()
        self.currency = currency
        english = BABEL_LOCALE.get(self.lang, "en") == "en"
        numbers = ENGLISH if english else learn(self.locale)
        self.fast = numbers.fast
        self._symbols = _translation(numbers.symbols)
        self._number, self._percent = numbers.number, numbers.percent

    @cached_property
    def locale(self) -> Locale:
        from babel import Locale

        return Locale.parse(BABEL_LOCALE.get(self.lang, "en"))

    @cached_property
    def currency_digits(self) -> int:
        from babel.numbers import get_currency_precision

        return get_currency_precision(self.currency)

    @cached_property
    def _money(self) -> tuple[str, ...]:
        """The currency's templates, positive and negative, as Babel places its symbol."""
        from babel.numbers import format_currency

        plain = self.grouped(PROBE)
        pattern = self.locale.currency_formats["standard"].pattern.split(";")[0]
        pattern = re.sub(r"\.0+", "", pattern)
        return tuple(format_currency(sign * PROBE, self.currency, pattern, locale=self.locale,
                                     currency_digits=False).replace(plain, "{}")
                     for sign in (1, -1))

    def grouped(self, d: Decimal) -> str:
        """A rounded Decimal with the locale's grouping and decimal symbols, unsigned."""
        d = d.copy_abs()
        if self.fast:
            return f"{d:,f}".translate(self._symbols)
        from babel.numbers import format_decimal

        exponent = d.as_tuple().exponent   # an int for a finite Decimal ('n', 'N', 'F' are not)
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return format_decimal(d, _pattern(places), locale=self.locale)

    def _signed(self, d: Decimal, templates: tuple[str, ...]) -> str:
        """``d`` grouped, in the positive or negative template (sign, %, currency placed by Babel)."""
        return templates[d.is_signed()].replace("{}", self.grouped(d))

    def number(self, v, digits: int | None = None) -> str:
        if unknown(v):
            return "—"
        if isinstance(v, int) and digits is None:
            return self._signed(Decimal(v), self._number)
        if digits is None:
            digits = 0 if float(v).is_integer() else 2
        return self._signed(half_up(v, digits), self._number)

    def percent(self, v, digits: int = 1) -> str:
        if unknown(v):
            return "—"
        return self._signed(half_up(v, digits, scale=2), self._percent)

    def attainment(self, v) -> str:
        """A scorecard's score or an item's attainment (1.0 = 100 % of target): a percentage
        to 0.1 %, rounded down, on every surface. A tier is decided on the exact score and
        holds its min, so a score shown as 80.0 % has reached an 80 % tier and one that has
        not shows 79.9 %."""
        if unknown(v):
            return "—"
        return self._signed(floor(v, 1, scale=2), self._percent)

    def change(self, v) -> str:
        """A relative change, signed: +12.3%, -4.0%; one that rounds to zero is "0.0%", unsigned
        (``rounds_to_zero``)."""
        if unknown(v):
            return "—"
        if rounds_to_zero(v):
            return self.percent(0, CHANGE_DIGITS)
        return ("+" if v > 0 else "") + self.percent(v, CHANGE_DIGITS)

    def compact(self, v, unit: str | None) -> str:
        """A value short enough for a card or a wallboard tile: money (with its symbol) from a
        million and counts from a hundred thousand in the language's compact form, three
        significant digits ("5,13 tỷ ₫", "₫5.13B", "₫51.3亿", "153K"); anything else, and
        smaller values, as ``value`` writes it. Pages put the exact value on hover."""
        if unknown(v):
            return "—"
        if unit not in COMPACT_FROM or abs(v) < COMPACT_FROM[unit]:
            return self.money(v) if unit == "money" else self.value(v, unit)
        from babel.numbers import format_compact_decimal

        width = COMPACT_WIDTH.get(self.lang, "short")
        size = abs(float(v))

        def form(digits: int) -> str:
            return format_compact_decimal(size, format_type=width, locale=self.locale,  # type: ignore[arg-type]
                                          fraction_digits=digits)
        whole = sum(ch.isdigit() for ch in form(0))
        text = form(max(0, 3 - whole))
        templates = self._money if unit == "money" else self._number
        return templates[v < 0].replace("{}", text)

    def money(self, v, symbol: bool = True) -> str:
        """Whole amounts above 100 (as managers read totals); cents below, if the currency has them."""
        if unknown(v):
            return "—"
        digits = 0 if abs(v) >= 100 else self.currency_digits
        if not symbol:
            return self.number(v, digits)
        return self._signed(half_up(v, digits), self._money)

    def seconds(self, v) -> str:
        return "—" if unknown(v) else clock(v)

    def value(self, v, unit: str | None, symbol: bool = False) -> str:
        """One value by its unit: a catalog unit (rate, seconds, money, ratio, score, count),
        a scorecard's attainment, or date, month, quarter, year, datetime and weekday
        (ISO 1 = Monday) for the pages' headings and tables."""
        if unknown(v):
            return "—"
        if unit in ("date", "month", "datetime"):
            return getattr(self, unit)(v)
        if unit in ("quarter", "year"):
            from babel.dates import format_skeleton

            d = date.fromisoformat(v[:10]) if isinstance(v, str) else v
            return format_skeleton("yQQQ" if unit == "quarter" else "y", d, locale=self.locale)
        if unit == "weekday":
            return self.weekday(int(v))
        if unit == "rate":
            return self.percent(v)
        if unit == "attainment":
            return self.attainment(v)
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
        from babel.dates import format_date

        return format_date(d, DATE_PATTERN.get(self.lang, "yyyy-MM-dd"), locale=self.locale)

    def short_date(self, d: Day | str) -> str:
        """Day and month only, for chart axes."""
        if isinstance(d, str):
            d = date.fromisoformat(d[:10])
        from babel.dates import format_date

        return format_date(d, SHORT_PATTERN.get(self.lang, "MMM d"), locale=self.locale)

    def month(self, d: Day | str) -> str:
        if isinstance(d, str):
            d = date.fromisoformat(d[:10])
        from babel.dates import format_date

        return format_date(d, MONTH_PATTERN.get(self.lang, "MMM yyyy"), locale=self.locale)

    def month_name(self, d: Day) -> str:
        """A month in words, as in a sentence: "October 2026", "tháng 10 năm 2026"."""
        from babel.dates import format_skeleton

        return format_skeleton("yMMMM", d, locale=self.locale)

    def span(self, start: Day, end: Day) -> str:
        """Days ``start``–``end`` as the language writes a range: "Feb 14 – 28, 2026"; one day
        when they are equal."""
        from babel.dates import format_interval

        return format_interval(start, end, "yMMMd", locale=self.locale)

    def datetime(self, t: datetime | Day) -> str:
        """To the minute, as the time was recorded (no zone conversion here); a date as a date."""
        if not isinstance(t, datetime):
            return self.date(t)
        from babel.dates import format_datetime

        return format_datetime(t, DATE_PATTERN.get(self.lang, "yyyy-MM-dd") + " HH:mm", locale=self.locale)

    def weekday(self, iso: int, width: str = "abbreviated") -> str:
        return self.locale.days["format"][width][iso - 1]
