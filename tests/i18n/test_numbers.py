"""Numbers, money and dates by locale (Babel): VND without decimals, dd/mm/yyyy in Vietnamese."""

from __future__ import annotations

from datetime import date

import pytest

from telekpi.i18n import language
from telekpi.i18n.numbers import Formatter, clock
from telekpi.units import human


@pytest.mark.parametrize("lang,currency,money,small,rate,day", [
    ("en", "USD", "$1,234,568", "$12.50", "23.4%", "2026-03-04"),
    ("vi", "VND", "1.234.568\u00a0₫", "13\u00a0₫", "23,4%", "04/03/2026"),
    ("th", "THB", "฿1,234,568", "฿12.50", "23.4%", "04/03/2026"),
    ("zh_Hans", "CNY", "¥1,234,568", "¥12.50", "23.4%", "2026-03-04"),
    ("zh_Hant", "TWD", "$1,234,568", "$12.50", "23.4%", "2026/03/04"),
])
def test_formats_by_locale(lang, currency, money, small, rate, day):
    f = Formatter(lang, currency)
    assert f.money(1234567.5) == money
    assert f.money(12.5) == small
    assert f.percent(0.2345) == rate
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
