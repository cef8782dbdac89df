"""Breakdowns of cost on the demo centre add up, or say why not (issue 21).

Every breakdown of cost and profit has, last, the row no value of its dimension carries
("not attributable to any site"), so its rows add up to the total, in the engine, the
report and the CLI; a ratio over costs part of whose cost is on that row is not
meaningful for the breakdown: no number, and a sentence that says why."""

from __future__ import annotations

import math
from datetime import date

import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.reports.build import build_report
from telekpi.reports.data import report_data
from telekpi.settings import Settings

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

NOV = (date(2026, 11, 1), date(2026, 11, 30))
DIMS = ("agent", "team", "site", "vendor", "campaign", "industry", "product")
MONEY = ("revenue", "cost", "profit")


@pytest.fixture(scope="module")
def nov(centre):
    """The engine and the report over November."""
    e = Engine.open(centre)
    yield e, build_report(e, *NOV)
    e.close()


def close(a, b) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


@pytest.mark.parametrize("allocation", ["none", "by_talk_time"])
def test_every_breakdown_of_cost_and_profit_adds_up_to_the_total(centre, allocation):
    e = Engine.open(centre)
    e = Engine(e.warehouse, Settings(**{**vars(e.settings), "cost_allocation": allocation}))
    try:
        total = e.query(Request(MONEY, start=NOV[0], end=NOV[1])).rows[0]
        for dim in DIMS:
            rows = e.query(Request(MONEY, by=(dim,), start=NOV[0], end=NOV[1])).rows
            for m in MONEY:
                assert close(sum(r[m] for r in rows), total[m]), (dim, m)
    finally:
        e.warehouse.close()


@pytest.mark.parametrize("table,dim", [("sites", "site"), ("vendors", "vendor"),
                                       ("campaigns", "campaign")])
def test_the_reports_money_tables_add_up_to_its_headline(nov, table, dim):
    _e, report = nov
    head = {r["id"]: r["value"] for r in report.table("money").rows}
    t = report.table(table)
    rest = [r for r in t.rows if r.get("remainder")]
    assert len(rest) == 1 and t.rows[-1] is rest[0], "the remainder is one row, the last"
    assert rest[0][dim] == f"not attributable to any {dim}"
    assert rest[0]["cost"] > 0   # the campaigns' costs by site, the salaries by campaign
    for m in MONEY:
        assert close(sum(r[m] for r in t.rows), head[m]), m
    # its ratio leaves out the cost of the last row: no number, and the note says why
    assert all(r["cost_benefit_ratio"] is None for r in t.rows)
    # (the drop rate has no value by site or vendor either: the note says that too)
    assert (f"Cost-benefit ratio by {dim} is not meaningful: {rest[0]['cost']:,.0f} of "
            f"the {head['cost']:,.0f} cost is not attributable to any {dim}") in t.note
    data = report_data(report)
    rows = next(x for s in data["sections"] for x in s["tables"] if x["id"] == table)["rows"]
    assert rows[-1]["remainder"] is True


def test_a_ratio_over_costs_is_not_meaningful_where_part_of_the_cost_has_no_row(nov):
    e, _report = nov
    req = Request(("cost", "cost_benefit_ratio", "pnl_ratio", "cost_per_sale", "aov"),
                  by=("site",), start=NOV[0], end=NOV[1])
    res = e.query(req)
    total = e.query(Request(("cost",), start=NOV[0], end=NOV[1])).rows[0]["cost"]
    rest = next(r for r in res.rows if r["site"] is None)
    assert set(res.not_meaningful) == {"cost_benefit_ratio", "pnl_ratio", "cost_per_sale"}
    for why in res.not_meaningful.values():
        assert why.dimension == "site"
        assert close(why.unattributed, rest["cost"]) and close(why.total, total)
    assert all(r[m] is None for r in res.rows for m in res.not_meaningful)
    assert all(r["aov"] is not None for r in res.rows if r["site"])   # no cost in it: kept
    assert res.not_meaningful["cost_benefit_ratio"].text(e.catalog) == (
        f"Cost-benefit ratio by site is not meaningful: {rest['cost']:,.0f} of the {total:,.0f} "
        "cost is not attributable to any site")
    # the totals, and a breakdown that carries all of its cost, keep their numbers
    assert e.query(Request(("cost_benefit_ratio",), start=NOV[0], end=NOV[1])).rows[0][
        "cost_benefit_ratio"] > 1
    salaried = e.query(Request(("cost_per_sale",), by=("agent",), start=NOV[0], end=NOV[1],
                               where=(("site", "in_house"),)))
    assert not salaried.not_meaningful and any(r["cost_per_sale"] for r in salaried.rows)


def test_the_cli_names_the_remainder_and_says_why_a_ratio_is_empty(centre, run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")   # a known width: xdist workers inherit the runner's COLUMNS
    code, out, err = run("--db", centre, "--lang", "en", "kpi", "cost", "profit", "cost_benefit_ratio",
                         "--by", "site", "--from", NOV[0], "--to", NOV[1])
    assert code == 0, err
    lines = out.splitlines()
    assert "│ not attributable to any site │" in next(x for x in lines if "not attributable" in x)
    assert not [x for x in lines if x.startswith("│ —")], "a bare — row"
    assert lines[-1].startswith("Cost-benefit ratio by site is not meaningful: ")
