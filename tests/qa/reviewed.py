"""A small warehouse for the QA review tests: two teams, three agents, calls over two ISO
weeks with transcripts, scored on a form with a human item (``qa-forms/care.yaml``), one
call auto-failed."""

from __future__ import annotations

from pathlib import Path

from telekpi.qa.forms import load_form
from telekpi.qa.run import run_form
from telekpi.store.transcript_store import replace_transcript
from telekpi.store.warehouse import Warehouse

FORM = """id: care
name: Care
language: en
pass_mark: 0.8
sections:
  - name: Opening
    items:
      - {id: greeting, kind: phrase, weight: 2, phrases: ["good morning"]}
      - {id: no_blame, kind: forbidden, weight: 1, auto_fail: true, phrases: ["not my problem"]}
  - name: Manner
    items:
      - {id: tone, name: Tone and courtesy, kind: human, weight: 2}
"""
# (call, agent, day of March 2026, what the agent says): A1 and A2 in team T1, A3 in T2.
CALLS = [(f"C{n:02d}", agent, day, "Good morning, this is Lan." if n != 3 else "That is not my problem.")
         for n, (agent, day) in enumerate([("A1", 2), ("A1", 3), ("A1", 4), ("A1", 5), ("A1", 9), ("A1", 10),
                                           ("A2", 2), ("A2", 3), ("A3", 3), ("A3", 4)], start=1)]


def build(folder: Path) -> Path:
    db = folder / "telekpi.duckdb"
    with Warehouse(db) as wh:
        wh.con.execute("INSERT INTO agents (agent_id, name, team_id) VALUES ('A1', 'Lan', 'T1'), "
                       "('A2', 'Minh', 'T1'), ('A3', 'Somchai', 'T2')")
        for cid, agent, day, says in CALLS:
            wh.con.execute("INSERT INTO calls (call_id, started_at, agent_id, status, direction, talk_s) "
                           "VALUES (?, ?, ?, 'answered', 'inbound', 60)",
                           [cid, f"2026-03-{day:02d} 09:00:00+00", agent])
            replace_transcript(wh, cid, [(cid, 1, "agent", 0.5, 2.5, says, None, "x"),
                                         (cid, 2, "customer", 3.0, 5.0, "My bill is wrong.", None, "x"),
                                         (cid, 3, "agent", 6.0, 8.0, "I have fixed it.", None, "x")],
                               source="x", fmt="webvtt", content_hash=cid)
        (folder / "qa-forms").mkdir(exist_ok=True)
        (folder / "qa-forms" / "care.yaml").write_text(FORM)
        run_form(wh, load_form(folder / "qa-forms" / "care.yaml"))
    return db
