"""Importing CSV: every row accounted for, re-import a no-op, bad input named precisely."""

import json
from datetime import UTC, datetime

import pytest

from telekpi.ingest.pipeline import import_file
from telekpi.store.warehouse import Warehouse

HEADER = "call_id,started_at,agent_id,status,talk_s,disposition\n"


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def counts_line(out: str) -> str:
    return out.splitlines()[0]


def test_counts_add_up_and_reimport_changes_nothing(ws, db, run, rows_of):
    f = write(ws / "calls.csv", HEADER + (
        "c1,2026-01-31 23:30:00,a1,answered,120,SALE\n"
        "c2,2026-02-01 08:00:00+07:00,a1,ANSWERED,0:01:30,NI\n"
        "c3,2026-02-01 09:00,a2,no_answer,0,\n"
        "c4,2026-02-01 09:00,a2,weird,5,\n"))
    code, out, err = run("--db", db, "import", "calls", f)
    assert code == 0, err
    assert "4 rows read: 3 inserted, 0 updated, 0 unchanged, 1 quarantined" in counts_line(out)
    before = rows_of("calls")
    quarantine_before = rows_of("quarantine")
    code, out, _ = run("--db", db, "import", "calls", f)
    assert "4 rows read: 0 inserted, 0 updated, 3 unchanged, 1 quarantined" in counts_line(out)
    assert rows_of("calls") == before
    assert rows_of("quarantine") == quarantine_before


def test_naive_times_are_workspace_time_and_offsets_are_kept(ws, db, run, rows_of):
    f = write(ws / "calls.csv", HEADER + "c1,2026-01-31 23:30:00,a1,answered,1,\n"
              "c2,2026-02-01T08:00:00+07:00,a1,answered,1,\nc3,2026-02-01 01:00:00Z,a1,answered,1,\n")
    assert run("--db", db, "import", "calls", f)[0] == 0
    got = {r[0]: r[1].astimezone(UTC).replace(tzinfo=None) for r in rows_of("calls", "call_id, started_at")}
    assert got == {"c1": datetime(2026, 1, 31, 16, 30), "c2": datetime(2026, 2, 1, 1, 0),
                   "c3": datetime(2026, 2, 1, 1, 0)}


def test_changed_row_updates_and_new_row_inserts(ws, db, run, rows_of):
    f = write(ws / "calls.csv", HEADER + "c1,2026-01-31 10:00,a1,answered,120,SALE\n")
    run("--db", db, "import", "calls", f)
    write(f, HEADER + "c1,2026-01-31 10:00,a1,answered,150,SALE\nc2,2026-01-31 11:00,a1,busy,0,\n")
    code, out, _ = run("--db", db, "import", "calls", f)
    assert "2 rows read: 1 inserted, 1 updated, 0 unchanged, 0 quarantined" in counts_line(out)
    assert rows_of("calls", "call_id, talk_s") == [("c1", 150.0), ("c2", 0.0)]


def test_duplicate_key_in_one_file_last_line_wins(ws, db, run, rows_of):
    f = write(ws / "calls.csv", HEADER + "c1,2026-01-31 10:00,a1,answered,1,\n"
              "c1,2026-01-31 10:00,a1,answered,2,\n")
    code, out, _ = run("--db", db, "import", "calls", f)
    assert "2 rows read: 1 inserted, 0 updated, 0 unchanged, 1 quarantined" in counts_line(out)
    assert rows_of("calls", "talk_s") == [(2.0,)]
    q = rows_of("quarantine", 'line, "column", reason')
    assert q == [(2, "call_id", "duplicate call_id 'c1' in this file; line 3 has the same key and wins")]


@pytest.mark.parametrize("prefilled", [False, True], ids=["empty-table", "table-with-rows"])
def test_duplicates_across_batches_last_line_wins(ws, db, run, rows_of, monkeypatch, prefilled):
    """Keys repeated across many small read batches: the bulk path (empty table, rows written
    straight to it) and the staged path agree with a plain reading of the file."""
    import telekpi.ingest.csv_file as csv_file

    monkeypatch.setattr(csv_file, "BLOCK_BYTES", 256)
    if prefilled:
        run("--db", db, "import", "calls", write(ws / "other.csv", HEADER + "z1,2026-01-01 10:00,a,busy,0,\n"))
    lines = [f"c{i % 7},2026-01-31 10:00,a{i},answered,{i}," for i in range(60)]
    f = write(ws / "calls.csv", HEADER + "\n".join(lines) + "\n")
    code, out, err = run("--db", db, "import", "calls", f)
    assert code == 0, err
    last = {}
    for n, text in enumerate(lines, start=2):
        last[text.split(",")[0]] = n
    assert "60 rows read: 7 inserted, 0 updated, 0 unchanged, 53 quarantined" in counts_line(out)
    want = sorted((k, float(n - 2)) for k, n in last.items())
    got = [r for r in rows_of("calls", "call_id, talk_s") if r[0] != "z1"]
    assert sorted(got) == want
    q = rows_of("quarantine", "line, reason")
    expected = sorted(
        (n, f"duplicate call_id '{t.split(',')[0]}' in this file; line {last[t.split(',')[0]]} "
            "has the same key and wins")
        for n, t in enumerate(lines, start=2) if last[t.split(",")[0]] != n)
    assert sorted(q) == expected
    code, out, _ = run("--db", db, "import", "calls", f)
    assert "60 rows read: 0 inserted, 0 updated, 7 unchanged, 53 quarantined" in counts_line(out)
    assert sorted(rows_of("quarantine", "line, reason")) == expected


@pytest.mark.parametrize("row, column, reason", [
    ("c9,31/01/2026 10:00,a1,answered,1,", "started_at",
     "started_at: '31/01/2026 10:00' is not a time like 2026-01-31 14:05:00"),
    ("c9,2026-01-31 10:00,a1,answered,-5,", "talk_s", "talk_s: '-5' is negative"),
    ("c9,2026-01-31 10:00,a1,picked up,5,", "status", "status: 'picked up' is not one of answered"),
    ("c9,2026-01-31 10:00,a1,,5,", "status", "status is required but empty"),
    ("c9,2026-01-31 10:00,a1,answered,abc,", "talk_s", "talk_s: 'abc' is not seconds"),
    ("c9,2026-01-31 10:00,a1,answered", None, "has 4 fields, expected 6"),
    ("c9,2026-01-31 10:00,a1,answered,1,SALE,extra", None, "has 7 fields, expected 6"),
])
def test_bad_rows_are_quarantined_with_line_column_and_reason(ws, db, run, rows_of, row, column, reason):
    f = write(ws / "calls.csv", HEADER + "c1,2026-01-31 10:00,a1,answered,1,\n" + row + "\n"
              + "c2,2026-01-31 11:00,a1,busy,0,\n")
    code, out, err = run("--db", db, "import", "calls", f)
    assert code == 0, err
    assert "3 rows read: 2 inserted, 0 updated, 0 unchanged, 1 quarantined" in counts_line(out)
    [(source, line, col, why)] = rows_of("quarantine", 'source, line, "column", reason')
    assert (source, line, col) == (str(f.resolve()), 3, column)
    assert why.startswith(reason)
    assert "line 3" in out and reason in out


def test_missing_required_column_exits_2_and_imports_nothing(ws, db, run, rows_of):
    f = write(ws / "calls.csv", "call_id,agent_id,status\nc1,a1,answered\n")
    code, out, err = run("--db", db, "import", "calls", f)
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{f}, line 1, column started_at: has no usable header for table calls" in err
    assert rows_of("calls") == [] and rows_of("quarantine") == []


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "is not a table telekpi can read"),
    (b"c1,2026-01-31 10:00,a1,answered,1,\n", "has no usable header"),
    (b"call_id,,status\n1,2,3\n", "required column(s) started_at not found among call_id, column 2"),
    (b"call_id,call_id,status\n1,2,3\n", "names column 'call_id' twice"),
])
def test_not_a_usable_table_is_one_sentence_exit_2(ws, db, run, rows_of, content, message):
    f = ws / "input.csv"
    f.write_bytes(content)
    code, out, err = run("--db", db, "import", "calls", f)
    assert code == 2, (out, err)
    assert message in err and str(f) in err
    assert len(err.strip().splitlines()) == 1
    assert rows_of("calls") == []


def test_missing_file_is_named(ws, db, run):
    code, _, err = run("--db", db, "import", "calls", ws / "nope.csv")
    assert code == 2 and "nope.csv: no such file" in err


def test_unknown_table_is_a_usage_error(ws, db, run):
    code, _, err = run("--db", db, "import", "callz", ws / "x.csv")
    assert code == 2 and "unknown table 'callz'" in err


def test_wrong_encoding_quarantines_rows_and_encoding_option_reads_them(ws, db, run, rows_of):
    text = HEADER + "c1,2026-01-31 10:00,Lê Văn Ánh,answered,1,\nc2,2026-01-31 11:00,a2,busy,0,\n"
    f = write(ws / "calls.csv", text, encoding="cp1258")
    code, out, _ = run("--db", db, "import", "calls", f)
    assert code == 0
    assert "2 rows read: 1 inserted, 0 updated, 0 unchanged, 1 quarantined" in counts_line(out)
    [(line, col, why)] = rows_of("quarantine", 'line, "column", reason')
    assert (line, col) == (2, "agent_id") and "not valid UTF-8" in why and "--encoding" in why
    code, out, _ = run("--db", db, "import", "calls", f, "--encoding", "cp1258")
    assert "1 inserted, 0 updated, 1 unchanged, 0 quarantined" in counts_line(out)
    assert ("c1", "Lê Văn Ánh") in rows_of("calls", "call_id, agent_id")
    assert rows_of("quarantine") == []   # the file's quarantine is replaced by this import's


def test_utf16_with_bom_tab_separated_and_utf8_bom(ws, db, run, rows_of):
    write(ws / "a.tsv", HEADER.replace(",", "\t") + "c1\t2026-01-31 10:00\tđ\tanswered\t1\t\n", "utf-16")
    write(ws / "b.csv", "\ufeff" + HEADER.replace(",", ";") + "c2;2026-01-31 10:00;a;busy;0;\n")
    assert run("--db", db, "import", "calls", ws / "a.tsv", ws / "b.csv")[0] == 0
    assert rows_of("calls", "call_id, agent_id") == [("c1", "đ"), ("c2", "a")]


def test_blank_lines_are_not_rows(ws, db, run):
    f = write(ws / "calls.csv", HEADER + "c1,2026-01-31 10:00,a1,answered,1,\n\n\nc2,2026-01-31 10:00,a1,busy,0,\n\n")
    code, out, _ = run("--db", db, "import", "calls", f)
    assert "2 rows read: 2 inserted" in out


def test_interrupted_import_leaves_warehouse_as_before(ws, db, settings, rows_of):
    from telekpi.ingest.pipeline import import_file

    f = write(ws / "calls.csv", HEADER + "c1,2026-01-31 10:00,a1,answered,1,\n")
    with Warehouse(db) as wh:
        import_file(wh, "calls", f, settings)
    before = rows_of("calls"), rows_of("quarantine"), rows_of("imports")
    write(f, HEADER + "c1,2026-01-31 10:00,a1,answered,99,\nc2,2026-01-31 10:00,a1,bad,0,\n")

    def ctrl_c(fraction):
        raise KeyboardInterrupt

    with Warehouse(db) as wh, pytest.raises(KeyboardInterrupt):
        import_file(wh, "calls", f, settings, progress=ctrl_c)
    assert (rows_of("calls"), rows_of("quarantine"), rows_of("imports")) == before


def test_large_file_in_one_transaction_counts_every_row(ws, db, settings, rows_of):
    """More rows than one DuckDB row group (122,880), with a bad row near the end."""
    from telekpi.ingest.pipeline import import_file

    n = 300_000
    lines = [f"c{i},2026-01-{i % 28 + 1:02d} 10:00,a{i % 50},answered,{i % 600},SALE" for i in range(n)]
    lines[-10] = "cX,not a time,a1,answered,1,"
    f = write(ws / "big.csv", HEADER + "\n".join(lines) + "\n")
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", f, settings)
        assert (r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (n, n - 1, 1)
        assert wh.count("calls") == n - 1
        assert wh.con.execute("SELECT line FROM quarantine").fetchall() == [(n - 9 + 1,)]


def test_quarantine_command_lists_rows(ws, db, run, run_json):
    f = write(ws / "calls.csv", HEADER + "c1,2026-01-31 10:00,a1,nope,1,\n")
    run("--db", db, "import", "calls", f)
    out = run_json("--db", db, "quarantine", "--source", f)
    assert [(r["line"], r["column"]) for r in out["rows"]] == [(2, "status")]
    assert json.loads(out["rows"][0]["raw"])["status"] == "nope"
    code, text, _ = run("--db", db, "quarantine")
    assert code == 0 and "is not one of" in text


def test_times_with_a_zone_name_are_read_in_that_zone(ws, db, settings, rows_of):
    """A zone name is not dropped: 10:15 PST is 18:15 UTC, not 10:15 workspace time."""
    (ws / "tz.csv").write_text("call_id,started_at,status\n1,2024-03-05 10:15:30 PST,answered\n"
                               "2,2024-03-05 10:15:30 America/New_York,answered\n"
                               "3,2024-03-05 10:15:30 XYZ,answered\n4,2024-03-05 10:15:30 UTC,answered\n")
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", ws / "tz.csv", settings)
    assert r.counts.quarantined == 1 and r.examples[0][0] == 4
    assert rows_of("calls", "call_id, CAST(timezone('UTC', started_at) AS VARCHAR)") == [
        ("1", "2024-03-05 18:15:30"), ("2", "2024-03-05 15:15:30"), ("4", "2024-03-05 10:15:30")]
