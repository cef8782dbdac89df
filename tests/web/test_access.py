"""Roles on every page and endpoint: admins see all, supervisors their teams, agents
themselves; anything else is 403 (or 404 for rows they may not know exist), never data."""

from __future__ import annotations

import pytest

from .conftest import login

pytestmark = pytest.mark.slow   # out of the quick loop (./dev test --quick)

PAGES = ["/", "/funnel", "/agents", "/agents?group=team", "/agents?group=vendor", "/campaigns",
         "/revenue", "/care", "/qa", "/scorecards",
         "/scorecards?template=outsourced-vendor.yaml", "/leads", "/leads?q=L1", "/best-time", "/wallboard",
         "/staffing"]
API = ["/api/v1/me", "/api/v1/catalog", "/api/v1/kpi?metric=calls", "/api/v1/overview", "/api/v1/funnel",
       "/api/v1/leads?q=L1", "/api/v1/stop-list"]


def agents_of(app, team: str) -> list[str]:
    con = app.state.web.workspace.warehouse.con.cursor()
    try:
        return [r[0] for r in con.execute("SELECT agent_id FROM agents WHERE team_id = ? "
                                          "ORDER BY agent_id", [team]).fetchall()]
    finally:
        con.close()


@pytest.mark.parametrize("path", PAGES + API)
def test_everything_needs_a_login(client, path):
    r = client.get(path, follow_redirects=False)
    if path.startswith("/api/"):
        assert r.status_code == 401
    else:
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


@pytest.mark.parametrize("name", ["boss", "sup1", "agent3"])
@pytest.mark.parametrize("path", PAGES + API)
def test_every_role_opens_every_page_and_endpoint(as_user, name, path):
    r = as_user(name).get(path)
    assert r.status_code == 200, r.text[:300]


def test_supervisor_sees_only_their_teams(as_user, app):
    c = as_user("sup1")
    rows = c.get("/api/v1/kpi?metric=calls&by=team").json()["rows"]
    assert [r["team"] for r in rows] == ["T1"]
    agents = {r["agent"] for r in c.get("/api/v1/kpi?metric=calls&by=agent").json()["rows"]}
    assert agents <= set(agents_of(app, "T1"))
    total_t1 = as_user("boss").get("/api/v1/kpi?metric=calls&where=team=T1").json()["rows"][0]
    assert c.get("/api/v1/kpi?metric=calls").json()["rows"][0] == total_t1


@pytest.mark.parametrize("path", [
    "/api/v1/kpi?metric=calls&where=team=T2",
    "/api/v1/kpi?metric=calls&where=team=T1&where=team=T2",
    "/api/v1/funnel?where=team=T2",
    "/api/v1/overview?team=T2", "/api/v1/overview?team=T1&team=T2",
    "/?team=T2", "/agents?team=T2", "/funnel?team=T2",
])
def test_supervisor_asking_for_another_team_gets_403(as_user, path):
    r = as_user("sup1").get(path)
    assert r.status_code == 403
    if path.startswith("/api/"):
        assert set(r.json()) == {"error"} and "not team T2" in r.json()["error"]["message"]
    else:
        assert 'class="error"' in r.text and "not team T2" in r.text
        assert 'class="card"' not in r.text and "<table" not in r.text


@pytest.mark.parametrize("name", ["sup1", "agent3"])
def test_only_admins_import(as_user, name):
    assert as_user(name).get("/import").status_code == 403
    assert as_user("boss").get("/import").status_code == 200


def test_supervisor_cannot_open_another_teams_agent(as_user, app):
    other = agents_of(app, "T2")[0]
    mine = agents_of(app, "T1")[0]
    c = as_user("sup1")
    assert c.get(f"/agents/{other}").status_code == 403
    assert c.get(f"/agents/{mine}").status_code == 200


def test_agent_sees_only_themselves(as_user):
    c = as_user("agent3")
    rows = c.get("/api/v1/kpi?metric=calls&by=agent").json()["rows"]
    assert [r["agent"] for r in rows] == ["A003"]
    assert c.get("/api/v1/kpi?metric=calls&where=agent=A004").status_code == 403
    assert c.get("/agents/A004").status_code == 403
    assert c.get("/agents/A003").status_code == 200
    own = c.get("/api/v1/kpi?metric=calls").json()["rows"][0]["calls"]
    assert own > 0
    # Other filters only narrow the agent's own numbers.
    assert c.get("/api/v1/kpi?metric=calls&where=team=T9").json()["rows"][0]["calls"] == 0


def test_lead_outside_scope_is_not_found(as_user):
    boss, agent = as_user("boss"), as_user("agent3")
    mine = {r["lead_id"] for r in agent.get("/api/v1/leads?q=L").json()}
    every = [r["lead_id"] for r in boss.get("/api/v1/leads?q=L").json()]
    other = next(lead for lead in every if lead not in mine)
    assert agent.get(f"/api/v1/leads/{other}").status_code == 404
    assert agent.get(f"/leads/{other}").status_code == 404


def test_wrong_password_and_forged_forms(client, app):
    assert login(client, "boss", "wrong password").status_code == 200   # the form again
    r = client.post("/login", data={"name": "boss", "password": "correct horse", "csrf": "x"},
                    follow_redirects=False)
    assert r.status_code == 403
    assert login(client, "boss").status_code == 303
    assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert client.get("/api/v1/me").status_code == 200


def test_session_cookie_is_http_only_and_same_site(client):
    r = login(client, "boss")
    cookie = r.headers["set-cookie"].lower()
    assert "telekpi_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_passwords_are_stored_hashed(app):
    row = app.state.web.users._q("SELECT password FROM users WHERE name = 'boss'")[0][0]
    assert row.startswith("$argon2") and "correct horse" not in row
