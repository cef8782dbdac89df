"""Local dates → UTC instants; period starts; weeks start Monday."""

from datetime import date

import pytest
import sqlglot

from telekpi.engine.scope import local_midnight_utc, period_start, previous_period_start


def _tree(sql: str):
    return sqlglot.parse_one(sql, read="duckdb")


def test_local_midnight_in_utc():
    assert local_midnight_utc(date(2026, 2, 1), "Asia/Ho_Chi_Minh") == \
        _tree("TIMESTAMPTZ '2026-01-31 17:00:00+00'")
    # São Paulo has no DST since 2019: UTC−3.
    assert local_midnight_utc(date(2026, 1, 1), "America/Sao_Paulo") == \
        _tree("TIMESTAMPTZ '2026-01-01 03:00:00+00'")


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


# ---- local time by arithmetic in zones with one offset -----------------------------------------

def test_fixed_offset_zones():
    from telekpi.engine.scope import fixed_offset

    assert fixed_offset("Asia/Ho_Chi_Minh") == 7 * 3600
    assert fixed_offset("Asia/Kolkata") == 5 * 3600 + 1800
    assert fixed_offset("UTC") == 0
    assert fixed_offset("Asia/Shanghai") == 8 * 3600     # no DST since 1991
    assert fixed_offset("America/New_York") is None
    assert fixed_offset("Europe/London") is None


def test_localize_rewrites_instants_only():
    from telekpi.engine.dialects import localize

    text = ("SELECT hour(timezone('Asia/Bangkok', f(x.a, (1)))), "
            "timezone('Asia/Bangkok', CAST(p + INTERVAL 1 MONTH AS TIMESTAMP)), timezone('UTC', y), "
            "timezone('Asia/Bangkok', timezone('Asia/Bangkok', z))")
    sql = _tree(text)
    out = localize(sql, "Asia/Bangkok")
    assert out == _tree(
        "SELECT hour(make_timestamp(epoch_us(f(x.a, (1))) + 25200000000)), "
        "timezone('Asia/Bangkok', CAST(p + INTERVAL 1 MONTH AS TIMESTAMP)), timezone('UTC', y), "
        "make_timestamp(epoch_us(make_timestamp(epoch_us(z) + 25200000000)) + 25200000000)")
    assert localize(sql, "America/New_York") == sql
    assert sql == _tree(text)   # the tree it was given is left as it was


@pytest.mark.parametrize("tz", ["Asia/Ho_Chi_Minh", "Asia/Kolkata", "UTC", "Asia/Shanghai"])
def test_arithmetic_local_time_equals_icus(tz):
    """Every 37 minutes over 1992–2040, both ways give the same local time."""
    import duckdb

    from telekpi.engine.dialects import localize

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE t AS SELECT TIMESTAMPTZ '1992-01-01 00:00:00+00' + "
                "to_minutes(37 * i) AS ts FROM range(700000) r(i)")
    icu = f"SELECT count(*) FROM t WHERE timezone('{tz}', ts) IS DISTINCT FROM "
    fast = localize(_tree(f"timezone('{tz}', ts)"), tz).sql("duckdb")
    assert fast.startswith("MAKE_TIMESTAMP(")
    assert con.execute(icu + fast).fetchone() == (0,)
