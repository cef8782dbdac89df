"""What the browser tests that look share: a demo served with its clock pinned (so the
wallboard's "refreshed at" and "last data … ago" read the same every run), every page of
the app by role (taken from the app's own routes), the in-page check that nothing overflows
or is clipped, and the image work (downscale, compare) done by the browser's own canvas, so
no imaging package is needed.

The overflow check (``LOOK``) reports, for every element that is shown (not in a chart's
SVG, which ``CLIPPED`` checks by its labels):

- the page scrolling sideways (the document wider than the window);
- content wider than its box where the box neither scrolls (``overflow-x`` auto/scroll: a
  wide table scrolls inside itself on purpose) nor ends in an ellipsis over text that has
  a ``title`` (the whole text on hover);
- text cut at the bottom: a box that hides its overflow with content taller than itself;
- a box that reaches past the window's left or right edge with no scrolling box around it.

Elements with no box (inline spans: their block is checked), hidden ones, the skip link
(off screen until focused, on purpose) and the closed part of a ``<details>`` are left out,
and a pixel of rounding is allowed, so what it reports is something a person would see."""

from __future__ import annotations

import base64
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
BASELINES = Path(__file__).parent / "baselines"
DOC_IMAGES = ROOT / "docs" / "images"
# The demo's last data is on 30 Nov 2026 (demo.world.END); the clock stands that evening.
PINNED = datetime(2026, 11, 30, 18, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
LANGS = ("en", "vi", "th", "zh_Hans", "zh_Hant")
SIZES = {"phone": (390, 844), "desktop": (1440, 900), "wall": (1920, 1080)}

# Every page, and who opens it: an agent's own day is an agent's; the rest an admin's.
PAGES = {"/login": "boss", "/": "boss", "/my-day": "agent3", "/funnel": "boss", "/agents": "boss",
         "/agents/{agent_id:path}": "boss", "/campaigns": "boss", "/scorecards": "boss",
         "/revenue": "boss", "/care": "boss", "/leads": "boss", "/leads/{lead_id:path}": "boss",
         "/best-time": "boss", "/alerts": "boss", "/wallboard": "boss", "/import": "boss",
         "/tokens": "boss", "/qa": "boss", "/qa/review": "boss", "/qa/calibration": "boss",
         "/qa/review/{call_id:path}": "boss", "/qa/calls/{call_id:path}": "boss", "/operations": "boss",
         "/operations/compliance": "boss", "/operations/numbers": "boss", "/operations/attempts": "boss",
         "/staffing": "boss"}
# Sample values for the path parameters of the app's page routes: a lead, the demo's first;
# a call QA scored, of team T1 (``sample_call``).
SAMPLES = {"agent_id": "A003", "lead_id": None, "call_id": None}
# Not the dashboard's pages: the API (its Swagger page comes from its CDN), static files, and
# a recording's audio.
NOT_PAGES = ("/api/", "/static/", "/qa/recording/")


def page_routes(app) -> list[str]:
    """The paths of every GET page the app serves (its API and static files left out)."""
    def walk(routes):
        for r in routes:
            if hasattr(r, "original_router"):   # a router the app includes (FastAPI ≥ 0.13x)
                yield from walk(r.original_router.routes)
            else:
                yield r
    return [r.path for r in walk(app.routes) if "GET" in (getattr(r, "methods", None) or ())
            and not r.path.startswith(NOT_PAGES)]


def sample_call(engine) -> str:
    """A call QA scored of an agent of team T1: one the admin and the supervisor may open."""
    _cols, rows = engine.backend.execute(
        "SELECT min(q.call_id) FROM qa_results q JOIN calls c ON c.call_id = q.call_id "
        "JOIN agents a ON a.agent_id = c.agent_id WHERE a.team_id = 'T1'", {})
    assert rows[0][0], "the demo of the looks has no QA-scored call of team T1"
    return rows[0][0]


def concrete(route: str, lead: str, call: str = "") -> str:
    """A route with its parameters filled by the demo's samples."""
    values = {**SAMPLES, "lead_id": lead, "call_id": call}
    for name, value in values.items():
        route = route.replace("{" + name + ":path}", value).replace("{" + name + "}", value)
    return route


def shot_name(route: str) -> str:
    """A page's file name: "overview" for "/", "agents-agent" for "/agents/{agent_id:path}"."""
    return re.sub(r"\{(\w+?)_id(:path)?\}", r"\1", route).strip("/").replace("/", "-") or "overview"


LOOK = """() => {
  const W = document.documentElement.clientWidth, out = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (el.textContent || '').trim().slice(0, 30) + '"';
  const scrolls = (el) => { for (let a = el.parentElement; a; a = a.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  if (document.documentElement.scrollWidth > W + 1)
    out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + W);
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg, .js-plotly-plot, script, style, template, .skip')) continue;
    const closed = el.closest('details:not([open])');
    if (closed && !el.closest('summary')) continue;
    const css = getComputedStyle(el);
    if (css.display === 'none' || css.visibility === 'hidden' || !el.getClientRects().length) continue;
    const scroller = ['auto', 'scroll'].includes(css.overflowX);
    if (!scroller && el.clientWidth && el.scrollWidth > el.clientWidth + 1
        && !(css.textOverflow === 'ellipsis' && el.title))
      out.push('wider than its box: ' + name(el) + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
    if (['hidden', 'clip'].includes(css.overflowY) && el.clientHeight
        && el.scrollHeight > el.clientHeight + 2 && (el.textContent || '').trim())
      out.push('text cut at the bottom: ' + name(el) + ' ' + el.scrollHeight + ' > ' + el.clientHeight);
    const r = el.getBoundingClientRect();
    if (r.width > 1 && (r.right > W + 1 || r.left < -1) && css.position !== 'fixed' && !scrolls(el))
      out.push('past the edge of the window: ' + name(el) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  return out;
}"""

# Axis, funnel and legend labels outside the SVG they are drawn in: clipped by the chart's box.
CLIPPED = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
  const box = plot.querySelector('.main-svg').getBoundingClientRect();
  return [...plot.querySelectorAll('.xtick text, .ytick text, .funnel text, .legendtext')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.width && (r.left < box.left - 1 || r.right > box.right + 1
                       || r.top < box.top - 1 || r.bottom > box.bottom + 1);
  }).map(t => t.textContent);
})"""

DRAWN = ("() => [...document.querySelectorAll('[data-figure]')]"
         ".every(el => el.dataset.drawn === '1')")

# A PNG (a data URL) drawn ``width`` pixels wide; PNG or WebP (``type``, ``quality``) back.
SCALE = """async ([src, width, type, quality]) => {
  const img = new Image(); img.src = src; await img.decode();
  const c = document.createElement('canvas');
  c.width = width; c.height = Math.round(img.height * width / img.width);
  const g = c.getContext('2d'); g.imageSmoothingQuality = 'high';
  g.drawImage(img, 0, 0, c.width, c.height);
  return c.toDataURL(type, quality);
}"""

# Two images compared pixel by pixel: how many differ by more than ``tolerance`` in any
# channel, and an image of the differences (red) over the new one, faded, to look at.
DIFF = """async ([a, b, tolerance]) => {
  const load = async (src) => { const i = new Image(); i.src = src; await i.decode(); return i; };
  const [x, y] = [await load(a), await load(b)];
  if (x.width !== y.width || x.height !== y.height)
    return {size: [x.width, x.height, y.width, y.height]};
  const pixels = (img) => { const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height; const g = c.getContext('2d');
    g.drawImage(img, 0, 0); return g.getImageData(0, 0, c.width, c.height); };
  const [p, q] = [pixels(x), pixels(y)];
  const out = new ImageData(x.width, x.height); let changed = 0;
  for (let i = 0; i < p.data.length; i += 4) {
    const d = Math.max(Math.abs(p.data[i] - q.data[i]), Math.abs(p.data[i + 1] - q.data[i + 1]),
                       Math.abs(p.data[i + 2] - q.data[i + 2]));
    const hit = d > tolerance; changed += hit;
    out.data[i] = hit ? 255 : 255 - (255 - q.data[i]) / 4;
    out.data[i + 1] = hit ? 0 : 255 - (255 - q.data[i + 1]) / 4;
    out.data[i + 2] = hit ? 0 : 255 - (255 - q.data[i + 2]) / 4; out.data[i + 3] = 255;
  }
  const c = document.createElement('canvas'); c.width = x.width; c.height = x.height;
  c.getContext('2d').putImageData(out, 0, 0);
  return {changed, total: p.data.length / 4, diff: c.toDataURL('image/png')};
}"""


def data_url(png: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64," + base64.b64encode(png).decode()


def from_data_url(url: str) -> bytes:
    return base64.b64decode(url.split(",", 1)[1])


def sign_in(context, base: str, name: str, password: str, lang: str = "en"):
    """A page of ``context`` signed in as ``name`` with ``lang`` chosen."""
    pg = context.new_page()
    pg.goto(f"{base}/login?lang={lang}")
    pg.fill("input[name=name]", name)
    pg.fill("input[name=password]", password)
    with pg.expect_navigation():
        pg.click("button[type=submit]")
    return pg
