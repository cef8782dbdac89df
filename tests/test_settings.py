"""Settings declared once: the dataclass's fields give the defaults, the checks of
telekpi.toml and the docs; the zone is built once."""

from __future__ import annotations

from dataclasses import fields
from zoneinfo import ZoneInfo

import pytest

from telekpi.errors import ConfigError
from telekpi.settings import Settings, declared, load_settings, settings_from_dict


def test_declared_settings_are_the_fields_with_their_defaults():
    scalars = [f.name for f in fields(Settings) if f.name not in ("dispositions", "recording_sources")]
    assert [s.name for s in declared()] == scalars
    defaults = Settings()
    for s in declared():
        assert getattr(defaults, s.name) == s.default and s.help
    kinds = {s.name: s.type for s in declared()}
    assert kinds["min_sample"] is int and kinds["ticket_sla_s"] is float and kinds["locale"] is str
    assert {s.name: s.choices for s in declared()}["cost_allocation"] == ("none", "by_talk_time")


def test_toml_is_read_and_checked(tmp_path):
    (tmp_path / "telekpi.toml").write_text(
        'timezone = "Asia/Ho_Chi_Minh"\nmin_sample = 50\nservice_level_s = 15\n'
        '[dispositions]\nchot_don = ["sale"]\n', encoding="utf-8")
    s = load_settings(tmp_path)
    assert (s.timezone, s.min_sample, s.service_level_s) == ("Asia/Ho_Chi_Minh", 50, 15.0)
    assert s.dispositions["CHOT_DON"] == frozenset({"sale"}) and "SALE" in s.dispositions
    assert load_settings(tmp_path / "nowhere") == Settings()


@pytest.mark.parametrize("data,words", [
    ({"colour": "red"}, "unknown setting 'colour'; known: timezone, currency, locale,"),
    ({"min_sample": "30"}, "setting 'min_sample' must be a int, got '30'"),
    ({"min_sample": True}, "setting 'min_sample' must be a int, got True"),
    ({"locale": "fr"}, "setting 'locale' must be one of en, vi, th, zh_Hans, zh_Hant"),
    ({"cost_allocation": "evenly"}, "setting 'cost_allocation' must be one of none, by_talk_time"),
    ({"ticket_sla_s": -1}, "setting 'ticket_sla_s' must not be negative"),
    ({"timezone": "Mars/Olympus"}, "timezone 'Mars/Olympus' is not an IANA timezone name"),
    ({"dispositions": {"X": ["rich"]}}, "disposition 'X' must list flags from:"),
    ({"phone_region": "vn"}, "setting 'phone_region' must be a country code of two capital letters"),
])
def test_bad_settings_are_named(data, words):
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data)
    assert words in str(info.value)


def test_the_zone_is_built_once():
    s = Settings(timezone="Asia/Bangkok")
    assert s.tz == ZoneInfo("Asia/Bangkok")
    assert vars(s)["tz"] is s.tz            # kept on the settings, not looked up again


@pytest.mark.parametrize("given,country", [
    ({"phone_region": "TH", "locale": "vi"}, "TH"),    # said outright
    ({"locale": "vi", "currency": "USD"}, "VN"),       # the language's country
    ({"locale": "zh_Hant"}, "TW"),
    ({"locale": "en", "currency": "VND"}, "VN"),       # English has many: the currency's
    ({}, "US"),
])
def test_the_country_of_phone_numbers(given, country):
    assert settings_from_dict(given).phone_country == country
