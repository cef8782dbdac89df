"""Compact numbers for cards (issue 24): each language's own short form, three significant
digits, money with its symbol; and a change that rounds to 0.0 % is no change, uncoloured."""

from __future__ import annotations

import pytest

from telekpi.i18n.numbers import Formatter
from telekpi.presentation import good_change

NBSP = "\xa0"


@pytest.mark.parametrize("lang, revenue, profit_loss, aov, calls", [
    ("en", "₫5.13B", "-₫1.15B", "₫3.27M", "153K"),
    ("vi", f"5,13 tỷ{NBSP}₫", f"-1,15 tỷ{NBSP}₫", f"3,27 triệu{NBSP}₫", "153 nghìn"),
    ("th", "₫5.13 พันล้าน", "-₫1.15 พันล้าน", "₫3.27 ล้าน", "1.53 แสน"),
    ("zh_Hans", "₫51.3亿", "-₫11.5亿", "₫327万", "15.3万"),
    ("zh_Hant", "₫51.3億", "-₫11.5億", "₫327萬", "15.3萬"),
])
def test_compact_money_and_counts_read_right_in_each_language(lang, revenue, profit_loss, aov, calls):
    f = Formatter(lang, "VND")
    assert f.compact(5_130_220_000, "money") == revenue
    assert f.compact(-1_153_574_099, "money") == profit_loss
    assert f.compact(3_268_959, "money") == aov
    assert f.compact(153_210, "count") == calls


def test_compact_keeps_small_values_rates_and_times_exact():
    en = Formatter("en", "VND")
    assert en.compact(52_659, "count") == "52,659"          # a card has room for it: exact
    assert en.compact(950_000, "money") == "₫950,000"       # below a million: exact, with symbol
    assert en.compact(0.3734, "rate") == "37.3%"
    assert en.compact(224, "seconds") == "3:44"
    assert en.compact(None, "money") == "—"
    assert Formatter("en", "USD").compact(14_128_440_000, "money") == "$14.1B"


@pytest.mark.parametrize("lang, zero, up, down", [
    ("en", "0.0%", "+12.3%", "-4.0%"),
    ("vi", "0,0%", "+12,3%", "-4,0%"),
])
def test_a_change_that_rounds_to_zero_has_no_sign(lang, zero, up, down):
    f = Formatter(lang)
    assert f.change(0.0004) == zero and f.change(-0.0004) == zero and f.change(0) == zero
    assert f.change(0.123) == up and f.change(-0.04) == down


def test_a_change_is_good_or_bad_by_the_metric_and_neutral_at_zero():
    assert good_change(0.0004, "higher") is None and good_change(-0.0004, "higher") is None
    assert good_change(-0.0004, "lower") is None and good_change(0.0004, "lower") is None
    assert good_change(0.05, "higher") is True and good_change(0.05, "lower") is False
    assert good_change(-0.05, "lower") is True and good_change(-0.05, "higher") is False
    assert good_change(0.05, None) is None and good_change(None, "higher") is None
