"""One call as the dashboard and ``GET /api/v1/calls/{id}`` show it: the call's row, its
recording and speech figures (``Lookup.call_analysis``), its transcript, its QA results with
their items, and the customer's sentiment (issue 25). Views
of the engine's side of the line, as ``lookup.py``'s are: values go in as parameters, the
user's scope narrows the call."""

from __future__ import annotations

from telekpi.engine.lookup import Lookup, Scope

TRANSCRIPT = ("SELECT seq, speaker, start_s, end_s, text, confidence FROM transcripts "
              "WHERE call_id = $call ORDER BY seq")
QA = ("SELECT form_id, score, passed, compliant, pending, scored_at FROM qa_results "
      "WHERE call_id = $call ORDER BY form_id")
QA_ITEMS = ("SELECT form_id, item_id, section, kind, status, weight, auto_fail, evidence, at_s FROM qa_items "
            "WHERE call_id = $call ORDER BY form_id, rowid")
SENTIMENT = "SELECT sentiment, negative, predicted_csat FROM call_sentiment WHERE call_id = $call"


def call_analysis(look: Lookup, call_id: str, scope: Scope) -> dict | None:
    """The call (None when there is none the scope may see) with its recording, speech
    figures and segments, transcript, QA and sentiment."""
    found = look.call_analysis(call_id, scope)
    if found is None:
        return None
    p = {"call": call_id}
    items: dict[str, list[dict]] = {}
    for i in look._rows(QA_ITEMS, p):
        items.setdefault(i.pop("form_id"), []).append(i)
    qa = [{**q, "passed": bool(q["passed"]), "compliant": bool(q["compliant"]),
           "items": items.get(q["form_id"], [])} for q in look._rows(QA, p)]
    s = look._rows(SENTIMENT, p)
    return {**found, "transcript": look._rows(TRANSCRIPT, p), "qa": qa,
            "sentiment": None if not s else {"score": s[0]["sentiment"], "negative": bool(s[0]["negative"]),
                                             "predicted_csat": s[0]["predicted_csat"]}}


MISSED = """
SELECT i.form_id, i.item_id, any_value(i.section) AS section, q.agent_id,
       count(*) FILTER (WHERE i.status = 'fail') AS missed, count(*) AS scored,
       count(*) FILTER (WHERE i.status = 'fail') / count(*) AS missed_share
FROM qa_items i JOIN qa_results q ON q.call_id = i.call_id AND q.form_id = i.form_id
JOIN calls c ON c.call_id = q.call_id
WHERE i.kind IN ('phrase', 'forbidden', 'speech') AND i.status IN ('pass', 'fail') AND ($when) AND ($scope)
GROUP BY i.form_id, i.item_id, q.agent_id HAVING count(*) >= $min_calls
ORDER BY missed_share DESC, missed DESC, i.item_id, q.agent_id LIMIT $limit"""
MISSED_BY_TEAM = """
SELECT a.team_id, i.form_id, i.item_id, any_value(i.section) AS section,
       count(*) FILTER (WHERE i.status = 'fail') AS missed, count(*) AS scored,
       count(*) FILTER (WHERE i.status = 'fail') / count(*) AS missed_share
FROM qa_items i JOIN qa_results q ON q.call_id = i.call_id AND q.form_id = i.form_id
JOIN calls c ON c.call_id = q.call_id
JOIN agents a ON a.agent_id = coalesce(q.agent_id, c.agent_id)
WHERE i.kind IN ('phrase', 'forbidden', 'speech') AND i.status IN ('pass', 'fail') AND a.team_id IS NOT NULL
  AND ($when)
GROUP BY a.team_id, i.form_id, i.item_id HAVING count(*) >= $min_calls
ORDER BY missed_share DESC, missed DESC, a.team_id, i.item_id LIMIT $limit"""
SCORED_CALLS = """
SELECT q.call_id, q.started_at, q.agent_id, q.form_id, q.score, q.passed, q.compliant, q.pending,
       s.sentiment
FROM qa_results q JOIN calls c ON c.call_id = q.call_id
LEFT JOIN call_sentiment s ON s.call_id = q.call_id
WHERE ($when) AND ($scope) ORDER BY q.started_at DESC, q.call_id LIMIT $limit"""


def _when(look: Lookup, start, end):
    from sqlglot import exp

    from telekpi.engine.scope import time_filter
    from telekpi.sql import column

    conds = time_filter(column("started_at", "q"), False, look.engine.settings.timezone, start, end)
    return exp.and_(*conds) if conds else exp.true()


def missed_items(look: Lookup, scope: Scope, start, end, *, min_calls: int = 5, limit: int = 15) -> list[dict]:
    """The QA items each agent misses most often (share of their scored calls), worst first:
    "which agent's discovery questions are missing"."""
    cond, params = scope.calls_filter("c")
    return look._rows(MISSED, {**params, "min_calls": min_calls, "limit": limit}, when=_when(look, start, end),
                      scope=cond)


def missed_by_team(look: Lookup, start, end, *, min_calls: int = 20, limit: int = 50) -> list[dict]:
    """The QA items each team's agents miss most often (share of the calls scored on them),
    worst first: what ``diagnose`` names ("T3's agents skip the needs questions in 41 % of
    calls"). The whole centre's: a team is every agent in it."""
    return look._rows(MISSED_BY_TEAM, {"min_calls": min_calls, "limit": limit}, when=_when(look, start, end))


def scored_calls(look: Lookup, scope: Scope, start, end, *, limit: int = 50) -> list[dict]:
    """The latest calls scored, with their score and the customer's sentiment."""
    cond, params = scope.calls_filter("c")
    return look._rows(SCORED_CALLS, {**params, "limit": limit}, when=_when(look, start, end), scope=cond)
