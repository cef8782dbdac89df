"""Date windows by hand: the previous window of a month, quarter, year and of other spans,
the named windows, the comparison in words, and the same previous window on the dashboard,
in the report and in an alert for one scope."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from starlette.datastructures import QueryParams

from telekpi.analysis.windows import Window, run_window, window
from telekpi.i18n import language

D = date
T = "\u2009–\u2009"   # CLDR's range dash, between thin spaces


@pytest.mark.parametrize("start,end,want", [
    (D(2026, 11, 1), D(2026, 11, 30), (D(2026, 10, 1), D(2026, 10, 31))),     # a month: the month before
    (D(2026, 3, 1), D(2026, 3, 31), (D(2026, 2, 1), D(2026, 2, 28))),         # 31 days: all of February
    (D(2026, 1, 1), D(2026, 1, 31), (D(2025, 12, 1), D(2025, 12, 31))),       # across the year end
    (D(2026, 7, 1), D(2026, 9, 30), (D(2026, 4, 1), D(2026, 6, 30))),         # Q3: Q2
    (D(2026, 1, 1), D(2026, 3, 31), (D(2025, 10, 1), D(2025, 12, 31))),       # Q1: Q4 of the year before
    (D(2026, 1, 1), D(2026, 12, 31), (D(2025, 1, 1), D(2025, 12, 31))),       # a year: the year before
    (D(2026, 3, 1), D(2026, 3, 15), (D(2026, 2, 14), D(2026, 2, 28))),        # part of a month: 15 days
    (D(2026, 3, 1), D(2026, 3, 30), (D(2026, 1, 30), D(2026, 2, 28))),        # 30 of 31 days: 30 days
    (D(2026, 1, 5), D(2026, 1, 14), (D(2025, 12, 26), D(2026, 1, 4))),        # 10 days over the year end
    (D(2025, 12, 20), D(2026, 1, 3), (D(2025, 12, 5), D(2025, 12, 19))),      # a span across the year end
    (D(2024, 3, 1), D(2024, 3, 31), (D(2024, 2, 1), D(2024, 2, 29))),         # leap February, whole
    (D(2024, 3, 1), D(2024, 3, 29), (D(2024, 2, 1), D(2024, 2, 29))),         # 29 days: leap February
    (D(2024, 2, 1), D(2024, 2, 29), (D(2024, 1, 1), D(2024, 1, 31))),         # leap February itself
    (D(2026, 3, 15), D(2026, 3, 15), (D(2026, 3, 14), D(2026, 3, 14))),       # one day: the day before
    (D(2026, 2, 1), D(2026, 4, 30), (D(2025, 11, 4), D(2026, 1, 31))),        # 89 days, not a quarter
    (D(2026, 11, 23), D(2026, 11, 26), (D(2026, 11, 19), D(2026, 11, 22))),   # week to date: 4 days
])
def test_previous_window(start, end, want):
    w = Window(start, end)
    assert w.previous() == want
    assert w.previous().days == w.days or w.calendar   # same length, or the calendar unit before


def test_calendar_kinds():
    assert Window(D(2026, 11, 1), D(2026, 11, 30)).calendar == "month"
    assert Window(D(2026, 10, 1), D(2026, 12, 31)).calendar == "quarter"
    assert Window(D(2026, 11, 1), D(2027, 1, 31)).calendar is None     # three months, not a quarter
    assert Window(D(2026, 1, 1), D(2026, 12, 31)).calendar == "year"
    assert Window(D(2026, 1, 1), D(2026, 1, 30)).calendar is None
    assert Window(D(2026, 1, 2), D(2026, 1, 31)).calendar is None


@pytest.mark.parametrize("start,end,words", [
    (D(2026, 11, 1), D(2026, 11, 30), "vs October 2026"),
    (D(2026, 7, 1), D(2026, 9, 30), "vs Q2 2026"),
    (D(2026, 1, 1), D(2026, 12, 31), "vs 2025"),
    (D(2026, 3, 1), D(2026, 3, 15), f"vs Feb 14{T}28, 2026"),
    (D(2026, 1, 5), D(2026, 1, 14), f"vs Dec 26, 2025{T}Jan 4, 2026"),
    (D(2026, 3, 15), D(2026, 3, 15), "vs Mar 14, 2026"),
])
def test_comparison_in_english(start, end, words):
    with language("en"):
        assert Window(start, end).versus() == words


@pytest.mark.parametrize("start,end,words", [
    (D(2026, 11, 1), D(2026, 11, 30), "so với tháng 10 năm 2026"),
    (D(2026, 7, 1), D(2026, 9, 30), "so với Q2 2026"),
    (D(2026, 1, 1), D(2026, 12, 31), "so với 2025"),
    (D(2026, 3, 1), D(2026, 3, 15), f"so với 14{T}28 thg 2, 2026"),
])
def test_comparison_in_vietnamese(start, end, words):
    with language("vi"):
        assert Window(start, end).versus() == words


def test_comparison_in_chinese_names_the_quarter():
    with language("zh_Hans"):
        assert Window(D(2026, 7, 1), D(2026, 9, 30)).versus() == "对比2026年第2季度"


def test_named_windows():
    tuesday = D(2026, 3, 10)
    assert window("today", tuesday) == (tuesday, tuesday)
    assert window("yesterday", tuesday) == (D(2026, 3, 9), D(2026, 3, 9))
    assert window("week", tuesday) == (D(2026, 3, 9), tuesday)
    assert window("month", tuesday) == (D(2026, 3, 1), tuesday)
    assert window("last_7_days", tuesday) == (D(2026, 3, 4), tuesday)
    assert window("last_30_days", tuesday) == (D(2026, 2, 9), tuesday)
    thursday = D(2026, 11, 26)
    assert window("previous_week", thursday) == (D(2026, 11, 16), D(2026, 11, 22))
    assert window("previous_month", thursday) == (D(2026, 10, 1), D(2026, 10, 31))
    assert window("previous_month", D(2026, 1, 5)) == (D(2025, 12, 1), D(2025, 12, 31))
    assert window("previous_month", D(2024, 3, 31)) == (D(2024, 2, 1), D(2024, 2, 29))
    with pytest.raises(ValueError):
        window("fortnight", thursday)


@pytest.mark.parametrize("period,want", [
    ("yesterday", ("2026-11-22", "2026-11-22")), ("today", ("2026-11-23", "2026-11-23")),
    ("last_7_days", ("2026-11-16", "2026-11-22")), ("week", ("2026-11-16", "2026-11-22")),
    ("previous_week", ("2026-11-16", "2026-11-22")), ("month", ("2026-11-01", "2026-11-22")),
    ("previous_month", ("2026-10-01", "2026-10-31")), ("last_30_days", ("2026-10-24", "2026-11-22")),
])
def test_scheduled_windows_as_of_a_monday_run(period, want):
    assert run_window(period, D(2026, 11, 23)) == tuple(D.fromisoformat(d) for d in want)


def test_trend_period():
    first = D(2026, 1, 1)
    assert [Window(first, first + timedelta(days=d)).trend_period() for d in (61, 62, 369, 370)] == \
        ["day", "week", "week", "month"]


# ---- one scope, one previous window on every surface -------------------------------------------

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SCOPE = (D(2026, 3, 1), D(2026, 3, 15))
BEFORE = (D(2026, 2, 14), D(2026, 2, 28))


@pytest.fixture
def engine(tmp_path):
    from telekpi.engine.engine import Engine
    from telekpi.settings import Settings
    from telekpi.store.warehouse import Warehouse

    wh = Warehouse(tmp_path / "telekpi.duckdb")
    wh.con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('A1', 'T1')")
    # 1,000 of revenue on 20 February (in 14–28 Feb, not in 1–15 Feb), 600 on 10 March.
    wh.con.execute("""INSERT INTO orders (order_id, ordered_at, amount, agent_id) VALUES
        ('o1', TIMESTAMPTZ '2026-02-20 03:00:00+00', 1000, 'A1'),
        ('o2', TIMESTAMPTZ '2026-03-10 03:00:00+00', 600, 'A1')""")
    e = Engine(wh, Settings(timezone="Asia/Ho_Chi_Minh"))
    yield e
    wh.close()


def rules(tmp_path, window_name="month"):
    from telekpi.alerts.rules import load_rules
    from telekpi.catalog.loader import load_catalog

    p = tmp_path / "alerts.yaml"
    p.write_text("rules:\n  - {id: rev-drop, metric: revenue, drop_pct: 20, by: team, "
                 f"window: {window_name}}}\n")
    return load_rules(p, load_catalog(None))


def test_dashboard_report_and_alert_compare_with_the_same_window(engine, tmp_path):
    from telekpi.alerts.evaluate import evaluate
    from telekpi.reports.build import build_report
    from telekpi.web.filters import Filters

    # The dashboard: the filters of its URL, and the window its cards are asked for.
    shown = Filters.from_query(QueryParams("from=2026-03-01&to=2026-03-15"), SCOPE[1])
    dashboard = shown.previous()
    # The report: its previous window, and its alert section evaluated under its scope.
    with language("en"):
        report = build_report(engine, *SCOPE, rules=rules(tmp_path))
    # An alert on its own: month to date as of the evening of 15 March.
    with language("en"):
        alert = next(a for a in evaluate(engine, rules(tmp_path), datetime(2026, 3, 15, 18, 0, tzinfo=TZ))
                     if a.rule == "rev-drop")
    assert (dashboard.start, dashboard.end) == tuple(report.previous) == tuple(alert.previous) == BEFORE
    # Revenue 600 against 1,000 on the 20th: the drop is measured against 14–28 February.
    assert "fell 40% to 600" in alert.message and f"(Feb 14{T}28, 2026)" in alert.message
    reported = report.table("alerts").rows
    assert [r["message"] for r in reported] == [alert.message]
    headline = {r["id"]: r for r in report.table("headline").rows}
    assert headline["revenue"]["previous"] == 1000 and headline["revenue"]["value"] == 600
    with language("en"):
        assert shown.window.versus() == report.window.versus() == f"vs Feb 14{T}28, 2026"
