"""Mapping files: columns, codes, formats, units, templates, constants; errors with file and line."""

import pytest

from telekpi.errors import ConfigError, InputError
from telekpi.ingest.mapping import load_mapping
from telekpi.ingest.pipeline import import_file
from telekpi.store.warehouse import Warehouse

CRM = """# the CRM's call report
table: calls
timezone: Asia/Bangkok
skip_rows: 1
csv: {delimiter: ";"}
columns:
  call_id: {template: "{Chiến dịch}-{Mã}"}
  started_at: {column: Thời gian, format: "%d/%m/%Y %H:%M"}
  talk_s: {column: Thời lượng (ms), unit: ms}
  status:
    column: Kết quả
    values: {Thành công: answered, Không nghe máy: no_answer}
    otherwise: failed
  agent_id: {column: nhân viên, default: unassigned}
  direction: {constant: inbound}
  wait_s: {column: Chờ, decimal: ","}
"""

FILE = """Báo cáo cuộc gọi
Mã;Chiến dịch;Thời gian;Thời lượng (ms);Kết quả;Nhân viên;Chờ;Ghi chú;Disposition
1;K1;31/01/2026 23:30;90500;Thành công;a1;1,5;hi;sale
2;K1;01/02/2026 08:00;0;KHÔNG NGHE MÁY;;0;;
3;K1;01/02/2026 08:05;0;Mất sóng;a2;0;;
4;K1;2026-02-01;0;Thành công;a2;0;;
"""


def test_mapping_reads_a_crm_export(ws, db, settings):
    (ws / "m.yaml").write_text(CRM, encoding="utf-8")
    (ws / "calls.csv").write_text(FILE, encoding="utf-8")
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", ws / "calls.csv", settings, mapping=load_mapping(ws / "m.yaml"))
        assert (r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (4, 3, 1)
        assert r.ignored_columns == ["Ghi chú"]
        rows = wh.con.execute("""SELECT call_id, strftime(timezone('Asia/Bangkok', started_at), '%Y-%m-%d %H:%M'),
            talk_s, status, agent_id, direction, wait_s, disposition FROM calls ORDER BY 1""").fetchall()
        assert rows == [
            ("K1-1", "2026-01-31 23:30", 90.5, "answered", "a1", "inbound", 1.5, "sale"),
            ("K1-2", "2026-02-01 08:00", 0.0, "no_answer", "unassigned", "inbound", 0.0, None),
            ("K1-3", "2026-02-01 08:05", 0.0, "failed", "a2", "inbound", 0.0, None),
        ]
        [(line, col, reason)] = wh.con.execute('SELECT line, "column", reason FROM quarantine').fetchall()
        assert (line, col) == (6, "started_at")
        assert reason == "started_at: '2026-02-01' is not a time in the format %d/%m/%Y %H:%M"


def test_epoch_and_money_formats(ws, db, settings):
    (ws / "m.yaml").write_text("""columns:
  ordered_at: {column: ts, format: epoch_ms}
  amount: {column: total, thousands: ".", decimal: ","}
""", encoding="utf-8")
    (ws / "o.csv").write_text('order_id,ts,total\no1,1769880600000,"1.500.000,50 ₫"\no2,1769880600000,abc\n',
                              encoding="utf-8")
    with Warehouse(db) as wh:
        r = import_file(wh, "orders", ws / "o.csv", settings, mapping=load_mapping(ws / "m.yaml"))
        assert (r.counts.inserted, r.counts.quarantined) == (1, 1)
        assert wh.con.execute("SELECT amount, epoch(ordered_at), status FROM orders").fetchall() == [
            (__import__("decimal").Decimal("1500000.5000"), 1769880600.0, "completed")]


@pytest.mark.parametrize("text, line, message", [
    ("columns:\n  call_id: id\n  nonsense: x\n", 3, "'nonsense' is not a column of table calls"),
    ("columns:\n  started_at:\n    column: t\n    fromat: '%d'\n", 4, "unknown key 'fromat' for column 'started_at'"),
    ("columns:\n  talk_s: {column: t, unit: weeks}\n", 2, "unit 'weeks' of column 'talk_s' must be one of"),
    ("columns:\n  call_id: {column: a, constant: b}\n", 2, "needs exactly one of column, constant or template"),
    ("colums:\n  call_id: id\n", 1, "unknown key 'colums'"),
    ("columns: [a, b\n", 2, "is not valid YAML"),
    ("table: leads\ncolumns: {}\n", 1, "this mapping is for table 'leads', not 'calls'"),
    ("timezone: Mars/Olympus\n", 1, "timezone 'Mars/Olympus' is not an IANA name"),
    ("columns:\n  started_at: {column: started_at, format: '%Q'}\n", 2, "is not a valid strptime pattern"),
])
def test_mapping_errors_name_file_and_line(ws, db, run, text, line, message):
    (ws / "m.yaml").write_text(text, encoding="utf-8")
    (ws / "calls.csv").write_text("call_id,started_at,status\nc1,2026-01-31 10:00,busy\n", encoding="utf-8")
    code, _, err = run("--db", db, "import", "calls", ws / "calls.csv", "--mapping", ws / "m.yaml")
    assert code == 2, err
    assert f"{ws / 'm.yaml'}, line {line}: " in err and message in err, err
    assert len(err.strip().splitlines()) == 1


def test_mapping_naming_a_missing_file_column(ws, db, settings):
    (ws / "m.yaml").write_text("columns:\n  agent_id: Nhân viên\n", encoding="utf-8")
    (ws / "calls.csv").write_text("call_id,started_at,status\nc1,2026-01-31 10:00,busy\n", encoding="utf-8")
    with Warehouse(db) as wh, pytest.raises(InputError) as e:
        import_file(wh, "calls", ws / "calls.csv", settings, mapping=load_mapping(ws / "m.yaml"))
    assert e.value.column == "Nhân viên" and "line 2" in e.value.message
    assert "has no column 'Nhân viên'" in e.value.message


def test_header_names_match_ignoring_case_and_spaces(ws, db, settings):
    (ws / "c.csv").write_text("Call ID,Started-At,STATUS\nc1,2026-01-31 10:00,Busy\n", encoding="utf-8")
    with Warehouse(db) as wh:
        assert import_file(wh, "calls", ws / "c.csv", settings).counts.inserted == 1


def test_missing_mapping_file(ws):
    with pytest.raises(ConfigError, match="no such mapping file"):
        load_mapping(ws / "nope.yaml")
