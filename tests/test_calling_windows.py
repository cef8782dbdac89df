"""Calling windows in the called person's local time (model/calling_windows.py): each country
its own rule, a number with several zones read strictly, daylight saving time as the called
zone keeps it, and rules written wrong refused with a sentence."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from telekpi.errors import ConfigError
from telekpi.model.calling_windows import DEFAULT_WINDOWS, WindowsError, judge, parse_windows
from telekpi.settings import settings_from_dict

RULES = parse_windows(DEFAULT_WINDOWS)
NEW_YORK, LOS_ANGELES = "+12125550123", "+13105550123"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_one_instant_is_late_in_new_york_and_early_evening_in_los_angeles():
    # 02:30 UTC = 21:30 in New York (EST, past TCPA's 21:00), 18:30 in Los Angeles
    ny = judge(NEW_YORK, at("2026-01-15T02:30"), RULES, "Asia/Ho_Chi_Minh")
    la = judge(LOS_ANGELES, at("2026-01-15T02:30"), RULES, "Asia/Ho_Chi_Minh")
    assert ny is not None and ny.outside and ny.zone == "America/New_York"
    assert ny.local.hour == 21 and ny.window == "08:00-21:00"
    assert la is not None and not la.outside


def test_the_day_clocks_change_is_read_in_the_called_zone():
    # 12:30 UTC is 07:30 in New York on Saturday 7 March 2026 (EST, outside) and 08:30 the next
    # day, when New York has moved to EDT (inside): the same UTC time, a different verdict.
    before = judge(NEW_YORK, at("2026-03-07T12:30"), RULES, "UTC")
    after = judge(NEW_YORK, at("2026-03-08T12:30"), RULES, "UTC")
    assert before is not None and before.outside and before.local.hour == 7
    assert after is not None and not after.outside and after.local.hour == 8


def test_a_number_in_another_country_keeps_its_own_window():
    # A Thai mobile called from a Vietnamese centre: Thai rules, Thai time. Saturday 10 January
    # 2026 11:30 UTC is 18:30 in Bangkok: past the weekend's 18:00, though a weekday's 20:00
    # would allow it and Vietnam's clock (18:30 too) is not the one that counts.
    sat = judge("+66812345678", at("2026-01-10T11:30"), RULES, "Asia/Ho_Chi_Minh")
    fri = judge("+66812345678", at("2026-01-09T11:30"), RULES, "Asia/Ho_Chi_Minh")
    assert sat is not None and sat.outside and sat.region == "TH" and sat.zone == "Asia/Bangkok"
    assert fri is not None and not fri.outside
    # Vietnam's own rule ends at 17:00: the same minute to a Vietnamese number is outside
    vn = judge("+84974442778", at("2026-01-09T11:30"), RULES, "Asia/Ho_Chi_Minh")
    assert vn is not None and vn.outside and vn.region == "VN"


def test_a_number_that_may_be_in_several_zones_is_read_strictly():
    # An Australian mobile may be anywhere from Perth (UTC+8) to Sydney (UTC+11 in January): at
    # 22:30 UTC it is 09:30 in Sydney, inside the default 09:00-20:00, but 06:30 in Perth.
    verdict = judge("+61412345678", at("2026-01-15T22:30"), RULES, "UTC")
    assert verdict is not None and verdict.outside and verdict.region == "AU"
    assert verdict.zone != "Australia/Sydney" and verdict.local.hour < 9   # Brisbane: 08:30
    sydney = judge("+61298765432", at("2026-01-15T22:30"), RULES, "UTC")   # a Sydney landline
    assert sydney is not None and not sydney.outside and sydney.zone == "Australia/Sydney"


def test_a_number_that_is_not_one_is_not_judged():
    assert judge("1001", at("2026-01-15T02:30"), RULES, "UTC") is None
    assert judge("anonymous", at("2026-01-15T02:30"), RULES, "UTC") is None


def test_rules_with_days_and_the_end_minute_excluded():
    rules = parse_windows("FR=mon-fri 10:00-13:00, mon-fri 14:00-20:00; *=08:00-21:00")
    assert rules["FR"].describe() == "mon-fri 10:00-13:00, mon-fri 14:00-20:00"
    lunch = judge("+33612345678", at("2026-01-15T12:30"), rules, "UTC")   # 13:30 in Paris
    assert lunch is not None and lunch.outside
    # 20:00 sharp is the end: outside
    end = judge("+33612345678", at("2026-01-15T19:00"), rules, "UTC")
    assert end is not None and end.outside


@pytest.mark.parametrize(("text", "says"), [
    ("VN 08:00-17:00", "must be a country code"),
    ("VN=8-17", "is not a time such as 08:00"),
    ("VN=08:00", "is not hours such as 08:00-21:00"),
    ("VN=25:00-26:00", "is not a time such as 08:00"),
    ("VN=17:00-08:00", "ends before it starts"),
    ("TH=weekdays 08:00-17:00", "is not a day or days"),
])
def test_rules_written_wrong_are_refused_with_a_sentence(text, says):
    with pytest.raises(WindowsError, match=says):
        parse_windows(text)
    with pytest.raises(ConfigError, match="calling_windows"):
        settings_from_dict({"calling_windows": text})
