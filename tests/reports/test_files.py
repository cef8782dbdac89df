"""Each file type opened by a real reader: openpyxl for XLSX, headless Chromium with no
network for HTML, pdftoppm and pdftotext for PDF; the numbers are the report's numbers."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from telekpi.i18n import language
from telekpi.i18n.numbers import Formatter
from telekpi.reports.build import build_report
from telekpi.reports.write import write_report

from .conftest import END, START


@pytest.fixture(scope="module")
def written(centre, tmp_path_factory):
    """The same report as HTML, XLSX and PDF, in English and Vietnamese."""
    from telekpi.engine.engine import Engine

    out = tmp_path_factory.mktemp("files")
    files, reports = {}, {}
    e = Engine.open(centre)
    try:
        for lang in ("en", "vi"):
            with language(lang):
                reports[lang] = build_report(e, START, END)
            for ext in ("html", "xlsx", "pdf"):
                files[lang, ext] = write_report(reports[lang], out / f"report-{lang}.{ext}")
    finally:
        e.close()
    return files, reports


# -- XLSX ---------------------------------------------------------------------------------
def test_xlsx_has_a_sheet_per_section_with_excel_tables_and_frozen_headers(written):
    files, reports = written
    wb = openpyxl.load_workbook(files["en", "xlsx"])
    assert wb.sheetnames == [s.title for s in reports["en"].sections]
    head = wb["Headline KPIs"]
    assert head.freeze_panes == "A6" and head["A5"].value == "KPI"
    assert list(head.tables) == ["t_headline"]
    assert head.tables["t_headline"].ref == f"A5:E{5 + len(reports['en'].table('headline').rows)}"
    assert head.tables["t_headline"].autoFilter is not None or head.tables["t_headline"].tableStyleInfo


def test_xlsx_values_and_number_formats(written):
    files, reports = written
    ws = openpyxl.load_workbook(files["en", "xlsx"])["Headline KPIs"]
    rows = {r["id"]: r for r in reports["en"].table("headline").rows}
    cells = {ws.cell(i, 1).value: i for i in range(6, 6 + len(rows))}
    for mid, r in rows.items():
        c = ws.cell(cells[r["metric"]], 2)
        if r["value"] is None:
            assert c.value is None
            continue
        want = {"rate": "0.0%", "seconds": "[h]:mm:ss", "money": '"₫"#,##0', "count": "#,##0",
                "ratio": "0.00"}.get(r["unit"])
        if want:
            assert c.number_format == want, mid
        if r["unit"] == "seconds":   # Excel holds days; openpyxl reads [h]:mm:ss back as a time
            t = c.value
            seconds = t.total_seconds() if hasattr(t, "total_seconds") else \
                t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6
            assert seconds == pytest.approx(r["value"], abs=1e-3), mid
        else:
            assert c.value == pytest.approx(r["value"], rel=1e-12), mid
    change = ws.cell(cells[rows["calls"]["metric"]], 5)
    assert change.number_format == "+0.0%;-0.0%;0.0%"


def test_xlsx_charts_are_native_and_drawn_from_cells(written):
    files, reports = written
    with zipfile.ZipFile(files["en", "xlsx"]) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = [z.read(n).decode() for n in charts]
    assert len(charts) == sum(len(s.charts) for s in reports["en"].sections)
    assert any(re.search(r"<(c:)?barChart>", x) for x in xml)
    assert any(re.search(r"<(c:)?lineChart>", x) for x in xml)
    assert all(re.search(r"<(c:)?f>'[^']+'!\$A\$\d+", x) for x in xml)   # categories and values from cells


def test_xlsx_in_vietnamese_uses_dd_mm_yyyy_dates(written):
    files, _ = written
    ws = openpyxl.load_workbook(files["vi", "xlsx"]).worksheets[0]
    dates = [c for row in ws.iter_rows() for c in row if c.is_date and c.number_format != "[h]:mm:ss"]
    assert dates and all(c.number_format == "dd/mm/yyyy" for c in dates)
    money = [c for row in ws.iter_rows() for c in row if "₫" in c.number_format]
    assert money and all(c.number_format == '#,##0 "₫"' for c in money)   # VND: no decimals, after


# -- HTML ---------------------------------------------------------------------------------
def test_html_is_self_contained(written):
    html = written[0]["en", "html"].read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)\s*=", html)
    assert "Plotly" in html and "<style>" in html


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_html_draws_its_charts_offline_in_chromium(written, browser, lang):
    files, reports = written
    context = browser.new_context(offline=True)
    requests = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(files[lang, "html"].as_uri())
    n = sum(len(s.charts) for s in reports[lang].sections)
    page.wait_for_selector(f"body[data-charts-drawn='{n}']", timeout=30_000)
    assert page.locator(".chart svg.main-svg").count() >= n
    assert all(u.startswith(("file:", "data:", "about:")) for u in requests), requests
    fmt = Formatter(lang, "VND")
    calls = next(r for r in reports[lang].table("headline").rows if r["id"] == "calls")
    cell = page.locator("tr[data-metric='calls'] td").nth(1).inner_text()
    assert cell == fmt.number(calls["value"])
    context.close()


# -- PDF ----------------------------------------------------------------------------------
def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_pdf_is_paginated_with_charts_and_the_reports_numbers(written, tmp_path):
    files, reports = written
    pdf = files["en", "pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= len(reports["en"].sections)        # each section starts a page
    assert "A4" in info or "595" in info
    text = _text(pdf)
    fmt = Formatter("en", "VND")
    for r in reports["en"].table("headline").rows:
        if r["value"] is not None:
            assert fmt.value(r["value"], r["unit"], symbol=True) in text, r["id"]
    assert f"1 / {pages}" in text                       # page numbers in the margin
    # Rendered to an image, the first page's chart is ink, not blank paper.
    subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "p")],
                   check=True)
    (image,) = tmp_path.glob("p*.pgm")
    raw = image.read_bytes()
    pixels = raw[len(raw) - _pixels(raw):]
    assert sum(1 for b in pixels if b < 200) > 0.004 * len(pixels)
    page2 = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "Call conversion" in page2 and "%" in page2          # the chart's title and its axis


def _pixels(pgm: bytes) -> int:
    w, h = map(int, re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", pgm).groups())
    return w * h


def test_pdf_without_a_browser_says_so(written, tmp_path, monkeypatch, run, centre):
    monkeypatch.setenv("TELEKPI_BROWSER", str(tmp_path / "no-such-browser"))
    code, out, err = run("--db", centre, "report", "-o", tmp_path / "r.pdf")
    assert code == 1 and "TELEKPI_BROWSER" in err and "Traceback" not in err
    assert not (tmp_path / "r.pdf").exists()


def test_xlsx_keeps_the_ids_and_adds_the_names(written, centre):
    """Issue 24: a workbook is machine-readable; the team and campaign tables keep their id
    column and add the name beside it."""
    from telekpi.engine.engine import Engine
    from telekpi.engine.lookup import Lookup

    e = Engine.open(centre)
    try:
        look = Lookup(e)
        names = {d: look.names(d) for d in ("team", "campaign")}
    finally:
        e.close()
    files, reports = written
    wb = openpyxl.load_workbook(files["en", "xlsx"])
    for tid, dim in (("teams", "team"), ("campaigns", "campaign")):
        ws, table = next((ws, ws.tables[f"t_{tid}"]) for ws in wb.worksheets if f"t_{tid}" in ws.tables)
        cells = [[c.value for c in row] for row in ws[table.ref]]
        head, body = cells[0], cells[1:]
        assert head[:2] == [reports["en"].table(tid).columns[0].label, "Name"]
        pairs = {r[0]: r[1] for r in body if r[0] in names[dim]}
        assert pairs and pairs == {k: names[dim][k] for k in pairs}
