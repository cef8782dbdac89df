"""Fixtures every test folder uses: the CLI through its real entry point."""

import json
import shutil

import pytest

from telekpi.cli.app import main


@pytest.fixture
def run(capsys):
    """Run the CLI through its real entry point; return (exit code, stdout, stderr)."""

    def _run(*args):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


@pytest.fixture
def run_json(run):
    def _run(*args):
        code, out, err = run(*args, "--format", "json")
        assert code == 0, err
        return json.loads(out)

    return _run


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright (its executable path: no browser download)."""
    assert CHROMIUM, "Chromium is missing: `./dev test` installs Debian's chromium package"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()
