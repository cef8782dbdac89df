"""Every canonical table from CSV, Parquet and XLSX; typed Parquet and Excel cells."""

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from telekpi.ingest.pipeline import import_file
from telekpi.model.tables import TABLES
from telekpi.store.warehouse import Warehouse

from .samples import SAMPLE, write_table


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_imports_from_every_format(ws, db, settings, table, fmt):
    assert set(SAMPLE[table]) == set(TABLES[table].names)
    f = write_table(ws / f"{table}.{fmt}", [SAMPLE[table]], fmt)
    with Warehouse(db) as wh:
        r = import_file(wh, table, f, settings)
        assert (r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (1, 1, 0), \
            wh.con.execute("SELECT reason FROM quarantine").fetchall()
        assert r.format == fmt
        again = import_file(wh, table, f, settings)
        assert (again.counts.unchanged, again.counts.inserted, again.counts.updated) == (1, 0, 0)


def test_same_rows_from_csv_parquet_xlsx_are_the_same_rows(ws, settings):
    results = []
    for fmt in ("csv", "parquet", "xlsx"):
        f = write_table(ws / f"calls.{fmt}", [SAMPLE["calls"]], fmt)
        with Warehouse(ws / f"{fmt}.duckdb") as wh:
            import_file(wh, "calls", f, settings)
            results.append(wh.con.execute("SELECT * FROM calls").fetchall())
    assert results[0] == results[1] == results[2]
    row = dict(zip(TABLES["calls"].names, results[0][0], strict=True))
    assert row["talk_s"] == 120.0
    assert row["started_at"].astimezone(dt.UTC) == dt.datetime(2026, 1, 31, 16, 30, tzinfo=dt.UTC)


def test_typed_parquet_columns(ws, db, settings):
    """Naive timestamps are workspace time, aware ones keep their instant; numbers stay numbers."""
    t = pa.table({
        "call_id": ["p1", "p2"],
        "started_at": pa.array([dt.datetime(2026, 1, 31, 23, 30), dt.datetime(2026, 2, 1, 0, 30)],
                               pa.timestamp("us")),
        "status": ["answered", "busy"],
        "talk_s": pa.array([61.5, None], pa.float64()),
        "wrap_s": pa.array([-1, 3], pa.int64()),
    })
    pq.write_table(t, ws / "calls.parquet")
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", ws / "calls.parquet", settings)
        assert (r.counts.inserted, r.counts.quarantined) == (1, 1)
        assert wh.con.execute("SELECT call_id, epoch(started_at), talk_s FROM calls").fetchall() == [
            ("p2", dt.datetime(2026, 1, 31, 17, 30, tzinfo=dt.UTC).timestamp(), None)]
        assert wh.con.execute('SELECT line, "column", reason FROM quarantine').fetchall() == [
            (1, "wrap_s", "wrap_s: '-1' is negative")]


def test_excel_typed_cells_and_title_rows(ws, db, settings):
    import openpyxl

    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "Summary"
    data = wb.create_sheet("Calls")
    data.append(["Báo cáo cuộc gọi tháng 1"])
    data.append([])
    data.append(["call_id", "started_at", "status", "talk_s", "agent_id"])
    data.append([1001, dt.datetime(2026, 1, 31, 23, 30), "ANSWERED", dt.time(0, 1, 30), 7.0])
    data.append([1002, dt.date(2026, 2, 1), "busy", 0, None])
    data.append([None, None, None, None, None])
    data.append([1003, "yesterday", "busy", 0, None])
    wb.save(ws / "calls.xlsx")
    (ws / "m.yaml").write_text("sheet: Calls\nskip_rows: 2\n", encoding="utf-8")
    from telekpi.ingest.mapping import load_mapping

    with Warehouse(db) as wh:
        r = import_file(wh, "calls", ws / "calls.xlsx", settings, mapping=load_mapping(ws / "m.yaml"))
        assert (r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (3, 2, 1)
        rows = wh.con.execute("SELECT call_id, status, talk_s, agent_id FROM calls ORDER BY 1").fetchall()
        assert rows == [("1001", "answered", 90.0, "7"), ("1002", "busy", 0.0, None)]
        assert wh.con.execute('SELECT line, "column" FROM quarantine').fetchall() == [(7, "started_at")]


def test_unknown_sheet_is_named(ws, db, run):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.active.append(["call_id"])
    wb.save(ws / "c.xlsx")
    (ws / "m.yaml").write_text("sheet: Calls\n", encoding="utf-8")
    code, _, err = run("--db", db, "import", "calls", ws / "c.xlsx", "--mapping", ws / "m.yaml")
    assert code == 2 and "has no sheet 'Calls'; its sheets are: Data" in err


def test_damaged_parquet_and_workbook_are_one_sentence(ws, db, run):
    (ws / "bad.parquet").write_bytes(b"PAR1" + b"\x00" * 50)
    (ws / "bad.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    for name in ("bad.parquet", "bad.xlsx"):
        code, _, err = run("--db", db, "import", "calls", ws / name)
        assert code == 2, err
        assert len(err.strip().splitlines()) == 1 and name in err and "Traceback" not in err


def test_phone_columns_are_stored_in_e164_with_the_workspace_region(ws):
    """caller_number, called_number and line: E.164 by the workspace's phone_region (the one
    definition lead search uses, model/phones.py); an extension or a word is kept as written."""
    from telekpi.settings import Settings

    f = ws / "calls.csv"
    f.write_text("call_id,started_at,status,direction,caller_number,called_number,line,queue,queued_at\n"
                 "c1,2026-01-31 09:00,answered,inbound,0974 442 778,028 7300 1234,(028) 7300-1234,cards,"
                 "2026-01-31 09:00:05\n"
                 "c2,2026-01-31 09:01,answered,outbound,1001,+66 81 234 5678,84287300123,,\n"
                 "c3,2026-01-31 09:02,abandoned,inbound,anonymous,,,,\n", encoding="utf-8")
    with Warehouse(ws / "p.duckdb") as wh:
        r = import_file(wh, "calls", f, Settings(timezone="Asia/Ho_Chi_Minh", phone_region="VN"))
        assert (r.counts.inserted, r.counts.quarantined) == (3, 0)
        rows = wh.con.execute("SELECT call_id, caller_number, called_number, line, queue, "
                              "epoch(queued_at) - epoch(started_at) FROM calls ORDER BY 1").fetchall()
    assert rows == [("c1", "+84974442778", "+842873001234", "+842873001234", "cards", 5.0),
                    ("c2", "1001", "+66812345678", "+84287300123", None, None),
                    ("c3", "anonymous", None, None, None, None)]
