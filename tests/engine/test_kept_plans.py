"""Plans kept between commands (engine/kept_plans.py): a kept plan is the planner's own output,
and anything the planner's output depends on — the catalog, the settings, the rollups the
warehouse has, telekpi's code — is another key."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import telekpi
from telekpi.catalog.loader import load_catalog
from telekpi.engine import kept_plans, rollups
from telekpi.engine.engine import Engine
from telekpi.engine.kept_plans import Runnable
from telekpi.engine.request import Request
from telekpi.errors import QueryError
from telekpi.settings import Settings

from ..reference import datagen
from .test_golden_sql import SNAPSHOTS, golden_request, normal

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

TZ = "Asia/Ho_Chi_Minh"
CATALOG = load_catalog(None)
REQ = Request(("calls", "connection_rate", "call_conversion_rate"), by=("team",), period="month",
              where=(("campaign", "k1"),), ci=True)


@pytest.fixture
def kept(tmp_path, monkeypatch) -> Path:
    """The folder plans are kept in, for this test alone."""
    monkeypatch.setenv("TELEKPI_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def world(tmp_path):
    (tmp_path / "telekpi.toml").write_text(f'timezone = "{TZ}"\n')
    wh = datagen.load_world(datagen.make_world(4, TZ, n_calls=120), tmp_path / "telekpi.duckdb")
    yield wh
    wh.close()


def fresh(engine: Engine, req: Request) -> Runnable:
    """What the planner itself gives for ``req`` on ``engine``."""
    plan = engine.planner.plan(req)
    return Runnable(plan.sql, plan.columns, plan.ci, plan.params, plan.costs)


def from_disk(engine: Engine, req: Request) -> Runnable:
    """``req``'s plan on a new engine that must not plan it (no planner made)."""
    got = engine.runnable(req)
    assert "planner" not in vars(engine), "planned again, not read from the kept plans"
    return got


def test_a_kept_plan_is_what_the_planner_gives_for_every_metric(world, kept):
    """With no rollups built, every metric's kept SQL is also its golden snapshot."""
    settings = Settings(timezone=TZ)
    for mid in sorted(CATALOG.metrics):
        req = golden_request(mid)
        planned = Engine(world, settings, CATALOG).runnable(req)
        again = from_disk(Engine(world, settings, CATALOG), req)
        assert again == planned == fresh(Engine(world, settings, CATALOG), req), mid
        snapshot = (SNAPSHOTS / "duckdb" / f"{mid}.sql").read_text()
        assert normal(again.sql + "\n", "duckdb") == normal(snapshot, "duckdb"), mid
    assert len(list(kept.glob("plan-*.json"))) == len(CATALOG.metrics)


def test_a_kept_plan_answers_as_the_planned_one(world, kept):
    settings = Settings(timezone=TZ)
    first = Engine(world, settings).query(REQ)
    second = Engine(world, settings)
    again = second.query(REQ)
    assert "planner" not in vars(second)
    assert (again.rows, again.sql, again.not_meaningful) == (first.rows, first.sql, first.not_meaningful)
    assert again.rows and "connection_rate_ci_low" in again.rows[0]


def test_a_changed_catalog_is_planned_again(world, kept):
    settings = Settings(timezone=TZ)
    before = Engine(world, settings, CATALOG).runnable(REQ)
    changed = load_catalog(None)
    changed.measures["connected_calls"] = dataclasses.replace(
        changed.measures["connected_calls"], filter="talk_s >= 30")
    engine = Engine(world, settings, changed)
    after = engine.runnable(REQ)
    assert after != before and "30" in after.sql
    assert after == fresh(Engine(world, settings, changed), REQ)
    # and the first catalog still finds its own
    assert from_disk(Engine(world, settings, CATALOG), REQ) == before


def test_a_metric_edited_in_the_workspace_is_planned_again(tmp_path, kept, run):
    """Through the command line: a metric of ``metrics/`` edited between two commands."""
    db = tmp_path / "telekpi.duckdb"
    datagen.load_world(datagen.make_world(5, "UTC", n_calls=80), db).close()
    (tmp_path / "metrics").mkdir()
    yaml = tmp_path / "metrics" / "long.yaml"

    def long_calls(seconds: int) -> str:
        yaml.write_text(f"""measures:
  - id: long_calls
    model: calls
    agg: count
    filter: talk_s > {seconds}
metrics:
  - id: long_calls
    name: Long calls
    description: Calls longer than a threshold
    type: simple
    measure: long_calls
    unit: count
""")
        code, out, err = run("--db", db, "kpi", "long_calls", "--format", "json")
        assert code == 0, err
        return out

    short, long = json.loads(long_calls(0)), json.loads(long_calls(100000))
    assert short["rows"][0]["long_calls"] > 0 and long["rows"][0]["long_calls"] == 0
    assert json.loads(long_calls(0)) == short   # the first plan, kept, serves the first catalog again


def test_other_settings_rollups_or_code_are_other_keys(world, kept, monkeypatch):
    settings = Settings(timezone=TZ)
    engine = Engine(world, settings)
    by_team = Request(("calls", "connection_rate"), by=("team",), period="month")
    assert "_rollup_calls" not in engine.runnable(by_team).sql
    key = kept_plans.key(CATALOG, settings, REQ, "duckdb", engine._record())
    assert key == kept_plans.key(load_catalog(None), Settings(timezone=TZ), REQ, "duckdb", engine._record())
    assert key != kept_plans.key(CATALOG, Settings(timezone="UTC"), REQ, "duckdb", engine._record())
    assert key != kept_plans.key(CATALOG, settings, dataclasses.replace(REQ, ci=False), "duckdb",
                                 engine._record())
    # Rollups built: the warehouse's record changes, and the next plan reads them.
    rollups.refresh(world.con, CATALOG, settings)
    rolled = Engine(world, settings)
    assert "_rollup_calls" in rolled.runnable(by_team).sql
    assert rolled.runnable(by_team) == fresh(Engine(world, settings), by_team)
    # Another telekpi: nothing kept by this one is read.
    monkeypatch.setattr(telekpi, "__version__", telekpi.__version__ + ".1")
    kept_plans.code_version.cache_clear()
    try:
        assert kept_plans.key(CATALOG, settings, REQ, "duckdb", engine._record()) != key
    finally:
        monkeypatch.undo()
        kept_plans.code_version.cache_clear()
    assert "engine/planner.py " in kept_plans.code_version()   # each module's size and time


def test_a_damaged_kept_plan_is_planned_again_and_replaced(world, kept):
    settings = Settings(timezone=TZ)
    planned = Engine(world, settings).runnable(REQ)
    (path,) = kept.glob("plan-*.json")
    for damage in ("{not json", json.dumps({"sql": "SELECT 1"}), ""):
        path.write_text(damage)
        engine = Engine(world, settings)
        assert engine.runnable(REQ) == planned and "planner" in vars(engine)
        assert Runnable.from_json(json.loads(path.read_text())) == planned


def test_what_is_not_kept(world, kept, monkeypatch):
    settings = Settings(timezone=TZ)
    with pytest.raises(QueryError):
        Engine(world, settings).runnable(Request(("no_such_metric",)))
    Engine(world, settings, rollups={}).runnable(REQ)            # rollups given: the web's engines
    Engine(world, settings, use_rollups=False).runnable(REQ)
    assert not kept.exists() or list(kept.glob("plan-*.json")) == []
    monkeypatch.setenv("TELEKPI_CACHE_DIR", "")                  # kept nowhere
    assert Engine(world, settings).runnable(REQ) == fresh(Engine(world, settings), REQ)
    assert not kept.exists() or list(kept.glob("plan-*.json")) == []


def test_only_the_newest_plans_are_kept(world, kept, monkeypatch):
    """The folder is pruned to the newest ``KEEP`` every ``PRUNE_EVERY`` plans written, so it
    never holds more than ``KEEP + PRUNE_EVERY - 1``."""
    monkeypatch.setattr(kept_plans, "KEEP", 3)
    monkeypatch.setattr(kept_plans, "PRUNE_EVERY", 2)
    monkeypatch.setattr(kept_plans, "_written", 0)
    settings = Settings(timezone=TZ)
    counts = []
    for mid in ("calls", "aht", "connection_rate", "drop_rate", "revenue", "orders"):
        Engine(world, settings).runnable(Request((mid,)))
        counts.append(len(list(kept.glob("plan-*.json"))))
    assert counts == [1, 2, 3, 4, 3, 4]
