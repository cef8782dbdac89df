"""The overview, the wallboard and an agent's My day in real headless Chromium under the
Content-Security-Policy: no console error, no CSP violation, the wallboard still set to
reload itself, and the overview's drill-down links carrying the view's days."""

from __future__ import annotations

import pytest

from .conftest import PASSWORD
from .test_security_browser import VIOLATIONS, csp_messages, drawn, serve


@pytest.fixture(scope="module")
def base(app):
    srv, thread, url = serve(app)
    yield url
    srv.should_exit = True
    thread.join(10)


def open_as(browser, base: str, name: str, home: str):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    messages: list[str] = []
    errors: list[str] = []
    # A console error, save the browser's own request for /favicon.ico (the app has none).
    page.on("console", lambda m: (messages.append(m.text), m.type == "error" and not (
        m.location.get("url", "").endswith("/favicon.ico")) and errors.append(f"{m.text} {m.location}")))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(VIOLATIONS)
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{home}")
    return context, page, messages, errors


def test_overview_and_wallboard_open_clean(browser, base):
    context, page, messages, errors = open_as(browser, base, "boss", "/")
    page.goto(f"{base}/?from=2026-11-01&to=2026-11-20")
    drawn(page)
    assert page.locator(".on-target h2").count() == 1
    assert page.locator(".what-changed li").count() >= 1
    link = page.locator(".card a.drill").first.get_attribute("href")
    assert "from=2026-11-01" in link and "to=2026-11-20" in link
    page.goto(f"{base}/wallboard")
    drawn(page)
    assert page.locator("[data-refresh]").count() == 1
    assert page.locator("table.states tbody tr").count() > 0
    assert not csp_messages(messages), csp_messages(messages)
    assert not errors, errors
    context.close()


def test_an_agent_lands_on_my_day(browser, base):
    context, page, messages, errors = open_as(browser, base, "agent3", "/my-day")
    assert page.locator("h1").first.inner_text().startswith("My day")
    assert page.locator(".my-rank").count() == 1
    assert not csp_messages(messages) and not errors, (messages, errors)
    context.close()


def test_staffing_page_draws_its_charts_clean(browser, base):
    """Issue 26.6: the Staffing page in Chromium — both charts drawn, the interval table and
    shrinkage by reason there, no console error or CSP violation; a screenshot to look at."""
    from pathlib import Path

    context, page, messages, errors = open_as(browser, base, "boss", "/")
    page.goto(f"{base}/staffing?from=2026-11-16&to=2026-11-29&lang=en")
    drawn(page)
    assert page.locator(".chart .main-svg").count() >= 2
    assert page.locator("table.staffing tbody tr").count() >= 5
    assert page.locator("table.shrinkage td", has_text="missed ring").count() == 1
    page.select_option("select[name=interval]", "30")
    page.click("form.intervals button")
    page.wait_for_url("**interval=30**")
    drawn(page)
    assert page.locator("table.staffing tbody tr").first.locator("td").first.inner_text().endswith((":00", ":30"))
    shots = Path(__file__).parent / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "staffing-1440-en.png"), full_page=True)
    assert not csp_messages(messages), csp_messages(messages)
    assert not errors, errors
    context.close()
