"""`mapping suggest`: a mapping proposed from an export's header and values parses, explains
itself, and imports a clean export with nothing quarantined."""

import datetime as dt

import pytest

from telekpi.errors import InputError, UsageError
from telekpi.ingest.mapping import load_mapping
from telekpi.ingest.pipeline import import_file
from telekpi.ingest.suggest import (
    detect_money,
    detect_seconds,
    detect_time,
    fold,
    guess_encoding,
    suggest,
)
from telekpi.store.warehouse import Warehouse

# A Vietnamese CRM's call report: a title, a blank line, ';', day-first times, milliseconds.
VN_CALLS = """Báo cáo cuộc gọi tháng 1/2026
;;;;;;;;
Mã cuộc gọi;Thời gian;Số điện thoại;Nhân viên;Chiến dịch;Thời lượng (ms);Kết quả;Kết quả tư vấn;Ghi chú
1;31/01/2026 23:30:05;0901234567;Lan;K1;90500;Thành công;Đồng ý mua;khách quen
2;01/02/2026 08:00:00;0901234568;Huy;K1;0;Không nghe máy;;
3;01/02/2026 08:05:00;0901234569;Lan;K1;0;Máy bận;;
4;01/02/2026 09:05:00;0901234569;Lan;K1;120000;Thành công;Hẹn gọi lại;
5;13/02/2026 09:05:00;0901234570;Lan;K1;30000;Thành công;Không quan tâm;
"""


def write_and_load(ws, s, source="export"):
    """The suggestion as a file, parsed by the importer's own loader."""
    (ws / "suggested.yaml").write_text(s.yaml(source), encoding="utf-8")
    return load_mapping(ws / "suggested.yaml")


def round_trip(ws, db, settings, path, s):
    with Warehouse(db) as wh:
        r = import_file(wh, s.table, path, settings, mapping=write_and_load(ws, s, path.name))
        return r, wh


def test_vietnamese_call_report(ws, db, settings):
    path = ws / "bao-cao.csv"
    path.write_text(VN_CALLS, encoding="utf-8")
    s = suggest(path)
    assert s.table == "calls" and not s.missing
    m = write_and_load(ws, s)
    assert (m.table, m.read.skip_rows, m.read.delimiter) == ("calls", 2, ";")
    r = m.rules
    assert (r["call_id"].column, r["lead_id"].column, r["agent_id"].column) == \
        ("Mã cuộc gọi", "Số điện thoại", "Nhân viên")
    assert (r["started_at"].column, r["started_at"].format) == ("Thời gian", "%d/%m/%Y %H:%M:%S")
    assert (r["talk_s"].column, r["talk_s"].unit) == ("Thời lượng (ms)", "ms")
    assert dict(r["status"].values) == {"thành công": "answered", "không nghe máy": "no_answer",
                                        "máy bận": "busy"}
    assert dict(r["disposition"].values) == {"đồng ý mua": "SALE", "hẹn gọi lại": "CALLBACK",
                                             "không quan tâm": "NI"}
    text = s.yaml("bao-cao.csv")
    assert "# 'Thời lượng (ms)' → talk_s: header word 'thoi luong'" in text
    assert "# the header says ms" in text and '"Ghi chú"' in text   # unused columns are listed

    with Warehouse(db) as wh:
        res = import_file(wh, "calls", path, settings, mapping=m)
        assert (res.counts.rows_read, res.counts.inserted, res.counts.quarantined) == (5, 5, 0)
        assert res.unknown_dispositions == []
        rows = wh.con.execute("""SELECT call_id, strftime(timezone('Asia/Ho_Chi_Minh', started_at),
            '%Y-%m-%d %H:%M:%S'), lead_id, agent_id, talk_s, status, disposition FROM calls ORDER BY 1""").fetchall()
    assert rows[0] == ("1", "2026-01-31 23:30:05", "0901234567", "Lan", 90.5, "answered", "SALE")
    assert rows[1][5:] == ("no_answer", None) and rows[2][5] == "busy"


def test_chinese_xlsx_export_with_a_title_row(ws, db, settings):
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["呼叫记录报表"])
    sheet.append(["通话ID", "开始时间", "坐席工号", "被叫号码", "通话时长(秒)", "通话状态", "小结", "备注"])
    start = dt.datetime(2026, 3, 2, 9, 0, 0)
    data = [("已接通", 75, "成交"), ("未接通", 0, None), ("忙线", 0, None), ("已接通", 210, "不感兴趣"),
            ("已接通", 30, "回拨")]
    for i, (status, talk, summary) in enumerate(data):
        sheet.append([f"CN{i}", start + dt.timedelta(minutes=7 * i), 8001 + i % 2, f"1380000{i:04d}",
                      talk, status, summary, None])
    path = ws / "呼叫记录.xlsx"
    wb.save(path)

    s = suggest(path)
    assert s.table == "calls" and not s.missing
    m = write_and_load(ws, s)
    assert m.read.skip_rows == 1
    r = m.rules
    assert {k: v.column for k, v in r.items()} == {
        "call_id": "通话ID", "started_at": "开始时间", "agent_id": "坐席工号", "lead_id": "被叫号码",
        "talk_s": "通话时长(秒)", "status": "通话状态", "disposition": "小结"}
    assert r["started_at"].format is None and r["talk_s"].unit is None   # ISO cells; seconds
    assert dict(r["status"].values) == {"已接通": "answered", "未接通": "no_answer", "忙线": "busy"}
    assert dict(r["disposition"].values) == {"成交": "SALE", "不感兴趣": "NI", "回拨": "CALLBACK"}
    res, _ = round_trip(ws, db, settings, path, s)
    assert (res.counts.inserted, res.counts.quarantined) == (5, 0)


def test_thai_csv_in_cp874_with_clock_durations(ws, db, settings):
    text = ("รหัสการโทร,เวลา,เบอร์โทร,พนักงาน,ระยะเวลา,สถานะ\n"
            "T1,14/02/2026 09:30,0812345678,สมชาย,0:01:30,รับสาย\n"
            "T2,14/02/2026 09:35,0812345679,สมชาย,0:00:00,ไม่รับสาย\n"
            "T3,14/02/2026 09:40,0812345670,วิภา,0:00:00,สายไม่ว่าง\n")
    path = ws / "thai.csv"
    path.write_bytes(text.encode("cp874"))
    assert guess_encoding(path.read_bytes()) == "cp874"
    s = suggest(path)
    assert s.table == "calls" and not s.missing
    assert any("not UTF-8; cp874 is a guess" in n for n in s.notes)
    m = write_and_load(ws, s)
    assert m.read.encoding == "cp874"
    assert (m.rules["started_at"].column, m.rules["started_at"].format) == ("เวลา", "%d/%m/%Y %H:%M")
    assert m.rules["talk_s"].column == "ระยะเวลา" and m.rules["agent_id"].column == "พนักงาน"
    assert dict(m.rules["status"].values) == {"รับสาย": "answered", "ไม่รับสาย": "no_answer",
                                              "สายไม่ว่าง": "busy"}
    res, _ = round_trip(ws, db, settings, path, s)
    assert (res.counts.inserted, res.counts.quarantined) == (3, 0)
    with Warehouse(db) as wh:
        assert wh.con.execute("SELECT talk_s FROM calls WHERE call_id = 'T1'").fetchone() == (90.0,)


def test_dialer_export_with_epoch_times_and_pbx_statuses(ws, db, settings):
    path = ws / "dialer.csv"
    path.write_text("Call ID,Start (epoch),Agent,Phone,Disposition,Billsec,Duration\n"
                    "a1,1769880600,1001,0901,ANSWERED,61,70\n"
                    "a2,1769880700,1001,0902,NO ANSWER,0,30\n"
                    "a3,1769880800,1002,0903,CONGESTION,0,1\n"
                    "a4,1769880900,1002,0904,BUSY,0,5\n", encoding="utf-8")
    s = suggest(path)
    m = write_and_load(ws, s)
    assert s.table == "calls" and not s.missing
    assert (m.rules["started_at"].column, m.rules["started_at"].format) == ("Start (epoch)", "epoch")
    # The codes are call statuses, so "Disposition" fills status, not disposition.
    assert m.rules["status"].column == "Disposition" and "disposition" not in m.rules
    assert dict(m.rules["status"].values) == {"no answer": "no_answer", "congestion": "failed"}
    assert m.rules["talk_s"].column == "Billsec"
    res, _ = round_trip(ws, db, settings, path, s)
    assert (res.counts.inserted, res.counts.quarantined) == (4, 0)


def test_leads_and_orders_are_recognised(ws, db, settings):
    leads = ws / "khach-hang.csv"
    leads.write_text("Mã khách hàng,Họ tên,Số điện thoại,Nguồn,Ngày tạo\n"
                     "KH1,Trần Thị Bình,0901234567,Facebook,05/01/2026 10:00\n"
                     "KH2,Lê Văn An,0907654321,Website,25/01/2026 14:30\n", encoding="utf-8")
    s = suggest(leads)
    m = write_and_load(ws, s)
    assert s.table == "leads"
    assert {k: v.column for k, v in m.rules.items()} == {
        "lead_id": "Mã khách hàng", "created_at": "Ngày tạo", "source": "Nguồn", "name": "Họ tên",
        "phone": "Số điện thoại"}
    assert round_trip(ws, db, settings, leads, s)[0].counts.quarantined == 0

    orders = ws / "don-hang.csv"
    orders.write_text("Mã đơn hàng;Ngày đặt;Thành tiền;Trạng thái;Sản phẩm\n"
                      "DH1;2026-01-05;1.500.000;Hoàn thành;Gói Vàng\n"
                      "DH2;2026-01-06;2.250.000,50;Đã hủy;Gói Bạc\n", encoding="utf-8")
    s = suggest(orders)
    m = write_and_load(ws, s)
    assert s.table == "orders"
    assert (m.rules["amount"].thousands, m.rules["amount"].decimal) == (".", ",")
    assert dict(m.rules["status"].values) == {"hoàn thành": "completed", "đã hủy": "cancelled"}
    assert round_trip(ws, db, settings, orders, s)[0].counts.quarantined == 0


def test_unknown_codes_and_missing_columns_become_todo_lines(ws):
    path = ws / "calls.csv"
    path.write_text("Agent,Phone,Status,Outcome\n"
                    "a1,0901,answered,SALE\na1,0902,Mất sóng,Khách hẹn tuần sau\n", encoding="utf-8")
    s = suggest(path, "calls")
    assert list(s.missing) == ["call_id", "started_at"]
    text = s.yaml("calls.csv")
    assert "# TODO call_id is required" in text and '{template: "calls-{__line}"}' in text
    assert "# TODO started_at is required" in text
    assert "# TODO 'Mất sóng' (1 of 2 sampled) is not answered, no_answer" in text
    assert "# TODO 'Khách hẹn tuần sau' (1 of 2 sampled) fits no default code" in text
    m = write_and_load(ws, s)   # still a valid mapping
    assert m.rules["disposition"].column == "Outcome" and m.rules["status"].values == ()


def test_the_table_asked_for_and_errors(ws):
    path = ws / "x.csv"
    path.write_text("id,when\n1,2026-01-01\n", encoding="utf-8")
    assert suggest(path, "leads").table == "leads"
    with pytest.raises(UsageError, match="unknown table 'nope'"):
        suggest(path, "nope")
    with pytest.raises(InputError, match="no such file"):
        suggest(ws / "missing.csv")
    (ws / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="is empty"):
        suggest(ws / "empty.csv")


@pytest.mark.parametrize("values, fmt, note", [
    (["2026-01-31 14:05:00", "2026-02-01T08:00"], None, "ISO times"),
    (["31/01/2026 14:05", "01/02/2026 08:00"], "%d/%m/%Y %H:%M", None),
    (["01/02/2026 08:00", "03/04/2026 09:00"], "%d/%m/%Y %H:%M", "day/month order is a guess"),
    (["01/31/2026 2:05:00 PM", "02/01/2026 8:00:00 AM"], "%m/%d/%Y %I:%M:%S %p", None),
    (["14:05:00 31/01/2026"], "%H:%M:%S %d/%m/%Y", None),
    (["2026年1月31日 14:05:00"], "%Y年%m月%d日 %H:%M:%S", None),
    (["1769880600000", "1769880700000"], "epoch_ms", "Unix times in ms"),
    (["31/01/2569 14:05"], "%d/%m/%Y %H:%M", "Buddhist Era"),
])
def test_detect_time(values, fmt, note):
    got, notes = detect_time(values)
    assert got == fmt
    assert note is None or any(note in n for n in notes), notes


def test_detect_time_refuses_what_is_not_a_time():
    assert detect_time(["abc", "12"]) is None
    assert detect_time(["90", "120"]) is None


def test_detect_durations_and_amounts():
    assert detect_seconds(["90500", "120000", "0"])[0] == {"unit": "ms"}          # median over 2 h
    assert detect_seconds(["90", "120"])[0] == {}
    assert detect_seconds(["2", "3"], "Talk (min)")[0] == {"unit": "min"}
    assert detect_seconds(["0:01:30", "12:05"])[0] == {}
    assert detect_seconds(["1,5", "2"])[0] == {"decimal": ","}
    assert detect_seconds(["Lan", "Huy"]) is None
    assert detect_money(["1.500.000 ₫", "250.000"])[0] == {"thousands": ".", "decimal": ","}
    assert detect_money(["$1,500.50", "20"])[0] == {"thousands": ","}
    assert detect_money(["1500000.50"])[0] == {}
    assert detect_money(["gold"]) is None


def test_fold():
    assert fold("Thời gian (ms)") == "thoi gian ms"
    assert fold("Đơn hàng") == "don hang"
    assert fold("  Call-ID ") == "call id"
    assert fold("วันที่") == "วันที่" and fold("通话时长(秒)") == "通话时长 秒"
