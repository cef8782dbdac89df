"""A demo warehouse (small, seed 7) served by the real app, with one user per role."""

from __future__ import annotations

import re
import threading
import time

import pytest
import uvicorn
from fastapi.testclient import TestClient

from telekpi.demo.generate import generate
from telekpi.qa.demo_words import add_to_demo
from telekpi.store.warehouse import Warehouse
from telekpi.web.app import create_app
from telekpi.web.auth import Users

PASSWORD = "correct horse"
USERS = {
    "boss": ("admin", (), None),
    "sup1": ("supervisor", ("T1",), None),
    "agent3": ("agent", (), "A003"),
}


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, small_demo):
    path = small_demo(tmp_path_factory.mktemp("web") / "telekpi.duckdb", 7)
    from telekpi.cli.demo_cmd import copy_example_templates

    copy_example_templates(path.parent)
    users = Users.beside(path)
    for name, (role, teams, agent) in USERS.items():
        users.add(name, PASSWORD, role, teams, agent)
    users.close()
    return path


@pytest.fixture(scope="session")
def app(demo_db):
    application = create_app(demo_db)
    yield application
    import gc

    # No DuckDB object may outlive the interpreter (nanobind reports it as a leak).
    application.state.web.close()
    del application.state.web, application.state.templates
    gc.collect()


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def login(client: TestClient, name: str, password: str = PASSWORD):
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf": token,
                                       "next": "/"}, follow_redirects=False)


@pytest.fixture
def as_user(app):
    """A logged-in client for a user name."""
    clients = []

    def _as(name: str) -> TestClient:
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        r = login(c, name)
        assert r.status_code == 303, r.text
        return c

    yield _as
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture(scope="module")
def server(app):
    """The app served on 127.0.0.1 (a free port) for the browser tests."""
    from .test_server import free_port

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def look_db(tmp_path_factory):
    """A demo of its own for the tests that look (screenshots, baselines, axe): no other
    test writes into it, so its pages are the same every run. Generated, not copied from the
    shared ``small_demo``: with the copy, one full run drew the Overview's sparklines
    otherwise (not reproduced since; the baselines were made from a generated demo)."""
    path = tmp_path_factory.mktemp("look") / "telekpi.duckdb"
    with Warehouse(path) as wh:
        generate(wh.con, size="small", seed=7)
        add_to_demo(wh, 7)   # the words, as `telekpi demo` adds them: the QA pages have calls
    users = Users.beside(path)
    for name, (role, teams, agent) in USERS.items():
        users.add(name, PASSWORD, role, teams, agent)
    users.close()
    return path


@pytest.fixture(scope="module")
def look_server(look_db):
    """``look_db`` served on 127.0.0.1 with the clock pinned (``look.PINNED``); yields the
    base URL and the app."""
    import gc

    from .look import PINNED
    from .test_server import free_port

    application = create_app(look_db, clock=lambda: PINNED)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", application
    srv.should_exit = True
    thread.join(10)
    application.state.web.close()
    del application.state.web, application.state.templates
    gc.collect()
