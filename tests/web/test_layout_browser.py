"""The layout in headless Chromium at a phone (390 px), a desktop (1440 px) and a wall screen
(1920 px), in English and in Thai (the longest labels): one test per page and view checks
everything at once (nothing overflows its box, the navigation is one line, no chart label is
clipped, periods are periods) and leaves a screenshot in tests/web/screenshots/ to look at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import PASSWORD

SHOTS = Path(__file__).parent / "screenshots"
PAGES = ["/", "/funnel", "/agents", "/agents/A003", "/campaigns", "/revenue", "/care",
         "/best-time", "/scorecards", "/wallboard"]
VIEWS = [(390, "th"), (1440, "en"), (1440, "th"), (1920, "en")]
HEIGHT = {390: 844, 1280: 800, 1440: 900, 1920: 1080}


# Elements in the page whose content is wider than their box, where the box does not scroll
# (a table scrolls inside itself on purpose); Plotly's own SVG is checked by its labels.
OVERFLOWING = """() => [...document.querySelectorAll('body *')].filter(el => {
  if (el.closest('svg, .js-plotly-plot, script, style, head') || !el.clientWidth) return false;
  const css = getComputedStyle(el);
  if (css.display === 'none' || css.visibility === 'hidden') return false;
  if (['auto', 'scroll'].includes(css.overflowX)) return false;
  return el.scrollWidth > el.clientWidth + 1;
}).map(el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
  ? '.' + el.className.trim().replace(/ +/g, '.') : '') + ' ' + el.scrollWidth + '>' + el.clientWidth)"""

# Axis labels (ticks) outside the SVG they are drawn in: clipped by the chart's box.
CLIPPED = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
  const box = plot.querySelector('.main-svg').getBoundingClientRect();
  return [...plot.querySelectorAll('.xtick text, .ytick text, .funnel text')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.width && (r.left < box.left - 1 || r.right > box.right + 1
                       || r.top < box.top - 1 || r.bottom > box.bottom + 1);
  }).map(t => t.textContent);
})"""

NAV = """() => { const nav = document.querySelector('.nav');
  const links = [...nav.querySelectorAll('a')];
  return {height: nav.getBoundingClientRect().height, link: links[0].getBoundingClientRect().height,
          tops: new Set(links.map(a => Math.round(a.getBoundingClientRect().top))).size,
          fits: nav.scrollWidth <= nav.clientWidth + 1,
          visible: getComputedStyle(nav).display !== 'none' && nav.getBoundingClientRect().height > 0}; }"""


@pytest.fixture(scope="module")
def viewer(browser, server):
    """A signed-in page per width and language, opened once for the module (signing in is
    the slow part), with no request leaving 127.0.0.1 and no JavaScript error."""
    opened: dict[tuple[int, str], object] = {}
    contexts, outside, errors = [], [], []

    def _open(width: int, lang: str):
        if (width, lang) in opened:
            return opened[width, lang]
        context = browser.new_context(viewport={"width": width, "height": HEIGHT[width]})
        context.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(server)
                                             else (outside.append(route.request.url), route.abort())))
        pg = context.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(f"{server}/login?lang={lang}&next=/leads")
        pg.fill("input[name=name]", "boss")
        pg.fill("input[name=password]", PASSWORD)
        pg.click("button[type=submit]")
        pg.wait_for_load_state()
        contexts.append(context)
        opened[width, lang] = pg
        return pg

    yield _open
    for c in contexts:
        c.close()
    assert not outside, f"the page reached outside 127.0.0.1: {outside[:3]}"
    assert not errors, f"JavaScript errors: {errors}"


def drawn(pg) -> None:
    pg.wait_for_function("() => [...document.querySelectorAll('[data-figure]')]"
                         ".every(el => el.dataset.drawn === '1')", timeout=20_000)


def x_ticks(pg, index: int) -> list[str]:
    """The x-axis labels of the page's chart number ``index`` (-1: the last)."""
    return pg.evaluate("i => { const all = [...document.querySelectorAll('.js-plotly-plot')];"
                       " return [...all.at(i).querySelectorAll('.xtick text')].map(t => t.textContent); }",
                       index)


@pytest.mark.parametrize("width, lang", VIEWS, ids=[f"{w}-{lang}" for w, lang in VIEWS])
@pytest.mark.parametrize("path", PAGES)
def test_page_fits_its_screen(viewer, server, path, width, lang):
    pg = viewer(width, lang)
    pg.goto(f"{server}{path}?lang={lang}")   # the default window: the demo's last month
    drawn(pg)
    SHOTS.mkdir(exist_ok=True)
    name = (path.strip("/").replace("/", "-") or "overview")
    pg.screenshot(path=str(SHOTS / f"{name}-{width}-{lang}.png"), full_page=True)

    assert pg.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    assert pg.evaluate(OVERFLOWING) == []
    assert pg.evaluate(CLIPPED) == [], "axis or funnel labels outside their chart"
    for fig in pg.locator("figure.figure").all():          # every chart: its data, one click away
        assert fig.locator("details.data table tbody tr").count() >= 1
        caption, chart = fig.locator("figcaption").bounding_box(), fig.locator(".chart").bounding_box()
        assert caption["y"] + caption["height"] <= chart["y"] + 1, "the title overlaps the chart"

    if path == "/wallboard" and width >= 1280:
        assert not pg.locator(".top").is_visible()
        assert float(pg.evaluate("parseFloat(getComputedStyle(document.querySelector('.tile .big')).fontSize)")) >= 40
        return
    nav = pg.evaluate(NAV)
    if width >= 1280:
        assert nav["visible"] and nav["tops"] == 1 and nav["fits"], nav
        assert nav["height"] < 1.5 * nav["link"], nav
    else:                                                  # a phone: a menu button opens it
        assert not nav["visible"]
        pg.click(".menu-toggle")
        assert pg.evaluate(NAV)["visible"]
        assert pg.evaluate("document.documentElement.scrollWidth") <= width

    if path == "/revenue":
        ticks = x_ticks(pg, 0)
        assert ticks and not [t for t in ticks if re.search(r"\d:\d\d", t)], ticks
    if path == "/agents/A003":
        hours = x_ticks(pg, -1)
        assert 3 <= len(hours) < 24, hours


def test_navigation_is_one_line_in_every_language_at_1280(viewer, server):
    pg = viewer(1280, "en")
    for lang in ("en", "vi", "th", "zh_Hans", "zh_Hant"):
        pg.goto(f"{server}/agents?lang={lang}")
        nav = pg.evaluate(NAV)
        assert nav["tops"] == 1 and nav["fits"] and nav["height"] < 1.5 * nav["link"], (lang, nav)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 1280, lang
        assert pg.evaluate(OVERFLOWING) == [], lang
