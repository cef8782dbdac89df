"""The report as one self-contained HTML file: styles, data and Plotly inlined, no network.

The same page, with ``print_mode``, is what Chromium prints to PDF: charts get a fixed
width and are static, sections start on a new page."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from telekpi.i18n import NAMES, gettext, language, ngettext
from telekpi.i18n.numbers import Formatter
from telekpi.presentation import BAND_COLOURS, inline_scripts, label, labels, script_hash
from telekpi.reports.model import Chart, Report

HERE = Path(__file__).resolve().parent
PRINT_WIDTH = 700   # px: A4 portrait inside 15 mm margins at 96 dpi


@cache
def plotly_js() -> str:
    """plotly.min.js, safe to inline in a <script> element."""
    import plotly

    js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")
    return js.replace("</script", "<\\/script")


@cache
def environment() -> jinja2.Environment:
    """One environment for every report: what differs per report goes in the render context."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    # jinja2.ext.i18n adds this method to the environment when loaded; jinja2's types cannot declare it.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: gettext(s), ngettext=ngettext, newstyle=False)
    env.globals.update(css_string=css_string, bands=BAND_COLOURS)
    return env


def css_string(text: str) -> Markup:
    """A CSS string literal (for @page margin boxes): quotes, backslashes and '<' escaped."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in "\\\"'<>\n" else ch for ch in text)
    return Markup(f'"{escaped}"')


def cell(fmt: Formatter, row: dict, column) -> str:
    value = row.get(column.key)
    unit = column.unit_of(row)
    if column.unit == "change":
        return fmt.change(value)
    if value is None:
        return "—" if unit else ""
    if unit:
        return fmt.value(value, unit, symbol=True)
    if column.key == "period":
        return fmt.date(value)
    return str(value)


def figure(chart: Chart, fmt: Formatter, print_mode: bool) -> dict:
    """A Plotly figure in the dashboard's style, labelled in the report's language."""
    xs = labels([fmt.short_date(x) if chart.id.endswith("_trend") else x for x in chart.categories])
    sym = fmt.locale.number_symbols["latn"]
    layout = {"title": {"text": chart.title}, "height": 300, "margin": {"l": 60, "r": 16, "t": 40, "b": 60},
              "font": {"family": "system-ui, 'Noto Sans', 'Noto Sans Thai', 'Noto Sans CJK SC', sans-serif",
                       "size": 12},
              "separators": sym["decimal"] + sym["group"], "paper_bgcolor": "#fff", "plot_bgcolor": "#fff",
              "xaxis": {"type": "category", "automargin": True},
              "yaxis": {"tickformat": ".0%"} if chart.unit == "rate" else {"automargin": True},
              "showlegend": len(chart.series) > 1, "legend": {"orientation": "h", "y": -0.25}}
    if print_mode:
        layout["width"] = PRINT_WIDTH
    if chart.kind == "funnel":
        (values,) = chart.series.values()
        data = [{"type": "funnel", "y": labels(chart.categories), "x": values, "textinfo": "value+percent previous",
                 "marker": {"color": "#0969da"}}]
        layout.pop("xaxis")
        layout.pop("yaxis")
        layout["margin"]["l"] = 120
    else:
        data = [{"type": "bar" if chart.kind == "bar" else "scatter", "name": label(name), "x": xs, "y": ys,
                 **({"mode": "lines+markers"} if chart.kind == "line" else {})}
                for name, ys in chart.series.items()]
    return {"data": data, "layout": layout}


def render_html(report: Report, print_mode: bool = False) -> str:
    with language(report.lang):
        fmt = Formatter(report.lang, report.currency)
        figures = {c.id: figure(c, fmt, print_mode) for s in report.sections for c in s.charts}
        page = environment().get_template("report.html").render(
            r=report, print_mode=print_mode, fmt=fmt, cell=lambda row, column: cell(fmt, row, column),
            lang_name=NAMES[report.lang], html_lang=report.lang.replace("_", "-"), plotly=plotly_js(),
            figures_json=json.dumps(figures, default=str).replace("</", "<\\/"), csp=CSP_MARK)
    return page.replace(CSP_MARK, policy(page), 1)


CSP_MARK = "telekpi-csp-policy"


def policy(page: str) -> str:
    """The report's own Content-Security-Policy (a file has no server to send one): its two
    inline scripts, by their hashes, are all it may run, and it loads nothing at all. Plotly
    writes inline styles as it draws, hence style-src 'unsafe-inline' (as on the dashboard);
    frame-ancestors cannot be set from a <meta> element."""
    scripts = " ".join(script_hash(s) for s in inline_scripts(page))
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def write_html(report: Report, path: Path) -> None:
    path.write_text(render_html(report), encoding="utf-8")
