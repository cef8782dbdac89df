"""The QA page in real headless Chromium: a supervisor opens QA from the nav, sees the
agent's missed item and the call scored, and opens the call's transcript and QA items."""

from __future__ import annotations

import gc
import threading
import time

import pytest
import uvicorn

from telekpi.qa.forms import load_form
from telekpi.qa.run import run_form
from telekpi.store.transcript_store import replace_transcript
from telekpi.store.warehouse import Warehouse

FORM = """id: care
language: en
sections:
  - name: Opening
    items:
      - {id: greeting, kind: phrase, weight: 1, phrases: ["good morning"]}
      - {id: needs_questions, kind: phrase, weight: 1, phrases: ["tell me more"]}
"""


@pytest.fixture(scope="module")
def qa_server(tmp_path_factory):
    from telekpi.web.app import create_app
    from telekpi.web.auth import Users

    from .test_server import free_port

    folder = tmp_path_factory.mktemp("qa-web")
    db = folder / "telekpi.duckdb"
    with Warehouse(db) as wh:
        wh.con.execute("INSERT INTO agents (agent_id, name, team_id) VALUES ('A1', 'Lan', 'T1')")
        calls = [(f"C{n}", f"2026-03-01 0{n}:00:00+00") for n in range(1, 7)]
        wh.con.executemany("INSERT INTO calls (call_id, started_at, agent_id, status) VALUES (?, ?, 'A1', 'answered')",
                           calls)
        for cid, _ in calls:
            replace_transcript(wh, cid, [(cid, 1, "agent", 0.5, 2.0, "Good morning, this is Lan.", None, "x"),
                                         (cid, 2, "customer", 2.5, 4.0, "My bill is wrong.", None, "x")],
                               source="x", fmt="webvtt", content_hash=cid)
        (folder / "form.yaml").write_text(FORM)
        run_form(wh, load_form(folder / "form.yaml"))
    users = Users.beside(db)
    users.add("sup1", "correct horse", "supervisor", ("T1",), None)
    users.close()
    app = create_app(db)
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
    del app.state.web
    gc.collect()


def test_a_supervisor_finds_the_missing_needs_questions_and_reads_the_call(browser, qa_server):
    context = browser.new_context()
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"{qa_server}/login")
    pg.fill("input[name=name]", "sup1")
    pg.fill("input[name=password]", "correct horse")
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{qa_server}/")
    pg.click("nav.nav >> text=Quality")   # the group's entry: its first tab is CSAT & care
    pg.wait_for_url(f"{qa_server}/care*")
    pg.click("nav.tabs >> text=Call quality")
    pg.wait_for_url(f"{qa_server}/qa*")
    missed = pg.locator("table[data-table=missed] tbody tr").first
    assert "needs_questions" in missed.inner_text() and "100" in missed.inner_text()
    pg.locator("table[data-table=qa-calls] a").first.click()
    pg.wait_for_url(f"{qa_server}/qa/calls/*")
    assert "My bill is wrong." in pg.locator("table[data-table=transcript]").inner_text()
    assert pg.locator("table[data-table=qa-items] tr[data-status=fail]").count() == 1
    context.close()
    assert not errors, errors
