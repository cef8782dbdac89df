"""Reports that attack their readers (issue 22): names from the data that are spreadsheet
formulas or HTML links stay text in the XLSX workbook (read back by openpyxl and by calamine)
and in the HTML report's charts (drawn in Chromium), whose own CSP lets only its scripts run."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from telekpi.engine.engine import Engine
from telekpi.reports.build import build_report
from telekpi.reports.html import render_html
from telekpi.reports.write import write_report

from ..conftest import EVIL_AGENT, EVIL_CAMPAIGN, EVIL_NAME, EVIL_PRODUCT

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

EVIL = {EVIL_AGENT, EVIL_NAME, EVIL_CAMPAIGN}


@pytest.fixture(scope="module")
def hostile_report(hostile_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile-report")
    e = Engine.open(hostile_db)
    try:
        report = build_report(e, date(2026, 3, 1), date(2026, 3, 31))
    finally:
        e.close()
    return report, write_report(report, out / "r.xlsx"), write_report(report, out / "r.html")


def test_xlsx_writes_formula_like_names_as_text(hostile_report):
    _report, xlsx, _html = hostile_report
    wb = openpyxl.load_workbook(xlsx)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value!r}"
                if c.value in EVIL:
                    found[c.value] = c
    assert set(found) == EVIL       # every one is in the workbook, as the text it is
    assert all(c.data_type == "s" and c.quotePrefix for c in found.values())
    # calamine (Rust, as pandas and Polars read XLSX) reads the same text, not a result
    book = CalamineWorkbook.from_path(str(xlsx))
    seen = {v for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for v in row}
    assert seen >= EVIL


def test_html_report_escapes_its_tables_and_carries_its_own_csp(hostile_report):
    report, _xlsx, html = hostile_report
    page = html.read_text(encoding="utf-8")
    assert EVIL_PRODUCT not in page.split("var figures")[0]     # tables: escaped by Jinja
    meta = page.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    assert meta.startswith("default-src 'none'; script-src 'sha256-") and "unsafe-eval" not in meta
    assert meta.count("'sha256-") == 2 and "frame-ancestors" not in meta   # ignored in <meta>: a warning
    assert render_html(report) == page                                      # the same file twice


def links_to(page, host: str) -> int:
    """Links (HTML ``href`` or SVG ``xlink:href``, as Plotly writes them) to ``host``."""
    return page.evaluate("""host => [...document.querySelectorAll('a')].filter(a =>
        [a.getAttribute('href'), a.getAttributeNS('http://www.w3.org/1999/xlink', 'href')]
        .some(h => (h || '').includes(host))).length""", host)


def test_html_report_chart_labels_are_text_and_nothing_breaks_its_csp(hostile_report, browser):
    _report, _xlsx, html = hostile_report
    context = browser.new_context(offline=True)
    page = context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.add_init_script("document.addEventListener('securitypolicyviolation', "
                         "e => console.log('CSP violation: ' + e.violatedDirective))")
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-charts-drawn]", timeout=30_000)
    chart = page.locator("#chart-product_revenue")
    assert chart.locator("svg.main-svg").count() >= 1
    assert links_to(page, "evil.example") == 0
    assert "click</a>" in chart.locator(".xtick text").first.text_content()   # shown, as text
    assert not [m for m in messages if "Content Security Policy" in m or "CSP violation" in m], messages
    context.close()
