"""Numbers, money and dates by locale (Babel): VND without decimals, dd/mm/yyyy in Vietnamese."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal, format_percent
from hypothesis import given, settings
from hypothesis import strategies as st

from telekpi.i18n import language
from telekpi.i18n.numbers import Formatter, clock, half_up
from telekpi.units import human


@pytest.mark.parametrize("lang,currency,money,small,rate,day", [
    ("en", "USD", "$1,234,568", "$12.50", "23.5%", "2026-03-04"),
    ("vi", "VND", "1.234.568\u00a0₫", "13\u00a0₫", "23,5%", "04/03/2026"),
    ("th", "THB", "฿1,234,568", "฿12.50", "23.5%", "04/03/2026"),
    ("zh_Hans", "CNY", "¥1,234,568", "¥12.50", "23.5%", "2026-03-04"),
    ("zh_Hant", "TWD", "$1,234,568", "$12.50", "23.5%", "2026/03/04"),
])
def test_formats_by_locale(lang, currency, money, small, rate, day):
    f = Formatter(lang, currency)
    assert f.money(1234567.5) == money
    assert f.money(12.5) == small
    assert f.percent(0.2345) == rate   # half-up, as Excel shows 0.2345 in 0.0%
    assert f.date(date(2026, 3, 4)) == day


def test_vnd_has_no_decimals_and_thb_two():
    assert Formatter("vi", "VND").currency_digits == 0
    assert Formatter("th", "THB").currency_digits == 2
    assert Formatter("vi", "VND").money(-5000) == "-5.000\u00a0₫"


def test_units_and_nulls():
    f = Formatter("vi", "VND")
    assert f.value(None, "rate") == "—"
    assert f.value(1234, "count") == "1.234"
    assert f.value(3.14159, "ratio") == "3,14"
    assert f.value(3725, "seconds") == "1:02:05" == clock(3725)
    assert clock(59.6) == "1:00" and clock(-65) == "-1:05"
    assert f.change(0.123) == "+12,3%" and f.change(-0.05) == "-5,0%" and f.change(None) == "—"


def test_human_follows_the_language_in_use():
    assert human(1234.5, "money") == "1,235"
    with language("vi"):
        assert human(1234.5, "money") == "1.235" and human(0.5, "rate") == "50,0%"


LANG_CURRENCY = [("en", "USD"), ("vi", "VND"), ("th", "THB"), ("zh_Hans", "CNY"), ("zh_Hant", "TWD"),
                 ("vi", "USD"), ("th", "EUR")]
amounts = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False) | st.integers(-10**12, 10**12) \
    | st.sampled_from([0.5, -0.5, 2.5, 0.125, -0.0004, 0.0005, 99.995, 100.0, 1e-9, -0.0])


def _babel(f: Formatter, v, unit: str) -> str:
    """The same value formatted by Babel alone: the reference for the fast path."""
    if unit == "number":
        digits = 0 if isinstance(v, int) or float(v).is_integer() else 2
        return format_decimal(half_up(v, digits), "#,##0." + "00" if digits else "#,##0", locale=f.locale)
    if unit == "percent":
        return format_percent(half_up(v, 1, scale=2) / 100, "#,##0.0%", locale=f.locale)
    digits = 0 if abs(v) >= 100 else f.currency_digits
    pattern = f.locale.currency_formats["standard"].pattern.split(";")[0]
    pattern = re.sub(r"\.0+", "." + "0" * digits if digits else "", pattern)
    return format_currency(half_up(v, digits), f.currency, pattern, locale=f.locale, currency_digits=False)


@pytest.mark.parametrize("lang,currency", LANG_CURRENCY)
@settings(max_examples=150, deadline=None)
@given(v=amounts)
def test_fast_formatting_writes_what_babel_writes(lang, currency, v):
    fast, slow = Formatter(lang, currency), Formatter(lang, currency)
    slow.fast = False
    assert fast.fast
    for unit, method in (("number", "number"), ("percent", "percent"), ("money", "money")):
        want = _babel(fast, v, unit)
        assert getattr(fast, method)(v) == want == getattr(slow, method)(v), (unit, v)


def test_rounding_is_half_up_everywhere():
    f = Formatter("en", "USD")
    assert (f.number(2.5, 0), f.number(0.125, 2), f.percent(0.12345), f.percent(0.1225)) \
        == ("3", "0.13", "12.3%", "12.3%")
    assert (f.percent(0.00049), f.percent(-0.00049), f.number(-0.001, 2)) == ("0.0%", "0.0%", "0.00")


def test_pieces_keep_one_sentence_around_row_values():
    from telekpi.i18n import pieces

    row = object()
    assert pieces("{column}: {value} is above {max}", column="talk_s", value=row, max="7200") \
        == ["talk_s: ", row, " is above 7200"]
    assert pieces("{value}{unknown} x", value=row) == [row, "{unknown} x"]
    assert pieces("") == [] and pieces("no placeholders") == ["no placeholders"]


def test_english_is_what_babel_learns_of_english():
    """The English facts written down so that English counts and rates need no Babel."""
    from babel import Locale

    from telekpi.i18n.numbers import ENGLISH, learn

    assert learn(Locale.parse("en")) == ENGLISH


def test_english_counts_rates_and_durations_need_no_babel():
    import json
    import subprocess
    import sys

    code = ("import json, sys\n"
            "from telekpi.i18n.numbers import Formatter\n"
            "f = Formatter('en', 'VND')\n"
            "out = [f.value(1234567, 'count'), f.value(-0.1234, 'rate'), f.value(3725, 'seconds'),\n"
            "       f.value(2.5, 'ratio'), f.change(0.5)]\n"
            "print(json.dumps([out, 'babel' in sys.modules]))")
    out, babel = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True).stdout)
    assert out == ["1,234,567", "-12.3%", "1:02:05", "2.50", "+50.0%"] and not babel
    assert Formatter("en", "VND").money(1234567) == "₫1,234,567"


def test_attainment_is_shown_to_a_tenth_of_a_percent_rounded_down():
    """A scorecard's score as every surface shows it: 79.96 % is 79.9 %, never 80.0 % beside a
    tier below 80 %; A002's 0.795 is 79.5 % (the CLI printed 80 %, the dashboard 79.5 %)."""
    f = Formatter("en")
    assert f.attainment(0.795) == "79.5%" and f.attainment(0.79996) == "79.9%"
    assert f.attainment(0.8) == "80.0%" and f.attainment(0.58) == "58.0%" and f.attainment(None) == "—"
    assert Formatter("vi").attainment(1.2345) == "123,4%"
    assert human(0.79996, "attainment") == "79.9%"


def test_money_is_shown_in_the_workspace_currency():
    from telekpi.units import money_in

    with language("en"):
        assert human(0, "money") == "0.00"          # the default, USD, has cents
        with money_in("VND"):
            assert human(0, "money") == "0" and human(1234.5, "money") == "1,235"
        with money_in("THB"):
            assert human(0, "money") == "0.00"


@pytest.mark.parametrize("lang", ["en", "vi", "th", "zh_Hans", "zh_Hant"])
@pytest.mark.parametrize("v", [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("-Infinity")])
def test_a_number_that_is_not_finite_is_shown_as_unknown(lang, v):
    """A warehouse written before values were checked can hold NaN seconds: "—", as for a
    missing value, on every surface, never "cannot convert float NaN to integer"."""
    f = Formatter(lang, "VND")
    assert {f.number(v), f.number(v, 2), f.percent(v), f.attainment(v), f.change(v), f.money(v),
            f.money(v, symbol=False), f.seconds(v)} == {"—"}
    assert {f.value(v, unit) for unit in ("rate", "seconds", "money", "ratio", "score", "count",
                                          "attainment", None)} == {"—"}
