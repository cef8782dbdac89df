"""The validator's SQL: its shortcuts give exactly what the plain expressions give."""

from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pytest

from telekpi.ingest.mapping import ColumnRule
from telekpi.model.tables import TABLES
from telekpi.quality.validate import RowCompiler, trimmed


def test_trim_shortcut_equals_trim_for_every_character():
    """Every character of the Basic Multilingual Plane alone, leading, trailing and around a
    letter: the shortcut (no trim for an ASCII value without an outer space) agrees with
    DuckDB's ``nullif(trim(v), '')``."""
    con = duckdb.connect()
    differ = con.execute(f"""
        WITH c AS (SELECT chr(i::INTEGER) AS ch FROM range(1, 65536) t(i) WHERE i < 55296 OR i > 57343),
        v AS (SELECT ch AS v FROM c UNION ALL SELECT ch || 'a' FROM c UNION ALL SELECT 'a' || ch FROM c
              UNION ALL SELECT ch || 'a b' || ch FROM c UNION ALL SELECT ch || ch FROM c
              UNION ALL SELECT * FROM (VALUES (''), (NULL), ('  '), ('a'), (' ạ '), ('ạ')))
        SELECT count(*), list(v)[1:5] FROM v WHERE {trimmed('v')} IS DISTINCT FROM nullif(trim(v), '')
        """).fetchone()
    assert differ == (0, None)
    assert con.execute(f"SELECT {trimmed('v')} FROM (VALUES ('\u00a0Nguyễn\u3000'), (' A1 '), "
                       "('\tx')) t(v)").fetchall() == [("Nguyễn",), ("A1",), ("\tx",)]


@pytest.mark.parametrize("value, utc", [
    ("2026-01-31 10:00:00", "2026-01-31 03:00:00"),           # workspace time (UTC+7)
    ("2026-01-31", "2026-01-30 17:00:00"),                    # a date: its local midnight, not -31
    ("2026-01-31T10:00:00+07:00", "2026-01-31 03:00:00"),
    ("2026-01-31 10:00:00-0530", "2026-01-31 15:30:00"),
    ("2026-01-31 10:00:00-05", "2026-01-31 15:00:00"),
    ("2026-01-31 10:00:00Z", "2026-01-31 10:00:00"),
    ("2026-01-31 10:00:00.250 UTC", "2026-01-31 10:00:00.250000"),
    ("2026-01-31 10:00:00 America/New_York", "2026-01-31 15:00:00"),
    ("31-01-2026 10:00", None),                               # not a time DuckDB reads
    ("2026-01-31 10:00:00 Giờ", None),                        # a zone that does not exist
])
def test_times_are_read_in_their_offset_or_the_workspace_zone(value, utc):
    t = pa.table({"call_id": ["a"], "started_at": [value], "status": ["busy"],
                  "__line": pa.array([2], pa.int64())})
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rules = {c: ColumnRule(c, column=c) for c in ("call_id", "started_at", "status")}
    sql = RowCompiler(TABLES["calls"], rules, t.schema, "Asia/Ho_Chi_Minh", con, None).select("t")
    con.register("t", t)
    got, col = con.execute(f"SELECT started_at, __col FROM ({sql})").fetchone()
    if utc is None:
        assert (got, col) == (None, "started_at")
    else:
        assert col is None
        assert got.astimezone(UTC).replace(tzinfo=None) == datetime.fromisoformat(utc)


def test_a_row_failing_several_checks_names_the_first_and_good_rows_name_none():
    t = pa.table({"call_id": ["a", "b", ""], "started_at": ["2026-01-31 10:00", "soon", "soon"],
                  "status": ["busy", "nope", "busy"], "talk_s": ["5", "-1", "x"],
                  "__line": pa.array([2, 3, 4], pa.int64())})
    con = duckdb.connect()
    rules = {c: ColumnRule(c, column=c) for c in ("call_id", "started_at", "status", "talk_s")}
    sql = RowCompiler(TABLES["calls"], rules, t.schema, "UTC", con, None).select("t")
    con.register("t", t)
    rows = con.execute(f"SELECT __line, __col, __reason, __raw IS NOT NULL FROM ({sql}) "
                       "ORDER BY __line").fetchall()
    assert rows[0] == (2, None, None, False)
    assert rows[1][:2] == (3, "started_at") and "'soon' is not a time" in rows[1][2] and rows[1][3]
    assert rows[2][:3] == (4, "call_id", "call_id is required but empty") and rows[2][3]
