"""Plotly figures as plain dicts (drawn in the browser by the app's own plotly.min.js).

Plotly draws a subset of HTML in every text it shows (``<a href>``, ``<b>``, ``<br>``, entities):
a label that comes from the data (a product, an agent, a campaign) goes through ``label`` so
that it is shown as the text it is, never as a link.

A figure carries, beside Plotly's ``data`` and ``layout``, its ``caption`` (title and subtitle,
shown by the page above the chart as text that wraps, where no mode bar covers it) and its
``table`` (header and formatted rows: the chart's text alternative, one click away) and, when
its points lead somewhere, ``links`` (``with_links``). Values are
written as every page writes them (``telekpi.units.human``): durations m:ss, money grouped,
periods as periods ("Oct 2026", never a time of day)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from html import escape

from telekpi.i18n import _, current
from telekpi.i18n.numbers import rounds_to_zero
from telekpi.units import formatter, human

# One colour per band level (catalog/spec.py BAND_LEVELS): every page, report and workbook
# colours a band by its level, never by its label, so "acceptable" (fair) is amber wherever
# it is shown. A value gets its band by the catalog's one rule (min ≤ value < max). The web
# stylesheet gets them as CSS variables (``css_variables``), so they are written only here.
BAND_COLOURS = {"excellent": "#1a7f37", "good": "#2da44e", "standard": "#2da44e",
                "fair": "#bf8700", "poor": "#cf222e"}
NEUTRAL = "#57606a"
# The same bands as the colour of text on a light page (a table's value, a band's name) and
# behind white text (a wallboard tile): darker where the band colour is too light to read
# (WCAG AA, 4.5:1 with white and with the page's #f6f8fa), in the same hue.
BAND_TEXT_COLOURS = {"excellent": "#116329", "good": "#1a7f37", "standard": "#1a7f37",
                     "fair": "#8a5a00", "poor": "#cf222e"}
ACCENT = "#0969da"
FONT = ('system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Thai", "Leelawadee UI", '
        '"Tahoma", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif')
_MARGIN = {"l": 56, "r": 16, "t": 16, "b": 48}
_LAYOUT = {"margin": _MARGIN, "height": 320, "autosize": True,
           "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
           "font": {"family": FONT, "size": 12}, "hoverlabel": {"font": {"family": FONT}},
           "legend": {"orientation": "h", "y": -0.2},
           "colorway": [ACCENT, "#bf8700", "#1a7f37", "#8250df", "#cf222e", "#57606a"]}
SMALL = 0.55    # the opacity of a point whose sample is below the minimum



def good_change(change, better: str | None) -> bool | None:
    """Is a change good (True), bad (False) or neither (None) for a metric whose ``better`` is
    "higher" or "lower" (the catalog's)? A change shown as 0.0 % is neither, as is any change
    of a metric that is neither better higher nor lower. Every surface colours by this: the
    dashboard's cards, the wallboard, the reports."""
    if change is None or better not in ("higher", "lower") or rounds_to_zero(change):
        return None
    return (change > 0) == (better == "higher")


def css_variables() -> str:
    """The band and chart colours as CSS custom properties (``--band-excellent`` …),
    put before the web stylesheet so that CSS and figures share one definition."""
    pairs = [f"--band-{level}: {colour};" for level, colour in BAND_COLOURS.items()]
    pairs += [f"--band-none: {NEUTRAL};", f"--chart-line: {ACCENT};"]
    return ":root { " + " ".join(pairs) + " }\n"


def label(value):
    """A value as Plotly's text shows it literally: ``<``, ``>`` and ``&`` escaped (Plotly
    decodes the entities back to the characters, and never reads them as markup). Numbers,
    dates and None are left as they are."""
    return escape(value, quote=False) if isinstance(value, str) else value


def labels(values: list) -> list:
    return [label(v) for v in values]


def period_labels(xs: list, period: str | None) -> list:
    """Periods as the language writes them (plain text: ``label`` them for Plotly): a month as
    "Oct 2026", a week by its first day, a day as "Oct 7". Plotly shows them as categories, so
    one period is one tick, never a range of hours around it."""
    if not period:
        return [x if isinstance(x, str) else str(x) for x in xs]
    fmt = formatter(current())
    if period == "month":
        return [fmt.month(x) for x in xs]
    if period == "week":
        return [_("week of {day}").format(day=fmt.short_date(x)) for x in xs]
    if period in ("quarter", "year"):
        return [human(x, period) for x in xs]
    return [fmt.short_date(x) for x in xs]


def _axis(unit: str) -> dict:
    if unit == "rate":
        return {"tickformat": ".0%", "rangemode": "tozero", "automargin": True}
    if unit == "seconds":   # durations drawn in minutes, hovers in m:ss
        return {"ticksuffix": " " + _("min"), "rangemode": "tozero", "automargin": True}
    return {"rangemode": "tozero", "automargin": True, "separatethousands": True}


def _plot(ys: list, unit: str) -> list:
    return [y / 60 if unit == "seconds" and y is not None else y for y in ys]


def _figure(title: str, data: list, layout: dict, table: dict, subtitle: str | None = None) -> dict:
    return {"data": data, "layout": {**_LAYOUT, **layout},
            "caption": {"title": title, "subtitle": subtitle}, "table": table}


def sparkline(xs: list, ys: list, unit: str = "count") -> dict:
    """A card's trend: no axes; the hover says the day and the value as the card writes it."""
    return {"data": [{"type": "scatter", "mode": "lines", "x": [str(x) for x in xs], "y": _plot(ys, unit),
                      "customdata": [human(y, unit) for y in ys],
                      "hovertemplate": "%{x}: %{customdata}<extra></extra>",
                      "line": {"width": 2, "color": ACCENT}}],
            "layout": {"margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": 40, "autosize": True,
                       "xaxis": {"visible": False, "type": "category"}, "yaxis": {"visible": False},
                       "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                       "showlegend": False}}


def line(title: str, xs: list, series: dict[str, list], unit: str = "count", *,
         period: str | None = None, samples: list | None = None, min_sample: int = 0,
         sample_word: str | None = None) -> dict:
    """One line per series over ``xs`` (periods when ``period`` says which). With ``samples``
    (how many calls, responses … each point stands on) the hover says n and a point on fewer
    than ``min_sample`` is an open circle: a rate of 2 responses is not a trend."""
    names = period_labels(xs, period)
    n_word = sample_word or _("sample")
    data, small = [], False
    for name, ys in series.items():
        texts = [human(y, unit) for y in ys]
        trace: dict[str, object] = {
            "type": "scatter", "mode": "lines+markers", "name": label(name), "x": labels(names),
            "y": _plot(ys, unit), "customdata": texts, "hovertemplate": "%{x}: %{customdata}<extra>"
            + label(name) + "</extra>", "connectgaps": False}
        if samples is not None:
            few = [n is not None and n < min_sample for n in samples]
            small = small or any(few)
            trace["customdata"] = [[t, human(n, "count")] for t, n in zip(texts, samples, strict=True)]
            trace["hovertemplate"] = ("%{x}: %{customdata[0]}<br>" + label(n_word)
                                      + " = %{customdata[1]}<extra>" + label(name) + "</extra>")
            trace["marker"] = {"size": 8, "symbol": ["circle-open" if f else "circle" for f in few],
                               "opacity": [SMALL if f else 1 for f in few]}
        data.append(trace)
    head = [_("period"), *series]
    rows = [[x, *(human(ys[i], unit) for ys in series.values())] for i, x in enumerate(names)]
    if samples is not None:
        head.append(n_word)
        rows = [[*r, human(n, "count")] for r, n in zip(rows, samples, strict=True)]
    subtitle = _("open circles: fewer than {n} in the sample").format(n=min_sample) if small else None
    return _figure(title, data, {"xaxis": {"type": "category", "automargin": True},
                                 "yaxis": _axis(unit), "showlegend": len(series) > 1},
                   {"head": head, "rows": rows}, subtitle)


def bar(title: str, xs: list, ys: list, unit: str = "count", errors: tuple | None = None,
        colours: list | None = None) -> dict:
    texts = [human(y, unit) for y in ys]
    trace: dict[str, object] = {"type": "bar", "x": labels(xs), "y": _plot(ys, unit),
                                "customdata": texts, "hovertemplate": "%{x}: %{customdata}<extra></extra>",
                                "marker": {"color": colours or ACCENT}}
    head, rows = [_("name"), _("value")], [[x, t] for x, t in zip(xs, texts, strict=True)]
    if errors:
        lo, hi = errors
        trace["error_y"] = {
            "type": "data", "symmetric": False,
            "array": [None if h is None or y is None else h - y for y, h in zip(ys, hi, strict=True)],
            "arrayminus": [None if l_ is None or y is None else y - l_ for y, l_ in zip(ys, lo, strict=True)]}
        head.append(_("95 % interval"))
        rows = [[*r, f"{human(a, unit)}–{human(b, unit)}"] for r, a, b in zip(rows, lo, hi, strict=True)]
    return _figure(title, [trace], {"xaxis": {"type": "category", "automargin": True},
                                    "yaxis": _axis(unit)}, {"head": head, "rows": rows})


def funnel(stages: list[dict], title: str = "Lead funnel") -> dict:
    """The stages top to bottom; their names in the left margin, which grows to the longest
    (``automargin``: "decision maker" in Thai is not clipped), counts inside the bars."""
    from telekpi.i18n.words import stage_name

    names = [stage_name(s["stage"]) for s in stages]
    leads = [s["leads"] for s in stages]
    trace = {"type": "funnel", "y": labels(names), "x": leads, "text": [human(v, "count") for v in leads],
             "texttemplate": "%{text}<br>%{percentPrevious:.0%}", "textposition": "inside",
             "marker": {"color": ACCENT}, "connector": {"line": {"width": 0}},
             "hovertemplate": "%{y}: %{x}<extra></extra>"}
    previous = [None, *leads[:-1]]
    rows = [[n, human(v, "count"), human(v / p if p else None, "rate")]
            for n, v, p in zip(names, leads, previous, strict=True)]
    return _figure(title, [trace], {"margin": {**_MARGIN, "l": 16, "b": 8},
                                    "height": 80 + 52 * len(stages), "xaxis": {"visible": False},
                                    "yaxis": {"automargin": True, "ticksuffix": " ", "showgrid": False}},
                   {"head": [_("stage"), _("leads"), _("% of the stage before")], "rows": rows})


def working_hours(hours: list[int], z: list[list]) -> tuple[list[int], list[list]]:
    """The hours with data, padded by one on each side (a centre open 8–19 is drawn 7–20, not
    0–23 with two thirds empty); all of them when no hour has data."""
    used = [i for i in range(len(hours)) if any(row[i] is not None for row in z)]
    if not used:
        return hours, z
    lo, hi = max(used[0] - 1, 0), min(used[-1] + 1, len(hours) - 1)
    return hours[lo:hi + 1], [row[lo:hi + 1] for row in z]


def heatmap(title: str, weekdays: list[str], hours: list[int], z: list[list], unit: str = "rate",
            subtitle: str | None = None) -> dict:
    """Weekday × hour, darker where the rate is higher, each cell written; only the hours the
    centre works (``working_hours``); tall enough to read at full width."""
    hours, z = working_hours(hours, z)
    xs = [f"{h:02d}" for h in hours]
    texts = [[human(v, unit) if v is not None else "" for v in row] for row in z]
    trace = {"type": "heatmap", "x": xs, "y": labels(weekdays), "z": z, "colorscale": "Blues",
             "reversescale": True, "hoverongaps": False, "xgap": 2, "ygap": 2, "text": texts, "texttemplate": "%{text}",
             "textfont": {"size": 11}, "hovertemplate": "%{y} %{x}:00 – %{text}<extra></extra>",
             "colorbar": {"tickformat": ".0%" if unit == "rate" else "", "thickness": 12}}
    rows = [[d, *(t or "—" for t in row)] for d, row in zip(weekdays, texts, strict=True)]
    return _figure(title, [trace], {"height": 80 + 44 * len(weekdays),
                                    "xaxis": {"title": {"text": _("hour")}, "type": "category",
                                              "showgrid": False},
                                    "yaxis": {"autorange": "reversed", "automargin": True,
                                              "showgrid": False}},
                   {"head": [_("day"), *(f"{x}:00" for x in xs)], "rows": rows}, subtitle)


def with_links(fig: dict, links: Sequence[str | None]) -> dict:
    """``fig`` whose points (bars) lead to the rows behind them: ``links[i]`` for the i-th x
    value; the page follows one on a click and links the data table's rows to them."""
    return {**fig, "links": list(links)}


def plotly_only(fig: dict) -> dict:
    """What the browser draws (``data`` and ``layout``): the caption and table are HTML."""
    return {"data": fig["data"], "layout": fig["layout"]}


def script_hash(script: str) -> str:
    """A Content-Security-Policy source that allows exactly this inline script: ``'sha256-…'``
    (the web app's API docs page, the standalone HTML report)."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def inline_scripts(page: str) -> list[str]:
    """The text of each inline ``<script>`` element of a page (those without ``src``)."""
    return re.findall(r"<script>(.*?)</script>", page, flags=re.S)
