"""Calibration: agreement per item and overall, and kappa checked against hand-computed
values."""

from __future__ import annotations

import pytest

from telekpi.qa.calibration import calibration, cohen, fleiss

HUMAN = {("care", "tone")}


def review(call_id, reviewer, tone, greeting="pass", score=None):
    return {"call_id": call_id, "form_id": "care", "reviewer": reviewer, "agent_id": "A1",
            "items": {"tone": tone, "greeting": greeting}, "score": score}


def test_cohens_kappa_by_hand():
    # agree on 3 of 4 (p_o = 0.75); A passes 2 of 4, B 1 of 4: p_e = .5 × .25 + .5 × .75 = .5
    # kappa = (.75 - .5) / (1 - .5) = 0.5
    assert cohen(["pass", "pass", "fail", "fail"], ["pass", "fail", "fail", "fail"]) == pytest.approx(0.5)
    assert cohen(["pass", "pass"], ["pass", "pass"]) is None        # every mark the same: not defined
    assert cohen(["pass", "pass"], ["fail", "fail"]) == pytest.approx(0.0)


def test_fleiss_kappa_by_hand():
    # two reviewers, four items: [2 pass], [1 pass 1 fail], [2 fail], [2 fail]
    # p_pass = 3/8, p_fail = 5/8: P_e = 9/64 + 25/64 = 34/64; P_i = 1, 0, 1, 1: P = 0.75
    # kappa = (0.75 - 34/64) / (1 - 34/64) = 0.21875 / 0.46875 = 7/15
    subjects = [["pass", "pass"], ["pass", "fail"], ["fail", "fail"], ["fail", "fail"]]
    assert fleiss(subjects) == pytest.approx(7 / 15)
    assert fleiss([["pass", "pass"], ["pass", "pass"]]) is None


def test_calibration_page_numbers():
    reviews = [review("C1", "sup1", "pass", score=1.0), review("C1", "boss", "pass", score=1.0),
               review("C2", "sup1", "pass", score=1.0), review("C2", "boss", "fail", "fail", score=0.2),
               review("C3", "sup1", "fail", score=0.6), review("C3", "boss", "fail", score=0.6),
               review("C4", "sup1", "fail", score=0.6), review("C4", "boss", "fail", score=0.6),
               review("C5", "sup1", "pass", score=1.0)]                # one reviewer: not compared
    got = calibration(reviews, HUMAN)
    assert [c["call_id"] for c in got["calls"]] == ["C1", "C2", "C3", "C4"]
    assert got["calls"][1]["spread"] == pytest.approx(0.8)
    assert (got["calls"][1]["agree"], got["calls"][1]["compared"]) == (0, 2)   # tone and greeting differ
    assert got["calls"][0]["spread"] == 0 and got["calls"][0]["agreement"] == 1
    items = {i["item_id"]: i for i in got["items"]}
    assert (items["tone"]["agree"], items["tone"]["pairs"]) == (3, 4)
    assert (items["greeting"]["agree"], items["greeting"]["pairs"]) == (3, 4) and not items["greeting"]["human"]
    # overall over the items a person scores (tone): the hand-computed example above
    assert got["agreement"] == 0.75 and got["pairs"] == 4
    assert got["fleiss"] == pytest.approx(7 / 15) and (got["fleiss_subjects"], got["fleiss_raters"]) == (4, 2)
    (pair,) = got["cohen"]
    assert pair["reviewers"] == ["boss", "sup1"] and pair["items"] == 4
    assert pair["kappa"] == pytest.approx(0.5) and pair["agreement"] == 0.75


def test_without_statsmodels_fleiss_kappa_says_how_to_install_it(monkeypatch):
    import sys

    from telekpi.qa.calibration import fleiss

    monkeypatch.setitem(sys.modules, "statsmodels.stats.inter_rater", None)   # as if not installed
    said = fleiss([["pass", "fail"], ["pass", "pass"]])
    assert isinstance(said, str) and "pip install 'telekpi[wfm]'" in said


def test_items_on_a_scale_are_compared_by_how_far_apart_the_marks_are():
    def scaled(call_id, reviewer, tone):
        return {"call_id": call_id, "form_id": "care", "reviewer": reviewer, "agent_id": "A1",
                "items": {"tone": tone, "greeting": "pass"}, "score": None}
    marks = [(4, 4), (3, 4), (1, 0), (5, 2)]
    reviews = [r for n, (a, b) in enumerate(marks) for r in (scaled(f"C{n}", "sup1", a), scaled(f"C{n}", "boss", b))]
    data = calibration(reviews, HUMAN)
    tone = next(i for i in data["items"] if i["item_id"] == "tone")
    assert tone["mean_difference"] == pytest.approx((0 + 1 + 1 + 3) / 4) and tone["agree"] == 1
    # quadratic weights on labels 0..5: sklearn's kappa, checked by hand below
    (pair,) = data["scaled"]
    assert pair["reviewers"] == ["boss", "sup1"] and pair["items"] == 4
    import numpy as np
    a, b = np.array([4, 4, 0, 2]), np.array([4, 3, 1, 5])      # boss, sup1
    w = (np.subtract.outer(np.arange(6), np.arange(6)) ** 2) / 25
    observed = np.zeros((6, 6))
    for x, y in zip(a, b, strict=True):
        observed[x, y] += 1
    expected = np.outer(observed.sum(1), observed.sum(0)) / 4
    assert pair["kappa"] == pytest.approx(1 - (w * observed).sum() / (w * expected).sum())
    assert data["fleiss_subjects"] == 0 and data["agreement"] is None     # no pass/fail human item
