"""A QA form run over the warehouse's transcribed calls, and the customer's sentiment beside
it. Idempotent: a call is scored again only when its transcript or the form changed (or
with ``force``); the rest keep their results. A call scored again keeps what its first
review decided (``qa/review.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from telekpi.qa.forms import Form
from telekpi.qa.review import keep_reviewed
from telekpi.qa.score import Scorer
from telekpi.qa.sentiment import call_sentiment
from telekpi.store import review_store
from telekpi.store import transcript_store as store
from telekpi.store.warehouse import Warehouse


@dataclass
class RunSummary:
    calls: int = 0          # transcribed calls in the window
    scored: int = 0         # scored now (new, or their transcript or the form changed)
    unchanged: int = 0      # kept their results
    passed: int = 0         # of those scored now
    auto_failed: int = 0
    no_score: int = 0       # scored now, nothing scorable (every item pending or not scored)
    sentiment: int = 0      # calls whose sentiment was computed now
    speech: bool = False    # speech analytics were there to read (for any call scored now)


def run_form(wh: Warehouse, form: Form, *, since: datetime | None = None, until: datetime | None = None,
             force: bool = False) -> RunSummary:
    calls = store.transcripts_to_score(wh, since, until, form.direction)
    summary = RunSummary(calls=len(calls))
    before = {} if force else store.scored_hashes(wh, form.id)
    todo = [c for c in calls if before.get(c["call_id"]) != (form.hash, c["transcript_hash"])]
    summary.unchanged = len(calls) - len(todo)
    speech = store.speech_figures(wh, [c["call_id"] for c in todo]) if todo else {}
    summary.speech = bool(speech)
    scorer = Scorer(form)
    reviewed = review_store.first_reviews(wh, form.id) if todo else {}
    results, items = [], []
    now = store.now()
    for c in todo:
        r = keep_reviewed(form, scorer.score(c["utterances"], speech.get(c["call_id"])), reviewed.get(c["call_id"]))
        results.append((c["call_id"], form.id, c["started_at"], c["agent_id"], r.score,
                        None if r.score is None else int(r.passed), int(r.compliant), r.pending, form.hash,
                        c["transcript_hash"], now))
        items += [(c["call_id"], form.id, i.item.id, i.item.section, i.item.kind, i.status, i.item.weight,
                   i.item.auto_fail, i.evidence, i.at_s) for i in r.items]
        summary.passed += r.passed
        summary.auto_failed += not r.compliant
        summary.no_score += r.score is None
    summary.scored = len(todo)
    store.save_qa(wh, results, items)
    summary.sentiment = update_sentiment(wh, calls, force=force)
    return summary


def update_sentiment(wh: Warehouse, calls: list[dict], *, force: bool = False) -> int:
    """The customer's sentiment of the calls whose transcript changed since it was computed."""
    known = {} if force else store.sentiment_hashes(wh)
    rows = []
    for c in calls:
        if known.get(c["call_id"]) == c["transcript_hash"]:
            continue
        s = call_sentiment([(u[0], u[3]) for u in c["utterances"]])
        rows.append((c["call_id"], c["started_at"], c["agent_id"], s.score, None if s.score is None else
                     int(s.negative), s.utterances, None, c["transcript_hash"]))
    store.save_sentiment(wh, rows)
    return len(rows)
