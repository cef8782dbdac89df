"""`telekpi import`'s exit status: a file none of whose lines can be read is a failed import."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures" / "asterisk"


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
