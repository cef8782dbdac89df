"""`telekpi import` and `telekpi quarantine` tell the truth: exit codes, counts that add up,
an unreadable file among several named while the others import, a listing that says it is cut."""

import shutil
from pathlib import Path

from telekpi.store.warehouse import Warehouse

HEADER = "call_id,started_at,status,talk_s\n"
FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures" / "asterisk"
QUEUE_LOG = FIXTURES / "queue_log"


def calls(db) -> int:
    with Warehouse(db) as wh:
        return wh.count("calls")


def test_a_file_whose_every_row_is_quarantined_exits_1(tmp_path, run):
    f = tmp_path / "bad.csv"
    f.write_text(HEADER + "c1,yesterday,answered,1\nc2,2026-01-01 10:00,maybe,1\n", encoding="utf-8")
    code, out, err = run("--db", tmp_path / "w.duckdb", "import", "calls", f)
    assert code == 1
    assert "2 rows read: 0 inserted, 0 updated, 0 unchanged, 2 quarantined" in out
    assert f"nothing of {f} was imported: all 2 row(s) were quarantined; see telekpi quarantine --source" in err


def test_some_rows_quarantined_exits_0(tmp_path, run):
    f = tmp_path / "mixed.csv"
    f.write_text(HEADER + "c1,2026-01-01 10:00,answered,1\nc2,2026-01-01 10:00,maybe,1\n", encoding="utf-8")
    code, out, err = run("--db", tmp_path / "w.duckdb", "import", "calls", f)
    assert code == 0, err


def test_an_empty_file_among_several_is_named_and_the_others_import(tmp_path, run):
    db = tmp_path / "w.duckdb"
    files = []
    for month, rows in (("july", "c1,2026-07-01 10:00,answered,1\n"), ("august", None),
                        ("september", "c2,2026-09-01 10:00,answered,1\nc3,2026-09-02 10:00,busy,0\n")):
        files.append(tmp_path / f"{month}.txt")
        files[-1].write_text("" if rows is None else HEADER + rows, encoding="utf-8")
    code, out, err = run("--db", db, "import", "calls", *files)
    assert code == 2   # as a single unreadable file exits, but only after importing the others
    assert f"{files[1]}, line 1: is empty; expected a header line naming the columns" in err
    assert f"1 of 3 files not imported: {files[1]}" in err
    assert "2 files: 3 rows read: 3 inserted" in out
    assert calls(db) == 3


def test_one_empty_file_alone_is_the_error_it_was(tmp_path, run):
    f = tmp_path / "august.txt"
    f.write_text("", encoding="utf-8")
    code, out, err = run("--db", tmp_path / "w.duckdb", "import", "calls", f)
    assert code == 2 and "is empty" in err and "files not imported" not in err


def test_skipped_rows_are_in_the_counts_line(tmp_path, run):
    f = tmp_path / "calls.csv"
    f.write_text(HEADER + "c1,2026-01-01 10:00,answered,1\nc2,2026-01-01 10:00,failed,0\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text("skip: {column: status, values: [failed]}\n", encoding="utf-8")
    code, out, err = run("--db", tmp_path / "w.duckdb", "import", "calls", f, "--mapping", tmp_path / "m.yaml")
    assert code == 0, err
    assert "2 rows read: 1 inserted, 0 updated, 0 unchanged, 1 skipped, 0 quarantined" in out


def test_a_log_says_lines_read_and_rows_made(tmp_path, run):
    log = shutil.copy(QUEUE_LOG, tmp_path / "queue_log")
    lines = len(Path(log).read_text().splitlines())
    code, out, err = run("--db", tmp_path / "w.duckdb", "import", "calls", log)
    assert code == 0, err
    first = out.splitlines()[0]
    assert f"{lines} lines read, " in first and " rows made: " in first


def test_quarantine_says_when_it_shows_only_the_first_rows(tmp_path, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    db = tmp_path / "w.duckdb"
    f = tmp_path / "bad.csv"
    f.write_text(HEADER + "".join(f"c{i},2026-01-01 10:00,maybe,1\n" for i in range(105)), encoding="utf-8")
    run("--db", db, "import", "calls", f)
    code, out, err = run("--db", db, "quarantine")
    assert code == 0
    assert "showing the first 100 of 105 quarantined rows; --limit 0 shows them all" in err
    code, out, err = run("--db", db, "quarantine", "--limit", "0")
    assert "showing" not in err


def test_an_import_where_every_line_is_unreadable_exits_non_zero(run, tmp_path):
    # A comma-separated file read as the pipe-separated log: every line is cut short.
    bad = tmp_path / "queue_log"
    bad.write_text("1772442000,1772442000.7,sales,NONE,ENTERQUEUE\n1772442008,x,sales,NONE,ABANDON\n")
    code, out, _ = run("--db", tmp_path / "w.duckdb", "import", "calls", bad, "--format",
                       "asterisk-queue-log", "--quiet")
    assert code == 1
    assert "2 quarantined" in out


def test_a_queue_log_table_dump_imports_and_exits_zero(run, tmp_path):
    code, out, err = run("--db", tmp_path / "w.duckdb", "import", "calls", FIXTURES / "queue_log_data.csv",
                         "--quiet")
    assert code == 0, err
    assert "(asterisk-queue-log)" in out and "2 inserted" in out
