"""Plausibility ranges: a value of its column's type that would poison the warehouse (NaN,
1e309, year 0 or 10000, an offset of +99:99, an 11-digit number in wait_s, a 40 MB field) is
quarantined with the range in its reason, from every format; values at the edges are kept."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from telekpi.errors import ConfigError
from telekpi.ingest.mapping import load_mapping
from telekpi.ingest.pipeline import import_file
from telekpi.settings import Settings, load_settings, settings_from_dict
from telekpi.store.warehouse import Warehouse

TZ = "Asia/Ho_Chi_Minh"
TODAY = dt.datetime.now(ZoneInfo(TZ)).date()
HEADER = ["call_id", "started_at", "status", "talk_s", "wait_s", "recording_url"]
GOOD = {"call_id": "c", "started_at": "2026-01-05 10:00:00", "status": "answered", "talk_s": "60",
        "wait_s": "5", "recording_url": "https://rec.example/1"}

# (column, value, what the reason says)
BAD = [
    ("talk_s", "NaN", "'NaN' is not a finite number"),
    ("talk_s", "nan", "is not a finite number"),
    ("talk_s", "-nan", "is not a finite number"),
    ("talk_s", "inf", "is not a finite number"),
    ("talk_s", "-inf", "is not a finite number"),
    ("talk_s", "Infinity", "is not a finite number"),
    ("talk_s", "1e309", "'1e309' is not a finite number"),
    ("wait_s", "1" + "0" * 400, "is not a finite number"),
    ("wait_s", "84912345678", "'84912345678' is more than 86400 seconds, the longest plausible "
                              "duration (setting max_duration_s)"),
    ("talk_s", "86400.5", "more than 86400 seconds"),
    ("started_at", "0000-01-01 10:00:00", "'0000-01-01 10:00:00' is before 1970-01-01"),
    ("started_at", "-0001-01-01 10:00:00", "is before 1970-01-01"),
    ("started_at", "0001-01-01 00:00:00", "is before 1970-01-01"),
    ("started_at", "1969-12-31 23:59:59", "is before 1970-01-01"),
    ("started_at", "-infinity", "is before 1970-01-01"),
    ("started_at", "10000-01-01 10:00:00", "'10000-01-01 10:00:00' is after"),
    ("started_at", "9999-12-31 23:00:00", "(setting future_horizon_days)"),
    ("started_at", "infinity", "is after"),
    ("started_at", "2026-01-05 10:00:00+99:99", "'2026-01-05 10:00:00+99:99' has a UTC offset "
                                                "beyond ±14:00"),
    ("started_at", "2026-01-05 10:00:00+14:01", "has a UTC offset beyond ±14:00"),
    ("started_at", "2026-01-05 10:00:00-14:01", "has a UTC offset beyond ±14:00"),
    ("started_at", "2026-01-05 10:00:00+1500", "has a UTC offset beyond ±14:00"),
    ("started_at", "2026-01-05 10:00:00+07:60", "has a UTC offset beyond ±14:00"),
    ("recording_url", "x" * 4097, "recording_url: a value of 4097 characters; the limit is 4096 "
                                  "(setting max_field_chars)"),
    ("talk_s", "9" * 5000, "talk_s: a value of 5000 characters; the limit is 4096"),
]

EDGES = [
    ("talk_s", "-0"), ("talk_s", "0"), ("talk_s", "86400"), ("wait_s", "24:00:00"),
    ("started_at", "2026-01-05 10:00:00+14:00"), ("started_at", "2026-01-05 10:00:00-14:00"),
    ("started_at", "2026-01-05 10:00:00-12:00"), ("started_at", "2026-01-05 10:00:00+0545"),
    ("started_at", "1970-01-01 00:00:00"), ("started_at", "2026-01-05"),
    ("started_at", "2026-01-05 10:00:00 Etc/GMT-14"),
    ("started_at", f"{TODAY + dt.timedelta(days=366)} 23:59:59"),
    ("recording_url", "x" * 4096), ("recording_url", "ạ" * 4096),
]


@pytest.fixture
def ws(tmp_path):
    (tmp_path / "telekpi.toml").write_text(f'timezone = "{TZ}"\n', encoding="utf-8")
    return tmp_path


def write(path, rows: list[dict], fmt: str):
    if fmt == "csv":
        import csv

        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=HEADER)
            w.writeheader()
            w.writerows(rows)
    elif fmt == "parquet":
        pq.write_table(pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in HEADER}), path)
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        sheet = wb.active
        sheet.append(HEADER)
        for r in rows:
            sheet.append([r[c] for c in HEADER])
        wb.save(path)
    return path


def import_rows(ws, rows: list[dict], fmt: str = "csv", settings: Settings | None = None, **kw):
    path = write(ws / f"calls.{fmt}", rows, fmt)
    with Warehouse(ws / "telekpi.duckdb") as wh:
        r = import_file(wh, "calls", path, settings or load_settings(ws), **kw)
        quarantine = wh.con.execute('SELECT line, "column", reason, raw FROM quarantine ORDER BY line').fetchall()
        stored = wh.con.execute("SELECT call_id, talk_s, wait_s FROM calls ORDER BY call_id").fetchall()
    c = r.counts
    assert c.inserted + c.updated + c.unchanged + c.quarantined == c.rows_read == len(rows)
    return c, quarantine, stored


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_implausible_values_are_quarantined_with_their_range_from_every_format(ws, fmt):
    rows = [GOOD | {"call_id": f"c{i}", column: value} for i, (column, value, _) in enumerate(BAD)]
    rows.append(GOOD | {"call_id": "ok"})
    counts, quarantine, stored = import_rows(ws, rows, fmt)
    assert (counts.inserted, counts.quarantined) == (1, len(BAD))
    assert [s[0] for s in stored] == ["ok"]
    for (line, col, reason, _raw), (column, _value, says) in zip(quarantine, BAD, strict=True):
        assert col == column, (line, reason)
        assert says in reason, (line, reason)


def test_values_at_the_edges_of_their_ranges_are_kept(ws):
    rows = [GOOD | {"call_id": f"c{i}", column: value} for i, (column, value) in enumerate(EDGES)]
    counts, quarantine, stored = import_rows(ws, rows)
    assert quarantine == [] and counts.inserted == len(EDGES)
    assert all(math.isfinite(t) and math.isfinite(w) for _id, t, w in stored)


def test_typed_parquet_values_are_judged_as_text_is(ws):
    """NaN and infinities in a double column, times outside 1970 … the horizon in a
    timestamp column: the same reasons as the same values written as text."""
    utc = dt.UTC
    table = pa.table({
        "call_id": ["n", "i", "big", "old", "late", "ok"],
        "started_at": pa.array([dt.datetime(2026, 1, 5, tzinfo=utc)] * 3
                               + [dt.datetime(1960, 1, 1, tzinfo=utc), dt.datetime(9999, 12, 31, tzinfo=utc),
                                  dt.datetime(2026, 1, 5, tzinfo=utc)], pa.timestamp("us", tz="UTC")),
        "status": ["answered"] * 6,
        "talk_s": pa.array([math.nan, -math.inf, 1e12, 1.0, 1.0, 60.0], pa.float64()),
    })
    pq.write_table(table, ws / "typed.parquet")
    with Warehouse(ws / "telekpi.duckdb") as wh:
        r = import_file(wh, "calls", ws / "typed.parquet", load_settings(ws))
        reasons = dict(wh.con.execute("SELECT line, reason FROM quarantine").fetchall())
    assert (r.counts.inserted, r.counts.quarantined) == (1, 5)
    assert "is not a finite number" in reasons[1] and "is not a finite number" in reasons[2]
    assert "the longest plausible duration" in reasons[3]
    assert "is before 1970-01-01" in reasons[4] and "is after" in reasons[5]


@pytest.mark.parametrize("value", ["1e20", "-1e15", "nan", "inf", "1e309"])
def test_epoch_seconds_duckdb_cannot_convert_are_quarantined_not_an_error(ws, value):
    (ws / "m.yaml").write_text("table: calls\ncolumns:\n  started_at: {column: started_at, format: epoch}\n")
    rows = [GOOD | {"call_id": "bad", "started_at": value}, GOOD | {"call_id": "ok", "started_at": "1767600000"}]
    counts, quarantine, _ = import_rows(ws, rows, mapping=load_mapping(ws / "m.yaml"))
    assert (counts.inserted, counts.quarantined) == (1, 1)
    assert quarantine[0][1] == "started_at"


def test_an_offset_in_a_format_with_z_is_checked(ws):
    (ws / "m.yaml").write_text('table: calls\ncolumns:\n  started_at: {column: started_at, '
                               'format: "%d/%m/%Y %H:%M%z"}\n')
    rows = [GOOD | {"call_id": "bad", "started_at": "05/01/2026 10:00+9999"},
            GOOD | {"call_id": "ok", "started_at": "05/01/2026 10:00+0700"}]
    counts, quarantine, _ = import_rows(ws, rows, mapping=load_mapping(ws / "m.yaml"))
    assert (counts.inserted, counts.quarantined) == (1, 1)
    assert "has a UTC offset beyond ±14:00" in quarantine[0][2]


def test_the_ranges_follow_the_workspace_settings(ws):
    (ws / "telekpi.toml").write_text(f'timezone = "{TZ}"\nmax_duration_s = 172800\n'
                                     "future_horizon_days = 10\nmax_field_chars = 20\n")
    later = TODAY + dt.timedelta(days=11)
    short = GOOD | {"recording_url": "r1"}
    rows = [short | {"call_id": "long", "talk_s": "100000"},                    # kept: two days allowed
            short | {"call_id": "later", "started_at": f"{later} 10:00:00"},   # 11 days ahead
            short | {"call_id": "url", "recording_url": "https://example.com/abc"}]
    counts, quarantine, stored = import_rows(ws, rows)
    assert [s[0] for s in stored] == ["long"]
    assert counts.quarantined == 2
    assert "10 days from today (setting future_horizon_days)" in quarantine[0][2]
    assert "a value of 23 characters; the limit is 20 (setting max_field_chars)" in quarantine[1][2]


def test_the_quarantine_keeps_a_long_field_cut_at_the_limit(ws):
    rows = [GOOD | {"call_id": "big", "recording_url": "y" * 1_000_000}]
    _, quarantine, _ = import_rows(ws, rows)
    import json

    raw = json.loads(quarantine[0][3])
    assert raw["recording_url"] == "y" * 4096 + "…"
    assert raw["call_id"] == "big"


@pytest.mark.parametrize("toml, says", [
    ("max_duration_s = inf", "must be a finite number"),
    ("max_duration_s = nan", "must be a finite number"),
    ("max_duration_s = 0", "must be more than 0"),
    ("max_field_chars = 0", "must be more than 0"),
    ("future_horizon_days = -1", "must not be negative"),
    ("future_horizon_days = 1.5", "must be a int"),
])
def test_limits_must_be_finite_and_positive(toml, says):
    import tomllib

    with pytest.raises(ConfigError, match=says):
        settings_from_dict(tomllib.loads(toml))


def test_a_huge_horizon_stops_at_the_last_day_telekpi_answers_for(ws):
    (ws / "telekpi.toml").write_text(f'timezone = "{TZ}"\nfuture_horizon_days = 100000000\n')
    rows = [GOOD | {"call_id": "y2999", "started_at": "2999-12-31 10:00:00"},
            GOOD | {"call_id": "y3000", "started_at": "3000-01-01 10:00:00"}]
    counts, quarantine, stored = import_rows(ws, rows)
    assert [s[0] for s in stored] == ["y2999"]
    assert "is after 2999-12-31" in quarantine[0][2]
