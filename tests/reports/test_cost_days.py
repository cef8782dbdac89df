"""Costs on the demo centre are amounts for a period (issue 21): the monthly ones cover their
month, so the daily P&L has no loss on the 1st, its days add up to the month, and a window
that misses the 1st carries its share of the month's costs."""

from __future__ import annotations

import math
from datetime import date
from statistics import median

import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.reports.build import build_report

NOV = (date(2026, 11, 1), date(2026, 11, 30))
MONEY = ("revenue", "cost", "profit")


@pytest.fixture(scope="module")
def nov(centre):
    """The engine and the report over November."""
    e = Engine.open(centre)
    yield e, build_report(e, *NOV)
    e.close()


def close(a, b) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def test_the_daily_pnl_has_no_loss_on_the_1st_and_adds_up_to_the_month(nov):
    e, report = nov
    days = e.query(Request(MONEY, period="day", start=NOV[0], end=NOV[1])).rows
    month = e.query(Request(MONEY, start=NOV[0], end=NOV[1])).rows[0]
    assert len(days) == 30
    for m in MONEY:
        assert close(sum(d[m] for d in days), month[m]), m
    costs = [d["cost"] for d in days]
    assert costs[0] < 2 * median(costs), "the month's costs sit on its first day"
    assert min(d["profit"] for d in days) > -0.1 * month["cost"]
    # the report's trend over the month is those days
    chart = next(c for c in report.section("money").charts if c.id == "money_trend")
    assert chart.categories[0] == "2026-11-01"
    assert max(chart.series["Cost"]) < 2 * median(chart.series["Cost"])


def test_a_window_that_misses_the_1st_carries_its_share_of_the_months_costs(nov):
    e, _report = nov
    month = e.query(Request(("cost",), start=NOV[0], end=NOV[1])).rows[0]["cost"]
    first, rest = (e.query(Request(("cost",), start=a, end=b)).rows[0]["cost"]
                   for a, b in ((NOV[0], date(2026, 11, 10)), (date(2026, 11, 11), NOV[1])))
    assert close(first + rest, month)
    assert rest > 0.5 * month   # 20 of 30 days: most of it (it used to be the telco alone)
