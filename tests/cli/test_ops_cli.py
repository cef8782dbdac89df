"""`telekpi import dnc` and `telekpi ops compliance | numbers | attempts` on a small warehouse:
the stop list imports with its numbers normalised (a bad row quarantined with its reason), and
a call placed after the request is listed as a breach, in the table and in JSON."""

from __future__ import annotations

import json

from telekpi.store.warehouse import Warehouse


def test_an_imported_stop_list_finds_the_call_placed_after_it(tmp_path, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    db = tmp_path / "telekpi.duckdb"
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\nphone_region = "VN"\n')
    calls = tmp_path / "calls.csv"
    calls.write_text("call_id,started_at,status,direction,campaign_id,called_number,line\n"
                     "c1,2026-03-10 10:00,answered,outbound,K1,0974 442 778,+84280000001\n"
                     "c2,2026-03-10 15:00,no_answer,outbound,K1,0974442778,+84280000001\n"
                     "c3,2026-03-10 19:30,answered,outbound,K1,0912345678,+84280000001\n", encoding="utf-8")
    stop = tmp_path / "stop.csv"
    stop.write_text("number,requested_at,source\n"
                    "+84 974 442 778,2026-03-10 12:00,complaint\n"
                    "0912345678,someday,register\n", encoding="utf-8")
    assert run("--db", db, "import", "calls", calls)[0] == 0
    code, out, err = run("--db", db, "import", "dnc", stop)
    assert code == 0, err
    assert "2 rows read: 1 inserted, 0 updated, 0 unchanged, 1 quarantined" in out
    with Warehouse(db) as wh:
        assert wh.con.execute("SELECT number FROM dnc").fetchall() == [("+84974442778",)]

    code, out, err = run("--db", db, "ops", "compliance", "--from", "2026-03-10", "--to", "2026-03-10")
    assert code == 0, err
    assert "1 calls outside the calling window, 1 calls after a stop request" in out
    assert "c2" in out and "complaint" in out and "2026-03-10T19:30" in out
    code, out, err = run("--db", db, "ops", "compliance", "--to", "2026-03-10", "--format", "json")
    data = json.loads(out)
    assert [r["call_id"] for r in data["dnc"]] == ["c2"]
    assert [r["call_id"] for r in data["outside_window"]] == ["c3"]
    assert data["abandonment"][0]["rate"] == 0.0

    code, out, err = run("--db", db, "ops", "numbers", "--to", "2026-03-10")
    assert code == 0 and "+84280000001" in out and "too few calls" in out
    code, out, err = run("--db", db, "ops", "attempts", "--to", "2026-03-10", "--format", "json")
    assert code == 0 and json.loads(out)["groups"] == []   # no call names its lead


def test_a_wrong_day_is_one_sentence(tmp_path, run):
    db = tmp_path / "telekpi.duckdb"
    Warehouse(db).close()
    code, out, err = run("--db", db, "ops", "compliance", "--to", "2026-02-30")
    assert code != 0 and "Traceback" not in err and "--to" in err


def test_the_dialers_callback_list_sets_when_a_callback_is_due(tmp_path, run, monkeypatch):
    """VICIdial's callback list imported beside its calls: the callback set after CB1 is due at
    the time the agent chose (09:00 the next day), so the call at 11:00 kept it late; the one
    no imported call set is listed overdue under its own id."""
    monkeypatch.setenv("COLUMNS", "200")
    db = tmp_path / "telekpi.duckdb"
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n')
    calls = tmp_path / "calls.csv"
    calls.write_text("call_id,started_at,status,direction,agent_id,lead_id,disposition\n"
                     "CB1,2026-03-10 10:00,answered,outbound,6001,1003,CALLBACK\n"
                     "K1,2026-03-11 11:00,no_answer,outbound,6002,1003,\n", encoding="utf-8")
    listed = tmp_path / "vicidial_callbacks.csv"
    listed.write_text("callback_id,lead_id,list_id,campaign_id,status,entry_time,callback_time,modify_date,"
                      "user,recipient,comments,user_group\n"
                      "501,1003,101,TELESALE,INACTIVE,2026-03-10 10:04:00,2026-03-11 09:00:00,,6001,USERONLY,,\n"
                      "502,1009,101,TELESALE,ACTIVE,2026-03-10 11:00:00,2026-03-12 09:00:00,,6001,ANYONE,,\n",
                      encoding="utf-8")
    assert run("--db", db, "import", "calls", calls)[0] == 0
    code, out, err = run("--db", db, "import", "scheduled_callbacks", listed)
    assert code == 0 and "(vicidial-callbacks): 2 rows read: 2 inserted" in out, err
    code, out, err = run("--db", db, "kpi", "callbacks_due", "callbacks_late", "callbacks_never",
                         "--format", "json")
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    assert (row["callbacks_due"], row["callbacks_late"], row["callbacks_never"]) == (2, 1, 1)
    code, out, err = run("--db", db, "ops", "callbacks", "--to", "2026-03-31")
    assert code == 0, err
    assert "scheduled callback 502" in out and "2026-03-12 09:00" in out and "CB1" not in out
