"""People in the loop of QA (docs/call-analysis.md, "Reviewing calls"): a reviewer scores a
call's human items (and may overrule the automatic ones) with a comment; the agent
acknowledges or disputes the review.

One review per reviewer per call and form. The first review of a call is the call's
review: its items and the score recomputed from them (``qa/score.py``'s ``summarize``, the
one rule) become the call's QA items and result, so ``qa_score`` and ``qa_pass_rate`` count
what the reviewer decided, and a later QA run of the call keeps them (``keep_reviewed``).
Another reviewer's review of the same call is a calibration review: stored, compared on the
calibration page (``qa/calibration.py``), and leaves the call's result as it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from telekpi.errors import NotFoundError, UsageError
from telekpi.i18n import _
from telekpi.qa.forms import Form, Item
from telekpi.qa.score import CallResult, ItemResult, summarize
from telekpi.store import review_store as store
from telekpi.store.warehouse import Warehouse

STATUSES = ("pass", "fail")
Mark = str | int        # pass | fail, or a mark 0..scale on an item on a scale
Marks = Mapping[str, str | int]   # item → mark as a reviewer gives them (the page: text)
RESPONSES = ("acknowledged", "disputed")
MAX_COMMENT = 4000   # characters of a comment kept


@dataclass(frozen=True)
class Saved:
    call_id: str
    form_id: str
    reviewer: str
    calibration: bool          # another reviewer reviewed the call first: the call's result stays
    score: float | None
    passed: bool
    compliant: bool


def item_results(form: Form, rows: list[dict]) -> list[ItemResult]:
    """The call's stored QA items (``review_store.qa_items``) as ``summarize`` takes them; the
    weights and auto-fail flags as the call was scored, the names from the form."""
    named = {i.id: i for i in form.items}
    out = []
    for r in rows:
        known = named.get(r["item_id"])
        item = Item(id=r["item_id"], name=known.name if known else r["item_id"], section=r["section"] or "",
                    kind=r["kind"], weight=float(r["weight"]), auto_fail=bool(r["auto_fail"]),
                    scale=known.scale if known and r["kind"] == "human" else None)
        mark = _stored_mark(r["evidence"]) if r["status"] == "scored" else None
        out.append(ItemResult(item, r["status"], r["evidence"], r["at_s"], mark))
    return out


def _stored_mark(evidence: str | None) -> float | None:
    """The mark of an item scored on a scale, as stored in its evidence (``4/5``)."""
    try:
        return float((evidence or "").split("/")[0])
    except ValueError:
        return None


def _marked(r: ItemResult, mark: Mark) -> ItemResult:
    if isinstance(mark, int) and r.item.scale:
        return replace(r, status="scored", mark=float(mark), evidence=f"{mark}/{r.item.scale}")
    return replace(r, status=str(mark))


def rescore(form: Form, results: list[ItemResult] | tuple[ItemResult, ...], marks: Mapping[str, Mark]) -> CallResult:
    """The call's result with the reviewer's ``marks`` (item → pass | fail, or a mark on the
    item's scale) in place of the items' statuses, by the form's rule (``summarize``)."""
    return summarize(form, [_marked(r, marks[r.item.id]) if r.item.id in marks else r for r in results])


def keep_reviewed(form: Form, result: CallResult, marks: Mapping[str, Mark] | None) -> CallResult:
    """A call scored again by a QA run keeps what its first review decided (``marks``)."""
    return result if not marks else rescore(form, result.items, marks)


def check_marks(results: list[ItemResult], given: Mapping[str, str | int]) -> dict[str, Mark]:
    """The reviewer's marks, checked: every human item scored, each mark pass or fail on an
    item of the form, or a whole number from 0 to its scale on an item on a scale (as text from
    the review page); UsageError (one sentence) otherwise."""
    known = {r.item.id: r for r in results}
    marks: dict[str, Mark] = {}
    for item_id, status in given.items():
        if item_id not in known:
            raise UsageError(_("item {item} is not on this call's QA form").format(item=repr(item_id)))
        if status in ("", None):
            continue
        scale = known[item_id].item.scale
        if scale:
            value = status if isinstance(status, int) and not isinstance(status, bool) else \
                int(status) if isinstance(status, str) and status.strip().isdigit() else None
            if value is None or not 0 <= value <= scale:
                raise UsageError(_("item {item}: {given} is not a mark from 0 to {scale}").format(
                    item=item_id, given=repr(status), scale=scale))
            marks[item_id] = value
            continue
        if status not in STATUSES:
            raise UsageError(_("item {item}: {given} is not pass or fail").format(item=item_id,
                                                                                given=repr(status)))
        marks[item_id] = status
    missing = [r.item.id for r in results if r.item.kind == "human" and r.item.id not in marks]
    if missing:
        raise UsageError(_("score every item a person scores: {items} is not scored").format(
            items=", ".join(missing)))
    return marks


def save(wh: Warehouse, form: Form, call_id: str, reviewer: str, given: Mapping[str, str | int], comment: str | None,
         at: datetime) -> Saved:
    """Store ``reviewer``'s review of the call on ``form``; the first review of the call also
    becomes the call's QA items and result."""
    result = store.qa_result(wh, call_id, form.id)
    if result is None:
        raise NotFoundError(_("call {call} has no QA result on form {form} to review").format(
            call=repr(call_id), form=form.id))
    results = item_results(form, store.qa_items(wh, call_id, form.id))
    marks = check_marks(results, given)
    earlier = store.reviews_of(wh, call_id, form.id)
    first = not earlier or earlier[0]["reviewer"] == reviewer
    scored = rescore(form, results, marks)
    text = (comment or "").strip()[:MAX_COMMENT] or None
    review = {"call_id": call_id, "form_id": form.id, "reviewer": reviewer, "agent_id": result["agent_id"],
              "items": marks, "score": scored.score, "passed": int(scored.passed),
              "compliant": int(scored.compliant), "comment": text, "reviewed_at": at}
    if first:
        store.save_review(wh, review, items=[(r.item.id, r.status, r.evidence) for r in scored.items
                                             if r.item.id in marks],
                          result={"score": scored.score, "passed": None if scored.score is None else
                                  int(scored.passed), "compliant": int(scored.compliant),
                                  "pending": scored.pending})
    else:
        store.save_review(wh, review)
    return Saved(call_id, form.id, reviewer, not first, scored.score, scored.passed, scored.compliant)


def respond(wh: Warehouse, call_id: str, form_id: str, agent_id: str, response: str, comment: str | None,
            at: datetime) -> None:
    """The agent's answer (acknowledged or disputed, a comment) to the call's review; only the
    call's own agent answers, a dispute needs a comment."""
    if response not in RESPONSES:
        raise UsageError(_("answer {given} is not one of: {allowed}").format(
            given=repr(response), allowed=", ".join(RESPONSES)))
    result = store.qa_result(wh, call_id, form_id)
    reviews = store.reviews_of(wh, call_id, form_id)
    if result is None or result["agent_id"] != agent_id or not reviews:
        raise NotFoundError(_("no review of your call {call} on form {form}").format(call=repr(call_id),
                                                                                      form=form_id))
    text = (comment or "").strip()[:MAX_COMMENT] or None
    if response == "disputed" and not text:
        raise UsageError(_("say why you dispute the review in the comment"))
    store.respond(wh, call_id, form_id, reviews[0]["reviewer"], response, text, at)
