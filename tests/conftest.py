"""Fixtures every test folder uses: the CLI through its real entry point."""

import json
import shutil

import pytest

from telekpi.cli.app import main

# Tests that use these fixtures start a JVM or a browser: marked so `./dev test --quick`
# can leave them out (pytest.ini markers in pyproject.toml).
FIXTURE_MARKS = {"spark_session": "spark", "browser": "browser", "page": "browser", "written": "browser"}


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Marks from fixtures and ``slow_case`` before -m deselects; then, on what is left to
    run, the long tests first (``long_first``)."""
    for item in items:
        for fixture, mark in FIXTURE_MARKS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(getattr(pytest.mark, mark))
        # A module whose cases are slow by a combination of parameters, some given by fixtures
        # (a mark on a pytest.param cannot see those), says which with `slow_case(test, params)`.
        slow_case = getattr(getattr(item, "module", None), "slow_case", None)
        if slow_case and hasattr(item, "callspec") and slow_case(item.originalname, item.callspec.params):
            item.add_marker(pytest.mark.slow)
    yield
    long_first(config, items)


# The longest tests (measured with --durations under `pytest -n 2`), longest first: under xdist
# they start first, one per worker in turn, so no worker ends the run alone with a minute-long
# test. A prefix of a node id; keep whole modules together where they share module fixtures.
LONG_FIRST = (
    "tests/engine/test_engine_parity.py::test_spark_gives_duckdbs_numbers",   # ~1 min a group
    "tests/cli/test_crash_safety.py::test_import_killed_anywhere_leaves_before_or_after",
    "tests/cli/test_crash_safety.py::test_server_killed_under_posting_clients",
    "tests/cli/test_workspace_files.py::test_demo_never_replaces_data_it_did_not_generate",
)


def _long_rank(item) -> int | None:
    return next((i for i, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)), None)


def long_first(config, items) -> None:
    """Under xdist, the tests in LONG_FIRST first, dealt round-robin into each worker's first
    batch (xdist's `load` sends each worker a batch of consecutive tests, then more as it
    drains, in collection order). Without xdist the collection order stays."""
    workers = getattr(config, "workerinput", {}).get("workercount")
    long = sorted((it for it in items if _long_rank(it) is not None), key=_long_rank)
    if not workers or not long:
        return
    rest = [it for it in items if _long_rank(it) is None]
    # xdist's first batch per worker (xdist/scheduler/load.py: a quarter of a worker's share)
    batch = max(2, min(len(items) // workers // 4, config.getoption("maxschedchunk", None) or len(items)))
    if config.getoption("dist", "load") not in ("load", "no") or len(items) < 2 * workers:
        items[:] = long + rest
        return
    lanes = [long[k::workers] for k in range(workers)]
    ordered: list = []
    for lane in lanes:
        first = lane[:batch]
        take = batch - len(first)
        ordered += first + rest[:take]
        rest = rest[take:]
    items[:] = ordered + [it for lane in lanes for it in lane[batch:]] + rest


@pytest.fixture(scope="session")
def small_demo():
    """``small_demo(path, seed)``: the small demo ``generate(size="small", seed=seed)`` gives, as
    the warehouse file ``path`` (returned). Generated once per worker and seed, then copied: a
    small demo is seconds of work, and several folders' fixtures ask for the same seeds."""
    import tempfile
    from pathlib import Path

    from telekpi.demo.generate import generate
    from telekpi.store.warehouse import Warehouse

    made: dict[int, Path] = {}
    with tempfile.TemporaryDirectory(prefix="telekpi-demos-") as folder:

        def copy_to(path, seed: int):
            if seed not in made:
                made[seed] = Path(folder) / f"seed{seed}.duckdb"
                with Warehouse(made[seed]) as wh:
                    generate(wh.con, size="small", seed=seed)
            shutil.copyfile(made[seed], path)
            return path

        yield copy_to


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


# Values that attack whoever opens what telekpi writes (issue 22): formulas for a spreadsheet,
# a link for a chart; ids with characters a URL path must encode.
EVIL_AGENT = '=HYPERLINK("https://evil.example/", "click")'
EVIL_NAME = "=2+3"
EVIL_CAMPAIGN = "=1+1"
EVIL_PRODUCT = '<a href="https://evil.example/">click</a>'
ODD_AGENT = "T1/ทีม 7?#%"
ODD_LEAD = "L/2026/ลูกค้า 1?x=#%20"


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory):
    """A workspace whose agents, campaigns and products are named to attack (``EVIL_*``), and
    an agent and a lead whose ids hold ``/``, ``?``, ``#``, ``%``, a space and Thai."""
    from telekpi.store.warehouse import Warehouse
    from telekpi.web.auth import Users

    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "telekpi.duckdb"
    with Warehouse(db) as wh:
        con = wh.con
        con.execute("INSERT INTO teams (team_id, name) VALUES ('T1', 'Team 1')")
        con.execute("INSERT INTO agents (agent_id, name, team_id) VALUES (?, ?, 'T1'), (?, 'Somchai', 'T1')",
                    [EVIL_AGENT, EVIL_NAME, ODD_AGENT])
        con.execute("INSERT INTO campaigns (campaign_id, name, product) VALUES (?, ?, ?)",
                    [EVIL_CAMPAIGN, EVIL_NAME, EVIL_PRODUCT])
        con.execute("INSERT INTO leads (lead_id, created_at, campaign_id, customer_id, name, phone) VALUES "
                    "(?, '2026-03-02 02:00:00+00', ?, 'C1', ?, '+66812345678')",
                    [ODD_LEAD, EVIL_CAMPAIGN, EVIL_NAME])
        calls, orders = [], []
        for i in range(80):   # 40 calls each: enough to be ranked (min_sample 30)
            agent = EVIL_AGENT if i % 2 else ODD_AGENT
            day = 2 + i % 20
            at = f"2026-03-{day:02d} {3 + i // 40:02d}:{i % 40:02d}:00+00"
            calls.append((f"c{i}", at, agent, EVIL_CAMPAIGN, ODD_LEAD, "answered" if i % 3 else "no_answer",
                          "sale" if i % 4 == 1 else None, 60 + i, 5, 10))
            if i % 4 == 1:
                orders.append((f"o{i}", f"2026-03-{day:02d} {3 + i // 40:02d}:{i % 40 + 5:02d}:00+00", 100 + i, agent,
                               EVIL_CAMPAIGN, ODD_LEAD, "C1", f"c{i}", EVIL_PRODUCT))
        con.executemany("INSERT INTO calls (call_id, started_at, agent_id, campaign_id, lead_id, direction, "
                        "status, disposition, talk_s, hold_s, wrap_s) VALUES (?, ?, ?, ?, ?, 'outbound', ?, ?, "
                        "?, ?, ?)", calls)
        con.executemany("INSERT INTO orders (order_id, ordered_at, amount, status, agent_id, campaign_id, "
                        "lead_id, customer_id, call_id, product) VALUES (?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?)",
                        orders)
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin", (), None)
    users.add("odd", "correct horse", "agent", (), ODD_AGENT)
    users.close()
    return db
