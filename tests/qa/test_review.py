"""A reviewer's review: the first review of a call scores its human items into the call's QA
result by the form's rule (qa/score.py), a second reviewer's is a calibration review, a QA
run keeps what the first review decided, and the agent answers only their own call."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from telekpi.errors import NotFoundError, UsageError
from telekpi.qa.forms import load_form
from telekpi.qa.review import respond, save
from telekpi.qa.run import run_form
from telekpi.store import review_store
from telekpi.store.warehouse import Warehouse

from .reviewed import FORM, build

AT = datetime(2026, 3, 20, 10, tzinfo=UTC)


@pytest.fixture
def ws(tmp_path):
    db = build(tmp_path)
    wh = Warehouse(db)
    yield wh, load_form(tmp_path / "qa-forms" / "care.yaml"), tmp_path
    wh.close()


def result(wh, call_id):
    return review_store.qa_result(wh, call_id, "care")


def test_the_human_item_is_pending_until_a_reviewer_scores_it_and_the_score_follows(ws):
    wh, form, _ = ws
    before = result(wh, "C01")
    assert before["pending"] == 1 and before["score"] == 1.0   # greeting 2 + no_blame 1 of 3 points
    saved = save(wh, form, "C01", "sup1", {"tone": "fail"}, "Rushed the customer.", AT)
    after = result(wh, "C01")
    # greeting 2 + no_blame 1 of 5 points (tone 2 failed): 0.6, under the pass mark 0.8
    assert (after["pending"], after["score"], after["passed"], after["compliant"]) == (0, 0.6, 0, 1)
    assert not saved.calibration and saved.score == 0.6
    statuses = {i["item_id"]: i["status"] for i in review_store.qa_items(wh, "C01", "care")}
    assert statuses == {"greeting": "pass", "no_blame": "pass", "tone": "fail"}


def test_an_override_of_an_automatic_auto_fail_item_fails_the_call(ws):
    wh, form, _ = ws
    save(wh, form, "C02", "sup1", {"tone": "pass", "no_blame": "fail"}, None, AT)
    r = result(wh, "C02")
    assert (r["score"], r["passed"], r["compliant"]) == (0.0, 0, 0)


def test_a_second_reviewer_is_a_calibration_review_and_leaves_the_call_as_the_first_scored_it(ws):
    wh, form, _ = ws
    save(wh, form, "C01", "sup1", {"tone": "pass"}, None, AT)
    second = save(wh, form, "C01", "boss", {"tone": "fail"}, None, AT.replace(hour=11))
    assert second.calibration and second.score == 0.6
    assert result(wh, "C01")["score"] == 1.0
    reviews = review_store.reviews_of(wh, "C01", "care")
    assert [(r["reviewer"], r["items"]["tone"], r["score"]) for r in reviews] == [("sup1", "pass", 1.0),
                                                                                ("boss", "fail", 0.6)]
    # the first reviewer changes their mind: one review each still, the call follows the first
    save(wh, form, "C01", "sup1", {"tone": "fail"}, None, AT.replace(hour=12))
    assert len(review_store.reviews_of(wh, "C01", "care")) == 2
    assert result(wh, "C01")["score"] == 0.6


def test_every_human_item_must_be_scored_and_marks_are_pass_or_fail_on_the_form(ws):
    wh, form, _ = ws
    with pytest.raises(UsageError, match="tone is not scored"):
        save(wh, form, "C01", "sup1", {}, None, AT)
    with pytest.raises(UsageError, match="'maybe' is not pass or fail"):
        save(wh, form, "C01", "sup1", {"tone": "maybe"}, None, AT)
    with pytest.raises(UsageError, match="'smile' is not on this call's QA form"):
        save(wh, form, "C01", "sup1", {"tone": "pass", "smile": "pass"}, None, AT)
    with pytest.raises(NotFoundError):
        save(wh, form, "nope", "sup1", {"tone": "pass"}, None, AT)
    assert review_store.reviews_of(wh, "C01", "care") == [] and result(wh, "C01")["pending"] == 1


def test_a_new_qa_run_keeps_what_the_first_review_decided(ws):
    wh, form, folder = ws
    save(wh, form, "C01", "sup1", {"tone": "fail"}, None, AT)
    run_form(wh, load_form(folder / "qa-forms" / "care.yaml"), force=True)
    r = result(wh, "C01")
    assert (r["pending"], r["score"]) == (0, 0.6)
    assert result(wh, "C02")["pending"] == 1   # not reviewed: pending as before


def test_the_agent_acknowledges_or_disputes_only_their_own_reviewed_call(ws):
    wh, form, _ = ws
    save(wh, form, "C01", "sup1", {"tone": "fail"}, "Rushed.", AT)
    with pytest.raises(NotFoundError):
        respond(wh, "C01", "care", "A2", "acknowledged", None, AT)       # not A2's call
    with pytest.raises(NotFoundError):
        respond(wh, "C02", "care", "A1", "acknowledged", None, AT)       # A1's, not reviewed
    with pytest.raises(UsageError, match="say why"):
        respond(wh, "C01", "care", "A1", "disputed", "  ", AT)
    with pytest.raises(UsageError, match="'later' is not one of"):
        respond(wh, "C01", "care", "A1", "later", None, AT)
    respond(wh, "C01", "care", "A1", "disputed", "The customer was rude first.", AT)
    (r,) = review_store.reviews_of(wh, "C01", "care")
    assert (r["response"], r["response_comment"]) == ("disputed", "The customer was rude first.")


# The review tests' form (reviewed.py) with its human item scored on a scale of 5.
SCALED = FORM.replace("kind: human, weight: 2}", "kind: human, weight: 2, scale: 5}")
assert SCALED != FORM


def test_an_item_on_a_scale_earns_its_weight_times_mark_over_scale(ws):
    wh, _, folder = ws
    (folder / "qa-forms" / "care.yaml").write_text(SCALED)
    form = load_form(folder / "qa-forms" / "care.yaml")
    saved = save(wh, form, "C01", "sup1", {"tone": "4"}, None, AT)   # the review page sends text
    # greeting 2 + no_blame 1 + tone 2 × 4/5 = 4.6 of 5 points: 0.92, over the pass mark
    assert saved.score == pytest.approx(0.92) and saved.passed
    r = result(wh, "C01")
    assert (r["score"], r["passed"], r["pending"]) == (pytest.approx(0.92), 1, 0)
    items = {i["item_id"]: (i["status"], i["evidence"]) for i in review_store.qa_items(wh, "C01", "care")}
    assert items["tone"] == ("scored", "4/5")
    assert review_store.reviews_of(wh, "C01", "care")[0]["items"] == {"tone": 4}
    save(wh, form, "C01", "sup1", {"tone": 1}, None, AT)             # the API sends a number
    assert result(wh, "C01")["score"] == pytest.approx(3.4 / 5)
    # a QA run again keeps the review's mark
    run_form(wh, form, force=True)
    assert result(wh, "C01")["score"] == pytest.approx(3.4 / 5)
    for bad in ("6", "-1", "pass", 2.5, True):
        with pytest.raises(UsageError, match="is not a mark from 0 to 5"):
            save(wh, form, "C02", "sup1", {"tone": bad}, None, AT)
