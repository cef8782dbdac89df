"""Asterisk Master.csv: both column orders, the derived columns, rules from a mapping, bad records."""

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from telekpi.ingest.asterisk_cdr import BASE, cdr_csv_names
from telekpi.ingest.mapping import load_mapping
from telekpi.ingest.pipeline import import_file
from telekpi.ingest.registry import detect_format
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

# A copy of shared/data/pbx-samples/asterisk-cdr-custom-lab.csv: lab calls as Asterisk wrote them.
LAB = Path(__file__).parent / "fixtures" / "asterisk" / "asterisk-cdr-custom-lab.csv"


def cdr_csv_line(**f) -> str:
    """One record in cdr_csv order with loguniqueid and loguserfield (18 fields)."""
    values = {"accountcode": "camp-retail", "src": "1001", "dst": "0912345678", "dcontext": "from-internal",
              "clid": '"Agent One" <1001>', "channel": "SIP/1001-0000000a", "dstchannel": "SIP/trunk-0000000b",
              "lastapp": "Dial", "lastdata": "SIP/trunk/0912345678", "start": "2026-01-05 09:00:00",
              "answer": "2026-01-05 09:00:12", "end": "2026-01-05 09:01:42", "duration": "102",
              "billsec": "90", "disposition": "ANSWERED", "amaflags": "DOCUMENTATION",
              "uniqueid": "1767603600.10", "userfield": "SALE"}
    values.update(f)
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(
        [values[k] for k in BASE + ("uniqueid", "userfield")])
    return buf.getvalue()


def test_detects_both_orders(tmp_path):
    assert detect_format(LAB).name == "asterisk-cdr"
    p = tmp_path / "Master.csv"
    p.write_text(cdr_csv_line())
    assert detect_format(p).name == "asterisk-cdr"


@pytest.mark.parametrize("extra, names", [
    ([], BASE),
    (["1767603600.10"], BASE + ("uniqueid",)),
    (["SALE"], BASE + ("userfield",)),
    (["1767603600.10", "SALE"], BASE + ("uniqueid", "userfield")),
    (["", "1767603600.10", "1"], BASE + ("peeraccount", "linkedid", "sequence")),
    (["1767603600.10", "SALE", "", "1767603600.10", "3"],
     BASE + ("uniqueid", "userfield", "peeraccount", "linkedid", "sequence")),
])
def test_cdr_csv_layouts_by_field_count(extra, names):
    record = ["x"] * 14 + ["ANSWERED", "DOCUMENTATION"] + extra
    assert cdr_csv_names(record) == names


def test_lab_sample_imports_with_hand_checked_values(ws, db, settings, rows_of):
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", LAB, settings)
    assert (r.format, r.counts.inserted, r.counts.quarantined) == ("asterisk-cdr", 14, 0)
    row = rows_of("calls", "call_id, agent_id, lead_id, direction, status, ring_s, talk_s, disposition, "
                           "CAST(timezone('Asia/Ho_Chi_Minh', started_at) AS VARCHAR)")
    first = next(x for x in row if x[0] == "1690325492.2#2")
    # 2023-07-26 01:51:32 local; duration 31, billsec 13: talk 13, ring 18; client1 dialled 6789.
    assert first == ("1690325492.2#2", "client1", "6789", "outbound", "answered", 18.0, 13.0, None,
                     "2023-07-26 01:51:32")
    no_answer = next(x for x in row if x[0] == "1690325531.5#4")
    assert no_answer[4:7] == ("no_answer", 30.0, 0.0)
    assert sum(1 for x in row if x[4] == "answered") == 11


def test_reimport_changes_nothing(ws, db, settings):
    with Warehouse(db) as wh:
        import_file(wh, "calls", LAB, settings)
        again = import_file(wh, "calls", LAB, settings)
    assert (again.counts.unchanged, again.counts.inserted, again.counts.updated) == (14, 0, 0)


def test_inbound_calls_take_the_agent_from_the_destination_channel(ws, db, settings, rows_of):
    p = ws / "Master.csv"
    p.write_text(cdr_csv_line(src="0987654321", dst="200", dcontext="from-trunk", channel="SIP/trunk-01",
                              dstchannel="PJSIP/1002-000001", userfield="", uniqueid="1.1"))
    with Warehouse(db) as wh:
        import_file(wh, "calls", p, settings)
    assert rows_of("calls", "direction, agent_id, lead_id, disposition, campaign_id") == [
        ("inbound", "1002", "0987654321", None, "camp-retail")]


def test_blank_lines_are_not_rows(ws, db, settings):
    """The derived columns (call key, direction guess) must not make a blank line a row."""
    p = ws / "Master.csv"
    p.write_text(cdr_csv_line(uniqueid="1.1") + "\n" + '"","","","","","","","","","","","","","","","","",""\n'
                 + cdr_csv_line(uniqueid="1.2"))
    with Warehouse(db) as wh:
        c = import_file(wh, "calls", p, settings).counts
    assert (c.rows_read, c.inserted, c.quarantined) == (2, 2, 0)


def test_a_mapping_overrides_how_agent_and_campaign_are_found(ws, db, settings, rows_of):
    p = ws / "Master.csv"
    p.write_text(cdr_csv_line(lastdata="SIP/trunk/0912345678,,campaign=TET2026"))
    m = ws / "rules.yaml"
    m.write_text("columns:\n"
                 "  agent_id: {column: clid, pattern: '<(\\d+)>'}\n"
                 "  campaign_id: {column: lastdata, pattern: 'campaign=(\\w+)'}\n", encoding="utf-8")
    with Warehouse(db) as wh:
        import_file(wh, "calls", p, settings, mapping=load_mapping(m))
    assert rows_of("calls", "agent_id, campaign_id, talk_s, ring_s, disposition") == [
        ("1001", "TET2026", 90.0, 12.0, "SALE")]


def test_bad_records_are_quarantined_with_line_and_reason(ws, db, settings, rows_of):
    p = ws / "Master.csv"
    lines = [cdr_csv_line(uniqueid="1.1"),
             cdr_csv_line(uniqueid="1.2", disposition="HUNGUP"),
             cdr_csv_line(uniqueid="1.3", start="yesterday"),
             cdr_csv_line(uniqueid="1.4", duration="10", billsec="20"),
             '"camp","1001","0912"\n',                       # truncated
             cdr_csv_line(uniqueid="1.5")]
    p.write_bytes("".join(lines).encode() + cdr_csv_line(uniqueid="1.6", clid="Nguy\xe1n").encode("latin-1"))
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", p, settings)
        q = wh.con.execute("SELECT line, \"column\", reason FROM quarantine ORDER BY line").fetchall()
    assert (r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (7, 2, 5)
    assert [x[0] for x in q] == [2, 3, 4, 5, 7]
    assert "status" in q[0][2] and "HUNGUP" in q[0][2]
    assert "started_at" in q[1][2]
    assert "ring_s" in q[2][2] and "negative" in q[2][2]
    assert "fields" in q[3][2]
    assert "UTF-8" in q[4][2]


DISPOSITIONS = ["ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION", "WEIRD"]
record = st.fixed_dictionaries({
    "uniqueid": st.sampled_from([f"1700000000.{i}" for i in range(6)]),
    "disposition": st.sampled_from(DISPOSITIONS),
    "duration": st.integers(0, 300).map(str) | st.sampled_from(["", "x"]),
    "billsec": st.integers(0, 300).map(str),
    "start": st.sampled_from(["2026-01-05 09:00:00", "2026-01-05 23:59:59", "bad"]),
})


@pytest.mark.slow
@given(st.lists(record, max_size=12))
@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_property_nothing_lost_and_reimport_is_a_no_op(tmp_path_factory, recs):
    folder = tmp_path_factory.mktemp("cdr")
    p = folder / "Master.csv"
    p.write_text("".join(cdr_csv_line(**r) for r in recs) or cdr_csv_line())
    recs = recs or [{}]
    with Warehouse(folder / "w.duckdb") as wh:
        first = import_file(wh, "calls", p, Settings(), fmt="asterisk-cdr")
        again = import_file(wh, "calls", p, Settings(), fmt="asterisk-cdr")
        n = wh.count("calls")
    c = first.counts
    assert c.rows_read == len(recs)
    assert c.inserted + c.updated + c.unchanged + c.quarantined == c.rows_read
    assert n == c.inserted
    assert (again.counts.inserted, again.counts.updated) == (0, 0)
    assert again.counts.quarantined == c.quarantined

    def good(r):
        d = int(r.get("duration", "102")) if r.get("duration", "102").isdigit() else None
        b = int(r.get("billsec", "90"))
        return (r.get("disposition", "ANSWERED") != "WEIRD" and r.get("start") != "bad"
                and (r.get("duration") == "" or (d is not None and d >= b)))
    # Of lines sharing a uniqueid, the last good one is kept.
    assert n == len({r.get("uniqueid", "1767603600.10") for r in recs if good(r)})


# ---- the cdr database table dumped with a header (PBXware's extra columns) -------------------

TABLE = Path(__file__).parent / "fixtures" / "asterisk" / "cdr_table_pbxware.csv"


def test_a_cdr_table_dump_is_read_by_its_header(tmp_path):
    """Five calls and one bad duration; inbound through a queue, an IVR-only call answered by
    the PBX, outbound with the caller ID presented; htime/ttime are hold and talk; NULL is empty."""
    assert detect_format(TABLE).name == "asterisk-cdr"
    settings = Settings(timezone="Asia/Ho_Chi_Minh", phone_region="VN")
    with Warehouse(tmp_path / "w.duckdb") as wh:
        r = import_file(wh, "calls", TABLE, settings)
        assert (r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (6, 5, 1)
        assert r.examples[0][0] == 7 and "ring_s" in r.examples[0][2]
        rows = wh.con.execute(
            "SELECT call_id, direction, status, agent_id, campaign_id, disposition, talk_s, hold_s, ring_s, "
            "queue, queued_at, caller_number, called_number, line, strftime(started_at AT TIME ZONE 'UTC', "
            "'%Y-%m-%d %H:%M') FROM calls ORDER BY call_id").fetchall()
        from telekpi.engine.engine import Engine
        from telekpi.engine.request import Request

        kpi = Engine(wh, settings).query(Request(("offered", "service_level", "asa",
                                                  "queue_abandonment_rate"))).rows[0]
    assert rows == [
        ("1772442000.11", "inbound", "answered", "2001", "care", None, 165.0, 25.0, 25.0, "cards", None,
         "+84912345678", "+842873001234", "+842873001234", "2026-03-02 02:00"),
        ("1772442300.21", "inbound", "no_answer", None, "care", None, 0.0, 0.0, 40.0, "cards", None,
         "+84987654321", "+842873001234", "+842873001234", "2026-03-02 02:05"),
        # answered by the IVR, never queued: not offered
        ("1772442420.31", "inbound", "answered", None, "care", None, 12.0, None, 0.0, None, None,
         "+84909000111", "+842873001234", "+842873001234", "2026-03-02 02:07"),
        ("1772442600.41", "outbound", "answered", "2001", "sales", "SALE", 80.0, 0.0, 15.0, None, None,
         "2001", "+84912555666", "+842873009999", "2026-03-02 02:10"),
        # calldate in Unix seconds
        ("1772443200.51", "outbound", "busy", "2002", "sales", None, 0.0, None, 30.0, None, None,
         "2002", "+84912555777", None, "2026-03-02 09:20"),
    ]
    # The CDR says which calls went to a queue but not how long they waited there: offered 2,
    # no service level nor ASA (an unknown wait is not a zero wait), no queue abandons.
    assert kpi["offered"] == 2 and kpi["service_level"] is None and kpi["asa"] is None
    assert kpi["queue_abandonment_rate"] == 0
