"""The one rule for text a spreadsheet would run as a formula (OWASP's CSV injection)."""

import pytest

from telekpi.spreadsheet import csv_text, looks_like_formula


@pytest.mark.parametrize("text", ["=1+1", '=HYPERLINK("https://evil.example/", "click")', "+1+cmd|' /C calc'!A0",
                                  "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "-", "+66 81 234 5678"])
def test_formula_like_text_is_caught_and_gets_a_leading_quote_in_csv(text):
    assert looks_like_formula(text)
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("value", ["A001", "Somchai", " =1+1", "x=1", "", "-3.5", "+66812345678", "1e5", "-.5",
                                   -3, 2.5, None, True])
def test_plain_text_and_numbers_are_left_as_they_are(value):
    assert not looks_like_formula(value)
    assert csv_text(value) is value
