"""Property tests: whatever the rows, nothing is lost and a re-import is a no-op."""

import csv
import io
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telekpi.catalog.loader import load_catalog
from telekpi.engine.rollups.upkeep import RollupUpkeep
from telekpi.ingest.pipeline import import_file
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

from .samples import reimport_changes_nothing

STATUSES = ["answered", "no_answer", "busy", "ANSWERED", "bogus", ""]
TIMES = ["2026-01-31 10:00:00", "2026-02-01T23:59", "2026-03-01 00:00:00+07:00", "31/01/2026", "", "soon"]
TALKS = ["0", "12.5", "0:01:30", "-3", "abc", ""]
text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)

row = st.fixed_dictionaries({
    "call_id": st.sampled_from(["c1", "c2", "c3", "c4", "c5", ""]),
    "started_at": st.sampled_from(TIMES),
    "status": st.sampled_from(STATUSES),
    "talk_s": st.sampled_from(TALKS),
    "agent_id": text,
})


def valid(r: dict) -> bool:
    """The import's rules, restated independently for these generated values."""
    return (r["call_id"].strip() != "" and r["started_at"] in TIMES[:3]
            and r["status"].lower() in ("answered", "no_answer", "busy")
            and r["talk_s"] in ("0", "12.5", "0:01:30", ""))


def blank(r: dict) -> bool:
    return all(v.strip() == "" for v in r.values())


def write_csv(path, rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["call_id", "started_at", "status", "talk_s", "agent_id"],
                       lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("observed", [False, True], ids=["plain", "observed"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(row, max_size=12), second=st.lists(row, max_size=12))
def test_nothing_lost_and_reimport_is_a_no_op(tmp_path_factory, observed, first, second):
    """Also with an observer (the rollups' upkeep), which counts from the changed rows."""
    ws = tmp_path_factory.mktemp("ws")
    s = Settings(timezone="Asia/Ho_Chi_Minh")
    observer = RollupUpkeep(load_catalog(None), s) if observed else None
    f = ws / "calls.csv"
    with Warehouse(ws / "w.duckdb") as wh:
        expected_keys: set[str] = set()
        for rows in (first, second):
            write_csv(f, rows)
            data = [r for r in rows if not blank(r)]
            good = [r for r in data if valid(r)]
            r1 = import_file(wh, "calls", f, s, observer=observer)
            c = r1.counts
            assert c.rows_read == len(data)
            assert c.inserted + c.updated + c.unchanged + c.quarantined == c.rows_read
            keys = {r["call_id"].strip() for r in good}
            dup_losers = len(good) - len(keys)
            assert c.quarantined == len(data) - len(good) + dup_losers
            assert c.inserted == len(keys - expected_keys)
            expected_keys |= keys
            assert wh.count("calls") == len(expected_keys)
            assert wh.con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == c.quarantined
            # the last line of each key wins
            for key in keys:
                last = [r for r in good if r["call_id"].strip() == key][-1]
                agent = wh.con.execute("SELECT agent_id FROM calls WHERE call_id = ?", [key]).fetchone()[0]
                assert agent == (last["agent_id"].strip() or None)
            assert reimport_changes_nothing(wh, f, s).unchanged == len(keys)


field = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(field, min_size=1, max_size=8),
       delimiter=st.sampled_from([",", ";", "\t", "|"]))
@pytest.mark.slow
def test_csv_text_values_round_trip(tmp_path_factory, values, delimiter):
    """Quotes, delimiters and any Unicode in a value come back as written (trimmed)."""
    ws = tmp_path_factory.mktemp("ws")
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow(["call_id", "started_at", "status", "disposition"])
    for i, v in enumerate(values):
        w.writerow([f"c{i}", "2026-01-31 10:00", "busy", v])
    (ws / "c.csv").write_text(buf.getvalue(), encoding="utf-8")
    with Warehouse(ws / "w.duckdb") as wh:
        r = import_file(wh, "calls", ws / "c.csv", Settings())
        assert r.counts.inserted == len(values) and r.counts.quarantined == 0
        got = dict(wh.con.execute("SELECT call_id, disposition FROM calls").fetchall())
        assert got == {f"c{i}": (v.strip() or None) for i, v in enumerate(values)}


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(seconds=st.floats(min_value=0, max_value=1e7, allow_nan=False))
def test_durations_parse_as_numbers_and_clock_text(seconds):
    import duckdb
    import pyarrow as pa

    from telekpi.ingest.mapping import ColumnRule
    from telekpi.model.tables import TABLES
    from telekpi.quality.validate import RowCompiler

    h, rem = divmod(int(seconds), 3600)
    clock = f"{h}:{rem // 60:02d}:{rem % 60:02d}"
    t = pa.table({"call_id": ["a", "b"], "started_at": ["2026-01-01 00:00"] * 2, "status": ["busy"] * 2,
                  "talk_s": [repr(seconds), clock], "__line": pa.array([2, 3], pa.int64())})
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rules = {c: ColumnRule(c, column=c) for c in ("call_id", "started_at", "status", "talk_s")}
    sql = RowCompiler(TABLES["calls"], rules, t.schema, "UTC", con, None).select("t")
    con.register("t", t)
    got = [r[0] for r in con.execute(f"SELECT talk_s FROM ({sql}) ORDER BY __line").fetchall()]
    assert math.isclose(got[0], seconds, rel_tol=1e-12)
    assert got[1] == int(seconds)
