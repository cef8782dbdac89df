"""Importing a file again when nothing it depends on changed is skipped (``store/import_marks.py``):
it reports and logs what a full re-import would, and anything that could change the outcome
(the file's bytes, the mapping, a setting, another write to the table) makes it a full import."""

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import telekpi
from telekpi.ingest.mapping import parse_mapping
from telekpi.ingest.pipeline import import_file
from telekpi.settings import Settings
from telekpi.store import import_marks
from telekpi.store.warehouse import Warehouse

HEADER = "call_id,started_at,agent_id,status,talk_s,disposition\n"
ROWS = ("c1,2026-01-31 10:00,a1,answered,100,SALE\nc2,2026-01-31 10:05,a1,weird,5,\n"
        "c3,2026-01-31 10:10,a2,busy,-5,ODD\nc1,2026-01-31 10:20,a1,answered,200,ODD\n"
        "c4,2026-01-31 10:30,a2,answered,4000,SALE\n")
SKIPPED = "nothing has changed the table since: nothing to do"


def write(path, text):
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def state(wh):
    q = wh.con.execute
    return (q("SELECT * FROM calls ORDER BY call_id").fetchall(),
            q('SELECT source, line, "table", "column", raw, reason, imported_at FROM quarantine '
              "ORDER BY line").fetchall())


def report(r):
    c = r.counts
    return ((c.rows_read, c.inserted, c.updated, c.unchanged, c.quarantined, c.skipped),
            r.examples, r.unknown_dispositions, r.ignored_columns, [n for n in r.notes if SKIPPED not in n])


def test_same_file_again_is_skipped_and_reports_what_a_full_reimport_would(tmp_path):
    f, s = write(tmp_path / "calls.csv", ROWS), Settings()
    with Warehouse(tmp_path / "w.duckdb") as wh:
        import_file(wh, "calls", f, s)
        before = state(wh)
        skipped = import_file(wh, "calls", f, s)
        assert any(SKIPPED in n for n in skipped.notes)
        assert state(wh) == before
        import_marks.forget(wh.con, str(f.resolve()), "calls")   # the same again, imported in full
        full = import_file(wh, "calls", f, s)
        assert not any(SKIPPED in n for n in full.notes)
        assert report(skipped) == report(full)
        assert report(full)[0] == (5, 0, 0, 2, 3, 0)
        assert state(wh) == before
        logged = wh.con.execute("SELECT rows_read, inserted, updated, unchanged, quarantined, skipped "
                                "FROM imports ORDER BY imported_at").fetchall()
        assert logged[1] == logged[2] == (5, 0, 0, 2, 3, 0)


def test_a_changed_file_mapping_or_setting_is_imported_in_full(tmp_path):
    f, s = write(tmp_path / "calls.csv", ROWS), Settings()
    with Warehouse(tmp_path / "w.duckdb") as wh:
        import_file(wh, "calls", f, s)
        # a setting: the longest plausible duration now quarantines c4's 4000 s talk
        r = import_file(wh, "calls", f, replace(s, max_duration_s=3600.0))
        assert SKIPPED not in " ".join(r.notes)
        assert (r.counts.quarantined, r.counts.unchanged) == (4, 1)
        # a mapping: talk in minutes (c1 changes; c4, 4000 min, is beyond a day)
        m = parse_mapping({"columns": {"talk_s": {"column": "talk_s", "unit": "min"}}}, "m.yaml")
        r = import_file(wh, "calls", f, s, mapping=m)
        assert SKIPPED not in " ".join(r.notes)
        assert (r.counts.updated, r.counts.quarantined) == (1, 4)   # 4000 min is beyond a day
        r = import_file(wh, "calls", f, s, mapping=m)
        assert SKIPPED in " ".join(r.notes)
        # the file: one byte
        write(f, ROWS.replace("a2,busy", "a3,busy"))
        r = import_file(wh, "calls", f, s, mapping=m)
        assert SKIPPED not in " ".join(r.notes)


def test_another_write_to_the_table_makes_it_a_full_import(tmp_path):
    """A second file changed a row of the first: importing the first again restores it."""
    f, s = write(tmp_path / "calls.csv", ROWS), Settings()
    other = write(tmp_path / "other.csv", "c1,2026-01-31 10:20,a9,answered,1,SALE\n")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        import_file(wh, "calls", f, s)
        import_file(wh, "calls", other, s)
        r = import_file(wh, "calls", f, s)
        assert SKIPPED not in " ".join(r.notes)
        assert r.counts.updated == 1
        assert wh.con.execute("SELECT agent_id FROM calls WHERE call_id = 'c1'").fetchone() == ("a1",)


@pytest.mark.slow
def test_the_fingerprint_is_the_same_in_every_process(tmp_path):
    """Settings hold sets, whose order follows each process's string hashing (PYTHONHASHSEED)."""
    f = write(tmp_path / "calls.csv", ROWS)
    code = ("import sys; from pathlib import Path; from telekpi.ingest.fingerprint import fingerprint; "
            "from telekpi.ingest.mapping import Mapping; from telekpi.settings import Settings; "
            "print(fingerprint(Path(sys.argv[1]), 'calls', 'csv', None, Mapping(), Settings()))")
    src = str(Path(telekpi.__file__).resolve().parents[1])
    prints = {subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONPATH": src, "PYTHONHASHSEED": str(seed)}).stdout
              for seed in range(1, 6)}
    assert len(prints) == 1
