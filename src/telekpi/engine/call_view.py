"""One call as the dashboard and ``GET /api/v1/calls/{id}`` show it: the call's row, its
transcript, its QA results with their items, and the customer's sentiment (issue 25). Views
of the engine's side of the line, as ``lookup.py``'s are: values go in as parameters, the
user's scope narrows the call."""

from __future__ import annotations

from telekpi.engine.lookup import Lookup, Scope

CALL = "SELECT * FROM calls c WHERE c.call_id = $call AND ($scope)"
TRANSCRIPT = ("SELECT seq, speaker, start_s, end_s, text, confidence FROM transcripts "
              "WHERE call_id = $call ORDER BY seq")
QA = ("SELECT form_id, score, passed, compliant, pending, scored_at FROM qa_results "
      "WHERE call_id = $call ORDER BY form_id")
QA_ITEMS = ("SELECT form_id, item_id, section, kind, status, weight, auto_fail, evidence, at_s FROM qa_items "
            "WHERE call_id = $call ORDER BY form_id, rowid")
SENTIMENT = "SELECT sentiment, negative, predicted_csat FROM call_sentiment WHERE call_id = $call"


def call_analysis(look: Lookup, call_id: str, scope: Scope) -> dict | None:
    """The call (None when there is none the scope may see) with its transcript, QA and
    sentiment."""
    cond, params = scope.calls_filter("c")
    rows = look._rows(CALL, {**params, "call": call_id}, scope=cond)
    if not rows:
        return None
    p = {"call": call_id}
    items: dict[str, list[dict]] = {}
    for i in look._rows(QA_ITEMS, p):
        items.setdefault(i.pop("form_id"), []).append(i)
    qa = [{**q, "passed": bool(q["passed"]), "compliant": bool(q["compliant"]),
           "items": items.get(q["form_id"], [])} for q in look._rows(QA, p)]
    s = look._rows(SENTIMENT, p)
    return {"call": rows[0], "transcript": look._rows(TRANSCRIPT, p), "qa": qa,
            "sentiment": None if not s else {"score": s[0]["sentiment"], "negative": bool(s[0]["negative"]),
                                             "predicted_csat": s[0]["predicted_csat"]}}
