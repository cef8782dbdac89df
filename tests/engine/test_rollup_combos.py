"""The funnel's combos rollup (engine/rollups/combos.py): leads counted per combination of
stage flags are read only for the scopes they were counted in, and there give what the
rows give; the funnel of a whole month, all time or each month reads it; a scope across
months, part of a month, or two teams at once (one lead, two teams) reads the rows."""

from __future__ import annotations

import datetime as dt

import pytest

from telekpi.analysis.funnel import funnel
from telekpi.engine import rollups
from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.engine.rollups.combos import TOUCHES_TABLE, month_of_scope
from telekpi.settings import Settings

from .test_rollups import CATALOG, TZ, rolled, same, world  # noqa: F401  (world: a fixture)

SETTINGS = Settings(timezone=TZ)
STAGES = ("leads_attempted", "leads_connected", "leads_decision_maker", "leads_qualified",
          "leads_won", "contact_rate", "qualified_rate", "close_rate")
FEB, MAR = dt.date(2026, 2, 1), dt.date(2026, 3, 1)
MONTHS = (("2026-02-01", "2026-02-26"), ("2026-03-01", "2026-03-31"))

SERVED = {
    "all time": Request(STAGES),
    "all time by team": Request(STAGES, by=("team",)),
    "all time by agent": Request(STAGES, by=("agent",)),
    "all time by campaign": Request(STAGES, by=("campaign",)),
    "each month": Request(STAGES, period="month"),
    "each month by team": Request(STAGES, by=("team",), period="month"),
    "a whole month": Request(STAGES, start=FEB, end=dt.date(2026, 2, 28)),
    "a month to its last data": Request(STAGES, start=MAR, end=dt.date(2026, 3, 31)),
    "one team": Request(STAGES, where=(("team", "t1"),)),
    "two teams by team": Request(STAGES, by=("team",), where=(("team", "t1"), ("team", "t2"))),
    "one team's agents": Request(STAGES, by=("agent",), where=(("team", "t2"),)),
    "one agent": Request(STAGES, where=(("agent", "a1"),)),
    "one campaign in a month": Request(STAGES, start=FEB, end=dt.date(2026, 2, 28),
                                       where=(("campaign", "k1"),)),
}
ROWS = {
    "two months": Request(STAGES, start=FEB, end=dt.date(2026, 3, 31)),
    "part of a month": Request(STAGES, start=FEB, end=dt.date(2026, 2, 10)),
    "from the middle of a month": Request(STAGES, start=dt.date(2026, 2, 2), end=dt.date(2026, 2, 28)),
    "weeks": Request(STAGES, period="week"),
    "two teams at once": Request(STAGES, where=(("team", "t1"), ("team", "t2"))),
    "a team by campaign": Request(STAGES, by=("campaign",), where=(("team", "t1"),)),
    "by site": Request(STAGES, by=("site",)),
    "a month of growth": Request(STAGES, start=FEB, period="month"),
}


@pytest.mark.slow
def test_combos_are_read_where_they_were_counted_and_give_the_rows_answer(world):  # noqa: F811
    rollups.refresh(world.con, CATALOG, SETTINGS)
    engine, raw = Engine(world, SETTINGS), Engine(world, SETTINGS, use_rollups=False)
    for name, req in {**SERVED, **ROWS}.items():
        got = rolled(engine, req)
        assert got == ({"_rollup_lead_stages"} if name in SERVED else set()), name
        assert same([engine.query(req).rows], [raw.query(req).rows]), name
    for req in (Request(()), Request((), by=("team",)), Request((), start=FEB, end=dt.date(2026, 2, 28))):
        assert funnel(engine, req) == funnel(raw, req)
    assert engine.query(SERVED["all time"]).rows[0]["leads_attempted"] > 0
    # the touch history kept with it: over-contacted and engaged leads read it, not every call
    touches = Request(("overcontacted_leads", "actions_per_engagement"), by=("campaign",),
                      start=FEB, end=dt.date(2026, 3, 15))
    assert TOUCHES_TABLE in engine.explain(touches) and TOUCHES_TABLE not in raw.explain(touches)
    assert same([engine.query(touches).rows], [raw.query(touches).rows])


def test_which_time_scopes_the_counts_answer():
    assert month_of_scope(None, None, MONTHS) is None                                     # all time
    assert month_of_scope(FEB, dt.date(2026, 2, 26), MONTHS) == "2026-02-01"   # to its last data
    assert month_of_scope(FEB, dt.date(2026, 2, 28), MONTHS) == "2026-02-01"
    assert month_of_scope(FEB, dt.date(2026, 2, 25), MONTHS) is False   # a day of data left out
    assert month_of_scope(FEB, dt.date(2026, 3, 1), MONTHS) is False    # into the next month
    assert month_of_scope(dt.date(2026, 2, 2), dt.date(2026, 2, 28), MONTHS) is False
    assert month_of_scope(dt.date(2026, 4, 1), dt.date(2026, 4, 30), MONTHS) is False   # not counted
    assert month_of_scope(None, dt.date(2026, 2, 28), MONTHS) is False
    assert month_of_scope(dt.date(2026, 12, 1), dt.date(2026, 12, 31),
                          (("2026-12-01", "2026-12-31"),)) == "2026-12-01"   # across the year's end
