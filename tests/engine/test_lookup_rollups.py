"""The dashboard's lookups read the rollups' state tables while they are current: the leads
called late read the warehouse's first calls (kept with the leads rollup) instead of every
call, and give the rows' answer; once a write makes the rollup stale, they read the rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from telekpi.engine import rollups
from telekpi.engine.engine import Engine
from telekpi.engine.lookup import EVERYONE, Lookup, Scope
from telekpi.settings import Settings

from .test_rollups import CATALOG, TZ, world  # noqa: F401  (world: a fixture)

pytestmark = pytest.mark.slow   # builds a centre and its rollups

SINCE = (None, datetime(2026, 1, 20, tzinfo=UTC), datetime(2026, 2, 10, tzinfo=UTC))


def rollups_touches() -> str:
    from telekpi.engine.rollups.combos import TOUCHES_TABLE

    return TOUCHES_TABLE


def slow(look: Lookup, scope: Scope = EVERYONE) -> list[list[dict]]:
    return [look.slow_leads(s, scope, limit=1000).rows for s in SINCE] + [
        look.slow_leads(SINCE[1], scope, minutes=0, until=SINCE[2]).rows]


def test_leads_called_late_read_the_first_calls_table_like_the_rows(world):  # noqa: F811
    settings = Settings(timezone=TZ)
    rollups.refresh(world.con, CATALOG, settings)
    fast, rows = Lookup(Engine(world, settings)), Lookup(Engine(world, settings, use_rollups=False))
    assert rollups.FIRST_CALLS_TABLE in fast._first_call_base()
    assert rollups.FIRST_CALLS_TABLE not in rows._first_call_base()
    answer = slow(rows)
    assert any(answer) and slow(fast) == answer
    team = Scope(teams=("t1",))
    assert slow(fast, team) == slow(rows, team)
    # the stop list: from the touch history kept with the lead_stages rollup
    assert rollups_touches() in fast._lead_touches() and rollups_touches() not in rows._lead_touches()
    for scope in (EVERYONE, team):
        stop = fast.stop_list(scope, limit=1000)
        assert stop.total and stop == rows.stop_list(scope, limit=1000)
    window = {"since": datetime(2026, 2, 1, tzinfo=UTC), "until": datetime(2026, 3, 1, tzinfo=UTC)}
    assert fast.stop_list(limit=1000, **window) == rows.stop_list(limit=1000, **window)
    # a call written outside telekpi's upkeep: the leads rollup is stale, the rows are read
    world.con.execute("INSERT INTO calls (call_id, started_at, agent_id, lead_id, direction, status) "
                      "SELECT 'late', TIMESTAMPTZ '2026-01-01 00:00:00+00', 'a1', lead_id, 'outbound', "
                      "'answered' FROM leads ORDER BY lead_id LIMIT 1")
    stale = Lookup(Engine(world, settings))
    assert rollups.FIRST_CALLS_TABLE not in stale._first_call_base()
    assert rollups_touches() not in stale._lead_touches()
    assert slow(stale) == slow(Lookup(Engine(world, settings, use_rollups=False)))
