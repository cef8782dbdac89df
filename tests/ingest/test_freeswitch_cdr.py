"""FreeSWITCH mod_cdr_csv Master.csv (example template) → calls."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telekpi.errors import InputError
from telekpi.ingest.mapping import load_mapping
from telekpi.ingest.pipeline import import_file
from telekpi.ingest.registry import detect_format
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

from .samples import SAMPLE, reimport_changes_nothing, write_table

HERE = Path(__file__).parent / "fixtures"
MASTER = HERE / "freeswitch" / "Master.csv"
# A copy of shared/data/pbx-samples/freeswitch-cdr-csv-lab.csv: lab calls as FreeSWITCH wrote them.
LAB = HERE / "freeswitch" / "freeswitch-cdr-csv-lab.csv"
UTC = dt.UTC
COLS = "call_id, started_at, agent_id, campaign_id, lead_id, direction, status, ring_s, talk_s"


def calls(wh) -> dict[str, dict]:
    rows = wh.con.execute(f"SELECT {COLS} FROM calls").fetchall()
    names = [c.strip() for c in COLS.split(",")]
    return {r[0]: dict(zip(names, r, strict=True)) for r in rows}


def quarantine(wh) -> list[tuple]:
    return wh.con.execute('SELECT line, "column", reason FROM quarantine ORDER BY line').fetchall()


def test_detected_by_its_records(ws):
    assert detect_format(MASTER).name == "freeswitch-cdr"
    assert detect_format(LAB).name == "freeswitch-cdr"
    assert detect_format(HERE / "asterisk" / "asterisk-cdr-custom-lab.csv").name == "asterisk-cdr"
    assert detect_format(HERE / "twilio" / "call-log.csv").name == "twilio"
    assert detect_format(write_table(ws / "calls.csv", [SAMPLE["calls"]], "csv")).name == "csv"


def test_master_csv_hand_computed(db, settings):
    with Warehouse(db) as wh:
        r = import_file(wh, "calls", MASTER, settings)
        c = r.counts
        assert (c.rows_read, c.inserted, c.updated, c.unchanged, c.quarantined) == (15, 9, 0, 0, 6)
        assert r.format == "freeswitch-cdr"
        got = calls(wh)
        # Line 1 is repeated on line 14, which wins; 17:15:30 Ho Chi Minh time is 10:15:30 UTC.
        first = got["ced16516-3e51-11ee-01dc-44c35fea3eaf"]
        assert first == {"call_id": "ced16516-3e51-11ee-01dc-44c35fea3eaf",
                         "started_at": dt.datetime(2024, 3, 5, 10, 15, 30, tzinfo=UTC),
                         "agent_id": "1001", "campaign_id": "camp-a", "lead_id": "0901234567",
                         "direction": "outbound", "status": "answered", "ring_s": 8.0, "talk_s": 90.0}
        inbound = got["cc540920-e91f-11ee-f6e4-beb72dd441ac"]
        assert (inbound["direction"], inbound["agent_id"], inbound["lead_id"], inbound["campaign_id"],
                inbound["ring_s"], inbound["talk_s"]) == ("inbound", "1002", "0907654321", None, 5.0, 40.0)
        by_number = {v["lead_id"]: (v["status"], v["ring_s"], v["talk_s"]) for v in got.values()}
        assert by_number["0912000001"] == ("no_answer", 30.0, 0.0)    # NO_ANSWER
        assert by_number["0912000002"] == ("busy", 4.0, 0.0)          # USER_BUSY
        assert by_number["0912000003"] == ("no_answer", 12.0, 0.0)    # ORIGINATOR_CANCEL
        assert by_number["0912000004"] == ("busy", 3.0, 0.0)          # CALL_REJECTED
        assert by_number["0912000005"] == ("failed", 1.0, 0.0)        # UNALLOCATED_NUMBER
        assert by_number["0912000006"] == ("answered", 6.0, 0.0)      # answered, hung up within 1 s
        assert by_number["0912000007"] == ("failed", 2.0, 0.0)        # NORMAL_TEMPORARY_FAILURE
        q = quarantine(wh)
        assert [(line, col) for line, col, _ in q] == [
            (1, "call_id"), (10, "started_at"), (11, "ring_s"), (12, None), (13, "caller_id_name"),
            (15, "destination_number")]
        reasons = {line: reason for line, _, reason in q}
        assert "line 14 has the same key and wins" in reasons[1]
        assert reasons[10].startswith("started_at: '2024-13-45 99:00:00' is not a time")
        assert reasons[11] == "ring_s: '-5.0' is negative"
        assert reasons[12] == "has 14 fields, expected 15"
        assert "not valid UTF-8" in reasons[13]
        # the torn last line: its last value opens a quote the file never closes
        assert reasons[15].startswith("unterminated quote in column destination_number: the quoted value "
                                      "runs to the end of the file")

        again = reimport_changes_nothing(wh, MASTER, settings)
        assert (again.inserted, again.updated, again.unchanged, again.quarantined) == (0, 0, 9, 6)


def test_lab_sample(db, settings):
    """A real Master.csv re-saved by a spreadsheet: unquoted, 2020/2/10 22:41 times, repeated uuids."""
    with Warehouse(db) as wh:
        c = import_file(wh, "calls", LAB, settings).counts
        assert (c.rows_read, c.inserted, c.quarantined) == (10, 8, 2)
        got = calls(wh)
        first = got["d80e22e0-4c15-11ea-97a0-9dd79410affb"]
        assert first["started_at"] == dt.datetime(2020, 2, 10, 15, 41, tzinfo=UTC)
        assert (first["agent_id"], first["campaign_id"], first["lead_id"], first["direction"]) == \
            ("1002", "1002", None, "outbound")     # destination '&' is an application, not a number
        assert (first["status"], first["ring_s"], first["talk_s"]) == ("answered", 2.0, 9.0)
        # caller 0 is no extension; NO_USER_RESPONSE with billsec 0 is unanswered
        missed = got["f1542038-4c15-11ea-97ca-9dd79410affb"]
        assert (missed["agent_id"], missed["lead_id"], missed["status"], missed["ring_s"]) == \
            (None, "1002", "no_answer", 2.0)
        ext = got["559758f2-4c7b-11ea-b071-2bfc2a06d67d"]    # RECOVERY_ON_TIMER_EXPIRE after 32 s of talk
        assert (ext["agent_id"], ext["lead_id"], ext["status"], ext["talk_s"], ext["ring_s"]) == \
            ("1002", "1004", "answered", 32.0, 11.0)
        assert quarantine(wh) == [
            (8, "call_id", ("duplicate call_id '7adced1a-4c7c-11ea-b08c-2bfc2a06d67d' in this file; "
                           "line 10 has the same key and wins")),
            (9, "call_id", ("duplicate call_id '7adced1a-4c7c-11ea-b08c-2bfc2a06d67d' in this file; "
                           "line 10 has the same key and wins"))]
        again = import_file(wh, "calls", LAB, settings).counts
        assert (again.inserted, again.updated, again.unchanged, again.quarantined) == (0, 0, 8, 2)


def test_mapping_overrides_rules_one_by_one(ws, db, settings):
    m = ws / "fs.yaml"
    m.write_text("columns:\n  campaign_id: {constant: spring}\n"
                 "  direction: {column: context, values: {public: inbound, default: inbound}}\n"
                 "  agent_id: {column: caller_id_name, pattern: '^Agent (\\d+)$'}\n", encoding="utf-8")
    with Warehouse(db) as wh:
        import_file(wh, "calls", MASTER, settings, mapping=load_mapping(m))
        got = calls(wh)["ced16516-3e51-11ee-01dc-44c35fea3eaf"]
        assert (got["campaign_id"], got["direction"], got["agent_id"]) == ("spring", "inbound", "1001")
        assert (got["lead_id"], got["talk_s"], got["status"]) == ("0901234567", 90.0, "answered")


def test_linksys_and_snom_templates(ws, db, settings):
    base = ["Agent 1001", "1001", "0901234567", "default", "2024-03-05 17:15:30", "2024-03-05 17:15:38",
            "2024-03-05 17:17:08", "98", "90", "NORMAL_CLEARING", "", "", "camp-a", "PCMU", "PCMU"]
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(base[:10] + ["f6a1b3b0-1111-4c7c-b08c-2bfc2a06d67d"] + base[11:] + ["Yealink", "stats"])
    (ws / "linksys.csv").write_text(buf.getvalue(), encoding="utf-8")
    assert detect_format(ws / "linksys.csv").name == "freeswitch-cdr"
    with Warehouse(db) as wh:
        c = import_file(wh, "calls", ws / "linksys.csv", settings).counts
        assert (c.inserted, c.quarantined) == (1, 0)
        assert calls(wh)["f6a1b3b0-1111-4c7c-b08c-2bfc2a06d67d"]["talk_s"] == 90.0


def test_not_a_freeswitch_file_is_one_sentence(ws, db, run):
    f = write_table(ws / "calls.csv", [SAMPLE["calls"]], "csv")
    code, _, err = run("--db", db, "import", "calls", f, "--format", "freeswitch-cdr")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "is not a FreeSWITCH cdr_csv file" in err and "Traceback" not in err
    with pytest.raises(InputError), Warehouse(db) as wh:
        import_file(wh, "calls", f, Settings(), fmt="freeswitch-cdr")


def test_cli_import(db, run):
    code, out, err = run("--db", db, "import", "calls", MASTER)
    assert code == 0, err
    assert "(freeswitch-cdr): 15 rows read: 9 inserted, 0 updated, 0 unchanged, 6 quarantined" in out
    assert "quarantined line 1, column call_id: duplicate call_id" in out
    code, out, _ = run("--db", db, "import", "calls", MASTER)
    assert code == 0 and "9 unchanged, 6 quarantined" in out


# --- properties ----------------------------------------------------------------------------

UUIDS = ["0f3c1e8a-4c15-11ea-97a0-9dd79410affb", "1a2b3c4d-4c15-11ea-97a0-9dd79410affb",
         "2b3c4d5e-4c15-11ea-97a0-9dd79410affb"]
STARTS = ["2024-03-05 10:00:00", "2020/2/10 22:41", "2024-02-30 10:00:00"]
CAUSES = ["NORMAL_CLEARING", "NO_ANSWER", "USER_BUSY", "CALL_REJECTED", "ORIGINATOR_CANCEL",
          "UNALLOCATED_NUMBER"]
name = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=10)
record = st.fixed_dictionaries({
    "name": name, "uuid": st.sampled_from(UUIDS), "start": st.sampled_from(STARTS),
    "answer": st.sampled_from(["", "2024-03-05 10:00:05"]), "duration": st.sampled_from(["0", "10", "-3"]),
    "billsec": st.sampled_from(["0", "5", "x"]), "cause": st.sampled_from(CAUSES),
    "context": st.sampled_from(["default", "public"]), "short": st.booleans()})


def fields(r: dict) -> list[str]:
    f = [r["name"], "1001", "0901234567", r["context"], r["start"], r["answer"], "2024-03-05 10:01:00",
         r["duration"], r["billsec"], r["cause"], r["uuid"], "", "camp", "PCMU", "PCMU"]
    return f[:12] if r["short"] else f


def valid(r: dict) -> bool:
    return (not r["short"] and r["start"] != STARTS[2] and r["billsec"] != "x" and r["duration"] != "-3"
            and float(r["duration"]) >= float(r["billsec"]))


def expected_status(r: dict) -> str:
    if r["billsec"] == "5" or r["answer"]:
        return "answered"
    return {"NO_ANSWER": "no_answer", "ORIGINATOR_CANCEL": "no_answer", "USER_BUSY": "busy",
            "CALL_REJECTED": "busy"}.get(r["cause"], "failed")


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(record, min_size=1, max_size=8), second=st.lists(record, min_size=1, max_size=8))
def test_nothing_lost_and_reimport_is_a_no_op(tmp_path_factory, first, second):
    ws = tmp_path_factory.mktemp("fs")
    s = Settings(timezone="Asia/Ho_Chi_Minh")
    f = ws / "Master.csv"
    with Warehouse(ws / "w.duckdb") as wh:
        known: set[str] = set()
        for recs in (first, second):
            recs = [{**recs[0], "short": False}] + recs[1:]     # one whole record to recognise the file by
            buf = io.StringIO()
            csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(fields(r) for r in recs)
            f.write_text(buf.getvalue(), encoding="utf-8")
            good = [r for r in recs if valid(r)]
            keys = {r["uuid"] for r in good}
            c = import_file(wh, "calls", f, s, fmt="freeswitch-cdr").counts
            assert c.rows_read == len(recs)
            assert c.inserted + c.updated + c.unchanged + c.quarantined == c.rows_read
            assert c.quarantined == len(recs) - len(good) + (len(good) - len(keys))
            assert c.inserted == len(keys - known)
            known |= keys
            assert wh.count("calls") == len(known)
            for k in keys:
                last = [r for r in good if r["uuid"] == k][-1]
                status, direction = wh.con.execute(
                    "SELECT status, direction FROM calls WHERE call_id = ?", [k]).fetchone()
                assert status == expected_status(last)
                assert direction == ("inbound" if last["context"] == "public" else "outbound")
            again = reimport_changes_nothing(wh, f, s)
            assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(keys))
