import pytest

from telekpi.store.warehouse import Warehouse


@pytest.fixture
def tiny_db(tmp_path):
    """A workspace in Ho Chi Minh time with a handful of calls and orders."""
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\ncurrency = "VND"\n')
    db = tmp_path / "telekpi.duckdb"
    wh = Warehouse(db)
    wh.con.execute("""INSERT INTO agents (agent_id, team_id, site) VALUES
        ('a1', 't1', 'in_house'), ('a2', 't2', 'outsourced')""")
    wh.con.execute("""INSERT INTO calls (call_id, started_at, agent_id, campaign_id, lead_id,
        direction, status, disposition, talk_s, hold_s, wrap_s) VALUES
        ('c1', '2026-01-31 16:30:00+00', 'a1', 'k1', 'l1', 'outbound', 'answered', 'sale', 100, 10, 20),
        ('c2', '2026-01-31 17:30:00+00', 'a1', 'k1', 'l2', 'outbound', 'no_answer', NULL, 0, 0, 0),
        ('c3', '2026-02-02 03:00:00+00', 'a2', 'k1', 'l2', 'outbound', 'answered', 'GATEKEEPER', 30, 0, 5),
        ('c4', '2026-02-03 03:00:00+00', NULL, 'k1', 'l3', 'outbound', 'abandoned', NULL, 0, 0, 0)""")
    wh.con.execute("""INSERT INTO orders (order_id, ordered_at, amount, status, agent_id) VALUES
        ('o1', '2026-01-31 16:40:00+00', 1000, 'completed', 'a1'),
        ('o2', '2026-02-05 03:00:00+00', 500, 'cancelled', 'a1')""")
    wh.close()
    return db


@pytest.fixture(scope="session")
def demo5_once(tmp_path_factory):
    """`telekpi demo --seed 5` through the real entry point, once per worker (a small demo is
    some seconds of work): the workspace folder, which ``demo5`` copies for each test."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from telekpi.cli.app import main

    folder = tmp_path_factory.mktemp("demo5")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--db", str(folder / "telekpi.duckdb"), "demo", "--seed", "5"])
    assert code == 0, err.getvalue()
    return folder


@pytest.fixture
def demo5(demo5_once, tmp_path):
    """A test's own copy of the seed-5 demo workspace (warehouse, telekpi.toml, templates,
    report): its warehouse path. The copy keeps the demo's own files as `demo` left them."""
    import shutil

    shutil.copytree(demo5_once, tmp_path, dirs_exist_ok=True)
    return tmp_path / "telekpi.duckdb"
