"""The QA reviews a user may see (docs/call-analysis.md, "Reviewing calls"): the scored
calls the review queue draws from, with their reviews so far; reviews for the API and an
agent's own page; the reviews of calls several reviewers scored (calibration). Views of
the engine's side of the line, as ``call_view.py``'s: values go in as parameters, the
user's scope narrows the calls."""

from __future__ import annotations

import json

from sqlglot import exp

from telekpi.engine.call_view import _when
from telekpi.engine.lookup import Lookup, Scope, equals
from telekpi.engine.scope import time_filter
from telekpi.sql import column

# The first review of each call and form (the call's review) and how many there are.
FIRST = """(SELECT call_id, form_id, reviewer AS first_reviewer, response, count(*) OVER (PARTITION BY call_id, form_id)
   AS reviews FROM qa_reviews
   QUALIFY row_number() OVER (PARTITION BY call_id, form_id ORDER BY reviewed_at, reviewer) = 1)"""
CANDIDATES = f"""
SELECT q.call_id, q.form_id, q.started_at, q.agent_id, q.score, q.passed, q.compliant, q.pending,
       coalesce(r.reviews, 0) AS reviews, r.first_reviewer, r.response,
       m.reviewer IS NOT NULL AS mine, k.marked_by IS NOT NULL AS calibration
FROM qa_results q JOIN calls c ON c.call_id = q.call_id
LEFT JOIN {FIRST} r ON r.call_id = q.call_id AND r.form_id = q.form_id
LEFT JOIN qa_reviews m ON m.call_id = q.call_id AND m.form_id = q.form_id AND m.reviewer = $me
LEFT JOIN qa_calibration k ON k.call_id = q.call_id AND k.form_id = q.form_id
WHERE ($when) AND ($scope) ORDER BY q.started_at DESC, q.call_id, q.form_id"""
REVIEWS = """
SELECT * FROM (
  SELECT v.call_id, v.form_id, c.started_at, v.agent_id, v.reviewer, v.items, v.score, v.passed, v.compliant,
         v.comment, v.reviewed_at, v.response, v.response_comment, v.responded_at,
         row_number() OVER (PARTITION BY v.call_id, v.form_id ORDER BY v.reviewed_at, v.reviewer) = 1 AS is_first
  FROM qa_reviews v JOIN calls c ON c.call_id = v.call_id WHERE ($scope) AND ($call)) t
WHERE ($first) ORDER BY reviewed_at DESC, call_id, form_id LIMIT $limit"""
MARKS = "SELECT form_id, marked_by, marked_at FROM qa_calibration WHERE call_id = $call ORDER BY form_id"
CALIBRATED = """
SELECT v.call_id, v.form_id, v.agent_id, v.reviewer, v.items, v.score, v.reviewed_at
FROM qa_reviews v JOIN calls c ON c.call_id = v.call_id
WHERE ($scope) AND ($when_c)
QUALIFY count(*) OVER (PARTITION BY v.call_id, v.form_id) >= 2 ORDER BY v.call_id, v.form_id, v.reviewed_at"""
HUMAN = "SELECT DISTINCT form_id, item_id FROM qa_items WHERE kind = 'human'"


def _parsed(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["items"] = json.loads(r["items"])
        for k in ("passed", "compliant", "is_first"):
            if r.get(k) is not None:
                r[k] = bool(r[k])
    return rows


def queue_candidates(look: Lookup, scope: Scope, start, end, me: str) -> list[dict]:
    """The scored calls of the days ``start``…``end`` in scope (one row per call and form),
    with how many reviews each has, its first reviewer and the agent's answer, whether ``me``
    reviewed it and whether it is up for calibration."""
    cond, params = scope.calls_filter("c")
    return look._rows(CANDIDATES, {**params, "me": me}, when=_when(look, start, end), scope=cond)


def reviews(look: Lookup, scope: Scope, *, call_id: str | None = None, first_only: bool = False,
            limit: int = 200) -> list[dict]:
    """Reviews of calls in scope, latest first (of one call with ``call_id``; only each call's
    review, not the calibration reviews, with ``first_only``)."""
    cond, params = scope.calls_filter("c")
    call, call_params = equals(column("call_id", "v"), "call", call_id) if call_id is not None else (exp.true(), {})
    first = exp.column("is_first") if first_only else exp.true()
    return _parsed(look._rows(REVIEWS, {**params, **call_params, "limit": limit}, scope=cond, call=call,
                              first=first))


def calibration_marks(look: Lookup, call_id: str) -> list[dict]:
    """The forms the call is up for calibration on, who put it up and when (the caller has
    checked the call is in the user's scope)."""
    return look._rows(MARKS, {"call": call_id})


def calibration_reviews(look: Lookup, scope: Scope, start, end) -> tuple[list[dict], set[tuple[str, str]]]:
    """The reviews of calls (of the days ``start``…``end``, in scope) two or more reviewers
    scored, and the (form, item) pairs a person scores."""
    cond, params = scope.calls_filter("c")
    conds = time_filter(column("started_at", "c"), False, look.engine.settings.timezone, start, end)
    rows = look._rows(CALIBRATED, params, scope=cond, when_c=exp.and_(*conds) if conds else exp.true())
    human = {(r["form_id"], r["item_id"]) for r in look._rows(HUMAN, {})}
    return _parsed(rows), human
