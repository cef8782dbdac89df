"""Daily rollups: read only when current, and then with the answer the rows give.

tests/engine/test_metrics_reference.py runs every metric on the rollup path against the
pure-Python reference, and test_engine_parity.py runs the lake engines on rollups; here:
when a rollup may be read, when it must not be, and who keeps it current."""

from __future__ import annotations

import csv
import datetime as dt
import math
import time

import pytest

from telekpi.catalog.loader import load_catalog
from telekpi.engine import rollups
from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.ingest.pipeline import import_path
from telekpi.settings import Settings

from ..reference import datagen

pytestmark = pytest.mark.slow   # each test builds a centre and its rollups

TZ = "Asia/Ho_Chi_Minh"
CATALOG = load_catalog(None)
REQUESTS = [
    Request(("calls", "connection_rate", "aht", "call_conversion_rate", "revenue", "csat",
             "speed_to_lead_5m_rate"), by=("campaign",), period="month"),
    Request(("calls", "connection_rate", "aht", "abandonment_rate", "call_conversion_rate",
             "revenue"), by=("agent",), period="month"),
    Request(("connection_rate", "revenue", "csat"), by=("team", "weekday"),
            start=dt.date(2026, 1, 15), end=dt.date(2026, 2, 20)),
    Request(("calls", "revenue_growth"), by=("vendor",), period="month", start=dt.date(2026, 2, 1)),
    Request(("drop_rate", "csat"), period="week", where=(("team", "t1"), ("campaign", "k2"))),
    Request(("leads", "speed_to_lead_5m_rate"), by=("lead_source",), period="day", ci=True),
    # costs have no rollup (each cost is read as the days it covers); their orders do
    Request(("cost", "profit", "cost_per_sale"), by=("team",), period="week",
            start=dt.date(2026, 1, 20), end=dt.date(2026, 2, 10)),
    # the funnel: all time, each month, one whole month (the combos rollup, combos.py)
    Request(("leads_attempted", "leads_connected", "leads_decision_maker", "leads_qualified",
             "leads_won", "close_rate"), by=("team",)),
    Request(("leads_attempted", "leads_won", "contact_rate"), by=("campaign",), period="month"),
    Request(("leads_attempted", "leads_qualified"), by=("agent",), start=dt.date(2026, 2, 1),
            end=dt.date(2026, 2, 28), where=(("team", "t1"),)),
]


@pytest.fixture
def world(tmp_path):
    (tmp_path / "telekpi.toml").write_text(f'timezone = "{TZ}"\n')
    wh = datagen.load_world(datagen.make_world(4, TZ), tmp_path / "telekpi.duckdb")
    yield wh
    wh.close()


def answers(engine: Engine) -> list[list[dict]]:
    return [engine.query(r).rows for r in REQUESTS]


def same(a: list[list[dict]], b: list[list[dict]]) -> bool:
    def eq(x, y):
        if isinstance(x, float) or isinstance(y, float):
            return (x is None) == (y is None) and (x is None or math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12))
        return x == y
    return all(len(p) == len(q) and all(r.keys() == s.keys() and all(eq(r[k], s[k]) for k in r)
                                        for r, s in zip(p, q, strict=True))
               for p, q in zip(a, b, strict=True))


def rolled(engine: Engine, req: Request) -> set[str]:
    return {line.split("daily rollup ")[1].rstrip(")") for line in engine.explain(req).splitlines()
            if "summing the daily rollup" in line}


def test_a_current_rollup_is_read_and_gives_the_rows_answer(world):
    settings = Settings(timezone=TZ)
    raw = answers(Engine(world, settings, use_rollups=False))
    built = rollups.refresh(world.con, CATALOG, settings)
    assert {b["model"] for b in built} == set(rollups.SPECS)
    engine = Engine(world, settings)
    assert rolled(engine, REQUESTS[0]) == {"_rollup_calls", "_rollup_orders", "_rollup_surveys",
                                           "_rollup_leads"}
    assert rolled(engine, Request(("drop_rate", "csat"), period="week", where=(("team", "t1"),))) == {
        "_rollup_calls", "_rollup_surveys"}
    assert rolled(engine, Request(("revenue",), by=("product",))) == {"_rollup_orders"}
    # Agents and campaigns at once are in no grouping set: the rows are read.
    assert not rolled(engine, REQUESTS[4])
    assert same(answers(engine), raw)
    # What a rollup does not hold is read from the rows: hours of a team, statuses, medians.
    for req in (Request(("calls",), by=("hour",), where=(("team", "t1"),)),
                Request(("calls",), by=("status",)), Request(("speed_to_lead",), period="month")):
        assert not rolled(engine, req)
    # best time to call: weekday × hour, from the day and hour rows
    best = Request(("calls", "connection_rate", "call_conversion_rate"), by=("weekday", "hour"))
    assert rolled(engine, best) == {"_rollup_calls"}
    assert same([engine.query(best).rows], [Engine(world, settings, use_rollups=False).query(best).rows])
    assert rollups.refresh(world.con, CATALOG, settings) == []   # nothing stale: nothing rebuilt


def test_a_write_makes_the_rollups_of_its_table_stale_until_refreshed(world, tmp_path):
    settings = Settings(timezone=TZ)
    rollups.refresh(world.con, CATALOG, settings)
    before = answers(Engine(world, settings))
    extra = tmp_path / "more-calls.csv"
    with extra.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["call_id", "started_at", "agent_id", "campaign_id", "direction", "status",
                    "disposition", "talk_s"])
        for i in range(40):
            w.writerow([f"extra-{i}", f"2026-01-{10 + i % 15:02d} 09:{i:02d}:00", "a1", "k1",
                        "outbound", "answered", "SALE", 120])
    import_path(world, "calls", extra, settings)
    # calls changed: the rollups read from calls are stale, orders' is not
    assert set(rollups.available(world.con, settings)) == {"orders"}
    engine = Engine(world, settings)
    assert "_rollup_calls" not in rolled(engine, REQUESTS[0])
    after = answers(engine)
    assert not same(after, before)
    assert same(after, answers(Engine(world, settings, use_rollups=False)))
    assert {b["model"] for b in rollups.refresh(world.con, CATALOG, settings)} == {"calls", "surveys", "leads",
                                                                                  "lead_stages"}
    assert same(answers(Engine(world, settings)), after)
    # Rows written outside telekpi (no change counted) still make the rollups stale.
    world.con.execute("DELETE FROM orders WHERE order_id IN (SELECT order_id FROM orders LIMIT 3)")
    assert "orders" not in rollups.available(world.con, settings)


def test_other_settings_or_measures_never_read_an_old_rollup(world):
    settings = Settings(timezone=TZ)
    rollups.refresh(world.con, CATALOG, settings)
    req = Request(("call_conversion_rate", "connection_rate"), by=("team",), period="month")
    # A disposition map where only APPOINTMENT is a success: the success count's SQL changes,
    # so its column is not in the rollup, and the calls model is read from the rows.
    other = Settings(timezone=TZ, dispositions={"APPOINTMENT": frozenset({"success"})})
    engine = Engine(world, other, CATALOG)
    assert "_rollup_calls" not in rolled(engine, req)
    assert "_rollup_calls" in rolled(engine, Request(("connection_rate",), by=("team",)))
    assert same([engine.query(req).rows],
                [Engine(world, other, CATALOG, use_rollups=False).query(req).rows])
    # Another timezone: other days, so no rollup at all.
    assert rollups.available(world.con, Settings(timezone="UTC")) == {}
    # A measure added to the catalog after the build: stale until the next refresh adds it.
    extended = load_catalog(None)
    extended.measures["long_calls"] = type(extended.measures["calls"])(
        **{**vars(extended.measures["calls"]), "id": "long_calls", "filter": "talk_s > 600"})
    state = {r["model"]: r["current"] for r in rollups.status(world.con, extended, settings)}
    assert state == {"calls": False, "orders": True, "surveys": True, "leads": True, "lead_stages": True}
    assert [b["model"] for b in rollups.refresh(world.con, extended, settings)] == ["calls"]


def test_import_and_the_rollups_command_keep_them_current(run, tmp_path):
    (tmp_path / "telekpi.toml").write_text(f'timezone = "{TZ}"\n')
    db = tmp_path / "telekpi.duckdb"
    calls = tmp_path / "calls.csv"
    calls.write_text("call_id,started_at,agent_id,direction,status,disposition,talk_s\n"
                     "c1,2026-03-01 09:00:00,a1,outbound,answered,SALE,100\n"
                     "c2,2026-03-01 23:30:00,a1,outbound,no_answer,,0\n"
                     "c3,2026-03-02 00:10:00,a2,outbound,answered,CALLBACK,40\n")
    code, out, err = run("--db", db, "import", "calls", calls)
    assert code == 0, err
    assert "daily rollups brought up to date" in out
    code, out, err = run("--db", db, "kpi", "calls", "call_conversion_rate", "--by", "agent",
                         "--period", "day", "--explain")
    assert "summing the daily rollup _rollup_calls" in out
    got = {(r["agent"], r["period"]): r["calls"]
           for r in json_of(run, "--db", db, "kpi", "calls", "--by", "agent", "--period", "day")["rows"]}
    assert got == {("a1", "2026-03-01"): 2, ("a2", "2026-03-02"): 1}   # 23:30 stays on the 1st
    code, out, err = run("--db", db, "import", "calls", calls)   # nothing changed
    assert "daily rollups" not in out
    code, out, err = run("--db", db, "rollups")
    assert code == 0, err
    assert out.count("current") == len(rollups.SPECS) and "stale" not in out
    code, out, err = run("--db", db, "export-lake", tmp_path / "lake")
    assert code == 0, err
    engine = Engine.over_lake(tmp_path / "lake")
    assert set(engine.planner.rollups) == set(rollups.SPECS)
    engine.close()
    code, out, err = run("--db", db, "rollups", "--lake", tmp_path / "lake")
    assert code == 0, err
    assert out.count("current") == len(rollups.SPECS) + 1 and "lead_touches" in out   # and the touches


def json_of(run, *args):
    import json

    code, out, err = run(*args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_the_server_keeps_rollups_current_through_writes(empty_server):
    from fastapi.testclient import TestClient

    app, token = empty_server
    state = app.state.web.workspace
    headers = {"authorization": f"Bearer {token}"}
    with TestClient(app) as c:
        state.refresh_rollups()   # as `telekpi serve` does at start: empty rollups
        assert set(state.rollups()) == set(rollups.SPECS)
        rows = [{"call_id": f"w{i}", "started_at": f"2026-03-0{1 + i % 3} 10:00:00",
                 "agent_id": "a1", "status": "answered" if i % 2 else "no_answer"}
                for i in range(30)]
        assert c.post("/api/v1/ingest/calls", json=rows, headers=headers).json()["inserted"] == 30
        # logged with the batch; the next view has them folded in before it reads
        with state.session() as engine:
            assert set(engine.planner.rollups) == set(rollups.SPECS)
        params = {"metric": "calls,connection_rate", "by": "agent"}
        first = c.get("/api/v1/kpi", params=params, headers=headers).json()
        assert first["rows"] == [{"agent": "a1", "calls": 30, "connection_rate": 0.5}]
        # a lead, then its first call: the lead's speed to lead
        leads = [{"lead_id": "L1", "created_at": "2026-03-01 09:58:00"}]
        assert c.post("/api/v1/ingest/leads", json=leads, headers=headers).json()["inserted"] == 1
        call = [{**rows[0], "call_id": "w-lead", "lead_id": "L1", "direction": "outbound"}]
        assert c.post("/api/v1/ingest/calls", json=call, headers=headers).json()["inserted"] == 1
        stl = {"metric": "speed_to_lead_5m_rate,leads"}
        want = [{"speed_to_lead_5m_rate": 1.0, "leads": 1}]
        assert c.get("/api/v1/kpi", params=stl, headers=headers).json()["rows"] == want
        assert set(state.rollups()) == set(rollups.SPECS)
        first = c.get("/api/v1/kpi", params=params, headers=headers).json()
        assert first["rows"] == [{"agent": "a1", "calls": 31, "connection_rate": 15 / 31}]
        # an agent written through the API relabels every day: the rollups are rebuilt, and
        # a view that cannot wait for that reads the rows
        agent = [{"agent_id": "a1", "name": "A", "team_id": "t1", "site": "in_house"}]
        assert c.post("/api/v1/ingest/agents", json=agent, headers=headers).json()["inserted"] == 1
        assert c.get("/api/v1/kpi", params=params, headers=headers).json()["rows"] == first["rows"]
        deadline = time.monotonic() + 60
        while "calls" not in state.rollups() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "calls" in state.rollups()
        again = c.get("/api/v1/kpi", params={**params, "by": "team"}, headers=headers).json()
        assert again["rows"] == [{"team": "t1", "calls": 31, "connection_rate": 15 / 31}]
