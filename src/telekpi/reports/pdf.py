"""The report as a print-quality PDF: the HTML report in print mode, printed by a
Chromium-family browser (Chromium, Chrome or Edge) already on the machine.

The browser is the best HTML, SVG and Thai/CJK text engine a user is likely to have,
and the PDF then matches the HTML page for page. It runs headless, offline, with a
throw-away profile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from telekpi.errors import ReportError
from telekpi.i18n import _
from telekpi.reports.html import render_html
from telekpi.reports.model import Report

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
         "microsoft-edge", "microsoft-edge-stable", "msedge")
KNOWN_PATHS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
)
ENV = "TELEKPI_BROWSER"


def find_browser() -> str:
    given = os.environ.get(ENV)
    if given:
        if shutil.which(given) or Path(given).is_file():
            return shutil.which(given) or given
        raise ReportError(_("{setting} is not a browser program; point it at Chromium, Chrome or "
                            "Edge").format(setting=f"{ENV}={given}"))
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    for path in KNOWN_PATHS:
        if Path(path).is_file():
            return path
    raise ReportError(_("PDF reports are printed by Chromium, Chrome or Edge and none was found; install "
                        "one (Debian: apt-get install chromium) or set {variable} to its path, or write "
                        ".html").format(variable=ENV))


def print_pdf(html: str, out: Path, timeout: float = 180) -> None:
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="telekpi-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = Path(tmp) / "report.pdf"
        args = [browser, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
                f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer",
                "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000",
                f"--print-to-pdf={target}", page.as_uri()]
        if sys.platform.startswith("linux") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")   # Chromium refuses to run as root with its sandbox
        try:
            proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ReportError(_("{browser} did not finish printing {file} within {seconds} s").format(
                browser=Path(browser).name, file=out, seconds=f"{timeout:.0f}")) from None
        if not target.exists() or target.stat().st_size == 0:
            last = (proc.stderr or "").strip().splitlines()[-1:] or [_("no output")]
            raise ReportError(_("{browser} could not print {file} (exit {code}: {error})").format(
                browser=Path(browser).name, file=out, code=proc.returncode, error=last[0][:200]))
        shutil.move(str(target), out)


def write_pdf(report: Report, path: Path) -> None:
    print_pdf(render_html(report, print_mode=True), path)
