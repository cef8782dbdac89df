"""VICIdial: vicidial_log, vicidial_closer_log and the Export Calls Report → calls;
vicidial_agent_log → agent_states. Detection, every status code, hand-checked values,
bad rows, re-import, the CLI, and property tests."""

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from telekpi.ingest.mapping import load_mapping
from telekpi.ingest.pipeline import import_file
from telekpi.ingest.registry import detect_format
from telekpi.ingest.vicidial import CODES
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

from .samples import reimport_changes_nothing

# Written from VICIdial's schema (extras/MySQL_AST_CREATE_tables.sql) and call_report_export.php;
# every line is described where the tests use it.
FIX = Path(__file__).parent / "fixtures" / "vicidial"
LOG = FIX / "vicidial_log.csv"
CLOSER = FIX / "vicidial_closer_log.csv"
REPORT = FIX / "call_report_export.txt"
EXTENDED = FIX / "call_report_extended.txt"
AGENT_LOG = FIX / "vicidial_agent_log.csv"
B = 1769824800  # 2026-01-31 09:00:00 Asia/Ho_Chi_Minh (the workspace timezone), 02:00 UTC

LOG_HEAD = ["uniqueid", "lead_id", "list_id", "campaign_id", "call_date", "start_epoch", "end_epoch",
            "length_in_sec", "status", "phone_code", "phone_number", "user", "comments", "processed",
            "user_group", "term_reason", "alt_dial", "called_count"]

CALL_COLUMNS = "call_id, agent_id, campaign_id, lead_id, direction, status, disposition, talk_s, wait_s, wrap_s"


def quarantine(wh, path):
    return wh.con.execute('SELECT line, "column", reason FROM quarantine WHERE source = ? ORDER BY line, reason',
                          [str(Path(path).resolve())]).fetchall()


@pytest.mark.parametrize("path, name", [(LOG, "vicidial"), (CLOSER, "vicidial"), (REPORT, "vicidial"),
                                        (EXTENDED, "vicidial"), (AGENT_LOG, "vicidial-agent-log")])
def test_each_export_is_detected_by_its_header(path, name):
    assert detect_format(path).name == name


def test_other_tables_are_not_taken_for_vicidial(tmp_path):
    p = tmp_path / "calls.csv"
    p.write_text("call_id,started_at,status,user,lead_id,length_in_sec\n1,2026-01-31 09:00,busy,a,1,0\n")
    assert detect_format(p).name == "csv"
    p.write_text("user\tpause_epoch\tpause_sec\twait_epoch\n6001\t1\t2\t3\n")
    assert detect_format(p).name == "csv"


def test_vicidial_log_counts_quarantine_and_unknown_codes(ws, db, settings):
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", LOG, settings)
        q = quarantine(wh, LOG)
    # 27 lines below the header, one blank: 26 rows.
    assert (r.format, r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == ("vicidial", 26, 21, 5)
    assert [(line, col) for line, col, _ in q] == [
        (7, "call_id"),        # its uniqueid comes again on line 20, which wins
        (15, "status"),        # ZZTOP, a code no agent set: nobody can say what it means
        (16, "talk_s"),        # length_in_sec 'abc'
        (17, "started_at"),    # call_date 'yesterday', no start_epoch
        (21, "comments")]      # a Latin-1 byte
    assert "line 20 has the same key" in q[0][2]
    assert "'ZZTOP' is not one of answered" in q[1][2]
    assert "'abc'" in q[2][2] and "'yesterday'" in q[3][2] and "UTF-8" in q[4][2]
    # An agent's own campaign status is kept and reported, as is XFER (transferred).
    assert dict(r.unknown_dispositions) == {"INTRST": 1, "XFER": 1}


def test_vicidial_log_hand_checked_rows(ws, db, settings, rows_of):
    with Warehouse(db) as wh:
        import_file(wh, "calls", LOG, settings)
    rows = {r[0]: r for r in rows_of("calls", CALL_COLUMNS + ", epoch(started_at)")}
    # Line 2: a sale by 6001, 245 s from 09:00:00 local (start_epoch 1769824800).
    assert rows["1769824800.1001"] == ("1769824800.1001", "6001", "TELESALE", "1001", "outbound", "answered",
                                       "SALE", 245.0, None, None, B)
    # Line 3: no answer, placed by the dialer (VDAD): no agent, no talk.
    assert rows["1769824830.1002"][1:10] == (None, "TELESALE", "1002", "outbound", "no_answer", None, 0.0,
                                             None, None)
    # Line 6: dropped after 7 s: the answered person waited 7 s for an agent.
    assert rows["1769825000.1005"][5:10] == ("abandoned", None, 0.0, 7.0, None)
    # Line 20 replaced line 7 (same uniqueid): the SALE of 95 s, not the NI of 90 s.
    assert rows["1769825100.1006"][5:8] == ("answered", "SALE", 95.0)
    # Line 14: INTRST is a campaign status an agent set: answered, the code kept.
    assert rows["1769825800.1013"][1:8] == ("6001", "TELESALE", "1013", "outbound", "answered", "INTRST", 95.0)
    # Line 24: N is an agent's manual-dial no answer: the agent stays, the call did not connect.
    assert rows["1769826600.1021"][1:8] == ("6001", "TELESALE", "1021", "outbound", "no_answer", None, 0.0)


def test_closer_log_is_inbound_keyed_by_closecallid(ws, db, settings, rows_of):
    with Warehouse(db) as wh:
        import_file(wh, "calls", LOG, settings)
        r = import_file(wh, "calls", CLOSER, settings)
    assert (r.counts.inserted, r.counts.quarantined) == (4, 0)
    rows = {x[0]: x for x in rows_of("calls", CALL_COLUMNS)}
    # 180 s in the in-group of which 12.5 s queued: talk 167.5 s, wait 12.5 s.
    assert rows["5001"] == ("5001", "6004", "SUPPORT", "2001", "inbound", "answered", "SALE", 167.5, 12.5, None)
    # Dropped from the queue after 45 s; VDCL is the dialer, not an agent.
    assert rows["5002"][1:10] == (None, "SUPPORT", "2002", "inbound", "abandoned", None, 0.0, 45.0, None)
    # After hours: VICIdial does not count it answered.
    assert rows["5003"][5] == "abandoned"
    # The closer's leg of the transferred outbound call 1769825600.1011 is a call of its own.
    assert rows["5004"][4:8] == ("inbound", "answered", "SALE", 146.0)
    assert rows["1769825600.1011"][4:7] == ("outbound", "answered", "XFER")


def test_call_report_export_keys_and_directions(ws, db, settings, rows_of):
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", REPORT, settings)
        q = quarantine(wh, REPORT)
    assert (r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (10, 7, 3)
    assert [(line, col) for line, col, _ in q] == [(2, "call_id"), (7, "first_name"), (12, "status")]
    assert "status is required" in q[2][2]
    rows = {x[0]: x for x in rows_of("calls", CALL_COLUMNS + ", epoch(started_at)")}
    # No uniqueid in the standard report: lead@call_date; 08:00 local on 2 February is 01:00 UTC.
    assert rows["3001@20260202080000"] == ("3001@20260202080000", "6001", "TELESALE", "3001", "outbound",
                                           "answered", "SALE", 200.0, None, None, 1769994000)
    # The outbound leg and the closer's inbound leg of one lead in the same second stay two calls;
    # the inbound one has its queue seconds (3.00) in alt_dial, as the report writes them.
    assert rows["3004@20260202080300"][4:8] == ("outbound", "answered", "XFER", 60.0)
    assert rows["3004@20260202080300/SUPPORT"][1:10] == ("6004", "SUPPORT", "3004", "inbound", "answered",
                                                         "SALE", 147.0, 3.0, None)
    assert rows["3005@20260202081000/SUPPORT"][5:9] == ("abandoned", None, 0.0, 25.0)
    assert rows["3006@20260202082000/SUPPORT"][5] == "abandoned"   # TIMEOT


def test_extended_report_uses_uniqueid_wrapup_and_recording(ws, db, settings, rows_of):
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", EXTENDED, settings)
    assert (r.counts.inserted, r.counts.quarantined) == (2, 0)
    rows = {x[0]: x for x in rows_of("calls", CALL_COLUMNS + ", recording_url")}
    assert rows["1770001200.4001"][4:] == ("outbound", "answered", "SALE", 210.0, None, 15.0,
                                           "http://10.0.0.1/RECORDINGS/20260202-090000_0912004001-all.mp3")
    # An inbound row: the uniqueid is shared by a transferred call's legs, so the in-group joins it.
    assert rows["1770001500.4002@20260202090500/SUPPORT"][4:10] == ("inbound", "answered", "CALLBACK",
                                                                    122.0, 8.0, 22.0)


# Every code of the built-in table, restated here: (user who set it, status, disposition).
EXPECTED = {
    "SALE": ("6001", "answered", "SALE"), "NI": ("6001", "answered", "NI"), "DEC": ("6001", "answered", "NI"),
    "DNC": ("6001", "answered", "DNC"), "CALLBK": ("6001", "answered", "CALLBACK"),
    "CBHOLD": ("6001", "answered", "CALLBACK"), "QCFAIL": ("6001", "answered", "CALLBACK"),
    "NP": ("6001", "answered", "GATEKEEPER"), "XFER": ("6001", "answered", "XFER"),
    **{c: ("6001", "answered", None) for c in ("INCALL", "DAIR", "RQXFER")},
    **{c: ("VDAD", "answered", None) for c in ("PU", "PM", "SVYEXT", "SVYVM", "SVYHU", "SVYREC", "SVYCLM")},
    **{c: ("VDAD", "no_answer", None) for c in ("NA", "CPDNA", "CPDUK", "CPDERR")},
    "N": ("6001", "no_answer", None),
    **{c: ("VDAD", "busy", None) for c in ("AB", "CPDB")}, "B": ("6001", "busy", None),
    **{c: ("VDAD", "voicemail", None) for c in ("AA", "AM", "AL")}, "A": ("6001", "voicemail", None),
    **{c: ("VDAD", "failed", None) for c in ("ADC", "ADCT", "AFAX", "LRERR", "ERI", "DNCL", "DNCC", "NEW",
                                             "CPDATB", "CPDREJ", "CPDINV", "CPDSUA", "CPDSI", "CPDSNC",
                                             "CPDSR", "CPDSUK", "CPDSV")},
    "DC": ("6001", "failed", None),
    **{c: ("VDAD", "abandoned", None) for c in ("DROP", "PDROP", "IVRXFR", "QUEUE")},
    **{c: ("VDCL", "abandoned", None) for c in ("XDROP", "HXFER", "QVMAIL", "HOLDTO", "LIVE", "TIMEOT",
                                                "AFTHRS", "NANQUE", "IQNANQ", "INBND", "MAXCAL")},
}


def log_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=LOG_HEAD, lineterminator="\n")
    w.writeheader()
    base = {"lead_id": "1", "list_id": "101", "campaign_id": "TELESALE", "call_date": "2026-01-31 09:00:00",
            "start_epoch": "", "end_epoch": "", "length_in_sec": "30", "status": "SALE", "phone_code": "84",
            "phone_number": "0912000000", "user": "6001", "comments": "AUTO", "processed": "N",
            "user_group": "SALES", "term_reason": "CALLER", "alt_dial": "MAIN", "called_count": "1"}
    for i, r in enumerate(rows):
        w.writerow({**base, "uniqueid": f"{B + i}.{i}", **r})
    return buf.getvalue()


def test_every_status_code_maps(ws, db, settings, rows_of):
    assert set(EXPECTED) == set(CODES)
    p = ws / "vicidial_log.csv"
    p.write_text(log_csv([{"status": code, "user": user, "uniqueid": code} for code, (user, _, _)
                          in EXPECTED.items()]))
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", p, settings)
    assert (r.counts.inserted, r.counts.quarantined) == (len(EXPECTED), 0)
    got = {c: (s, d) for c, s, d in rows_of("calls", "call_id, status, disposition")}
    assert got == {code: (status, disp) for code, (_, status, disp) in EXPECTED.items()}
    talk = dict(rows_of("calls", "call_id, talk_s"))
    assert talk["SALE"] == 30.0 and talk["NA"] == 0.0 and talk["DROP"] == 0.0   # only answered calls talk


def test_codes_match_case_insensitively_and_a_custom_code_without_agent_can_be_mapped(ws, db, settings,
                                                                                      rows_of):
    p = ws / "vicidial_log.csv"
    p.write_text(log_csv([{"status": "sale"}, {"status": " na ", "user": "vdad"},
                          {"status": "PRESS1", "user": "VDAD"}]))
    m = ws / "vici.yaml"
    # vd_status holds the canonical status, or the code itself when the table has none for it.
    m.write_text("columns:\n  status: {column: vd_status, values: {PRESS1: answered}}\n", encoding="utf-8")
    with Warehouse(db) as wh:
        first = import_file(wh, "calls", p, settings)
        assert first.counts.quarantined == 1
        again = import_file(wh, "calls", p, settings, mapping=load_mapping(m))
        assert (again.counts.inserted, again.counts.unchanged, again.counts.quarantined) == (1, 2, 0)
        assert quarantine(wh, p) == []
    assert sorted(rows_of("calls", "status, disposition, agent_id")) == [
        ("answered", "PRESS1", None), ("answered", "SALE", "6001"), ("no_answer", None, None)]


def test_a_mapping_can_keep_vicidial_codes_and_read_call_date_in_the_servers_timezone(ws, db, settings,
                                                                                      rows_of):
    p = ws / "vicidial_log.csv"
    p.write_text(log_csv([{"status": "DEC", "call_date": "2026-01-31 09:00:00"}]))
    m = ws / "vici.yaml"
    m.write_text("timezone: America/New_York\ncolumns:\n  disposition: status\n", encoding="utf-8")
    with Warehouse(db) as wh:
        import_file(wh, "calls", p, settings, mapping=load_mapping(m))
    # No start_epoch: call_date is 09:00 in New York, 14:00 UTC.
    assert rows_of("calls", "disposition, CAST(timezone('UTC', started_at) AS VARCHAR)") == [
        ("DEC", "2026-01-31 14:00:00")]


def test_reimport_changes_nothing(ws, db, settings):
    with Warehouse(db) as wh:
        for f, table in ((LOG, "calls"), (REPORT, "calls"), (AGENT_LOG, "agent_states")):
            first = import_file(wh, table, f, settings).counts
            again = reimport_changes_nothing(wh, f, settings, table)
            assert (again.inserted, again.updated, again.quarantined) == (0, 0, first.quarantined)
            assert again.unchanged == first.inserted


def test_agent_log_states_hand_checked(ws, db, settings, rows_of):
    with Warehouse(db) as wh:
        r = import_file(wh, "agent_states", AGENT_LOG, settings)
        q = quarantine(wh, AGENT_LOG)
    # 21 states from 11 rows; line 5 (still open) gave none, which a note says.
    assert (r.format, r.counts.rows_read, r.counts.inserted, r.counts.quarantined) == (
        "vicidial-agent-log", 21, 14, 7)
    assert r.counts.inserted + r.counts.updated + r.counts.unchanged + r.counts.quarantined == r.counts.rows_read
    assert r.notes == [("1 agent log row held no time (every duration 0, as a row still open when the log "
                        "was exported) and gave no state")]
    assert [(line, col) for line, col, _ in q] == [
        (3, "agent_id"), (3, "agent_id"), (3, "agent_id"),   # its three states again on line 8, which wins
        (6, "started_at"),                                   # pause_epoch 'abc'
        (7, "agent_id"),                                     # no user
        (9, "sub_status"),                                   # not UTF-8
        (11, "started_at")]                                  # pause and wait start together
    assert "'abc' is not a time" in q[3][2]
    assert "pause and available states of this log row both start" in q[6][2]
    got = [(a, s, int(t0 - B), int(t1 - B), why) for a, s, t0, t1, why in
           rows_of("agent_states", "agent_id, state, epoch(started_at), epoch(ended_at), reason")]
    assert sorted(got) == sorted([
        # Line 2: paused 290 s at login, waited 10 s, talked 250 s of which the last 5 s dead
        # (the customer gone): on_call 245 s, then wrap from the hang-up to the end of dispo (15 s).
        ("6001", "pause", -300, -10, "LOGIN"), ("6001", "available", -10, 0, None),
        ("6001", "on_call", 0, 245, None), ("6001", "wrap", 245, 265, None),
        # Line 8 (= line 3): no pause, waited 35 s, talked 90 s, 20 s of dispo.
        ("6001", "available", 265, 300, None), ("6001", "on_call", 300, 390, None),
        ("6001", "wrap", 390, 410, None),
        # Line 4: a 600 s break, no call.
        ("6002", "pause", -200, 400, "BREAK"),
        # Line 6: its pause is quarantined, the rest of the row stands.
        ("6003", "available", 60, 100, None), ("6003", "on_call", 100, 130, None),
        ("6003", "wrap", 130, 140, None),
        # Line 11: the pause clashed with the wait; the wait is kept.
        ("6004", "available", 1200, 1220, None),
        # Line 12: dead_sec 20 exceeds talk_sec 10: all 10 s are dead, so wrap, not on_call.
        ("6004", "available", 1250, 1300, None), ("6004", "wrap", 1300, 1315, None)])


def test_cli_imports_both_formats(ws, db, run):
    code, out, err = run("--db", db, "import", "calls", LOG, REPORT)
    assert code == 0, err
    assert "(vicidial): 26 rows read: 21 inserted, 0 updated, 0 unchanged, 5 quarantined" in out
    assert "(vicidial): 10 rows read: 7 inserted, 0 updated, 0 unchanged, 3 quarantined" in out
    assert "unknown disposition codes" in out and "INTRST (1)" in out
    code, out, err = run("--db", db, "import", "agent_states", AGENT_LOG)
    assert code == 0, err
    assert "(vicidial-agent-log): 21 rows read: 14 inserted" in out and "gave no state" in out
    code, out, err = run("--db", db, "import", "agent_states", LOG, "--format", "vicidial")
    assert code == 2 and "fills calls, not agent_states" in err


# --- properties -------------------------------------------------------------------------------

STATUSES = ["SALE", "NI", "NA", "DROP", "AA", "B", "XFER", "INCALL", "CUSTOM", ""]
USERS = ["6001", "VDAD", "VDCL", ""]
LENGTHS = ["0", "45", "12.5", "abc", ""]
DATES = ["2026-01-31 09:00:00", "2026-02-01 23:59:59", "soon"]
log_row = st.fixed_dictionaries({
    "uniqueid": st.sampled_from([f"{B}.{i}" for i in range(5)] + [""]),
    "status": st.sampled_from(STATUSES),
    "user": st.sampled_from(USERS),
    "length_in_sec": st.sampled_from(LENGTHS),
    "call_date": st.sampled_from(DATES),
    "start_epoch": st.sampled_from(["", str(B), "x"]),
})


def call_ok(r: dict) -> bool:
    """The import's verdict, restated for these values."""
    agent = r["user"] not in ("", "VDAD", "VDCL")
    status_ok = r["status"] in CODES or (r["status"] != "" and agent)
    time_ok = r["start_epoch"] == str(B) or r["call_date"] != "soon"
    return status_ok and time_ok and r["length_in_sec"] != "abc"


def call_key(r: dict) -> str:
    """uniqueid, else lead_id@the digits of call_date (every generated row has lead 1)."""
    return r["uniqueid"] or "1@" + "".join(ch for ch in r["call_date"] if ch.isdigit())


@pytest.mark.slow
@given(st.lists(log_row, max_size=10))
@hsettings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_property_calls_nothing_lost_and_reimport_is_a_no_op(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("vici")
    p = folder / "vicidial_log.csv"
    p.write_text(log_csv(rows))
    with Warehouse(folder / "w.duckdb") as wh:
        first = import_file(wh, "calls", p, Settings(timezone="Asia/Ho_Chi_Minh"), fmt="vicidial")
        again = reimport_changes_nothing(wh, p, Settings(timezone="Asia/Ho_Chi_Minh"), fmt="vicidial")
    c = first.counts
    assert c.rows_read == len(rows)
    assert c.inserted + c.updated + c.unchanged + c.quarantined == c.rows_read
    assert c.inserted == len({call_key(r) for r in rows if call_ok(r)})
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, c.inserted)


AGENT_HEAD = ["agent_log_id", "user", "pause_epoch", "pause_sec", "wait_epoch", "wait_sec", "talk_epoch",
              "talk_sec", "dispo_epoch", "dispo_sec", "status", "sub_status", "dead_sec"]
secs = st.sampled_from(["0", "0", "5", "30", "x", ""])
cycle = st.fixed_dictionaries({"user": st.sampled_from(["6001", "6002", ""]), "pause_sec": secs,
                               "wait_sec": secs, "talk_sec": secs, "dispo_sec": secs,
                               "dead_sec": st.sampled_from(["0", "3", "40", ""])})


def agent_csv(cycles: list[dict]) -> str:
    """One row per cycle, on a clock that moves on so no two states share a start."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(AGENT_HEAD)
    t = B
    for i, c in enumerate(cycles):
        p, wt, tk, d = t, t + 100, t + 200, t + 300
        w.writerow([i, c["user"], p, c["pause_sec"], wt, c["wait_sec"], tk, c["talk_sec"], d, c["dispo_sec"],
                    "SALE", "BRK", c["dead_sec"]])
        t += 1000
    return buf.getvalue()


def expected_states(c: dict) -> tuple[int, int]:
    """(states, of which good) one cycle gives, restated independently."""
    def n(v):
        return float(v) if v.replace(".", "", 1).isdigit() else (None if v == "" else "bad")

    ps, ws_, ts, ds, dead = (n(c[k]) for k in ("pause_sec", "wait_sec", "talk_sec", "dispo_sec", "dead_sec"))
    states = good = 0
    for v in (ps, ws_):
        if v == "bad" or (v or 0) > 0:
            states += 1
            good += v != "bad"
    talk = ts if isinstance(ts, float) else 0.0
    dead_in_talk = min(dead or 0.0, talk) if isinstance(dead, float) else 0.0
    if ts == "bad" or (talk > 0 and (dead == "bad" or talk - dead_in_talk > 0)):
        states += 1
        good += ts != "bad" and dead != "bad"
    if ds == "bad" or (ds or 0) > 0 or dead_in_talk > 0:
        states += 1
        good += ds != "bad"
    if not c["user"]:
        good = 0
    return states, good


@pytest.mark.slow
@given(st.lists(cycle, max_size=8))
@hsettings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_property_agent_log_nothing_lost_and_reimport_is_a_no_op(tmp_path_factory, cycles):
    folder = tmp_path_factory.mktemp("vici")
    p = folder / "vicidial_agent_log.csv"
    p.write_text(agent_csv(cycles))
    with Warehouse(folder / "w.duckdb") as wh:
        first = import_file(wh, "agent_states", p, Settings(), fmt="vicidial-agent-log")
        again = reimport_changes_nothing(wh, p, Settings(), "agent_states", fmt="vicidial-agent-log")
        n = wh.count("agent_states")
    c = first.counts
    want = [expected_states(x) for x in cycles]
    assert c.rows_read == sum(s for s, _ in want)
    assert c.inserted + c.quarantined == c.rows_read and c.updated == c.unchanged == 0
    assert c.inserted == sum(g for _, g in want)
    assert n == c.inserted
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, c.inserted)


def test_closer_log_calls_know_their_in_group_number_and_who_hung_up(tmp_path):
    """vicidial_closer_log: the in-group is the queue, entered at call_date; phone_number is
    the caller's; term_reason CALLER/ABANDON → customer, AGENT → agent, queue endings → system."""
    with Warehouse(tmp_path / "w.duckdb") as wh:
        import_file(wh, "calls", FIX / "vicidial_closer_log.csv", Settings(phone_region="VN"))
        rows = wh.con.execute("SELECT call_id, queue, queued_at = started_at, caller_number, called_number, "
                              "hangup_by FROM calls ORDER BY 1").fetchall()
    assert rows == [("5001", "SUPPORT", True, "+84987000001", None, "customer"),
                    ("5002", "SUPPORT", True, "+84987000002", None, "customer"),
                    ("5003", "SUPPORT", True, "+84987000003", None, "system"),
                    ("5004", "SUPPORT", True, "+84912001011", None, "agent")]
