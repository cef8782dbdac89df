"""A click on a chart's point (a bar) opens the rows behind it with the view's filters
carried, as a card does: a day of an agent's daily chart → that day's calls; a campaign's
bar → its agents; a month of the revenue chart → that month. The chart's data table links
the same rows (the keyboard's way there)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import PASSWORD
from .look import DRAWN, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def pg(browser, look_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    yield sign_in(context, look_server[0], "boss", PASSWORD)
    context.close()


def open_drawn(pg, url: str) -> None:
    pg.goto(url)
    pg.wait_for_function(DRAWN, timeout=20_000)


def click_point(pg, chart, selector: str, index: int) -> None:
    """Click the ``index``-th point (bar) of ``chart`` where it is drawn, and wait for the page
    it leads to."""
    box = chart.locator(selector).nth(index).bounding_box()
    with pg.expect_navigation():
        pg.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_day_of_an_agents_chart_opens_that_days_calls(pg, look_server):
    view = f"{look_server[0]}/agents/A010?from=2026-11-01&to=2026-11-30"
    open_drawn(pg, view)
    chart = pg.locator(".figure .chart[data-links]").first
    days = chart.evaluate("el => JSON.parse(el.dataset.links).length")
    assert days >= 20
    click_point(pg, chart, ".scatterlayer .point", 4)
    q = query(pg.url)
    assert q["from"] == q["to"] and q["from"][0].startswith("2026-11-")
    assert urlsplit(pg.url).path == "/agents/A010" and pg.url.endswith("#calls")
    day = q["from"][0]
    shown = pg.locator("h2#calls small").inner_text()
    assert shown.count(shown.split(" – ")[0]) == 2, shown   # from and to: one day
    # every call listed is that day's (the timestamps in workspace time, written as the page writes)
    stamps = pg.locator("h2#calls + table tbody tr td:first-child").all_inner_texts()
    assert stamps and len({s.split()[0] for s in stamps}) == 1, stamps[:3]
    total = int(pg.locator(".pager").get_attribute("data-total"))
    open_drawn(pg, view)
    assert int(pg.locator(".pager").get_attribute("data-total")) > total
    # the data table links the same day
    href = chart.locator("xpath=..").locator("details.data tbody tr").nth(4).locator("a").get_attribute("href")
    assert query(href)["from"] == [day]


def test_a_campaigns_bar_opens_its_agents_with_the_filters(pg, look_server):
    base = look_server[0]
    open_drawn(pg, f"{base}/campaigns?from=2026-10-05&to=2026-11-20&team=T1")
    chart = pg.locator(".figure .chart[data-links]").first
    links = chart.evaluate("el => JSON.parse(el.dataset.links)")
    click_point(pg, chart, ".bars path", 0)
    q = query(pg.url)
    assert urlsplit(pg.url).path == "/agents"
    assert q["from"] == ["2026-10-05"] and q["to"] == ["2026-11-20"] and q["team"] == ["T1"]
    assert q["campaign"] == query(links[0])["campaign"] and len(q["campaign"]) == 1
    assert pg.locator("select[name=campaign]").input_value() == q["campaign"][0]
    assert pg.locator("table.leaderboard tbody tr").count() >= 1


def test_a_month_of_the_revenue_chart_opens_that_month(pg, look_server):
    base = look_server[0]
    open_drawn(pg, f"{base}/revenue?from=2026-09-10&to=2026-11-30")
    chart = pg.locator(".figure .chart[data-links]").first
    click_point(pg, chart, ".scatterlayer .trace:first-child .point", 0)
    q = query(pg.url)
    assert urlsplit(pg.url).path == "/revenue"
    assert q["from"] == ["2026-09-10"] and q["to"] == ["2026-09-30"]   # the month, within the view
