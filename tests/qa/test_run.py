"""A form run over a warehouse: scored once, again only when the transcript or the form
changed; the window; speech items from call_speech; sentiment beside."""

from __future__ import annotations

import pytest

from telekpi.qa.forms import load_form
from telekpi.qa.run import run_form
from telekpi.store.transcript_store import call_words, replace_transcript
from telekpi.store.warehouse import Warehouse

FORM = """id: f
language: en
pass_mark: 0.5
sections:
  - name: All
    items:
      - {id: greeting, kind: phrase, weight: 1, phrases: ["good morning"]}
      - {id: ratio, kind: speech, weight: 1, agent_talk_ratio: [0.3, 0.6]}
"""


@pytest.fixture
def wh(tmp_path):
    w = Warehouse(tmp_path / "telekpi.duckdb")
    w.con.execute("INSERT INTO calls (call_id, started_at, agent_id, status) VALUES "
                  "('c1', '2026-03-01 09:00:00+00', 'a1', 'answered'), "
                  "('c2', '2026-03-02 09:00:00+00', 'a2', 'answered'), "
                  "('c3', '2026-03-03 09:00:00+00', 'a2', 'answered')")
    for cid, agent_says, customer_says in (("c1", "Good morning!", "This is terrible, I am very angry."),
                                           ("c2", "Hello.", "Great, thank you so much."),
                                           ("c3", "Good morning.", "Okay.")):
        replace_transcript(w, cid, [(cid, 1, "agent", 0.0, 1.0, agent_says, None, "x"),
                                    (cid, 2, "customer", 1.0, 2.0, customer_says, None, "x")],
                           source="x", fmt="srt", content_hash=f"h-{cid}")
    yield w
    w.close()


def form(tmp_path, text=FORM):
    f = tmp_path / "form.yaml"
    f.write_text(text)
    return load_form(f)


def test_scored_once_then_only_what_changed(wh, tmp_path):
    f = form(tmp_path)
    s = run_form(wh, f)
    assert (s.calls, s.scored, s.unchanged, s.passed, s.sentiment, s.speech) == (3, 3, 0, 2, 3, False)
    got = dict(wh.con.execute("SELECT call_id, score FROM qa_results").fetchall())
    assert got == {"c1": 1.0, "c2": 0.0, "c3": 1.0}   # the speech item is not scored: no call_speech
    s = run_form(wh, f)
    assert (s.scored, s.unchanged, s.sentiment) == (0, 3, 0)
    replace_transcript(wh, "c2", [("c2", 1, "agent", 0.0, 1.0, "Good morning", None, "y")], source="y",
                       fmt="srt", content_hash="h-c2-new")
    s = run_form(wh, f)
    assert (s.scored, s.unchanged, s.sentiment) == (1, 2, 1)
    assert wh.con.execute("SELECT score FROM qa_results WHERE call_id = 'c2'").fetchone() == (1.0,)
    assert wh.count("qa_items") == 6   # replaced, not added to
    s = run_form(wh, form(tmp_path, FORM.replace("pass_mark: 0.5", "pass_mark: 0.9")))
    assert s.scored == 3   # the form changed
    assert run_form(wh, f, force=True).scored == 3


def test_window_and_speech_figures(wh, tmp_path):
    from datetime import UTC, datetime

    wh.con.execute("INSERT INTO call_speech (call_id, layout, duration_s, agent_talk_s, customer_talk_s, "
                   "agent_talk_ratio, silence_s, longest_silence_s, overtalk_s, agent_interruptions) VALUES "
                   "('c1', 'stereo', 70, 30, 30, 0.5, 1, 1, 0, 0), ('c3', 'stereo', 110, 80, 20, 0.8, 1, 1, 0, 0)")
    s = run_form(wh, form(tmp_path), since=datetime(2026, 3, 1, tzinfo=UTC), until=datetime(2026, 3, 2, tzinfo=UTC))
    assert (s.calls, s.scored, s.speech) == (1, 1, True)
    s = run_form(wh, form(tmp_path))
    assert s.scored == 2
    items = {(c, i): st for c, i, st in wh.con.execute("SELECT call_id, item_id, status FROM qa_items").fetchall()}
    assert items[("c1", "ratio")] == "pass" and items[("c3", "ratio")] == "fail"
    assert items[("c2", "ratio")] == "not_scored"   # no figures for that call
    assert dict(wh.con.execute("SELECT call_id, score FROM qa_results").fetchall()) == {
        "c1": 1.0, "c2": 0.0, "c3": 0.5}


def test_sentiment_and_the_call_view(wh, tmp_path):
    run_form(wh, form(tmp_path))
    neg = dict(wh.con.execute("SELECT call_id, negative FROM call_sentiment").fetchall())
    assert neg == {"c1": 1, "c2": 0, "c3": 0}
    view = call_words(wh, "c1")
    assert [u["speaker"] for u in view["transcript"]] == ["agent", "customer"]
    assert view["qa"][0]["form_id"] == "f" and view["qa"][0]["passed"] is True
    assert [i["item_id"] for i in view["qa"][0]["items"]] == ["greeting", "ratio"]
    assert view["sentiment"]["negative"] is True and view["sentiment"]["score"] < -0.2
    assert call_words(wh, "nope") == {"transcript": [], "qa": [], "sentiment": None}
