"""Misbehaving clients and pages that could attack their readers (issue 22): security headers,
request size limits, odd JSON keys, ids with "/", the login page's messages, what an agent's
lead timeline shows, and upload errors that name the user's file, not the server's path."""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from telekpi.presentation import inline_scripts, script_hash
from telekpi.store.warehouse import Warehouse
from telekpi.web.app import create_app
from telekpi.web.auth import Users
from telekpi.web.security import POLICY

from ..conftest import ODD_AGENT, ODD_LEAD
from .conftest import PASSWORD, login


# -- headers ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/login", "/", "/api/v1/health", "/api/v1/leads/nope", "/no-such-page",
                                  "/static/app.js"])
def test_every_response_carries_the_security_headers(as_user, path):
    r = as_user("boss").get(path)
    assert r.headers["content-security-policy"] == POLICY
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["x-frame-options"] == "DENY"


def test_the_policy_runs_only_the_apps_own_scripts():
    directives = dict(d.split(" ", 1) for d in POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["default-src"] == "'none'"
    assert "unsafe-eval" not in POLICY


def test_no_page_has_inline_script_or_event_handlers():
    from pathlib import Path

    import telekpi.web

    for page in (Path(telekpi.web.__file__).parent / "templates").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not inline_scripts(text), page.name
        assert not re.search(r"\son[a-z]+\s*=", text), page.name


def test_the_api_docs_page_allows_its_cdn_and_its_one_inline_script(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    policy = r.headers["content-security-policy"]
    (script,) = inline_scripts(r.text)
    assert f"script-src https://cdn.jsdelivr.net {script_hash(script)};" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


# -- request size -------------------------------------------------------------------------
@pytest.fixture
def small_limits(tmp_path):
    """An empty workspace whose limits are about 1 KB for a request and 2 KB for an upload."""
    (tmp_path / "telekpi.toml").write_text("max_request_mb = 0.001\nmax_upload_mb = 0.002\n")
    db = tmp_path / "telekpi.duckdb"
    Warehouse(db).close()
    users = Users.beside(db)
    users.add("boss", PASSWORD, "admin", (), None)
    token = users.new_token("boss", "test")
    users.close()
    app = create_app(db)
    with TestClient(app) as c:
        yield c, token, tmp_path
    app.state.web.close()
    del app.state.web
    gc.collect()


def _rows(n: int) -> list[dict]:
    return [{"agent_id": f"A{i:05d}", "team_id": "T1", "name": "x" * 20} for i in range(n)]


def test_a_body_over_the_limit_is_refused_with_413_naming_it(small_limits):
    c, token, folder = small_limits
    auth = {"authorization": f"Bearer {token}"}
    assert c.post("/api/v1/ingest/agents", json=_rows(5), headers=auth).status_code == 200
    r = c.post("/api/v1/ingest/agents", json=_rows(50), headers=auth)
    assert r.status_code == 413
    assert r.json()["error"] == {"status": 413, "message": "the request is larger than 0.001 MB, the "
                                 "most this server accepts (setting max_request_mb)"}
    assert r.headers["content-security-policy"] == POLICY


@pytest.mark.slow
def test_a_chunked_body_is_counted_as_it_arrives(small_limits):
    """No Content-Length: the bytes are counted and the request refused once they pass the limit."""
    import json

    c, token, _folder = small_limits
    body = json.dumps(_rows(50)).encode()
    sent = []

    def chunks():
        for i in range(0, len(body), 256):
            sent.append(i)
            yield body[i:i + 256]

    r = c.post("/api/v1/ingest/agents", content=chunks(),
               headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert r.status_code == 413 and "max_request_mb" in r.json()["error"]["message"]


@pytest.mark.slow
def test_the_default_limit_is_20_mb(empty_server):
    app, token = empty_server
    with TestClient(app) as c:
        r = c.post("/api/v1/ingest/calls", content=b"[" + b" " * (21 << 20) + b"]",
                   headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"]["message"].startswith("the request is larger than 20 MB")


@pytest.mark.slow
def test_an_upload_over_its_limit_is_refused_and_nothing_is_stored(small_limits):
    c, _token, folder = small_limits
    assert login(c, "boss").status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/import").text).group(1)
    r = c.post("/import", data={"table": "agents", "csrf": csrf},
               files={"file": ("agents.csv", b"agent_id\n" + b"A0001\n" * 1000)})
    assert r.status_code == 413
    assert "the file is larger than 0.002 MB" in r.text and "max_upload_mb" in r.text
    assert not (folder / "uploads").exists()


# -- odd JSON keys ------------------------------------------------------------------------
@pytest.mark.parametrize("key, words", [
    ("", "a column has no name ('')"),
    ("\u0000", "column '\\x00' has a control character in its name"),
    ("__line", "column '__line': names that start with __ are telekpi's own"),
    ("__t_agent_id", "column '__t_agent_id': names that start with __ are telekpi's own"),
])
@pytest.mark.slow
def test_odd_json_keys_are_a_400_that_names_the_key_and_store_nothing(empty_server, key, words):
    app, token = empty_server
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/v1/ingest/agents", json=[{"agent_id": "a1", key: "v"}],
                   headers={"authorization": f"Bearer {token}"})
        assert r.status_code == 400, r.text
        assert words in r.json()["error"]["message"]
        assert c.get("/api/v1/kpi?metric=calls", headers={"authorization": f"Bearer {token}"}).status_code == 200
    with app.state.web.workspace.session() as e:
        assert e.warehouse.con.execute("SELECT count(*) FROM agents").fetchone() == (0,)


# -- ids with "/" -------------------------------------------------------------------------
# Served by uvicorn and asked with httpx: TestClient decodes a path twice (httpx's decoded path
# through unquote again), which turns an id's "%20" into a space.
@pytest.fixture(scope="module")
def hostile_server(hostile_db):
    import threading
    import time

    import uvicorn

    from .test_server import free_port

    app = create_app(hostile_db)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    app.state.web.close()
    del app.state.web, app.state.templates
    gc.collect()


@contextmanager
def _logged_in(base: str, name: str):
    import httpx

    with httpx.Client(base_url=base) as c:
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
        r = c.post("/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/"})
        assert r.status_code == 303, r.text
        yield c


def test_a_lead_whose_id_holds_slashes_and_more_opens_from_its_link(hostile_server):
    with _logged_in(hostile_server, "boss") as c:
        found = c.get("/api/v1/leads", params={"q": "ลูกค้า"}).json()
        assert [x["lead_id"] for x in found] == [ODD_LEAD]
        r = c.get(f"/api/v1/leads/{quote(ODD_LEAD, safe='')}")
        assert r.status_code == 200 and r.json()["lead"]["lead_id"] == ODD_LEAD
        page = c.get("/leads", params={"q": "ลูกค้า"}).text
        href = "/leads/" + quote(ODD_LEAD, safe="")
        assert href in re.findall(r'<a href="(/leads/[^"]+)"', page)
        r = c.get(href)
        assert r.status_code == 200 and "L/2026/ลูกค้า 1?x=#%20" in r.text


def test_an_agent_whose_id_holds_slashes_opens_for_admins_and_for_the_agent(hostile_server):
    with _logged_in(hostile_server, "boss") as c:
        page = c.get("/agents?from=2026-03-01&to=2026-03-31&group=agent").text
    href = "/agents/" + quote(ODD_AGENT, safe="")
    assert href in re.findall(r'<a href="(/agents/[^"?]+)', page)
    for name in ("boss", "odd"):
        with _logged_in(hostile_server, name) as c:
            r = c.get(href + "?from=2026-03-01&to=2026-03-31")
        assert r.status_code == 200, (name, r.text[:300])
        assert ODD_AGENT in r.text


# -- login page ---------------------------------------------------------------------------
def test_the_login_page_shows_only_its_own_messages(client):
    r = client.get("/login", params={"error": "Your account is locked: call +1 555 0100 now"})
    assert "call +1 555" not in r.text and 'class="message"' not in r.text
    assert "wrong name or password" in client.get("/login?error=credentials").text
    assert "your session has ended" in client.get("/login?error=expired").text
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"name": "boss", "password": "nope", "csrf": token, "next": "/"})
    assert "wrong name or password" in r.text


@pytest.mark.parametrize("target, lands", [("/agents?team=T1", "/agents?team=T1"), ("//evil.example/", "/"),
                                           ("/\\evil.example/", "/"), ("https://evil.example/", "/")])
def test_after_logging_in_only_this_site(client, target, lands):
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"name": "boss", "password": PASSWORD, "csrf": token, "next": target},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == lands


def test_an_ended_session_goes_to_the_login_page_which_says_so_and_comes_back(app):
    with TestClient(app) as c:
        c.cookies.set("telekpi_session", "stale")
        r = c.get("/agents?team=T1", headers={"accept": "text/html"}, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=%2Fagents%3Fteam%3DT1&error=expired"


# -- an agent's lead timeline -------------------------------------------------------------
@pytest.mark.slow
def test_an_agents_lead_timeline_shows_only_their_calls_and_tickets(as_user, app):
    """The agent who called most leads whose customer has tickets handled by others (care
    agents, in the demo) sees none of those tickets; an admin sees them all."""
    with app.state.web.workspace.session() as e:
        agent, *leads = e.warehouse.con.execute("""
            WITH theirs AS (
                SELECT DISTINCT c.agent_id, c.lead_id FROM calls c JOIN leads l USING (lead_id)
                JOIN tickets t ON t.customer_id = l.customer_id
                WHERE t.agent_id IS DISTINCT FROM c.agent_id),
            top AS (SELECT agent_id FROM theirs GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)
            SELECT agent_id, list(lead_id ORDER BY lead_id)[:5] FROM theirs WHERE agent_id IN (FROM top)
            GROUP BY 1""").fetchone()
    leads = leads[0]
    users = app.state.web.users
    users.add("agent-tickets", PASSWORD, "agent", (), agent)
    try:
        mine_client, boss = as_user("agent-tickets"), as_user("boss")
        for lead in leads:
            mine = mine_client.get(f"/api/v1/leads/{quote(lead, safe='')}").json()["timeline"]
            everyone = boss.get(f"/api/v1/leads/{quote(lead, safe='')}").json()["timeline"]
            assert {t["agent_id"] for t in mine if t["kind"] in ("call", "ticket")} == {agent}
            assert [t for t in everyone if t["kind"] == "ticket" and t["agent_id"] != agent]
    finally:
        users.remove("agent-tickets")


# -- upload errors ------------------------------------------------------------------------
@pytest.mark.parametrize("name, body, words", [
    ("my calls.csv", b"", "my calls.csv, line 1: is empty"),
    ("calls.csv", b"call_id,started_at\nc1,x\n", "calls.csv, line 1, column status: has no usable header"),
])
@pytest.mark.slow
def test_an_upload_error_names_the_users_file_not_the_servers_path(empty_server, name, body, words):
    app, _token = empty_server
    folder = str(app.state.web.workspace.folder)
    with TestClient(app) as c:
        assert login(c, "boss", "correct horse").status_code == 303
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/import").text).group(1)
        r = c.post("/import", data={"table": "calls", "csrf": csrf}, files={"file": (name, body)})
    assert r.status_code == 400
    assert words in r.text and folder not in r.text and "uploads" not in r.text
