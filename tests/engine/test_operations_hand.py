"""The operations metrics (80_operations.yaml, docs/operations.md) on hand-built warehouses,
expected values as literals with their arithmetic: lost calls won back, callbacks kept, and
first-contact resolution, with the edges docs/operations.md names — a retry one second after
the abandon, a callback across midnight and the start of daylight saving time, a caller with
two numbers (linked by their lead), a number in another country, an IVR-only hang-up and a
short abandon."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse

from ..reference.datagen import insert_rows

NY = "America/New_York"   # DST starts 2026-03-08 at 02:00 local
UTC = dt.UTC


def local(y, mo, d, h, mi=0, s=0, tz=NY) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def call(call_id, started_at, status="answered", direction="inbound", **kw) -> dict:
    return {"call_id": call_id, "started_at": started_at, "status": status,
            "direction": direction, **kw}


@pytest.fixture
def world(tmp_path):
    opened = []

    def _world(calls, orders=(), scheduled=(), **settings):
        wh = Warehouse(tmp_path / f"w{len(opened)}.duckdb")
        opened.append(wh)
        insert_rows(wh, {"calls": list(calls), "orders": list(orders),
                         "scheduled_callbacks": list(scheduled)})
        engine = Engine(wh, Settings(timezone=NY, **settings))

        def q(*metrics, **kw):
            return engine.query(Request(tuple(metrics), **kw)).rows

        return q

    yield _world
    for wh in opened:
        wh.close()


T0 = local(2026, 3, 7, 10)
LOST_CALLS = [
    # L1 abandoned in the queue after 40 s; the caller tries again 1 s after hanging up and A1
    # answers: won back by their retry, 41 s after the lost call started.
    call("L1", T0, "abandoned", queue="sales", queued_at=T0, wait_s=40.0,
         caller_number="+14155550101"),
    call("R1", T0 + dt.timedelta(seconds=41), agent_id="A1", queue="sales",
         caller_number="+14155550101", wait_s=5.0),
    # L2 rang A2, who did not answer; A3 calls the lead back two hours later on its other
    # number and sells: won back by our callback, a sale.
    call("L2", T0, "no_answer", agent_id="A2", queue="sales", queued_at=T0, lead_id="LD2",
         caller_number="+14155550102", ring_s=20.0),
    call("R2", T0 + dt.timedelta(hours=2), direction="outbound", agent_id="A3", lead_id="LD2",
         called_number="+14155550199", disposition="SALE", talk_s=300.0),
    # L3: a Vietnamese number abandons; our call an hour later is not answered, the one 30 h
    # later is, outside the 24 h window: not won back.
    call("L3", T0, "abandoned", queue="care", queued_at=T0, wait_s=90.0,
         caller_number="+84974442778"),
    call("X3", T0 + dt.timedelta(hours=1), "no_answer", direction="outbound", agent_id="A1",
         called_number="+84974442778"),
    call("Y3", T0 + dt.timedelta(hours=30), direction="outbound", agent_id="A1",
         called_number="+84974442778"),
    # Not lost: a hang-up in the IVR (no queue, no agent), a short abandon (3 s < 5 s), and an
    # extension's call answered.
    call("IVR", T0, "abandoned", caller_number="+14155550104"),
    call("SHORT", T0, "abandoned", queue="care", queued_at=T0, wait_s=3.0,
         caller_number="+14155550105"),
]


def test_lost_calls_won_back(world):
    q = world(LOST_CALLS, short_abandon_s=5.0)
    (row,) = q("lost_calls", "missed_calls", "lost_calls_recovered", "lost_call_recovery_rate",
               "recovery_time", "recovered_sales")
    assert row["lost_calls"] == 3                       # L1, L2, L3
    assert row["missed_calls"] == 1                     # L2 rang A2
    assert row["lost_calls_recovered"] == 2             # L1 (retry), L2 (callback)
    assert row["lost_call_recovery_rate"] == pytest.approx(2 / 3)
    assert row["recovery_time"] == pytest.approx((41 + 7200) / 2)   # median of 41 s and 2 h
    assert row["recovered_sales"] == 1                  # R2 has the SALE disposition


def test_lost_calls_by_agent_and_queue(world):
    q = world(LOST_CALLS, short_abandon_s=5.0)
    by_agent = {r["agent"]: r["lost_calls"] for r in q("lost_calls", by=("agent",))}
    assert by_agent == {"A2": 1, None: 2}               # L2 rang A2; L1 and L3 reached no one
    by_queue = {r["queue"]: r["lost_call_recovery_rate"]
                for r in q("lost_call_recovery_rate", by=("queue",))}
    assert by_queue == {"sales": 1.0, "care": 0.0}


def test_a_missed_call_the_agent_rejected_is_told_from_one_that_rang_unanswered(world):
    # L2 rang A2 unanswered; M2 rang A2 too and A2 hung up on it while it rang (the source says
    # the agent hung up); M3 rang A3, who hung up, but it was answered: not missed at all.
    calls = [*LOST_CALLS,
             call("M2", T0 + dt.timedelta(minutes=5), "no_answer", agent_id="A2", queue="sales",
                  queued_at=T0, caller_number="+14155550110", ring_s=2.0, hangup_by="agent"),
             call("M3", T0 + dt.timedelta(minutes=6), agent_id="A3", queue="sales",
                  caller_number="+14155550111", hangup_by="agent")]
    by_agent = {r["agent"]: (r["missed_calls"], r["rejected_calls"])
                for r in world(calls, short_abandon_s=5.0)("missed_calls", "rejected_calls", by=("agent",))}
    assert by_agent == {"A2": (2, 1), None: (0, 0)}


def test_a_later_order_of_the_lead_is_a_sale_of_the_recovery(world):
    calls = [dict(c) for c in LOST_CALLS]
    for c in calls:
        if c["call_id"] == "R2":
            c["disposition"] = "QUALIFIED"
    orders = [{"order_id": "O1", "ordered_at": T0 + dt.timedelta(hours=5), "amount": 10,
               "status": "completed", "lead_id": "LD2"},
              {"order_id": "O2", "ordered_at": T0 + dt.timedelta(hours=40), "amount": 10,
               "status": "completed", "lead_id": "LD2"}]
    q = world(calls, orders, short_abandon_s=5.0)
    assert q("recovered_sales")[0]["recovered_sales"] == 1       # O1: 3 h after the reach
    q = world(calls, orders[1:], short_abandon_s=5.0)
    assert q("recovered_sales")[0]["recovered_sales"] == 0       # O2: 38 h after it


def test_recovery_window_is_a_setting(world):
    q = world(LOST_CALLS, short_abandon_s=5.0, recovery_window_h=36.0)
    (row,) = q("lost_calls_recovered", "recovery_time")
    assert row["lost_calls_recovered"] == 3             # Y3, 30 h later, now counts
    assert row["recovery_time"] == pytest.approx(7200)  # median of 41 s, 2 h, 30 h


# Callbacks: each is due 24 h after the call that promised it, kept on time up to 15 min later.
CB1_AT = local(2026, 3, 7, 21)          # 21:00 EST = 02:00 UTC on the 8th
CB2_AT = local(2026, 3, 7, 23, 30)      # 23:30 EST, across midnight
CALLBACKS = [
    # Due 2026-03-09 02:00 UTC = 22:00 EDT on the 8th (the clocks went forward in between);
    # kept at 22:10 EDT: 10 min after due, on time.
    call("CB1", CB1_AT, direction="outbound", agent_id="A1", lead_id="LC1",
         called_number="+14155550301", disposition="callback"),
    call("K1", local(2026, 3, 8, 22, 10), "no_answer", direction="outbound", agent_id="A2",
         lead_id="LC1", called_number="+14155550301"),
    # Due 04:30 UTC on the 9th; the next call to the number is an hour after that: late.
    call("CB2", CB2_AT, direction="inbound", agent_id="A2", caller_number="+14155550302",
         disposition="CALLBACK"),
    call("K2", CB2_AT + dt.timedelta(hours=25), direction="outbound", agent_id="A2",
         called_number="+14155550302"),
    # Never called back.
    call("CB3", local(2026, 3, 1, 9), direction="outbound", agent_id="A1", lead_id="LC3",
         disposition="CALLBACK"),
]


def test_callbacks_kept_on_time_late_never(world):
    q = world(CALLBACKS)
    (row,) = q("callbacks_due", "callback_on_time_rate", "callbacks_late", "callbacks_never")
    assert row["callbacks_due"] == 3
    assert row["callback_on_time_rate"] == pytest.approx(1 / 3)   # CB1 of CB1, CB2, CB3
    assert row["callbacks_late"] == 1                              # CB2
    assert row["callbacks_never"] == 1                             # CB3
    by_agent = {r["agent"]: r["callback_on_time_rate"]
                for r in q("callback_on_time_rate", by=("agent",))}
    assert by_agent == {"A1": 0.5, "A2": 0.0}           # A1: CB1 on time, CB3 never; A2: CB2 late


def test_callback_tolerance_is_a_setting(world):
    q = world(CALLBACKS, callback_tolerance_min=5.0)
    assert q("callback_on_time_rate")[0]["callback_on_time_rate"] == 0.0   # CB1 is 10 min late


def test_a_callback_not_yet_due_counts_on_neither_side(world):
    soon = dt.datetime.now(UTC) - dt.timedelta(hours=1)
    q = world([call("CB", soon, direction="outbound", lead_id="L", disposition="CALLBACK")])
    (row,) = q("callbacks_due", "callback_on_time_rate", "callbacks_never")
    assert (row["callbacks_due"], row["callback_on_time_rate"], row["callbacks_never"]) == (1, None, 0)


# Callbacks as the dialer scheduled them (VICIdial's callback list): the time the agent chose
# is the due time, not the callback_due_h rule.
SCHEDULED = [
    # Set by CB1's agent 2 min after CB1 started, for 6 h later (03:00 EST on the 8th): K1,
    # 25 h 10 min after CB1, is now late (it was on time by the 24 h rule).
    {"callback_id": "S1", "scheduled_at": CB1_AT + dt.timedelta(minutes=2),
     "due_at": CB1_AT + dt.timedelta(hours=6), "lead_id": "LC1", "agent_id": "A1",
     "recipient": "agent", "status": "open"},
    # A callback in the dialer that no call of the warehouse set (the call was not imported):
    # its own promise, by A3, due on the 2nd and never made.
    {"callback_id": "S9", "scheduled_at": local(2026, 3, 1, 9), "due_at": local(2026, 3, 2, 9),
     "lead_id": "LS9", "agent_id": "A3", "recipient": "anyone", "status": "open"},
    # Set 13 h after LC3's callback call: too long after it (12 h at most) to be its
    # disposition; its own promise, due on the 2nd at 10:00, never made.
    {"callback_id": "S3", "scheduled_at": local(2026, 3, 1, 22), "due_at": local(2026, 3, 2, 10),
     "lead_id": "LC3", "agent_id": "A1"},
]


def test_a_scheduled_callback_is_due_when_the_dialer_says(world):
    q = world(CALLBACKS, scheduled=SCHEDULED)
    (row,) = q("callbacks_due", "callback_on_time_rate", "callbacks_late", "callbacks_never")
    # CB1 (due at S1's time: late), CB2 (late), CB3 (never), S9 (never), S3 (never)
    assert (row["callbacks_due"], row["callbacks_late"], row["callbacks_never"]) == (5, 2, 3)
    assert row["callback_on_time_rate"] == 0.0
    by_agent = {r["agent"]: (r["callbacks_due"], r["callbacks_never"])
                for r in q("callbacks_due", "callbacks_never", by=("agent",))}
    assert by_agent == {"A1": (3, 2), "A2": (1, 0), "A3": (1, 1)}


def test_the_last_callback_set_after_a_call_stands(world):
    moved = {"callback_id": "S2", "scheduled_at": CB1_AT + dt.timedelta(minutes=10),
             "due_at": CB1_AT + dt.timedelta(hours=26), "lead_id": "LC1", "agent_id": "A1",
             "status": "open"}
    q = world(CALLBACKS, scheduled=[SCHEDULED[0], moved])
    (row,) = q("callbacks_due", "callback_on_time_rate", "callbacks_late")
    # S1 and S2 both belong to CB1: one promise, due at S2's time; K1 is 50 min early: on time.
    assert (row["callbacks_due"], row["callbacks_late"]) == (3, 1)                  # CB2 late
    assert row["callback_on_time_rate"] == pytest.approx(1 / 3)                     # CB1


D1 = local(2026, 4, 1, 9)
CONTACTS = [
    # One number: day 1, day 3 (a repeat of day 1), day 12 (9 days after day 3: a new issue).
    call("C1", D1, agent_id="A1", queue="care", caller_number="+14155550401", disposition="NI"),
    call("C2", D1 + dt.timedelta(days=2), agent_id="A2", queue="care",
         caller_number="+14155550401"),
    call("C3", D1 + dt.timedelta(days=11), agent_id="A2", queue="care",
         caller_number="+14155550401"),
    # A caller with two numbers, linked by their lead: the second call repeats the first.
    call("C4", D1, agent_id="A1", queue="sales", lead_id="LF", caller_number="+14155550402"),
    call("C5", D1 + dt.timedelta(days=1), agent_id="A2", queue="sales", lead_id="LF",
         caller_number="+66812345678"),
    # An extension's calls match no one (not a customer number).
    call("E1", D1, agent_id="A1", queue="care", caller_number="1001"),
    call("E2", D1 + dt.timedelta(hours=1), agent_id="A1", queue="care", caller_number="1001"),
    # A customer who calls again and abandons still came back: C6 is not resolved.
    call("C6", D1, agent_id="A1", queue="care", caller_number="+14155550403"),
    call("C6b", D1 + dt.timedelta(hours=3), "abandoned", queue="care", queued_at=D1,
         caller_number="+14155550403", wait_s=30.0),
]


def test_first_contact_resolution_and_repeats(world):
    q = world(CONTACTS)
    (row,) = q("fcr_rate", "repeat_contact_rate")
    # contacts: C1 C2 C3 C4 C5 E1 E2 C6 (8); repeated within 7 days: C1, C4, C6 → 5 resolved
    assert row["fcr_rate"] == pytest.approx(5 / 8)
    # repeats of a handled contact within 7 days before: C2, C5 → 2 of 8
    assert row["repeat_contact_rate"] == pytest.approx(2 / 8)
    by_queue = {r["queue"]: r["fcr_rate"] for r in q("fcr_rate", by=("queue",))}
    assert by_queue == {"care": pytest.approx(4 / 6), "sales": 0.5}
    by_agent = {r["agent"]: r["fcr_rate"] for r in q("fcr_rate", by=("agent",))}
    assert by_agent == {"A1": pytest.approx(2 / 5), "A2": 1.0}   # A1: C1 C4 C6 repeated
    by_disp = {r["disposition"]: r["fcr_rate"] for r in q("fcr_rate", by=("disposition",))}
    assert by_disp == {"NI": 0.0, None: pytest.approx(5 / 7)}


def test_fcr_window_is_a_setting(world):
    q = world(CONTACTS, fcr_window_days=10.0)
    # C2 → C3 is 9 days: C2 is now repeated too
    assert q("fcr_rate")[0]["fcr_rate"] == pytest.approx(4 / 8)


def test_the_lists_name_the_lost_calls_not_won_back_and_the_callbacks_overdue(tmp_path):
    from telekpi.engine.lookup import Scope
    from telekpi.engine.operations import OperationsLists

    wh = Warehouse(tmp_path / "lists.duckdb")
    try:
        insert_rows(wh, {"calls": LOST_CALLS + CALLBACKS,
                         "agents": [{"agent_id": a, "team_id": t}
                                    for a, t in (("A1", "T1"), ("A2", "T2"), ("A3", "T1"))]})
        lists = OperationsLists(Engine(wh, Settings(timezone=NY, short_abandon_s=5.0)))
        lost = lists.lost_not_recovered()
        assert [r["call_id"] for r in lost.rows] == ["L3"] and lost.total == 1
        assert lost.rows[0]["attempts"] == 2 and lost.rows[0]["open"] is False   # X3, Y3
        assert lists.lost_not_recovered(Scope(agent="A1")).total == 0            # rang no one
        assert lists.lost_not_recovered(Scope(teams=("T2",))).total == 1         # agentless: all
        overdue = lists.overdue_callbacks()
        assert [r["call_id"] for r in overdue.rows] == ["CB3"]
        assert lists.overdue_callbacks(Scope(agent="A2")).total == 0
        assert overdue.rows[0]["callback_id"] is None
    finally:
        wh.close()


def test_the_overdue_list_names_callbacks_only_the_dialer_scheduled(tmp_path):
    from telekpi.engine.operations import OperationsLists

    wh = Warehouse(tmp_path / "lists.duckdb")
    try:
        insert_rows(wh, {"calls": CALLBACKS, "scheduled_callbacks": SCHEDULED})
        overdue = OperationsLists(Engine(wh, Settings(timezone=NY))).overdue_callbacks()
        assert [(r["call_id"], r["callback_id"]) for r in overdue.rows] == [
            ("CB3", None), (None, "S9"), (None, "S3")]          # due 2nd 09:00 EST, 09:00, 10:00
        assert overdue.rows[1]["due_at"] == local(2026, 3, 2, 9)
    finally:
        wh.close()


def test_the_lost_list_pages_carry_their_own_attempts_and_the_whole_count(tmp_path):
    """The list reads a page's keys first, then the page's calls and their attempts
    (engine/operations.py): each page has the columns and attempts of its own calls."""
    from telekpi.engine.operations import OperationsLists

    t = local(2026, 3, 7, 10)
    calls = [call(f"L{i}", t + dt.timedelta(minutes=i), "abandoned", queue="care", queued_at=t,
                  wait_s=60.0, caller_number=f"+1415555070{i}", lead_id=f"LL{i}") for i in range(3)]
    # our unanswered attempts: L1's customer twice (by lead, then by number), L2's once
    calls += [call("A1", t + dt.timedelta(hours=1), "no_answer", direction="outbound", lead_id="LL1"),
              call("A2", t + dt.timedelta(hours=2), "no_answer", direction="outbound",
                   called_number="+14155550701"),
              call("A3", t + dt.timedelta(hours=1), "busy", direction="outbound", lead_id="LL2")]
    wh = Warehouse(tmp_path / "pages.duckdb")
    try:
        insert_rows(wh, {"calls": calls})
        lists = OperationsLists(Engine(wh, Settings(timezone=NY)))
        pages = [lists.lost_not_recovered(limit=1, offset=k) for k in range(3)]
        assert [p.total for p in pages] == [3, 3, 3]
        assert [(r["call_id"], r["attempts"], r["customer_number"], r["lost_how"], r["queue"])
                for p in pages for r in p.rows] == [
            ("L0", 0, "+14155550700", "abandoned", "care"), ("L1", 2, "+14155550701", "abandoned", "care"),
            ("L2", 1, "+14155550702", "abandoned", "care")]
    finally:
        wh.close()
