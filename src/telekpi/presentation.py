"""Plotly figures as plain dicts (drawn in the browser by the app's own plotly.min.js).

Plotly draws a subset of HTML in every text it shows (``<a href>``, ``<b>``, ``<br>``, entities):
a label that comes from the data (a product, an agent, a campaign) goes through ``label`` so
that it is shown as the text it is, never as a link. Titles are ours and may use the markup."""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape

from telekpi.i18n import _
from telekpi.i18n.numbers import rounds_to_zero

# One colour per band level (catalog/spec.py BAND_LEVELS): every page, report and workbook
# colours a band by its level, never by its label, so "acceptable" (fair) is amber wherever
# it is shown. A value gets its band by the catalog's one rule (min ≤ value < max).
BAND_COLOURS = {"excellent": "#1a7f37", "good": "#2da44e", "standard": "#2da44e",
                "fair": "#bf8700", "poor": "#cf222e"}


def good_change(change, better: str | None) -> bool | None:
    """Is a change good (True), bad (False) or neither (None) for a metric whose ``better`` is
    "higher" or "lower" (the catalog's)? A change shown as 0.0 % is neither, as is any change
    of a metric that is neither better higher nor lower. Every surface colours by this: the
    dashboard's cards, the wallboard, the reports."""
    if change is None or better not in ("higher", "lower") or rounds_to_zero(change):
        return None
    return (change > 0) == (better == "higher")


_MARGIN = {"l": 48, "r": 16, "t": 32, "b": 40}
_LAYOUT = {"margin": _MARGIN, "height": 320,
           "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
           "font": {"family": "system-ui, sans-serif", "size": 12}}


def label(value):
    """A value as Plotly's text shows it literally: ``<``, ``>`` and ``&`` escaped (Plotly
    decodes the entities back to the characters, and never reads them as markup). Numbers,
    dates and None are left as they are."""
    return escape(value, quote=False) if isinstance(value, str) else value


def labels(values: list) -> list:
    return [label(v) for v in values]


def _axis_format(unit: str) -> dict:
    return {"tickformat": ".0%"} if unit == "rate" else {}


def sparkline(xs: list, ys: list) -> dict:
    return {"data": [{"type": "scatter", "mode": "lines", "x": xs, "y": ys,
                      "line": {"width": 2, "color": "#0969da"}, "hoverinfo": "x+y"}],
            "layout": {"margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": 40,
                       "xaxis": {"visible": False}, "yaxis": {"visible": False},
                       "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                       "showlegend": False}}


def line(title: str, xs: list, series: dict[str, list], unit: str = "count") -> dict:
    return {"data": [{"type": "scatter", "mode": "lines+markers", "name": label(name), "x": labels(xs),
                      "y": ys} for name, ys in series.items()],
            "layout": {**_LAYOUT, "title": {"text": title}, "yaxis": _axis_format(unit)}}


def bar(title: str, xs: list, ys: list, unit: str = "count", errors: tuple | None = None,
        colours: list | None = None) -> dict:
    trace: dict[str, object] = {"type": "bar", "x": labels(xs), "y": ys}
    if errors:
        lo, hi = errors
        trace["error_y"] = {
            "type": "data", "symmetric": False,
            "array": [None if h is None or y is None else h - y for y, h in zip(ys, hi, strict=True)],
            "arrayminus": [None if l_ is None or y is None else y - l_ for y, l_ in zip(ys, lo, strict=True)]}
    if colours:
        trace["marker"] = {"color": colours}
    return {"data": [trace], "layout": {**_LAYOUT, "title": {"text": title},
                                        "yaxis": _axis_format(unit)}}


def funnel(stages: list[dict], title: str = "Lead funnel") -> dict:
    from telekpi.i18n.words import stage_name

    return {"data": [{"type": "funnel", "y": [label(stage_name(s["stage"])) for s in stages],
                      "x": [s["leads"] for s in stages], "textinfo": "value+percent previous"}],
            "layout": {**_LAYOUT, "title": {"text": title}}}


def heatmap(title: str, weekdays: list[str], hours: list[int], z: list[list], unit: str = "rate") -> dict:
    """Weekday × hour, darker where the rate is higher; a title may carry a second line
    (``<br><sup>…</sup>``: what the rate divides), given room above the plot."""
    return {"data": [{"type": "heatmap", "x": hours, "y": labels(weekdays), "z": z, "colorscale": "Blues",
                      "reversescale": True, "hoverongaps": False,
                      "colorbar": {"tickformat": ".0%" if unit == "rate" else ""}}],
            "layout": {**_LAYOUT, "title": {"text": title},
                       "margin": {**_MARGIN, "t": 64 if "<br>" in title else 32},
                       "xaxis": {"title": {"text": _("hour")}, "dtick": 1}}}


def script_hash(script: str) -> str:
    """A Content-Security-Policy source that allows exactly this inline script: ``'sha256-…'``
    (the web app's API docs page, the standalone HTML report)."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def inline_scripts(page: str) -> list[str]:
    """The text of each inline ``<script>`` element of a page (those without ``src``)."""
    return re.findall(r"<script>(.*?)</script>", page, flags=re.S)
