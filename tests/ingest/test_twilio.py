"""Twilio call log exports → calls; calls not yet ended are quarantined, not counted."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telekpi.ingest.mapping import load_mapping
from telekpi.ingest.pipeline import import_file
from telekpi.ingest.registry import detect_format
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

from .samples import reimport_changes_nothing

HERE = Path(__file__).parent / "fixtures" / "twilio"
LOG = HERE / "call-log.csv"
API = HERE / "calls-api.csv"
UTC = dt.UTC
COLS = "call_id, started_at, agent_id, lead_id, direction, status, talk_s, ring_s"


def calls(wh) -> dict[str, dict]:
    names = [c.strip() for c in COLS.split(",")]
    return {r[0]: dict(zip(names, r, strict=True))
            for r in wh.con.execute(f"SELECT {COLS} FROM calls").fetchall()}


def sid(n: int) -> str:
    import hashlib

    return "CA" + hashlib.md5(str(n).encode()).hexdigest()


def test_detected_by_its_header(ws):
    assert detect_format(LOG).name == "twilio"
    assert detect_format(API).name == "twilio"
    (ws / "other.csv").write_text("Sid,From,To,Status\nx,a,b,completed\n", encoding="utf-8")
    assert detect_format(ws / "other.csv").name == "csv"      # no direction, no start time


def test_console_export_hand_computed(db, settings):
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", LOG, settings)
        c = r.counts
        assert (c.rows_read, c.inserted, c.updated, c.unchanged, c.quarantined) == (19, 10, 0, 0, 9)
        assert r.notes == [("3 call(s) still queued, ringing or in progress were quarantined; "
                           "import a later export when they have ended")]
        got = calls(wh)
        assert got[sid(1)] == {"call_id": sid(1), "started_at": dt.datetime(2024, 3, 5, 10, 15, 30, tzinfo=UTC),
                               "agent_id": None, "lead_id": "+84901234567", "direction": "outbound",
                               "status": "answered", "talk_s": 95.0, "ring_s": None}
        status = {k: (v["status"], v["talk_s"]) for k, v in got.items()}
        assert status[sid(2)] == ("voicemail", 31.0)     # completed, answered by machine_end_beep
        assert status[sid(3)] == ("busy", 0.0)
        assert status[sid(4)] == ("no_answer", 0.0)      # Duration empty
        assert status[sid(5)] == ("no_answer", 0.0)      # canceled
        assert status[sid(6)] == ("failed", 0.0)
        assert status[sid(10)] == ("failed", 20.0)       # answered by a fax
        # never dialed: Start Time is empty, Date Created stands in
        assert got[sid(5)]["started_at"] == dt.datetime(2024, 3, 5, 10, 20, tzinfo=UTC)
        inbound = got[sid(7)]
        assert (inbound["direction"], inbound["lead_id"], inbound["agent_id"], inbound["status"],
                inbound["talk_s"]) == ("inbound", "+84907654321", None, "answered", 240.0)
        # the <Dial> to the agent's browser: an outbound-dial child leg; the customer is From
        child = got[sid(8)]
        assert (child["direction"], child["agent_id"], child["lead_id"]) == ("outbound", "anna", "+84907654321")
        sip = got[sid(9)]
        assert (sip["direction"], sip["agent_id"], sip["lead_id"]) == ("inbound", "1001", "+84907654322")
        assert not {sid(11), sid(12), sid(13)} & set(got)

        q = wh.con.execute('SELECT line, "column", reason, raw FROM quarantine ORDER BY line').fetchall()
        assert [(line, col) for line, col, _, _ in q] == [
            (2, "call_id"), (12, "status"), (13, "status"), (14, "status"), (15, "talk_s"),
            (16, "started_at"), (18, "Caller Name"), (19, None), (20, None)]
        reasons = {line: reason for line, _, reason, _ in q}
        assert reasons[2].endswith("line 17 has the same key and wins")
        assert reasons[12] == "call still in progress (status in-progress); import again when it has ended"
        assert reasons[13] == "call still in progress (status ringing); import again when it has ended"
        assert reasons[14] == "call still in progress (status queued); import again when it has ended"
        assert json.loads(q[1][3])["Sid"] == sid(11)
        assert reasons[15] == "talk_s: '-5' is negative"
        assert reasons[16].startswith("started_at: 'yesterday' is not a time")
        assert "not valid UTF-8" in reasons[18]
        assert reasons[19] == "has 21 fields, expected 20"
        assert reasons[20] == "has 4 fields, expected 20"

        again = reimport_changes_nothing(wh, LOG, settings)
        assert (again.inserted, again.updated, again.unchanged, again.quarantined) == (0, 0, 10, 9)


def test_api_field_names_and_time_layouts(db, settings):
    """snake_case headers; RFC 2822 with +0000, -0500 and GMT; ISO with Z — all keep their instant."""
    with Warehouse(db) as wh:
        c = import_file(wh, "calls", API, settings).counts
        assert (c.rows_read, c.inserted, c.quarantined) == (5, 4, 1)
        got = calls(wh)
        assert got[sid(101)]["started_at"] == dt.datetime(2024, 3, 5, 10, 15, 30, tzinfo=UTC)
        assert got[sid(102)]["started_at"] == dt.datetime(2024, 3, 5, 10, 16, 0, tzinfo=UTC)
        assert got[sid(103)]["started_at"] == dt.datetime(2024, 3, 6, 1, 2, 3, tzinfo=UTC)
        assert got[sid(104)]["started_at"] == dt.datetime(2024, 3, 6, 2, 0, 1, tzinfo=UTC)
        assert (got[sid(102)]["direction"], got[sid(102)]["lead_id"]) == ("inbound", "+84907654321")
        assert got[sid(104)]["status"] == "voicemail"


def test_naive_times_are_utc_unless_the_mapping_says(ws, db, settings):
    text = ("Sid,Date Created,Start Time,Duration,From,To,Direction,Status\n"
            f"{sid(201)},2024-03-05 10:15:00,2024-03-05 10:15:30,60,+14155550100,+84901,outbound-api,completed\n"
            f"{sid(202)},2024-03-05 10:20:00,2024-03-05 10:20:00,0,+14155550100,+84902,outbound-api,canceled\n")
    (ws / "naive.csv").write_text(text, encoding="utf-8")
    with Warehouse(db) as wh:        # the workspace is in Ho Chi Minh time; Twilio writes UTC
        import_file(wh, "calls", ws / "naive.csv", settings)
        assert calls(wh)[sid(201)]["started_at"] == dt.datetime(2024, 3, 5, 10, 15, 30, tzinfo=UTC)
        m = ws / "tw.yaml"
        m.write_text("timezone: Asia/Ho_Chi_Minh\ncolumns:\n  campaign_id: {constant: spring}\n"
                     "  status: {column: Status, values: {completed: answered, canceled: abandoned}}\n",
                     encoding="utf-8")
        c = import_file(wh, "calls", ws / "naive.csv", settings, mapping=load_mapping(m)).counts
        assert (c.updated, c.quarantined) == (2, 0)
        got = calls(wh)
        assert got[sid(201)]["started_at"] == dt.datetime(2024, 3, 5, 3, 15, 30, tzinfo=UTC)
        assert got[sid(202)]["status"] == "abandoned"
        assert wh.con.execute("SELECT DISTINCT campaign_id FROM calls").fetchall() == [("spring",)]


def test_a_call_quarantined_in_progress_counts_once_it_has_ended(ws, db, settings):
    head = "Sid,Start Time,Duration,From,To,Direction,Status,Answered By\n"
    f = ws / "log.csv"
    f.write_text(head + f"{sid(301)},2024-03-05 10:15:30 UTC,,+14155550100,+84901,outbound-api,in-progress,human\n",
                 encoding="utf-8")
    with Warehouse(db) as wh:
        c = import_file(wh, "calls", f, settings).counts
        assert (c.rows_read, c.inserted, c.quarantined) == (1, 0, 1)
        f.write_text(head + f"{sid(301)},2024-03-05 10:15:30 UTC,42,+14155550100,+84901,outbound-api,"
                            "completed,human\n", encoding="utf-8")
        c = import_file(wh, "calls", f, settings).counts
        assert (c.rows_read, c.inserted, c.quarantined) == (1, 1, 0)
        assert wh.con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
        assert calls(wh)[sid(301)]["talk_s"] == 42.0


def test_cli_import(db, run):
    code, out, err = run("--db", db, "import", "calls", LOG)
    assert code == 0, err
    assert "(twilio): 19 rows read: 10 inserted, 0 updated, 0 unchanged, 9 quarantined" in out
    assert "quarantined line 12, column status: call still in progress (status in-progress)" in out
    assert "3 call(s) still queued, ringing or in progress were quarantined" in out
    code, out, _ = run("--db", db, "import", "calls", LOG)
    assert code == 0 and "10 unchanged, 9 quarantined" in out
    code, out, _ = run("--db", db, "quarantine", "--source", LOG, "--format", "json")
    rows = json.loads(out)["rows"]
    assert len(rows) == 9 and {r["line"] for r in rows} >= {12, 13, 14}


# --- properties ----------------------------------------------------------------------------

SIDS = [sid(n) for n in range(400, 404)]
STATUSES = ["completed", "busy", "no-answer", "canceled", "failed", "in-progress", "ringing", "queued",
            "bogus"]
STARTS = ["2024-03-05 10:15:30 UTC", "Tue, 05 Mar 2024 10:15:30 +0000", "", "soon"]
name = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=10)
row = st.fixed_dictionaries({
    "Sid": st.sampled_from(SIDS), "Status": st.sampled_from(STATUSES),
    "Answered By": st.sampled_from(["", "human", "machine_start", "fax"]),
    "Duration": st.sampled_from(["", "0", "30", "-1", "x"]), "Start Time": st.sampled_from(STARTS),
    "Direction": st.sampled_from(["inbound", "outbound-api", "outbound-dial", "sideways"]),
    "Caller Name": name})
HEADER = ["Sid", "Date Created", "Start Time", "Duration", "From", "To", "Direction", "Status",
          "Answered By", "Caller Name"]
PENDING = {"in-progress", "ringing", "queued"}


def valid(r: dict) -> bool:
    return (r["Status"] not in PENDING and r["Status"] != "bogus" and r["Direction"] != "sideways"
            and r["Start Time"] != "soon" and r["Duration"] not in ("-1", "x"))


def expected_status(r: dict) -> str:
    if r["Status"] == "completed":
        return {"machine_start": "voicemail", "fax": "failed"}.get(r["Answered By"], "answered")
    return {"busy": "busy", "no-answer": "no_answer", "canceled": "no_answer", "failed": "failed"}[r["Status"]]


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(row, max_size=8), second=st.lists(row, max_size=8))
def test_nothing_lost_and_reimport_is_a_no_op(tmp_path_factory, first, second):
    ws = tmp_path_factory.mktemp("tw")
    s = Settings(timezone="Asia/Ho_Chi_Minh")
    f = ws / "log.csv"
    with Warehouse(ws / "w.duckdb") as wh:
        known: set[str] = set()
        for rows in (first, second):
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
            w.writeheader()
            w.writerows({**r, "Date Created": "2024-03-05 10:15:00 UTC", "From": "+14155550100",
                         "To": "+84901234567"} for r in rows)
            f.write_text(buf.getvalue(), encoding="utf-8")
            good = [r for r in rows if valid(r)]
            keys = {r["Sid"] for r in good}
            c = import_file(wh, "calls", f, s).counts
            assert c.rows_read == len(rows)
            assert c.inserted + c.updated + c.unchanged + c.quarantined == c.rows_read
            assert c.quarantined == len(rows) - len(good) + (len(good) - len(keys))
            assert c.inserted == len(keys - known)
            known |= keys
            assert wh.count("calls") == len(known)
            for k in keys:
                last = [r for r in good if r["Sid"] == k][-1]
                got = wh.con.execute("SELECT status, direction FROM calls WHERE call_id = ?", [k]).fetchone()
                assert got == (expected_status(last), "inbound" if last["Direction"] == "inbound" else "outbound")
            again = reimport_changes_nothing(wh, f, s)
            assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(keys))


def test_a_zone_named_by_a_word_is_not_dropped_silently(ws, db, settings):
    text = ("Sid,Start Time,Duration,From,To,Direction,Status\n"
            f"{sid(501)},2024-03-05 10:15:30 PST,60,+14155550100,+84901,outbound-api,completed\n"
            f"{sid(502)},2024-03-05 10:15:30 GMT,60,+14155550100,+84902,outbound-api,completed\n")
    (ws / "pst.csv").write_text(text, encoding="utf-8")
    with Warehouse(db) as wh:
        c = import_file(wh, "calls", ws / "pst.csv", settings).counts
        assert (c.inserted, c.quarantined) == (1, 1)
        assert wh.con.execute('SELECT line, "column", reason FROM quarantine').fetchall() == [
            (2, "started_at", ("started_at: '2024-03-05 10:15:30 PST' names a time zone other than UTC; "
                              "Twilio writes UTC (2024-03-05 10:15:30 UTC, +0000 or Z)"))]
