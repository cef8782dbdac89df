"""The Compliance pages in headless Chromium under the Content-Security-Policy: a supervisor
opens the breaches, the caller IDs and the attempts from the navigation, with no console error
and no CSP violation; the pages fit a laptop screen (no sideways scroll). A screenshot of each
is kept in the test's folder for a person to look at."""

from __future__ import annotations

import pytest

from .test_pages_browser import open_as
from .test_security_browser import csp_messages, serve


@pytest.fixture(scope="module")
def base(app):
    srv, thread, url = serve(app)
    yield url
    srv.should_exit = True
    thread.join(10)


def test_a_supervisor_walks_the_compliance_pages(browser, base, tmp_path):
    context, page, messages, errors = open_as(browser, base, "sup1", "/")
    page.goto(f"{base}/?from=2026-11-01&to=2026-11-30")
    page.click("nav.nav a:has-text('Operations')")   # one entry: its pages are tabs
    page.wait_for_url(f"{base}/operations?*")
    page.click("nav.tabs a:has-text('Rules kept')")
    page.wait_for_url(f"{base}/operations/compliance?*")
    assert page.locator("h1").first.inner_text().startswith("Compliance")
    assert page.locator("table.abandonment tbody tr").count() >= 1
    assert page.locator("table.breaches tbody tr").count() >= 1
    page.screenshot(path=str(tmp_path / "compliance.png"), full_page=False)
    for tab, selector in (("Caller IDs", "section.numbers"), ("Attempts", "section.attempts")):
        page.click(f"nav.tabs a:has-text('{tab}')")
        page.wait_for_load_state()
        assert page.locator(selector).count() >= 1, tab
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), tab
        page.screenshot(path=str(tmp_path / f"{tab.lower().replace(' ', '-')}.png"), full_page=False)
    assert not csp_messages(messages), csp_messages(messages)
    assert not errors, errors
    context.close()
