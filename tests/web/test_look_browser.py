"""Every page looked at in headless Chromium at a phone's 390 px, a desktop's 1440 px and a
1920×1080 wall screen in each of the five languages, with the in-page check that nothing
overflows its box or is clipped (``look.LOOK``, ``look.CLIPPED``); with
``TELEKPI_SCREENSHOTS=1`` (``./dev screenshots``) each is also written to
build/screenshots/<size>/<lang>/ for a person to review (encoding 405 full-page images was a
fifth of the suite's browser time, so the suite checks without keeping them); and each page at 1440 px
in English compared with its committed baseline (tests/web/baselines/, a third the size) so an
unintended change shows. ``TELEKPI_UPDATE_SNAPSHOTS=1`` writes the baselines and the
screenshots of docs/web.md (docs/images/) instead of comparing.

One server (the demo, its clock pinned) and one browser for the module; a signed-in page
per user, size and language, opened once."""

from __future__ import annotations

import os

import pytest

from telekpi.engine.lookup import EVERYONE, Lookup

from .conftest import PASSWORD
from .look import (
    BASELINES,
    CLIPPED,
    DIFF,
    DOC_IMAGES,
    DRAWN,
    LANGS,
    LOOK,
    PAGES,
    SCALE,
    SHOTS,
    SIZES,
    concrete,
    data_url,
    from_data_url,
    page_routes,
    sample_call,
    shot_name,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UPDATE = os.environ.get("TELEKPI_UPDATE_SNAPSHOTS") == "1"
KEEP_SHOTS = os.environ.get("TELEKPI_SCREENSHOTS") == "1"
BASELINE_WIDTH = 480    # a third of 1440: enough to see a change, small in the repository
BASELINE_HEIGHT = 2700  # three screens: a long list's first rows stand for the rest
DOC_WIDTH = 960
TOLERANCE = 48          # a channel may differ this much (anti-aliasing) before a pixel counts
MAX_CHANGED = 0.002     # and this share of the pixels may differ


@pytest.fixture(scope="module")
def site(look_server):
    base, app = look_server
    with app.state.web.workspace.session() as engine:
        lead = Lookup(engine).search_leads("L", EVERYONE, limit=1)[0]["lead_id"]
        call = sample_call(engine)
    return base, app, lead, call


@pytest.fixture(scope="module")
def viewer(browser, site):
    """A signed-in page per user and language, opened once for the module, with no request
    leaving 127.0.0.1 and no JavaScript error."""
    base = site[0]
    opened: dict[tuple[str, str], object] = {}
    contexts, outside, errors = [], [], []

    def _open(user: str, lang: str):
        if (user, lang) not in opened:
            width, height = SIZES["desktop"]
            context = browser.new_context(viewport={"width": width, "height": height})
            context.route("**/*", lambda route: (
                route.continue_() if route.request.url.startswith(base)
                else (outside.append(route.request.url), route.abort())))
            pg = sign_in(context, base, user, PASSWORD, lang)
            pg.on("pageerror", lambda e: errors.append(str(e)))
            contexts.append(context)
            opened[user, lang] = pg
        return opened[user, lang]

    yield _open
    for c in contexts:
        c.close()
    assert not outside, f"the page reached outside 127.0.0.1: {outside[:3]}"
    assert not errors, f"JavaScript errors: {errors}"


def show(viewer, site, route: str, lang: str, size: str = "desktop"):
    """The page of ``route`` open in ``lang`` at ``size``, its charts drawn."""
    base, _app, lead, call = site
    pg = viewer(PAGES[route], lang)
    pg.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    path = concrete(route, lead, call)
    response = pg.goto(f"{base}{path}?lang={lang}")
    assert response.status == 200, (path, response.status)
    pg.wait_for_function(DRAWN, timeout=20_000)
    return pg


def resize(pg, size: str) -> None:
    """The open page at ``size``, its charts drawn again as a load at that size draws them
    (app.js's ``draw``: a heatmap too narrow for its numbers leaves them out)."""
    pg.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    pg.evaluate("() => Promise.all([...document.querySelectorAll('[data-figure]')].map(draw))")


def test_every_page_of_the_app_is_looked_at(site):
    assert sorted(page_routes(site[1])) == sorted(PAGES)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("route", PAGES)
def test_page_fits_every_screen(viewer, site, route, lang):
    """One load per page and language, looked at in the three sizes (the HTML is the same)."""
    pg = show(viewer, site, route, lang)
    assert pg.evaluate("document.documentElement.lang") == lang.replace("_", "-")
    wrong = {}
    for size in SIZES:
        resize(pg, size)
        if KEEP_SHOTS:
            folder = SHOTS / size / lang
            folder.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(folder / f"{shot_name(route)}.png"), full_page=True)
        found = pg.evaluate(LOOK) + [f"chart label outside its chart: {t}" for t in pg.evaluate(CLIPPED)]
        if found:
            wrong[size] = found[:8]
    assert not wrong, wrong


def _compare(pg, png: bytes, baseline, name: str) -> str | None:
    """Why ``png`` (already scaled down) differs from ``baseline``; None when it does not."""
    seen = pg.evaluate(DIFF, [data_url(baseline.read_bytes()), data_url(png), TOLERANCE])
    diff = SHOTS / "diff" / f"{name}.png"
    if "size" in seen:
        return f"{name}: {seen['size'][2]}×{seen['size'][3]} px, the baseline {seen['size'][0]}×{seen['size'][1]}"
    if seen["changed"] > MAX_CHANGED * seen["total"]:
        diff.parent.mkdir(parents=True, exist_ok=True)
        diff.write_bytes(from_data_url(seen["diff"]))
        return (f"{name}: {seen['changed']} of {seen['total']} pixels changed (differences in red: "
                f"{diff}); if the change is meant, TELEKPI_UPDATE_SNAPSHOTS=1 writes new baselines")
    return None


@pytest.mark.parametrize("route", PAGES)
def test_page_matches_its_baseline(viewer, site, route):
    pg = show(viewer, site, route, "en")
    pg.mouse.move(0, 0)   # no hover state in the picture
    name = shot_name(route)
    height = min(pg.evaluate("document.documentElement.scrollHeight"), BASELINE_HEIGHT)
    whole = pg.screenshot(full_page=True, animations="disabled", caret="hide",
                          clip={"x": 0, "y": 0, "width": SIZES["desktop"][0], "height": height})
    small = from_data_url(pg.evaluate(SCALE, [data_url(whole), BASELINE_WIDTH, "image/png", None]))
    baseline = BASELINES / f"{name}.png"
    if UPDATE:
        BASELINES.mkdir(exist_ok=True)
        baseline.write_bytes(small)
        top = pg.screenshot(animations="disabled", caret="hide")   # what a visitor sees first
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        (DOC_IMAGES / f"web-{name}.webp").write_bytes(from_data_url(
            pg.evaluate(SCALE, [data_url(top), DOC_WIDTH, "image/webp", 0.8])))
        return
    assert baseline.exists(), f"no baseline for {name}: TELEKPI_UPDATE_SNAPSHOTS=1 writes it"
    why = _compare(pg, small, baseline, name)
    assert why is None, why
