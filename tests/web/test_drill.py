"""The links from a chart's points to the rows behind them: a period of a trend within the
view's days, a bar's value replacing the view's own filter of its dimension."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

from telekpi.analysis.windows import period_days
from telekpi.web.filters import Filters, period_links, value_links


def test_a_trends_points_lead_to_their_periods_within_the_view():
    view = Filters(date(2026, 9, 10), date(2026, 11, 12), (("team", "T1"),))
    links = period_links("/revenue", view, [date(2026, 9, 1), datetime(2026, 10, 1), "2026-11-01"], "month")
    spans = [(q["from"][0], q["to"][0], q["team"]) for q in (parse_qs(urlsplit(u).query) for u in links)]
    assert spans == [("2026-09-10", "2026-09-30", ["T1"]), ("2026-10-01", "2026-10-31", ["T1"]),
                     ("2026-11-01", "2026-11-12", ["T1"])]
    day = period_links("/agents/A%2F1", view, [date(2026, 10, 3)], "day", "#calls")[0]
    assert day.startswith("/agents/A%2F1?from=2026-10-03&to=2026-10-03") and day.endswith("#calls")


def test_period_days():
    assert period_days(date(2026, 2, 1), "month") == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_days(date(2026, 11, 30), "week") == (date(2026, 11, 30), date(2026, 12, 6))
    assert period_days(date(2026, 11, 30), "day") == (date(2026, 11, 30), date(2026, 11, 30))


def test_a_bars_link_narrows_its_dimension_and_keeps_the_rest():
    view = Filters(date(2026, 11, 1), date(2026, 11, 30), (("campaign", "K1"), ("team", "T2")))
    link = value_links("/agents", view, "campaign", ["K 3&x"], sort="call_conversion_rate")[0]
    q = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == "/agents"
    assert q == {"from": ["2026-11-01"], "to": ["2026-11-30"], "team": ["T2"], "campaign": ["K 3&x"],
                 "sort": ["call_conversion_rate"]}
