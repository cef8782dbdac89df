"""Files that lie: damaged quotes, very wide headers, NUL bytes, UTF-16 without a byte-order
mark. Each bad line is quarantined with its line and column; the good rows around it are kept."""

import codecs

import pytest

from telekpi.errors import InputError
from telekpi.ingest import csv_file
from telekpi.ingest.csv_file import CsvSource
from telekpi.ingest.pipeline import import_file
from telekpi.ingest.registry import detect_format
from telekpi.ingest.source import ReadOptions
from telekpi.store.warehouse import Warehouse

HEADER = "call_id,started_at,status,talk_s\n"


def row(i: int, status: str = "answered") -> str:
    return f"c{i},2026-01-31 10:00,{status},{i}\n"


def imported(db, settings, path, **kw):
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", path, settings, **kw)
        ids = sorted(x[0] for x in wh.con.execute("SELECT call_id FROM calls").fetchall())
        q = wh.con.execute('SELECT line, "column", reason FROM quarantine ORDER BY line').fetchall()
    return r, ids, q


def test_unterminated_quote_quarantines_its_line_and_the_rows_after_it_are_kept(ws, db, settings):
    f = ws / "calls.csv"
    f.write_text(HEADER + row(1) + 'c2,2026-01-31 10:00,"answered,2\n' + row(3) + row(4) + row(5),
                 encoding="utf-8")
    r, ids, q = imported(db, settings, f)
    c = r.counts
    assert (c.rows_read, c.inserted, c.quarantined) == (5, 4, 1)   # 5 data lines, each accounted for
    assert ids == ["c1", "c3", "c4", "c5"]
    [(line, column, reason)] = q
    assert (line, column) == (3, "status")
    assert reason.startswith("unterminated quote in column status: the quoted value runs to the end of the file")


def test_a_stray_quote_closed_lines_later_is_damage_when_the_record_does_not_fit(ws, db, settings):
    """The quote opened on line 3 would close at the first quote on line 5, which is followed by
    text (it opens a value there): line 3 alone is quarantined and lines 4 and 5 are rows."""
    f = ws / "calls.csv"
    f.write_text(HEADER + row(1) + 'c2,2026-01-31 10:00,"answered,2\n' + row(3)
                 + 'c4,2026-01-31 10:00,"answered",4\n' + row(5), encoding="utf-8")
    r, ids, q = imported(db, settings, f)
    assert (r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (5, 4, 1)
    assert ids == ["c1", "c3", "c4", "c5"]
    [(line, column, reason)] = q
    assert (line, column) == (3, "status")
    assert "the quote on line 5 does not close it into a row of 4 fields" in reason


def test_a_closed_quoted_value_with_line_breaks_is_one_row_numbered_by_its_first_line(ws, db, settings):
    f = ws / "calls.csv"
    f.write_text("call_id,started_at,status,disposition\n"
                 "c1,2026-01-31 10:00,answered,\"first line\r\nsecond, with a comma\n\nfourth\"\n"
                 "c2,2026-01-31 10:00,bogus,x\n", encoding="utf-8")
    r, ids, q = imported(db, settings, f)
    assert (r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (2, 1, 1)
    assert q[0][:2] == (6, "status")     # the true line, after the four lines of row 1
    with Warehouse(db) as wh:
        assert wh.con.execute("SELECT disposition FROM calls").fetchone()[0] == \
            "first line\r\nsecond, with a comma\n\nfourth"
    assert any("1 rows hold a quoted value with line breaks" in n for n in r.notes)


def test_multiline_false_makes_a_quote_open_at_the_end_of_its_line_damage(ws, db, settings):
    from telekpi.ingest.mapping import Mapping

    f = ws / "calls.csv"
    f.write_text(HEADER + 'c1,2026-01-31 10:00,"answered\nx",1\n' + row(2), encoding="utf-8")
    strict = Mapping(read=ReadOptions(multiline=False))
    r, ids, q = imported(db, settings, f, mapping=strict)
    assert ids == ["c2"]
    assert [(line, col) for line, col, _ in q] == [(2, "status"), (3, None)]
    assert "does not close on its line" in q[0][2]
    assert q[1][2] == "has 2 fields, expected 4"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_damage_across_block_boundaries_keeps_every_line(ws, db, settings, monkeypatch, newline):
    """Small blocks: quoted values that span a block's end, a damaged quote near one, blank lines."""
    monkeypatch.setattr(csv_file, "BLOCK_BYTES", 64)
    lines = [row(i).rstrip("\n") for i in range(1, 40)]
    lines[9] = 'c10,2026-01-31 10:00,"answered,10'                        # damaged
    lines[20] = 'c21,2026-01-31 10:00,answered,"2' + newline + '1"'       # one row, two lines
    lines[30] = ""                                                        # blank: not a row
    f = ws / "calls.csv"
    f.write_bytes((HEADER.rstrip("\n") + newline + newline.join(lines) + newline).encode())
    r, ids, q = imported(db, settings, f)
    assert r.counts.rows_read == 38 and r.counts.quarantined == 2     # 40 lines: 1 blank, 1 row of 2
    assert [(line, col) for line, col, _ in q] == [(11, "status"), (22, "talk_s")]  # "2\n1" is no number
    assert "unterminated quote" in q[0][2]
    assert len(ids) == 36 and "c10" not in ids and "c21" not in ids and "c39" in ids


@pytest.mark.slow
def test_header_longer_than_64_kib_is_read_whole(ws, db, settings):
    filler = [f"a_rather_long_column_name_{i:06d}" for i in range(3000)]     # ~100 KiB of header
    f = ws / "calls.csv"
    f.write_text(",".join(filler + ["call_id", "started_at", "status"]) + "\n"
                 + ",".join([""] * 3000 + ["c1", "2026-01-31 10:00", "busy"]) + "\n", encoding="utf-8")
    r, ids, q = imported(db, settings, f)
    assert (r.counts.inserted, q, ids) == (1, [], ["c1"])


def test_header_of_6000_columns_reads_when_the_limit_allows(ws, monkeypatch):
    monkeypatch.setattr(csv_file, "MAX_COLUMNS", 10_000)
    filler = [f"extra_{i:06d}" for i in range(6000)]
    f = ws / "calls.csv"
    f.write_text(",".join(filler + ["call_id", "started_at", "status"]) + "\n"
                 + ",".join(["x"] * 6000 + ["c1", "2026-01-31 10:00", "busy"]) + "\n", encoding="utf-8")
    src = CsvSource(f, ReadOptions())
    try:
        batches = list(src.batches())
    finally:
        src.close()
    assert [b.table.column("call_id").to_pylist() for b in batches] == [["c1"]]
    assert batches[0].lines.tolist() == [2]


@pytest.mark.parametrize("header, message", [
    (",".join(f"c{i}" for i in range(5000)), "has 5,000 columns; telekpi reads files of up to 4,096 columns"),
    ("x" * (1 << 20) + "y", "has a header line longer than 1 MiB; telekpi reads header lines up to 1 MiB"),
])
def test_header_past_the_limits_is_refused_in_one_sentence(ws, header, message):
    f = ws / "wide.csv"
    f.write_text(header + "\n1\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        CsvSource(f, ReadOptions())
    assert e.value.message == message and e.value.line == 1


@pytest.mark.parametrize("at", [2, 5000], ids=["first-64-KiB", "later"])
def test_nul_byte_quarantines_its_row_naming_the_column(ws, db, settings, at):
    f = ws / "calls.csv"
    body = "".join(row(i) for i in range(1, 6000)).splitlines(keepends=True)
    body[at - 2] = "c0,2026-01-31 10:00,ans\x00wered,0\n"
    f.write_text(HEADER + "".join(body), encoding="utf-8")
    assert detect_format(f).name == "csv"
    r, ids, q = imported(db, settings, f)
    assert (r.counts.rows_read, r.counts.quarantined) == (5999, 1)
    assert q == [(at, "status", "status holds a NUL byte (\\x00), which is not text")]
    assert "c0" not in ids


def test_a_binary_file_is_still_not_a_table(ws):
    import random

    f = ws / "blob.csv"
    rng = random.Random(7)
    f.write_bytes(bytes(rng.randrange(256) for _ in range(20_000)))
    with pytest.raises(InputError, match="is not a table telekpi can read"):
        detect_format(f)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_detected(ws, db, settings, encoding):
    f = ws / "calls.csv"
    f.write_bytes((HEADER + row(1) + "c2,2026-01-31 10:00,busy,0\n").encode(encoding))
    assert not f.read_bytes().startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    r, ids, q = imported(db, settings, f)
    assert (r.counts.inserted, q, ids) == (2, [], ["c1", "c2"])


@pytest.mark.parametrize("encoding, text", [
    ("utf-16-le", "Nguyễn"), ("utf-16-be", "Nguyễn"), ("cp1258", "Lê Văn Đô"), ("tis-620", "สมชาย"),
    ("cp874", "สมชาย"), ("gb18030", "张伟"), ("big5", "張偉"), ("utf-8-sig", "Nguyễn"),
])
def test_encoding_alone_without_format(ws, db, run, rows_of, encoding, text):
    f = ws / "calls.csv"
    f.write_bytes(("call_id,started_at,status,agent_id\n"
                   f"c1,2026-01-31 10:00,busy,{text}\n").encode(encoding))
    code, out, err = run("--db", db, "import", "calls", f, "--encoding", encoding)
    assert code == 0, err
    assert rows_of("calls", "agent_id") == [(text,)]


def test_bytes_not_in_the_encoding_told_quarantine_their_row(ws, db, run, rows_of):
    f = ws / "calls.csv"
    f.write_bytes(b"call_id,started_at,status,agent_id\nc1,2026-01-31 10:00,busy,\xa1\xa1\n"
                  b"c2,2026-01-31 10:00,busy,\xff\xff\n")
    code, out, err = run("--db", db, "import", "calls", f, "--encoding", "gb18030")
    assert code == 0, err
    assert rows_of("calls", "call_id") == [("c1",)]
    [(line, column, reason)] = rows_of("quarantine", 'line, "column", reason')
    assert (line, column) == (3, "agent_id") and reason.startswith("is not valid gb18030 text")


def test_a_column_name_past_the_csv_field_limit_is_refused_in_one_sentence(tmp_path, run):
    """Found by the connector fuzzing: a header field over 128 KiB (the csv module's limit)
    stopped the import with an internal error."""
    f = tmp_path / "wide.csv"
    f.write_text("x" * 200_000 + ",call_id,started_at,status\n1,c1,2026-01-01 10:00,answered\n",
                 encoding="utf-8")
    code, out, err = run("--db", tmp_path / "w.duckdb", "import", "calls", f)
    assert code == 2 and "internal error" not in err
    assert "has a column name longer than 131,072 characters in its header" in err
