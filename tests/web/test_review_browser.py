"""Reviewing calls in headless Chromium (issue 25, "people in the loop"): a supervisor opens
the queue, opens an auto-failed call with a recording, clicks a transcript line (the player
jumps there), scores the human item and saves; the agent disputes on My day; a second
reviewer scores the same call and the calibration page shows how far they agree. No
console error and no CSP violation; screenshots of the review and calibration pages at
1440 px are kept in the test's folder."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from telekpi.audio.synth import write_wav
from telekpi.web.app import create_app
from telekpi.web.auth import Users
from telekpi.workspace import Workspace

from ..qa.reviewed import build
from .conftest import PASSWORD
from .test_axe_browser import violations
from .test_pages_browser import open_as
from .test_security_browser import csp_messages, serve

pytestmark = pytest.mark.browser
DAYS = "from=2026-03-01&to=2026-03-31"


def call_audio(seconds: float = 10.0, rate: int = 8000) -> np.ndarray:
    """Stereo int16: noise bursts where the transcript has the agent (left) and the customer (right)."""
    rng = np.random.default_rng(25)
    pcm = np.zeros((2, int(seconds * rate)), np.int16)
    for channel, start, end in ((0, 0.5, 2.5), (1, 3.0, 5.0), (0, 6.0, 8.0)):
        n = int((end - start) * rate)
        tone = np.sin(2 * np.pi * 220 * np.arange(n) / rate) * (0.5 + 0.5 * rng.random(n))
        pcm[channel, int(start * rate):int(start * rate) + n] = (tone * 12000).astype(np.int16)
    return pcm


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review-web")
    db = build(folder)
    with Workspace(db, read_only=False) as ws:
        counts = ws.import_recordings([write_wav(folder / "C03.wav", call_audio())])
        assert counts.linked == 1, counts
    users = Users.beside(db)
    for name, role, teams, agent in (("boss", "admin", (), None), ("sup1", "supervisor", ("T1",), None),
                                     ("lan", "agent", (), "A1")):
        users.add(name, PASSWORD, role, teams, agent)
    users.close()
    app = create_app(db)
    srv, thread, url = serve(app)
    yield url
    srv.should_exit = True
    thread.join(10)
    app.state.web.close()
    del app.state.web, app.state.templates
    gc.collect()


@pytest.fixture(scope="module")
def axe_source() -> str:
    from pathlib import Path

    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def test_review_dispute_and_calibrate_in_a_browser(browser, base, tmp_path, axe_source):
    context, page, messages, errors = open_as(browser, base, "sup1", "/")
    page.goto(f"{base}/qa?{DAYS}")
    page.click("nav.tabs a:has-text('Review queue')")
    page.wait_for_url(f"{base}/qa/review?*")
    row = page.locator("table[data-table=review-queue] tr", has=page.locator("a:text-is('C03')"))
    assert "auto-failed" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_url(f"{base}/qa/review/C03")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(10.0, abs=0.1)
    assert page.locator("#lanes rect.seg.agent").count() >= 1
    line = page.locator("[data-transcript] li").nth(2)            # "I have fixed it." at 6.0 s
    line.locator("button").click()
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 6.0) < 0.3")
    assert line.get_attribute("aria-current") == "true"
    page.evaluate("document.getElementById('player').pause()")
    page.select_option("select[name='item:tone']", "pass")
    page.fill("textarea[name=comment]", "Calm and polite, but blamed the customer.")
    page.click("form.review-form button[type=submit]")
    page.wait_for_url(f"{base}/qa/review/C03?saved=1")
    assert page.locator(".saved").is_visible()
    assert page.locator(".reviews li[data-reviewer=sup1]").count() == 1
    page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert violations(page, axe_source) == []
    page.goto(f"{base}/qa/review?{DAYS}")
    assert violations(page, axe_source) == []
    context.close()

    context, page, agent_messages, agent_errors = open_as(browser, base, "lan", "/my-day")
    page.goto(f"{base}/my-day?to=2026-03-31")
    mine = page.locator("table[data-table=my-reviews] tr[data-call=C03]")
    mine.locator("textarea").fill("I only said the billing system is not my team's.")
    mine.locator("button[value=disputed]").click()
    page.wait_for_url(f"{base}/my-day")
    page.goto(f"{base}/my-day?to=2026-03-31")
    assert "disputed" in page.locator("table[data-table=my-reviews] tr[data-call=C03]").inner_text()
    assert violations(page, axe_source) == []
    context.close()

    context, page, boss_messages, boss_errors = open_as(browser, base, "boss", "/")
    page.goto(f"{base}/qa/review?{DAYS}")
    assert page.locator("tr[data-state=disputed] a:text-is('C03')").count() == 1
    page.goto(f"{base}/qa/review/C03")
    assert "reviewed this call first" in page.locator(".review-forms").inner_text()
    page.select_option("select[name='item:tone']", "fail")
    page.click("form.review-form button[type=submit]")
    page.wait_for_url(f"{base}/qa/review/C03?saved=1")
    page.goto(f"{base}/qa/calibration?{DAYS}")
    assert page.locator("table[data-table=calibration-calls] a:text-is('C03')").count() == 1
    assert page.locator("[data-stat=agreement] .value").inner_text() == "0.0%"
    tone = page.locator("table[data-table=calibration-items] tr[data-human]")
    assert "0 / 1" in tone.inner_text()
    assert "too few items" in page.locator("[data-stat=fleiss]").inner_text()
    page.screenshot(path=str(tmp_path / "calibration.png"), full_page=True)
    assert violations(page, axe_source) == []
    context.close()
    for m, e in ((messages, errors), (agent_messages, agent_errors), (boss_messages, boss_errors)):
        assert not csp_messages(m), csp_messages(m)
        assert not e, e
