"""The dashboard under its Content-Security-Policy in real Chromium: every page draws its
charts with no violation, and a product named as an HTML link is shown as text in the
/revenue chart, never as a link."""

from __future__ import annotations

import gc
import threading
import time

import pytest
import uvicorn

from telekpi.web.app import create_app

from ..conftest import EVIL_PRODUCT
from .conftest import PASSWORD
from .test_server import free_port

VIOLATIONS = ("document.addEventListener('securitypolicyviolation', e => console.log("
              "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))")


def serve(app):
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    return srv, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def servers(app, hostile_db):
    hostile = create_app(hostile_db)
    running = [serve(app), serve(hostile)]
    yield [base for _srv, _thread, base in running]
    for srv, thread, _base in running:
        srv.should_exit = True
        thread.join(10)
    hostile.state.web.close()
    del hostile.state.web, hostile.state.templates
    gc.collect()


def logged_in(browser, base: str):
    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.add_init_script(VIOLATIONS)
    page.goto(f"{base}/login")
    page.fill("input[name=name]", "boss")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page, messages


def drawn(page) -> None:
    page.wait_for_function("() => [...document.querySelectorAll('[data-figure]')]"
                           ".every(el => el.dataset.drawn === '1')", timeout=20_000)


def csp_messages(messages: list[str]) -> list[str]:
    return [m for m in messages if "CSP violation" in m or "Content Security Policy" in m
            or "strict CSP" in m]


def test_every_page_renders_with_no_csp_violation(browser, servers):
    base = servers[0]
    context, page, messages = logged_in(browser, base)
    for path in ("/", "/funnel", "/agents", "/agents/A003", "/campaigns", "/revenue", "/care", "/leads",
                 "/best-time", "/scorecards", "/alerts", "/import", "/wallboard"):
        page.goto(f"{base}{path}")
        drawn(page)
    page.goto(f"{base}/")
    drawn(page)
    page.locator(".js-plotly-plot").first.hover()   # hover labels and the mode bar draw too
    assert not csp_messages(messages), csp_messages(messages)
    context.close()


def test_the_scorecards_template_choice_still_submits_without_inline_script(browser, servers):
    base = servers[0]
    context, page, messages = logged_in(browser, base)
    page.goto(f"{base}/scorecards")
    options = page.locator("select[name=template] option").all_inner_texts()
    assert len(options) >= 2
    with page.expect_navigation():
        page.select_option("select[name=template]", options[1])
    assert "template=" in page.url
    assert not csp_messages(messages)
    context.close()


def test_a_product_named_as_a_link_is_text_in_the_revenue_chart(browser, servers):
    base = servers[1]
    context, page, messages = logged_in(browser, base)
    page.goto(f"{base}/revenue?from=2026-03-01&to=2026-03-31")
    drawn(page)
    links = page.evaluate("""() => [...document.querySelectorAll('a')].filter(a =>
        [a.getAttribute('href'), a.getAttributeNS('http://www.w3.org/1999/xlink', 'href')]
        .some(h => (h || '').includes('evil.example'))).length""")
    assert links == 0
    ticks = page.locator(".chart .xtick text").all_text_contents()
    assert EVIL_PRODUCT in ticks
    assert not csp_messages(messages)
    context.close()
