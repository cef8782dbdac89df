"""`mapping suggest` on real-shaped exports (issue 23): a bank's inbound call-centre TSV with
the date and the time in two columns, ids repeated across transfer legs, IVR hang-ups, PHANTOM
rows and NULL texts; its clean variant; a queue_log table dumped from a database."""

import json
import shutil
from pathlib import Path

import pytest

from telekpi.errors import InputError
from telekpi.ingest.mapping import load_mapping
from telekpi.ingest.suggest import suggest

BANK = Path(__file__).parent / "fixtures" / "bank"


@pytest.fixture
def export(tmp_path):
    return Path(shutil.copy(BANK / "inbound-2025-08.txt", tmp_path / "inbound-2025-08.txt"))


def test_the_bank_export_is_calls_with_date_plus_time_and_a_two_column_key(export, tmp_path):
    s = suggest(export)
    assert s.table == "calls" and not s.missing
    assert "8 of 8 columns read, started_at from date + time" in s.why_table
    (tmp_path / "m.yaml").write_text(s.yaml(export.name), encoding="utf-8")
    m = load_mapping(tmp_path / "m.yaml")
    r = m.rules
    assert (r["started_at"].template, r["started_at"].format) == ("{date} {time}", "%d/%m/%Y %H:%M:%S")
    assert r["call_id"].template == "{call_id}-{time}"        # call_id repeats across transfer legs
    assert "so the key is 'call_id' and 'time' together" in s.yaml(export.name)
    assert dict(r["status"].values) == {"agent": "answered", "hang": "abandoned"}
    assert (r["agent_id"].column, r["wait_s"].column, r["talk_s"].column) == ("agent", "wait", "talk")
    assert r["direction"].constant == "inbound" and r["queue"].column == "queue"
    assert dict(r["queue"].values) == {"ivr": None}   # the IVR is no queue: its calls are not offered
    assert "campaign_id" not in r
    assert m.nulls == ("NULL",)
    assert [(f.column, f.values) for f in m.skip] == [("outcome", ("PHANTOM",))]


def test_the_bank_suggestion_imports_unedited_and_kpis_are_right(export, tmp_path, run):
    db, mapping = tmp_path / "w.duckdb", tmp_path / "bank.yaml"
    code, out, err = run("mapping", "suggest", export, "-o", mapping)
    assert code == 0, err
    assert "check the TODO lines" not in out
    code, out, err = run("--db", db, "import", "calls", export, "--mapping", mapping)
    assert code == 0, err
    # 13 lines: 2 PHANTOM skipped, 11 calls (2 of them second legs of a transferred call)
    assert "13 rows read: 11 inserted, 0 updated, 0 unchanged, 2 skipped, 0 quarantined" in out
    code, out, err = run("--db", db, "kpi", "calls", "offered", "asa", "queue_abandonment_rate",
                         "abandonment_rate", "--format", "json")
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    # 11 calls, 2 of them hung up in the IVR: 9 offered to a queue; answered waits 12, 30, 6, 4,
    # 20, 8, 10 → 90 / 7; 2 HANG in a queue of 9 offered (the IVR hang-ups are no queue abandons)
    assert row["calls"] == 11 and row["offered"] == 9
    assert row["asa"] == pytest.approx(90 / 7)
    assert row["queue_abandonment_rate"] == pytest.approx(2 / 9)
    assert row["abandonment_rate"] == pytest.approx(4 / 11)   # every inbound abandon, IVR included
    from telekpi.store.warehouse import Warehouse

    with Warehouse(db) as wh:
        agents = wh.con.execute("SELECT agent_id, count(*) FROM calls GROUP BY 1 ORDER BY 1 NULLS FIRST").fetchall()
        times = wh.con.execute("SELECT min(started_at), max(started_at) FROM calls").fetchall()[0]
    assert agents[0] == (None, 4)   # the unanswered have no agent: NULL, not '' or 'NULL'
    assert ("Nguyễn Thị Lan", 2) in agents and len(agents) == 5
    assert (times[0].day, times[0].hour, times[1].day, times[1].hour) == (1, 8, 13, 14)


def test_the_clean_variant_imports_as_is(tmp_path, run):
    export = Path(shutil.copy(BANK / "inbound-clean.txt", tmp_path / "inbound-clean.txt"))
    s = suggest(export)
    assert s.table == "calls" and not s.missing and not s.skip
    assert all(not g.todo for g in s.guesses)
    text = s.yaml(export.name)
    assert "nulls" not in text and "# TODO" not in text and "\nskip:" not in text
    assert "call_id: call_id" in text    # unique on the sample: the id as it is
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("--db", tmp_path / "w.duckdb", "import", "calls", export, "--mapping", tmp_path / "m.yaml")
    assert code == 0, err
    assert "9 rows read: 9 inserted, 0 updated, 0 unchanged, 0 quarantined" in out


def test_a_queue_log_table_dump_is_not_taken_for_surveys(tmp_path):
    dump = Path(shutil.copy(BANK / "queue_log-dump.csv", tmp_path / "queue_log.csv"))
    with pytest.raises(InputError) as e:
        suggest(dump)
    assert "is in the asterisk-queue-log format, which telekpi maps already; import it as it is" \
        in str(e.value)


def test_an_asterisk_cdr_table_dump_is_left_to_its_connector(tmp_path):
    cdr = tmp_path / "cdr.csv"
    cdr.write_text("calldate,clid,src,dst,dcontext,duration,billsec,disposition,uniqueid\n"
                   "2025-08-01 08:00:00,\"A\" <0901>,0901,1001,from-trunk,70,61,ANSWERED,1754010000.1\n"
                   "2025-08-01 08:05:00,\"B\" <0902>,0902,1001,from-trunk,30,0,NO ANSWER,1754010300.2\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as e:
        suggest(cdr)
    assert "is in the asterisk-cdr format, which telekpi maps already; import it as it is" in str(e.value)


def test_a_required_column_it_cannot_decide_is_refused_at_import_with_its_sentence(tmp_path, run):
    f = tmp_path / "x.csv"
    f.write_text("call_id,agent,outcome\n1,Lan,AGENT\n2,Hoa,HANG\n", encoding="utf-8")
    code, out, err = run("mapping", "suggest", f, "--table", "calls", "-o", tmp_path / "m.yaml")
    assert code == 0 and "check the TODO lines for started_at" in out
    code, out, err = run("--db", tmp_path / "w.duckdb", "import", "calls", f, "--mapping", tmp_path / "m.yaml")
    assert code == 2
    assert "started_at is still a TODO: started_at is required" in err


def test_a_date_without_a_time_of_day_says_so(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("call_id,date,agent,outcome\n1,01/08/2025,Lan,AGENT\n2,02/08/2025,Hoa,HANG\n", encoding="utf-8")
    s = suggest(f)
    started = next(g for g in s.guesses if g.target == "started_at")
    assert started.rule == {"column": "date", "format": "%d/%m/%Y"}
    assert any("dates without a time of day" in t for t in started.todo)
