"""The planner's SQL: one CTE per model, joins only when a dimension needs them."""

import pytest

from telekpi.catalog.loader import load_catalog
from telekpi.engine.planner import Planner
from telekpi.engine.request import Request
from telekpi.errors import QueryError
from telekpi.settings import Settings


@pytest.fixture(scope="module")
def planner():
    return Planner(load_catalog(None), Settings(timezone="Asia/Bangkok"))


def test_single_model_no_key_union(planner):
    sql = planner.plan(Request(("calls", "aht"), by=("agent",))).sql
    assert "m_calls AS" in sql and " k AS" not in sql and "JOIN agents" not in sql


def test_join_added_for_team_only(planner):
    sql = planner.plan(Request(("calls",), by=("team",))).sql
    assert "LEFT JOIN agents a ON a.agent_id = x.agent_id" in sql
    assert "JOIN campaigns" not in sql


def test_two_models_union_keys(planner):
    sql = planner.plan(Request(("calls", "revenue"), by=("agent",), period="month")).sql
    assert "m_calls AS" in sql and "m_orders AS" in sql and "k AS" in sql
    assert "make_timestamp(epoch_us(x.started_at) + 25200000000)" in sql   # Bangkok: UTC+7 always


def test_where_values_are_bound_parameters_never_sql(planner):
    evil = "x' OR 1=1 --"
    plan = planner.plan(Request(("calls",), where=(("team", evil), ("team", "T2"),
                                                   ("agent", "A1"))))
    assert evil not in plan.sql and "T2" not in plan.sql
    assert "CAST(a.team_id AS VARCHAR) IN ($w0, $w1)" in plan.sql
    assert plan.params == {"w0": evil, "w1": "T2", "w2": "A1"}


def test_a_hostile_filter_value_matches_nothing(tmp_path):
    from telekpi.engine.engine import Engine
    from telekpi.store.warehouse import Warehouse

    wh = Warehouse(tmp_path / "w.duckdb")
    wh.con.execute("INSERT INTO calls (call_id, started_at, status, agent_id) "
                   "VALUES ('c1', TIMESTAMPTZ '2026-01-05 03:00:00+00', 'answered', 'A1')")
    e = Engine(wh, Settings())
    for evil in ("x' OR 1=1 --", "A1' OR '1'='1", "'; DROP TABLE calls; --"):
        assert e.query(Request(("calls",), where=(("agent", evil),))).rows[0]["calls"] == 0
    assert e.query(Request(("calls",), where=(("agent", "A1"),))).rows[0]["calls"] == 1


def test_flags_follow_the_workspace_map():
    s = Settings(dispositions={"CHOT": frozenset({"sale", "success"})})
    sql = Planner(load_catalog(None), s).plan(Request(("successful_calls",))).sql
    assert "upper(trim(disposition)) IN ('CHOT')" in sql


def test_growth_widens_the_scope(planner):
    from datetime import date

    sql = planner.plan(Request(("revenue_growth",), period="month", start=date(2026, 3, 10))).sql
    # February (the previous period) is read, and dropped from the output.
    assert "TIMESTAMPTZ '2026-01-31 17:00:00+00'" in sql
    assert "DATE '2026-03-01'" in sql


@pytest.mark.parametrize("req, needle, field, value", [
    (Request(("revenue",), by=("disposition",)), "cannot be split", "by", "disposition"),
    (Request(("revenue",), where=(("status", "busy"),)), "cannot be split", "where", "status"),
    (Request(("calls",), period="fortnight"), "period fortnight is not one of", "period", "fortnight"),
    (Request(()), "at least one metric", "metrics", None),
    (Request(("calls",), by=("agent", "team", "agent")), "agent' is given twice in by", "by", "agent"),
])
def test_bad_requests(planner, req, needle, field, value):
    """Raised as structure (the parameter's neutral name, the value); with no front end
    the sentence names the parameter plainly."""
    with pytest.raises(QueryError, match=needle) as e:
        planner.plan(req)
    assert (e.value.field, e.value.value) == (field, value)
    assert "--" not in str(e.value) and "=" not in str(e.value)
