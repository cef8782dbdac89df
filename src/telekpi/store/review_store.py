"""The warehouse side of the people in the loop of QA (docs/call-analysis.md, "Reviewing
calls"): reviews (``qa_reviews``), the agent's answer to one, the calls put up for
calibration (``qa_calibration``), and a reviewed call's items and result written back to
``qa_items`` and ``qa_results``. The tables are made by ``store/migrations.py`` (version 7);
here is every statement that writes them. Reading them for a user goes through the engine
(``engine/review_view.py``), in the user's scope."""

from __future__ import annotations

import json
from datetime import datetime

from telekpi.store.transcript_store import now
from telekpi.store.warehouse import Warehouse


def qa_items(wh: Warehouse, call_id: str, form_id: str) -> list[dict]:
    """The call's QA items on the form, in the form's order (empty: not scored on it)."""
    cur = wh.con.execute("SELECT item_id, section, kind, status, weight, auto_fail, evidence, at_s FROM qa_items "
                         "WHERE call_id = ? AND form_id = ? ORDER BY rowid", [call_id, form_id])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def qa_result(wh: Warehouse, call_id: str, form_id: str) -> dict | None:
    cur = wh.con.execute("SELECT call_id, form_id, started_at, agent_id, score, passed, compliant, pending "
                         "FROM qa_results WHERE call_id = ? AND form_id = ?", [call_id, form_id])
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    return dict(zip(names, row, strict=True)) if row else None


def reviews_of(wh: Warehouse, call_id: str, form_id: str) -> list[dict]:
    """The call's reviews on the form, the first one first (it is the call's review; the
    others are calibration reviews)."""
    cur = wh.con.execute("SELECT reviewer, items, score, passed, compliant, comment, reviewed_at, response, "
                         "response_comment, responded_at FROM qa_reviews WHERE call_id = ? AND form_id = ? "
                         "ORDER BY reviewed_at, reviewer", [call_id, form_id])
    names = [d[0] for d in cur.description]
    return [{**dict(zip(names, r, strict=True)), "items": json.loads(r[1])} for r in cur.fetchall()]


def first_reviews(wh: Warehouse, form_id: str) -> dict[str, dict[str, str]]:
    """call → the items its first review judged (what a new QA run keeps), for the form."""
    rows = wh.con.execute(
        "SELECT call_id, arg_min(items, reviewed_at) FROM qa_reviews WHERE form_id = ? GROUP BY call_id",
        [form_id]).fetchall()
    return {r[0]: json.loads(r[1]) for r in rows}


def save_review(wh: Warehouse, review: dict, *, items: list[tuple] | None = None,
                result: dict | None = None) -> None:
    """Store ``review`` (qa_reviews' columns by name), replacing the reviewer's earlier review
    of the call on the form: it keeps the time of the first (the first reviewer of a call stays
    its first), and the agent's answer goes (it answered the earlier one). With ``items`` and
    ``result``, the reviewed QA items (item_id, status, evidence) and the call's result (score, passed, compliant,
    pending) become the review's, in the same transaction."""
    con = wh.con
    con.begin()
    try:
        key = [review["call_id"], review["form_id"]]
        before = con.execute("DELETE FROM qa_reviews WHERE call_id = ? AND form_id = ? AND reviewer = ? "
                             "RETURNING reviewed_at", [*key, review["reviewer"]]).fetchall()
        if before:
            review = {**review, "reviewed_at": before[0][0]}
        con.execute("INSERT INTO qa_reviews (call_id, form_id, reviewer, agent_id, items, score, passed, compliant, "
                    "comment, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [*key, review["reviewer"], review["agent_id"], json.dumps(review["items"], sort_keys=True),
                     review["score"], review["passed"], review["compliant"], review["comment"],
                     review["reviewed_at"]])
        if items is not None and result is not None:
            for item_id, status, evidence in items:   # an item on a scale keeps its mark: 4/5
                con.execute("UPDATE qa_items SET status = ?, evidence = ? WHERE call_id = ? AND form_id = ? "
                            "AND item_id = ?", [status, evidence, *key, item_id])
            con.execute("UPDATE qa_results SET score = ?, passed = ?, compliant = ?, pending = ?, scored_at = ? "
                        "WHERE call_id = ? AND form_id = ?",
                        [result["score"], result["passed"], result["compliant"], result["pending"], now(), *key])
        con.commit()
    except BaseException:
        con.rollback()
        raise


def respond(wh: Warehouse, call_id: str, form_id: str, reviewer: str, response: str, comment: str | None,
            at: datetime) -> int:
    """The agent's answer to a review; the rows changed (0: no such review)."""
    cur = wh.con.execute("UPDATE qa_reviews SET response = ?, response_comment = ?, responded_at = ? "
                         "WHERE call_id = ? AND form_id = ? AND reviewer = ? RETURNING 1",
                         [response, comment, at, call_id, form_id, reviewer])
    return len(cur.fetchall())


def mark_calibration(wh: Warehouse, call_id: str, form_id: str, marked_by: str, at: datetime,
                     on: bool = True) -> None:
    """Put the call up for calibration on the form (``on``), or take it down."""
    con = wh.con
    con.begin()
    try:
        con.execute("DELETE FROM qa_calibration WHERE call_id = ? AND form_id = ?", [call_id, form_id])
        if on:
            con.execute("INSERT INTO qa_calibration VALUES (?, ?, ?, ?)", [call_id, form_id, marked_by, at])
        con.commit()
    except BaseException:
        con.rollback()
        raise
