"""`GET /api/v1/calls/{id}`: the call with its transcript, QA results and sentiment, within
the user's scope (404 outside it, as a lead is)."""

from __future__ import annotations

import gc

import pytest
from fastapi.testclient import TestClient

from telekpi.qa.forms import load_form
from telekpi.qa.run import run_form
from telekpi.store.transcript_store import replace_transcript
from telekpi.store.warehouse import Warehouse

FORM = """id: f
language: en
sections:
  - name: All
    items:
      - {id: greeting, kind: phrase, weight: 1, phrases: ["good morning"]}
      - {id: tone, kind: human, weight: 1}
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    from telekpi.web.app import create_app
    from telekpi.web.auth import Users

    tmp_path = tmp_path_factory.mktemp("call-api")
    db = tmp_path / "telekpi.duckdb"
    with Warehouse(db) as wh:
        wh.con.execute("INSERT INTO agents (agent_id, team_id) VALUES ('A1', 'T1'), ('A2', 'T2')")
        wh.con.execute("INSERT INTO calls (call_id, started_at, agent_id, status) VALUES "
                       "('C/1', '2026-03-01 09:00:00+00', 'A1', 'answered'), "
                       "('C2', '2026-03-01 10:00:00+00', 'A2', 'answered')")
        for cid in ("C/1", "C2"):
            replace_transcript(wh, cid, [(cid, 1, "agent", 0.5, 2.0, "Good morning!", 0.9, "x"),
                                         (cid, 2, "customer", 2.5, 4.0, "I am very angry.", None, "x")],
                               source="x", fmt="webvtt", content_hash=cid)
        (tmp_path / "form.yaml").write_text(FORM)
        run_form(wh, load_form(tmp_path / "form.yaml"))
    users = Users.beside(db)
    users.add("boss", "correct horse", "admin", (), None)
    users.add("sup1", "correct horse", "supervisor", ("T1",), None)
    tokens = {n: users.new_token(n, "test") for n in ("boss", "sup1")}
    users.close()
    app = create_app(db)
    with TestClient(app) as c:
        yield c, tokens
    app.state.web.close()
    del app.state.web
    gc.collect()


def test_a_call_with_its_words(api):
    c, tokens = api
    r = c.get("/api/v1/calls/C%2F1", headers={"Authorization": f"Bearer {tokens['boss']}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["call"]["call_id"] == "C/1" and body["call"]["agent_id"] == "A1"
    assert [(u["speaker"], u["text"]) for u in body["transcript"]] == [("agent", "Good morning!"),
                                                                      ("customer", "I am very angry.")]
    qa = body["qa"][0]
    assert (qa["form_id"], qa["score"], qa["passed"], qa["pending"]) == ("f", 1.0, True, 1)
    assert [(i["item_id"], i["status"], i["evidence"], i["at_s"]) for i in qa["items"]] == [
        ("greeting", "pass", "Good morning!", 0.5), ("tone", "pending", None, None)]
    assert body["sentiment"]["negative"] is True


def test_outside_the_scope_or_absent_is_404(api):
    c, tokens = api
    sup = {"Authorization": f"Bearer {tokens['sup1']}"}
    assert c.get("/api/v1/calls/C%2F1", headers=sup).status_code == 200
    r = c.get("/api/v1/calls/C2", headers=sup)
    assert r.status_code == 404 and r.json()["error"]["message"] == "no call 'C2' that you may see"
    assert c.get("/api/v1/calls/nope", headers={"Authorization": f"Bearer {tokens['boss']}"}).status_code == 404


def test_the_qa_page_and_a_calls_view(api):
    import re

    c, _tokens = api
    page = c.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    c.post("/login", data={"name": "sup1", "password": "correct horse", "csrf": csrf, "next": "/"})
    r = c.get("/qa?from=2026-03-01&to=2026-03-01")
    assert r.status_code == 200, r.text[:500]
    assert "Call quality" in r.text and 'href="/qa/calls/C%2F1"' in r.text
    assert "/qa/calls/C2" not in r.text   # another team's call
    r = c.get("/qa/calls/C%2F1")
    assert r.status_code == 200, r.text[:500]
    assert "I am very angry." in r.text and 'data-status="pending"' in r.text and "Good morning!" in r.text
    assert c.get("/qa/calls/C2").status_code == 404
