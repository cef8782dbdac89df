"""Local dates → UTC instants; period starts; weeks start Monday."""

from datetime import date

from telekpi.engine.scope import local_midnight_utc, period_start, previous_period_start


def test_local_midnight_in_utc():
    assert local_midnight_utc(date(2026, 2, 1), "Asia/Ho_Chi_Minh") == \
        "TIMESTAMPTZ '2026-01-31 17:00:00+00'"
    # São Paulo has no DST since 2019: UTC−3.
    assert local_midnight_utc(date(2026, 1, 1), "America/Sao_Paulo") == \
        "TIMESTAMPTZ '2026-01-01 03:00:00+00'"


def test_period_start_and_previous():
    d = date(2026, 3, 1)  # a Sunday
    assert period_start(d, "week") == date(2026, 2, 23)
    assert period_start(d, "quarter") == date(2026, 1, 1)
    assert previous_period_start(d, "month") == date(2026, 2, 1)
    assert previous_period_start(date(2026, 1, 15), "month") == date(2025, 12, 1)
    assert previous_period_start(date(2026, 2, 10), "quarter") == date(2025, 10, 1)
    assert previous_period_start(date(2026, 2, 10), "year") == date(2025, 1, 1)
    assert previous_period_start(d, "week") == date(2026, 2, 16)
    assert previous_period_start(d, "day") == date(2026, 2, 28)
