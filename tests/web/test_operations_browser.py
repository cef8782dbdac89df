"""The Operations page in real headless Chromium under the Content-Security-Policy: its three
sections drawn, the section links, the lists paged, no console error and no CSP violation;
a screenshot kept for a look (OPERATIONS_SHOT, else the test's temporary folder)."""

from __future__ import annotations

import os

import pytest

from .test_pages_browser import open_as
from .test_security_browser import csp_messages, drawn, serve


@pytest.fixture(scope="module")
def base(app):
    srv, thread, url = serve(app)
    yield url
    srv.should_exit = True
    thread.join(10)


def test_operations_page_opens_clean(browser, base, tmp_path):
    context, page, messages, errors = open_as(browser, base, "boss", "/")
    page.goto(f"{base}/operations?from=2026-09-01&to=2026-11-30")
    drawn(page)
    assert page.locator("#lost-title").inner_text() == "Lost calls won back"
    assert page.locator("section#callbacks").count() == page.locator("section#fcr").count() == 1
    assert page.locator("section#lost .card[data-metric=lost_call_recovery_rate] .value").inner_text() != "—"
    assert page.locator("table.lost-waiting tbody tr").count() > 0
    assert page.locator("table.callbacks-overdue tbody tr").count() > 0
    assert page.locator("nav.nav a[href^='/operations']").get_attribute("aria-current") == "page"
    page.locator("nav.sections a[href='#fcr']").click()
    assert page.url.endswith("#fcr")
    page.screenshot(path=os.environ.get("OPERATIONS_SHOT") or str(tmp_path / "operations.png"),
                    full_page=True)
    assert not csp_messages(messages), csp_messages(messages)
    assert not errors, errors
    context.close()
