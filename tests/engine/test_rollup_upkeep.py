"""Rollups kept current write by write: a write is logged for the rollups that read its
table, which the engine does not read until the log is folded in; then each equals a rollup
built from scratch, and the engine reading them gives the rows' answers."""

from __future__ import annotations

import math

import pytest

from telekpi.engine import rollups
from telekpi.engine.engine import Engine
from telekpi.engine.rollups.combos import TOUCHES_TABLE
from telekpi.engine.rollups.upkeep import RollupUpkeep, catch_up
from telekpi.ingest.json_rows import JsonRowsSource
from telekpi.ingest.pipeline import import_source
from telekpi.settings import Settings

from .test_rollups import CATALOG, TZ, answers, same, world  # noqa: F401  (world: a fixture)

pytestmark = pytest.mark.slow   # each test builds a centre and its rollups

SETTINGS = Settings(timezone=TZ)
TABLES = [spec.table for spec in rollups.SPECS.values()] + [rollups.FIRST_CALLS_TABLE, TOUCHES_TABLE]


def write(wh, table: str, rows: list[dict], upkeep: RollupUpkeep | None):
    label = f"test:{table}:{id(rows)}"
    wh.con.execute("SET TimeZone = 'UTC'")
    return import_source(wh, table, JsonRowsSource(rows, label), SETTINGS, label=label,
                         fmt="json", observer=upkeep).counts


def contents(con, table: str) -> list[tuple]:
    return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


READERS = {t: {s.model for s in rollups.SPECS.values() if t in s.touched} for t in rollups.SOURCES}


def assert_like_a_rebuild(wh, written: set[str]) -> None:
    """The rollups that read the written tables are behind until the log is folded in (the
    engine reads the rows meanwhile); then every rollup is current and holds what building
    it again would."""
    behind = set().union(*(READERS[t] for t in written))
    assert set(rollups.available(wh.con, SETTINGS)) == set(rollups.SPECS) - behind
    assert same(answers(Engine(wh, SETTINGS)), answers(Engine(wh, SETTINGS, use_rollups=False)))
    assert {d["model"] for d in catch_up(wh.con, CATALOG, SETTINGS)} == behind
    assert catch_up(wh.con, CATALOG, SETTINGS) == []   # nothing left
    assert set(rollups.available(wh.con, SETTINGS)) == set(rollups.SPECS)
    kept = {t: contents(wh.con, t) for t in TABLES}
    rollups.refresh(wh.con, CATALOG, SETTINGS, force=True)
    for t in TABLES:
        again = contents(wh.con, t)
        assert len(kept[t]) == len(again), t
        for a, b in zip(kept[t], again, strict=True):
            assert all(x == y or (isinstance(x, float) and math.isclose(x, y, rel_tol=1e-9))
                       for x, y in zip(a, b, strict=True)), (t, a, b)


def calls_of(con, where: str, n: int) -> list[dict]:
    """Rows of calls as JSON would post them."""
    cur = con.execute(f"SELECT * FROM calls WHERE {where} ORDER BY call_id LIMIT {n}")
    names = [d[0] for d in cur.description]
    return [{k: v.isoformat() if hasattr(v, "isoformat") else v
             for k, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def new_call(i: int, started_at: str, lead: str | None, **kw) -> dict:
    return {"call_id": f"n{i}", "started_at": started_at, "agent_id": "a1", "campaign_id": "k1",
            "lead_id": lead, "direction": "outbound", "status": "answered",
            "disposition": "SALE", "talk_s": 90, **kw}


def first_calls(con, n: int, where: str = "true") -> list[tuple[str, str]]:
    """Leads with calls: (lead, its first outbound call's time)."""
    return con.execute(f"""SELECT lead_id, strftime(min(started_at), '%Y-%m-%dT%H:%M:%SZ') FROM calls
        WHERE direction = 'outbound' AND lead_id IS NOT NULL GROUP BY lead_id HAVING {where}
        ORDER BY lead_id LIMIT {n}""").fetchall()


def hour_before(iso: str) -> str:
    import datetime as dt

    return (dt.datetime.fromisoformat(iso) - dt.timedelta(hours=1)).isoformat()


WRITES = {
    # new calls: over a local midnight (17:00 UTC in Ho Chi Minh); one an hour before a lead's
    # first call (which moves), one a year after another's (which does not); one for a lead
    # with no calls yet, one with no lead
    "new calls": ("calls", lambda con: [
        new_call(1, "2026-01-20T16:59:59Z", "l3"), new_call(2, "2026-01-20T17:00:00Z", "l3"),
        new_call(3, hour_before(first_calls(con, 1)[0][1]), first_calls(con, 1)[0][0]),
        new_call(6, "2027-01-01T00:00:00Z", first_calls(con, 2)[1][0]),
        new_call(4, "2026-02-11T02:00:00Z", "l_new"),
        new_call(5, "2026-02-11T02:00:00Z", None, direction="inbound")]),
    # changed calls: moved to another day with another result, or to another lead; a lead
    # whose only call moves away has no first call any more; a surveyed call's agent changes
    "changed calls": ("calls", lambda con: [
        {**c, "started_at": "2026-03-30T20:00:00Z", "disposition": "NOT_INTERESTED"}
        for c in calls_of(con, "lead_id IS NOT NULL AND direction = 'outbound'", 3)] + [
        {**c, "agent_id": "a3", "campaign_id": "k2"} for c in calls_of(
            con, "call_id IN (SELECT call_id FROM surveys WHERE agent_id IS NULL)", 2)] + [
        {**c, "lead_id": "l7"} for c in calls_of(
            con, f"lead_id = '{first_calls(con, 1, 'count(*) = 1')[0][0]}' AND direction = 'outbound'", 1)]),
    "new and changed orders": ("orders", lambda con: [
        {"order_id": "o_new", "ordered_at": "2026-02-03T10:00:00Z", "amount": 1200.5,
         "status": "completed", "agent_id": "a2", "campaign_id": "k0"},
        {**dict(zip(("order_id", "ordered_at", "amount", "agent_id", "campaign_id"),
                    con.execute("SELECT order_id, strftime(ordered_at, '%Y-%m-%dT%H:%M:%SZ'), "
                                "CAST(amount AS DOUBLE), agent_id, campaign_id FROM orders "
                                "WHERE status = 'completed' ORDER BY order_id LIMIT 1").fetchall()[0],
                    strict=True)),
         "status": "cancelled"}]),
    # a lead that answers an SMS: its run of unanswered touches ends (the stop list's)
    "new engagements": ("engagements", lambda con: [
        {"engagement_id": "e_new", "lead_id": first_calls(con, 1)[0][0], "at": "2026-03-31T03:00:00Z",
         "channel": "sms", "direction": "in"},
        {"engagement_id": "e_out", "lead_id": "l5", "at": "2026-03-31T04:00:00Z", "channel": "zalo",
         "direction": "out"}]),
    "new surveys": ("surveys", lambda con: [
        {"response_id": "s_new", "answered_at": "2026-01-31T17:30:00Z", "score": 5, "scale_max": 5,
         "call_id": con.execute("SELECT min(call_id) FROM calls").fetchall()[0][0]}]),
    "new and moved leads": ("leads", lambda con: [
        {"lead_id": "l_fresh", "created_at": "2026-02-10T01:00:00Z", "campaign_id": "k0",
         "source": "web", "segment": "smb"},
        {"lead_id": "l4", "created_at": "2026-03-15T05:00:00Z", "campaign_id": "k2",
         "source": "referral", "segment": None}]),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_resums_its_days_like_a_rebuild(world, name):  # noqa: F811
    table, rows_of = WRITES[name]
    rollups.refresh(world.con, CATALOG, SETTINGS)
    upkeep = RollupUpkeep(CATALOG, SETTINGS)
    counts = write(world, table, rows_of(world.con), upkeep)
    assert counts.inserted + counts.updated > 0 and counts.quarantined == 0
    assert same(answers(Engine(world, SETTINGS)), answers(Engine(world, SETTINGS, use_rollups=False)))
    assert_like_a_rebuild(world, {table})


def test_writes_in_a_row_stay_like_a_rebuild(world):  # noqa: F811
    rollups.refresh(world.con, CATALOG, SETTINGS)
    upkeep = RollupUpkeep(CATALOG, SETTINGS)
    # a survey of a call not yet written, folded in; then another survey and that call:
    # the first survey moves to the call's agent, though only new rows were written
    survey = {"response_id": "s_early", "answered_at": "2026-02-20T03:00:00Z", "score": 4,
              "scale_max": 5, "call_id": "n_late"}
    write(world, "surveys", [survey], upkeep)
    assert_like_a_rebuild(world, {"surveys"})
    write(world, "surveys", [{**survey, "response_id": "s_next", "call_id": None}], upkeep)
    write(world, "calls", [new_call(20, "2026-02-20T02:50:00Z", None, call_id="n_late")], upkeep)
    assert_like_a_rebuild(world, {"surveys", "calls"})
    for table, rows_of in WRITES.values():
        write(world, table, rows_of(world.con), upkeep)
    # the same batch again changes nothing; a last one with no lead
    write(world, "calls", WRITES["new calls"][1](world.con), upkeep)
    write(world, "calls", [new_call(9, "2026-02-01T01:00:00Z", None)], upkeep)
    assert same(answers(Engine(world, SETTINGS)), answers(Engine(world, SETTINGS, use_rollups=False)))
    # refresh folds the logs in rather than building the rollups again
    assert [d["rows"] for d in rollups.refresh(world.con, CATALOG, SETTINGS)] == [None] * 5
    assert_like_a_rebuild(world, set())
    # and the next window sees only its own rows
    write(world, "calls", [new_call(30, "2026-02-21T02:00:00Z", None)], upkeep)
    assert_like_a_rebuild(world, {"calls"})


def test_what_upkeep_leaves_to_a_rebuild(world):  # noqa: F811
    rollups.refresh(world.con, CATALOG, SETTINGS)
    upkeep = RollupUpkeep(CATALOG, SETTINGS)
    # an agent moved to another team relabels every day of the agent: left stale
    write(world, "agents", [{"agent_id": "a1", "name": "A", "team_id": "t2", "site": "in_house"}], upkeep)
    assert set(rollups.available(world.con, SETTINGS)) == {"leads"}
    # a rollup already stale is not logged for by a later write; the others still are
    write(world, "orders", WRITES["new and changed orders"][1](world.con), upkeep)
    write(world, "leads", WRITES["new and moved leads"][1](world.con), upkeep)
    assert [d["model"] for d in catch_up(world.con, CATALOG, SETTINGS)] == ["leads"]
    assert set(rollups.available(world.con, SETTINGS)) == {"leads"}
    assert {d["model"] for d in rollups.refresh(world.con, CATALOG, SETTINGS)} == {
        "calls", "orders", "surveys", "lead_stages"}
    # a write larger than max_rows is not copied: its rollups wait for the rebuild
    upkeep.max_rows = 1
    write(world, "calls", WRITES["new calls"][1](world.con), upkeep)
    assert set(rollups.available(world.con, SETTINGS)) == {"orders"}
    assert same(answers(Engine(world, SETTINGS)), answers(Engine(world, SETTINGS, use_rollups=False)))


def test_each_fold_sees_only_its_own_writes(world):  # noqa: F811
    rollups.refresh(world.con, CATALOG, SETTINGS)
    upkeep = RollupUpkeep(CATALOG, SETTINGS)
    for i in range(2):   # new rows only: summed and added, so a row folded twice would count twice
        write(world, "calls", [new_call(40 + i, "2026-02-22T02:00:00Z", None)], upkeep)
        write(world, "orders", [{"order_id": f"o4{i}", "ordered_at": "2026-02-22T03:00:00Z",
                                 "amount": 10, "status": "completed", "agent_id": "a1"}], upkeep)
        assert_like_a_rebuild(world, {"calls", "orders"})
