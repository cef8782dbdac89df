"""Fixtures every test folder uses: the CLI through its real entry point."""

import json
import shutil

import pytest

from telekpi.cli.app import main

# Tests that use these fixtures start a JVM or a browser: marked so `./dev test --quick`
# can leave them out (pytest.ini markers in pyproject.toml).
FIXTURE_MARKS = {"spark_session": "spark", "browser": "browser", "page": "browser", "written": "browser"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, mark in FIXTURE_MARKS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(getattr(pytest.mark, mark))


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A command run with --lang sets the process's language (as the CLI does for the rest of
    its run); the next test starts in English whatever the last one asked for."""
    yield
    from telekpi.i18n import set_language

    set_language("en")


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


@pytest.fixture
def empty_server(tmp_path):
    """An empty warehouse served by the real app, and an admin's API token: for tests that
    write through the server's one writer."""
    import gc

    from telekpi.store.warehouse import Warehouse
    from telekpi.web.app import create_app
    from telekpi.web.auth import Users

    db = tmp_path / "telekpi.duckdb"
    Warehouse(db).close()
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin", (), None)
    token = users.new_token("boss", "test")
    users.close()
    app = create_app(db)
    yield app, token
    app.state.web.close()
    del app.state.web
    gc.collect()   # no DuckDB object may outlive the interpreter


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
