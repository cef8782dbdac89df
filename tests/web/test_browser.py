"""The dashboard in real headless Chromium (Debian's, driven by Playwright through its
executable path: no browser download), against the app served on 127.0.0.1."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD


@pytest.fixture
def page(browser, server):
    context = browser.new_context()
    # No internet: any request that leaves 127.0.0.1 fails the test.
    outside = []
    context.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(server)
                                         else (outside.append(route.request.url), route.abort())))
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"{server}/")
    pg.fill("input[name=name]", "boss")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{server}/")
    yield pg
    context.close()
    assert not outside, f"the page reached outside 127.0.0.1: {outside[:3]}"
    assert not errors, f"JavaScript errors: {errors}"


def charts_drawn(pg) -> int:
    pg.wait_for_function("() => [...document.querySelectorAll('[data-figure]')]"
                         ".every(el => el.dataset.drawn === '1')", timeout=20_000)
    return pg.locator(".js-plotly-plot").count()


@pytest.mark.parametrize("path, title, min_charts", [
    ("/", "Overview", 5), ("/funnel", "Lead funnel", 1), ("/agents", "Leaderboard", 0),
    ("/agents/A003", "A003", 2), ("/campaigns", "Campaigns", 1), ("/revenue", "Revenue", 2),
    ("/care", "CSAT", 1), ("/leads", "Leads", 0), ("/best-time", "Best time", 2),
    ("/import", "Import", 0), ("/wallboard", "", 0),
])
def test_each_page_opens_and_draws_its_charts(page, server, path, title, min_charts):
    page.goto(f"{server}{path}")
    assert title in page.locator("h1").first.inner_text()
    assert charts_drawn(page) >= min_charts
    if min_charts:
        assert page.locator(".js-plotly-plot .main-svg").count() >= min_charts


def test_changing_a_filter_puts_it_in_the_url_and_the_view(page, server):
    page.goto(f"{server}/agents?group=agent")
    before = page.locator("table.leaderboard tbody tr").count()
    with page.expect_navigation():
        page.select_option("select[name=team]", "T1")
    assert "team=T1" in page.url
    after = page.locator("table.leaderboard tbody tr").count()
    assert 0 < after < before
    page.goto(page.url)   # the same link shows the same view
    assert page.locator("select[name=team]").input_value() == "T1"


def test_lead_search_opens_a_timeline(page, server):
    page.goto(f"{server}/leads")
    page.fill("input[name=q]", "L1")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=L1**")
    page.click("text=L1 >> nth=0")
    assert "L1" in page.locator("h1").inner_text()
    assert page.locator("ol.timeline li").count() >= 1


def test_upload_a_file_and_see_counts_and_reasons(page, server, tmp_path):
    f = tmp_path / "dialer export.csv"
    f.write_text("call_id,started_at,status,talk_s\n"
                 "BR-1,2026-02-03 09:00:00,answered,30\n"
                 "BR-2,2026-02-03 09:01:00,answered,-4\n")
    page.goto(f"{server}/import")
    page.select_option("select[name=table]", "calls")
    page.set_input_files("input[name=file]", str(f))
    with page.expect_navigation():
        page.click("form.upload button[type=submit]")
    assert page.locator("[data-count=rows_read]").inner_text() == "2"
    assert page.locator("[data-count=inserted]").inner_text() == "1"
    assert page.locator("[data-count=quarantined]").inner_text() == "1"
    row = page.locator("table.quarantine tbody tr").first.inner_text()
    assert "3" in row and "talk_s" in row and "is negative" in row


def test_language_switcher_translates_the_page_and_its_charts(page, server):
    from telekpi.i18n.catalogs import translations

    page.goto(f"{server}/funnel")
    with page.expect_navigation():
        page.click(".langs a[hreflang=th]")
    th = translations("th")
    assert th.gettext("Lead funnel") in page.locator("h1").first.inner_text()
    assert charts_drawn(page) >= 1
    assert th.gettext("decision maker") in page.locator(".js-plotly-plot").first.inner_text()
    page.goto(f"{server}/")                     # remembered
    assert page.locator("html").get_attribute("lang") == "th"
    page.goto(f"{server}/?lang=en")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_money_cards_fit_their_cards_at_1440_px(page, server, lang):
    """Issue 24: revenue and profit in compact form on the overview's cards (the exact value on
    hover) stay inside their cards; the wallboard's revenue tile too."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{server}/?from=2026-01-01&to=2026-12-31&lang={lang}")
    for metric in ("revenue", "profit"):
        value = page.locator(f'article[data-metric="{metric}"] p.value')
        assert len(value.get_attribute("title")) > len(value.inner_text())   # exact on hover
        inner, box = value.evaluate("e => [e.scrollWidth, e.clientWidth]")
        card = page.locator(f'article[data-metric="{metric}"]').evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert inner <= box and card[0] <= card[1], (metric, inner, box, card)
    page.goto(f"{server}/wallboard?lang={lang}")
    tile = page.locator('.tile[data-metric="revenue"] .big')
    inner, box = tile.evaluate("e => [e.scrollWidth, e.parentElement.clientWidth]")
    assert inner <= box, (inner, box)
