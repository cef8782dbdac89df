"""The planner's SQL: one CTE per model, joins only when a dimension needs them; built as a
syntax tree, never parsed back."""

import pytest
import sqlglot
from sqlglot import exp

from telekpi.catalog.loader import load_catalog
from telekpi.engine.planner import Planner
from telekpi.engine.request import Request
from telekpi.errors import QueryError
from telekpi.settings import Settings


@pytest.fixture(scope="module")
def planner():
    return Planner(load_catalog(None), Settings(timezone="Asia/Bangkok"))


def flat(plan) -> str:
    """The plan's DuckDB SQL on one line."""
    return plan.tree.sql("duckdb")


def joined(plan) -> list[str]:
    """The joins of the plan's query and its steps, as SQL."""
    return [j.sql("duckdb") for j in plan.tree.find_all(exp.Join)]


def test_single_model_no_key_union(planner):
    plan = planner.plan(Request(("calls", "aht"), by=("agent",)))
    assert [s.name for s in plan.steps] == ["m_calls"] and joined(plan) == []


def test_join_added_for_team_only(planner):
    plan = planner.plan(Request(("calls",), by=("team",)))
    assert joined(plan) == ["LEFT JOIN agents AS a ON a.agent_id = x.agent_id"]


def test_joins_follow_the_columns_of_the_expressions():
    """The join of a team's site needs the agents join its condition names."""
    from telekpi.catalog.models import MODELS

    costs = MODELS["costs"]
    joins = costs.joins_for([sqlglot.parse_one("coalesce(a.site, ts.site)")])
    assert [j.this.alias_or_name for j in joins] == ["a", "ts"]
    assert costs.joins_for([sqlglot.parse_one("x.campaign_id")]) == []
    # a name that merely contains an alias is no reference to it
    assert costs.joins_for([sqlglot.parse_one("coalesce(x.team_id, 'a.site')")]) == []


def test_two_models_union_keys(planner):
    plan = planner.plan(Request(("calls", "revenue"), by=("agent",), period="month"))
    assert [s.name for s in plan.steps] == ["m_calls", "m_orders", "k"]
    # Bangkok is UTC+7 always: its local time is arithmetic
    assert "MAKE_TIMESTAMP(EPOCH_US(x.started_at) + 25200000000)" in flat(plan)


def test_where_values_are_bound_parameters_never_sql(planner):
    evil = "x' OR 1=1 --"
    plan = planner.plan(Request(("calls",), where=(("team", evil), ("team", "T2"),
                                                   ("agent", "A1"))))
    assert evil not in plan.sql and "T2" not in plan.sql
    assert "CAST(a.team_id AS TEXT) IN ($w0, $w1)" in flat(plan)
    assert plan.params == {"w0": evil, "w1": "T2", "w2": "A1"}
    assert sorted(p.name for p in plan.tree.find_all(exp.Placeholder)) == ["w0", "w1", "w2"]


def calls_rollup(planner):
    """A current calls rollup holding calls and connected_calls."""
    from telekpi.engine.rollups import SPECS, Rollup, column_of

    spec = SPECS["calls"]
    cols = frozenset(column_of(planner.catalog.measures[m], planner.settings)
                     for m in ("calls", "connected_calls"))
    return Rollup("calls", spec.table, tuple((frozenset(g), spec.mask(g))
                                             for g in spec.grouping_sets), cols)


def test_the_rollup_read_is_in_the_plan(planner):
    rolled = Planner(planner.catalog, planner.settings, {"calls": calls_rollup(planner)})
    assert [s.rollup for s in rolled.plan(Request(("connection_rate",), by=("team",))).steps] == \
        ["_rollup_calls"]
    # a dimension the rollup lacks, or a measure it does not hold: the rows
    assert [s.rollup for s in rolled.plan(Request(("connection_rate",), by=("status",))).steps] == [None]
    assert [s.rollup for s in rolled.plan(Request(("aht",))).steps] == [None]


def test_planning_parses_no_sql_it_wrote(planner, monkeypatch):
    """Once the catalog's snippets are parsed, planning and rendering for every engine parse
    nothing: the planner's SQL is a tree from the start."""
    from datetime import date

    req = Request(("aht", "revenue_growth", "retention_rate", "cost_per_sale"), by=("team",),
                  period="month", start=date(2026, 1, 1), where=(("team", "T1"),))
    for dialect in ("duckdb", "spark", "clickhouse"):   # the snippets enter, parsed once
        planner.plan(req).text(dialect)                 # (and sqlglot loads its dialects)

    def refuse(*args, **kwargs):
        raise AssertionError("the planner parsed SQL")

    # (sqlglot's own generators still read a type name now and then: parse_into, not parse)
    monkeypatch.setattr(sqlglot.dialects.dialect.Dialect, "parse", refuse)
    plan = planner._plan(req)   # planned again, not the plan kept
    for dialect in ("duckdb", "spark", "clickhouse"):
        assert plan.text(dialect).startswith("-- plan: metrics aht")


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
    assert "UPPER(TRIM(disposition)) IN ('CHOT')" in sql


def test_growth_widens_the_scope(planner):
    from datetime import date

    sql = planner.plan(Request(("revenue_growth",), period="month", start=date(2026, 3, 10))).sql
    # February (the previous period) is read, and dropped from the output.
    assert "CAST('2026-01-31 17:00:00+00' AS TIMESTAMPTZ)" in sql
    assert "CAST('2026-03-01' AS DATE)" in sql


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


def test_a_plan_is_kept_while_the_rollups_stay(planner):
    req = Request(("connection_rate",), by=("agent",), period="month")
    plan = planner.plan(req)
    assert planner.plan(Request(("connection_rate",), by=("agent",), period="month")) is plan
    assert planner.plan(Request(("calls",), by=("agent",), period="month")) is not plan
    same = Planner(planner.catalog, planner.settings)   # the web app's engine of a request
    assert same.plan(req) is plan
    same.rollups = {"calls": calls_rollup(planner)}   # rollups refreshed: planned again
    assert [s.rollup for s in same.plan(req).steps] == ["_rollup_calls"]
    # other settings, even equal ones: planned for them
    other = Planner(planner.catalog, Settings(timezone="Asia/Bangkok"))
    assert other.plan(req) is not plan and other.plan(req).sql == plan.sql


def test_a_full_plan_store_drops_the_least_recently_used(planner, monkeypatch):
    """A store one plan short of full keeps the plan just used when the next one arrives
    (it once emptied itself, dropping every plan, whatever other tests had planned)."""
    from telekpi.engine import planner as planner_module
    monkeypatch.setattr(planner_module, "PLANS", planner_module.OrderedDict())
    monkeypatch.setattr(planner_module, "PLANS_KEPT", 3)
    first = planner.plan(Request(("calls",), period="month"))
    second = planner.plan(Request(("connection_rate",), period="month"))
    assert planner.plan(Request(("calls",), period="month")) is first   # used again: kept
    planner.plan(Request(("aht",), period="month"))
    planner.plan(Request(("talk_time",), period="month"))   # the store is full: one goes
    assert planner.plan(Request(("calls",), period="month")) is first
    assert planner.plan(Request(("connection_rate",), period="month")) is not second
    assert len(planner_module.PLANS) == 3


@pytest.mark.parametrize("settings", [Settings(timezone="Asia/Bangkok"),
                                      Settings(dispositions={"CHOT": frozenset({"sale"})})])
def test_a_measures_key_is_its_aggregate(settings):
    """Rollup columns are named by a hash of measure_key (text, as built rollups were named);
    the planner computes measure_expr (a tree): the two must say the same."""
    from telekpi.engine.measures import measure_expr, measure_key

    for m in load_catalog(None).measures.values():
        assert measure_expr(m, settings, exp.Null()) == \
            sqlglot.parse_one(measure_key(m, settings), read="duckdb"), m.id
