"""Asterisk queue_log: calls and agent states from events, pending across files, bad lines."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from telekpi.ingest.pipeline import import_path
from telekpi.ingest.queue_log_events import agent_name
from telekpi.ingest.registry import detect_format
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

HERE = Path(__file__).parent / "fixtures" / "asterisk"
CALLS = "call_id, agent_id, campaign_id, lead_id, direction, status, wait_s, talk_s, ring_s, epoch(started_at)"


def load(db, *paths, settings=None):
    out = []
    with Warehouse(db) as wh:
        for p in paths:
            out.append(import_path(wh, "calls", p, settings or Settings()))
    return out


def test_detected_and_feeds_two_tables(db):
    assert detect_format(HERE / "queue_log").name == "asterisk-queue-log"
    (calls, states), = load(db, HERE / "queue_log")
    assert (calls.table, states.table) == ("calls", "agent_states")
    assert calls.notes and "pending" in calls.notes[0]


def test_agent_names():
    assert [agent_name(x) for x in ("SIP/1001", "Local/1002@from-queue/n", "Agent/7", "Lan Anh", "NONE")] == \
        ["1001", "1002", "7", "Lan Anh", None]


def test_hand_checked_calls_across_two_files(db, rows_of):
    load(db, HERE / "queue_log", HERE / "queue_log.1")
    assert rows_of("calls", CALLS) == sorted([
        ("1700000100.1", "1002", "support", "0912345678", "inbound", "answered", 12.0, 88.0, 5.0, 1700000100),
        ("1700000300.3", None, "support", "0987654321", "inbound", "abandoned", 45.0, 0.0, None, 1700000300),
        ("1700000500.4", "1002", "sales", "0900000001", "inbound", "answered", 3.0, 57.0, 2.0, 1700000500),
        ("1700000600.6", None, "support", "0900000002", "inbound", "no_answer", 100.0, 0.0, None, 1700000600),
        ("1700000800.7", None, "support", "0900000003", "inbound", "failed", 1.0, 0.0, None, 1700000800),
        # entered and connected in the first file, completed in the second
        ("1700001000.8", "1001", "support", "0900000004", "inbound", "answered", 10.0, 90.0, 3.0, 1700001000),
    ], key=repr)


def test_hand_checked_agent_states(db, rows_of):
    load(db, HERE / "queue_log", HERE / "queue_log.1")
    got = rows_of("agent_states", "agent_id, state, epoch(started_at)::INT - 1700000000, "
                                  "epoch(ended_at)::INT - 1700000000, reason")
    assert sorted(g for g in got if g[0] == "1001") == [
        ("1001", "available", 0, 400, None), ("1001", "available", 900, 1010, None),
        ("1001", "available", 1100, 1200, None), ("1001", "on_call", 1010, 1100, None),
        ("1001", "pause", 400, 900, "lunch")]
    # 1002 is in two queues: leaving the first does not log it off.
    assert sorted(g for g in got if g[0] == "1002") == [
        ("1002", "available", 0, 112, None), ("1002", "available", 200, 503, None),
        ("1002", "available", 560, 1400, None), ("1002", "on_call", 112, 200, None),
        ("1002", "on_call", 503, 560, None)]


def test_reimport_in_any_order_changes_nothing(db, rows_of):
    load(db, HERE / "queue_log", HERE / "queue_log.1")
    before = rows_of("calls"), rows_of("agent_states")
    again = load(db, HERE / "queue_log", HERE / "queue_log.1", HERE / "queue_log")
    assert all(r.counts.inserted == r.counts.updated == 0 for rs in again for r in rs)
    assert (rows_of("calls"), rows_of("agent_states")) == before


def test_bad_lines_are_quarantined(ws, db, rows_of):
    p = ws / "queue_log"
    p.write_bytes(b"\n".join([
        b"1700000000|1.1|q|NONE|ENTERQUEUE||0911|1",
        b"1700000005|1.1|q|SIP/7|CONNECT|5|1.2|1",
        b"1700000010|1.1|q|SIP/7|COMPLETEAGENT|5|5",       # 7 fields only: still has what it needs
        b"1700000020|2.1|q",                                # truncated
        b"17000000x0|2.1|q|NONE|ENTERQUEUE||0912|1",        # bad epoch
        b"1700000030|2.1|q|NONE|HOLDMUSIC|x",               # unknown event
        b"1700000040|3.1|q|NONE|ENTERQUEUE||0913|1",
        b"1700000010|3.1|q|NONE|ABANDON|1|1|3",             # clock jumped back 30 s
        b"1700000050|4.1|q|NONE|ENTERQUEUE||0914|1",
        b"1700000055|4.1|q|NONE|ENTERQUEUE||0914|1",        # the same uniqueid enters again
        b"1700000060|4.1|q|NONE|ABANDON|1|1|5",
        b"1700000070|5.1|q|NONE|ENTERQUEUE||Nguy\xe1n|1",    # not UTF-8
        b"1700000080|6.1|q|NONE|ENTERQUEUE||0916|1",
        b"1700000090|6.1|q|SIP/8|COMPLETECALLER|4|x|1",      # talk time not a number
    ]) + b"\n")
    (calls, _), = load(db, p)
    with Warehouse(db) as wh:
        q = wh.con.execute('SELECT line, reason FROM quarantine WHERE "table" = \'calls\' ORDER BY line').fetchall()
    assert [x[0] for x in q] == [4, 5, 6, 8, 10, 12, 14]
    assert "cut short" in q[0][1] and "Unix seconds" in q[1][1] and "HOLDMUSIC" in q[2][1]
    assert "clock jumped back" in q[3][1] and "entered the queue again" in q[4][1]
    assert "UTF-8" in q[5][1] and "talk time" in q[6][1]
    assert sorted(r[0] for r in rows_of("calls", "call_id")) == ["1.1", "4.1"]
    assert rows_of("calls", "call_id, epoch(started_at)::INT - 1700000000") == [("1.1", 0), ("4.1", 55)]
    assert calls.counts.inserted == 2 and calls.counts.quarantined == 7


# Property: a generated day of queue traffic, cut anywhere into two logs, gives the same
# calls as the whole log, and the calls the generator meant.
OUTCOMES = ["COMPLETEAGENT", "COMPLETECALLER", "BLINDTRANSFER", "ABANDON", "EXITWITHTIMEOUT", "EXITEMPTY"]
call = st.tuples(st.integers(1, 50), st.sampled_from(OUTCOMES), st.integers(0, 60), st.integers(1, 400),
                 st.integers(1, 3))


def traffic(calls):
    """queue_log lines (time-ordered) and the calls they describe."""
    events, expected = [], {}
    t = 1700000000
    for i, (gap, outcome, wait, talk, agent) in enumerate(calls):
        t += gap
        uid = f"{t}.{i}"
        events.append((t, f"{t}|{uid}|support|NONE|ENTERQUEUE||09{i:08d}|1"))
        if outcome in ("COMPLETEAGENT", "COMPLETECALLER", "BLINDTRANSFER"):
            events.append((t + wait, f"{t + wait}|{uid}|support|SIP/{agent}|CONNECT|{wait}|{uid}x|2"))
            data = f"{wait}|{talk}|1" if outcome != "BLINDTRANSFER" else f"900|default|{wait}|{talk}|1"
            events.append((t + wait + talk, f"{t + wait + talk}|{uid}|support|SIP/{agent}|{outcome}|{data}"))
            expected[uid] = (str(agent), "answered", float(wait), float(talk), t)
        else:
            status = {"ABANDON": "abandoned", "EXITWITHTIMEOUT": "no_answer", "EXITEMPTY": "failed"}[outcome]
            events.append((t + wait, f"{t + wait}|{uid}|support|NONE|{outcome}|1|1|{wait}"))
            expected[uid] = (None, status, float(wait), 0.0, t)
    lines = [line for _, line in sorted(events, key=lambda e: e[0])]
    return lines, expected


@pytest.mark.slow
@given(st.lists(call, min_size=1, max_size=15), st.floats(0, 1))
@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_property_cut_anywhere_same_calls(tmp_path_factory, calls, cut):
    lines, expected = traffic(calls)
    k = int(cut * len(lines))
    folder = tmp_path_factory.mktemp("ql")
    whole, a, b = folder / "whole", folder / "queue_log.1", folder / "queue_log"
    whole.write_text("\n".join(lines) + "\n")
    a.write_text("".join(x + "\n" for x in lines[:k]))
    b.write_text("".join(x + "\n" for x in lines[k:]))
    load(folder / "one.duckdb", whole)
    split = load(folder / "two.duckdb", *[p for p in (a, b, a) if p.stat().st_size])
    query = "SELECT call_id, agent_id, status, wait_s, talk_s, epoch(started_at)::BIGINT FROM calls ORDER BY 1"
    with Warehouse(folder / "one.duckdb") as one, Warehouse(folder / "two.duckdb") as two:
        got_one, got_two = one.con.execute(query).fetchall(), two.con.execute(query).fetchall()
    assert got_one == got_two == sorted((uid, *v) for uid, v in expected.items())
    assert all(r.counts.quarantined == 0 for rs in split for r in rs)


def test_reimporting_an_older_log_keeps_the_newer_open_state(ws, db, rows_of):
    a, b, c = ws / "queue_log.2", ws / "queue_log.1", ws / "queue_log"
    a.write_text("1700000000|NONE|q|SIP/1|ADDMEMBER|\n1700000100|1.1|q|NONE|ENTERQUEUE||0911|1\n")
    b.write_text("1700000200|1.1|q|NONE|ABANDON|1|1|100\n1700000300|NONE|q|SIP/1|PAUSE|lunch\n"
                 "1700000400|2.1|q|NONE|ENTERQUEUE||0912|1\n")
    c.write_text("1700000500|NONE|q|SIP/1|UNPAUSE|\n1700000600|2.1|q|NONE|ABANDON|1|1|200\n")
    load(db, a, b, a)
    with Warehouse(db) as wh:
        agents = wh.con.execute("SELECT key, \"at\" FROM connector_state WHERE kind = 'agent'").fetchall()
    assert agents == [("1", 1700000300.0)]          # not the older log's "available since 0"
    load(db, c)
    assert rows_of("agent_states", "state, epoch(started_at)::INT - 1700000000, "
                                   "epoch(ended_at)::INT - 1700000000, reason") == [
        ("available", 0, 300, None), ("pause", 300, 500, "lunch")]
    assert rows_of("calls", "call_id, status, wait_s") == [("1.1", "abandoned", 100.0), ("2.1", "abandoned", 200.0)]


# ---- the queue_log table dumped from a database; the calls' queue columns; outbound -----------

VN = Settings(timezone="Asia/Ho_Chi_Minh", phone_region="VN")
QUEUE_COLUMNS = ("call_id, status, wait_s, talk_s, queue, epoch(queued_at) - epoch(started_at), "
                 "caller_number, called_number, line, transferred_to, hangup_by")


def kpis(db, settings, *metrics):
    from telekpi.engine.engine import Engine
    from telekpi.engine.request import Request

    with Warehouse(db) as wh:
        return Engine(wh, settings).query(Request(metrics)).rows[0]


def test_a_queue_log_table_dump_is_read_by_its_header(db, rows_of):
    """Realtime queue_log (data1..data5), with a vendor's id and serverid columns, local
    date-times and NULLs: five calls, one bad time quarantined; counts add up."""
    path = HERE / "queue_log_table.csv"
    assert detect_format(path).name == "asterisk-queue-log"
    (calls, states), = load(db, path, settings=VN)
    c = calls.counts
    assert (c.rows_read, c.inserted, c.quarantined) == (6, 5, 1)
    assert "not Unix seconds or a date and time" in calls.examples[0][2] and calls.examples[0][0] == 16
    assert rows_of("calls", QUEUE_COLUMNS) == sorted([
        ("1772442000.11", "answered", 12.0, 180.0, "cards", 0.0, "+84912345678", "+842873001234",
         "+842873001234", None, "customer"),
        ("1772442300.21", "abandoned", 3.0, 0.0, "cards", 0.0, "+84987654321", None, None, None, "customer"),
        ("1772442600.31", "abandoned", 45.0, 0.0, "cards", 0.0, "+84901112222", None, None, None, "customer"),
        ("1772443200.41", "answered", 30.0, 120.0, "cards", 0.0, "+84909000111", None, None, "2005", None),
        ("1772443800.51", "no_answer", 100.0, 0.0, "cards", 0.0, "+84909000222", None, None, None, "system"),
    ], key=repr)
    # 09:00:00.25 in Ho Chi Minh time is 02:00:00.25 UTC
    assert rows_of("calls", "strftime(started_at AT TIME ZONE 'UTC', '%H:%M:%S.%g')")[0] == ("02:00:00.250",)
    # 2001: on_call 09:00:12-09:03:12, available to the PAUSE; 2002: on_call to the TRANSFER
    assert states.counts.inserted == 3 and states.notes   # both still logged in at the end


def test_a_queue_log_table_dump_with_one_data_column(db, rows_of):
    (calls, _), = load(db, HERE / "queue_log_data.csv", settings=VN)
    assert (calls.counts.rows_read, calls.counts.inserted, calls.counts.quarantined) == (2, 2, 0)
    assert rows_of("calls", "call_id, agent_id, status, wait_s, talk_s, ring_s, caller_number, hangup_by") == [
        ("1772442000.7", "3001", "answered", 8.0, 60.0, 3.0, "+84912000001", "agent"),
        ("1772442100.9", None, "failed", 25.0, 0.0, None, None, "system")]


def test_a_dump_line_with_an_overlong_value_is_quarantined_and_reading_goes_on(ws, db, rows_of):
    """A value past the csv module's 128 KiB limit used to escape as a raw ``_csv.Error``."""
    lines = (HERE / "queue_log_data.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(3, "1772442050,1772442000.7,sales,SIP/3001,HOLD," + "x" * 200_000)
    path = ws / "queue_log_data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (calls, states), = load(db, path, settings=VN)
    c = calls.counts
    assert (c.rows_read, c.inserted, c.quarantined) == (3, 2, 1)
    assert calls.examples[0][0] == 4 and "too long" in calls.examples[0][2]
    assert [r[0] for r in rows_of("calls", "call_id")] == ["1772442000.7", "1772442100.9"]


@pytest.mark.parametrize(("settings", "expected"), [
    # 5 offered; within 20 s: .11 (12 s) of 5 known waits; ASA (12 + 30) / 2; abandons .21, .31
    ({}, {"offered": 5, "service_level": 1 / 5, "asa": 21.0, "queue_abandonment_rate": 2 / 5}),
    # .21 abandoned after 3 s is a short abandon: 1 / 4 abandoned, and out of SL's base: 1 / 4
    ({"short_abandon_s": 5.0, "service_level_basis": "offered_minus_short_abandons"},
     {"offered": 5, "service_level": 1 / 4, "asa": 21.0, "queue_abandonment_rate": 1 / 4}),
    # over answered calls (.11, .41) within 30 s inclusive: both
    ({"service_level_basis": "answered", "service_level_s": 30.0},
     {"offered": 5, "service_level": 2 / 2, "asa": 21.0, "queue_abandonment_rate": 2 / 5}),
    # 30 s strictly: .41 (exactly 30 s) is out
    ({"service_level_s": 30.0, "service_level_inclusive": False},
     {"offered": 5, "service_level": 1 / 5, "asa": 21.0, "queue_abandonment_rate": 2 / 5}),
])
def test_queue_log_table_dump_kpis_by_hand(db, settings, expected):
    load(db, HERE / "queue_log_table.csv", settings=VN)
    got = kpis(db, Settings(timezone="Asia/Ho_Chi_Minh", **settings), *expected)
    assert {k: got[k] for k in expected} == pytest.approx(expected)


def test_outbound_events_become_outbound_calls(db, rows_of):
    path = HERE / "queue_log.outbound"
    assert detect_format(path).name == "asterisk-queue-log"
    (calls, _), = load(db, path, settings=VN)
    assert (calls.counts.rows_read, calls.counts.inserted, calls.counts.quarantined) == (5, 4, 1)
    assert "OUTDIAL is not in this log" in calls.examples[0][2] and calls.examples[0][0] == 11
    assert rows_of("calls", "call_id, agent_id, campaign_id, direction, status, ring_s, talk_s, queue, "
                            "queued_at, called_number, transferred_to, hangup_by") == [
        ("1772450000.1", "3001", "outbound-sales", "outbound", "answered", 7.0, 120.0, "outbound-sales", None,
         "+84912555666", None, "agent"),
        ("1772450200.2", "3001", "outbound-sales", "outbound", "no_answer", 30.0, 0.0, "outbound-sales", None,
         "+84912555777", None, None),
        ("1772450300.3", "3002", "outbound-sales", "outbound", "failed", 1.0, 0.0, "outbound-sales", None,
         "+84912555888", None, None),
        ("1772450400.4", "3002", "outbound-sales", "outbound", "answered", 10.0, 90.0, "outbound-sales", None,
         "+84912555999", "2009", None)]
    assert kpis(db, VN, "offered", "calls")["offered"] == 0    # outbound calls are never offered


def test_missed_ring_auto_pause_is_a_pause_with_its_reason(ws, db, rows_of):
    """Issue 27.7: with `autopause=yes` Asterisk pauses a member who let a call ring out
    (RINGNOANSWER) and logs PAUSE with the reason "Auto-Pause"; it is paused time like any
    other, its reason kept so shrinkage and pause time by reason show missed rings."""
    log = ws / "queue_log"
    log.write_text("1700000000|NONE|q|SIP/1|ADDMEMBER|\n1700000100|1.1|q|NONE|ENTERQUEUE||0911|1\n"
                   "1700000115|1.1|q|SIP/1|RINGNOANSWER|15000\n1700000115|NONE|q|SIP/1|PAUSE|Auto-Pause\n"
                   "1700000130|1.1|q|NONE|ABANDON|1|1|30\n1700000400|NONE|q|SIP/1|UNPAUSE|\n")
    load(db, log)
    assert rows_of("agent_states", "state, epoch(started_at)::INT - 1700000000, "
                                   "epoch(ended_at)::INT - 1700000000, reason") == [
        ("available", 0, 115, None), ("pause", 115, 400, "Auto-Pause")]
