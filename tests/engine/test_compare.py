"""Script A/B: the z-test and intervals agree with statsmodels; verdicts in words."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from telekpi.analysis.compare import ab_test
from telekpi.engine.engine import Engine
from telekpi.settings import Settings
from telekpi.stats import two_proportion_test, wilson
from telekpi.store.warehouse import Warehouse


@pytest.mark.parametrize("x1, n1, x2, n2", [
    (30, 200, 18, 210), (5, 40, 6, 38), (120, 1000, 95, 1000), (0, 50, 3, 60), (50, 50, 40, 45),
])
def test_two_proportion_test_matches_statsmodels(x1, n1, x2, n2):
    z, p = two_proportion_test(x1, n1, x2, n2)
    z_ref, p_ref = proportions_ztest([x1, x2], [n1, n2])
    assert z == pytest.approx(z_ref, rel=1e-9) and p == pytest.approx(p_ref, rel=1e-9)


@pytest.mark.parametrize("x, n", [(0, 10), (3, 10), (10, 10), (57, 389), (1, 1)])
def test_wilson_matches_statsmodels(x, n):
    lo, hi = wilson(x, n)
    lo_ref, hi_ref = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert lo == pytest.approx(lo_ref, abs=1e-12) and hi == pytest.approx(hi_ref, abs=1e-12)


def test_undefined_cases():
    assert two_proportion_test(0, 0, 1, 10) is None
    assert two_proportion_test(0, 10, 0, 10) is None      # no successes anywhere: no test
    assert wilson(0, 0) == (None, None)


def _calls(tmp_path, variants):
    wh = Warehouse(tmp_path / "w.duckdb")
    rows = []
    for campaign, script, sales, calls in variants:
        for i in range(calls):
            rows.append((f"{campaign}-{script}-{i}", campaign, script, "SALE" if i < sales else "NI"))
    wh.con.executemany("INSERT INTO calls (call_id, started_at, status, campaign_id, script, "
                       "disposition) VALUES (?, TIMESTAMPTZ '2026-03-02 03:00:00+00', 'answered', "
                       "?, ?, ?)", [(r[0], r[1], r[2], r[3]) for r in rows])
    return Engine(wh, Settings())


def test_ab_verdicts_hand_computed(tmp_path):
    from telekpi.engine.request import Request

    e = _calls(tmp_path, [("K1", "A", 60, 300), ("K1", "B", 30, 290),    # 20 % vs 10.3 %: differs
                          ("K2", "A", 20, 200), ("K2", "B", 22, 210),    # 10 % vs 10.5 %: no
                          ("K3", "A", 5, 50)])                           # one script: no test
    out = {t["group"]: t for t in ab_test(e, Request(()))}
    assert set(out) == {"K1", "K2"}
    k1 = out["K1"]
    assert k1["baseline"] == "A"
    b = next(v for v in k1["variants"] if v["variant"] == "B")
    z_ref, p_ref = proportions_ztest([30, 60], [290, 300])
    assert b["z"] == pytest.approx(z_ref) and b["p_value"] == pytest.approx(p_ref)
    assert b["significant"]
    # The verdict says what it means; the statistics stay in the data, one flag or click away.
    assert k1["verdict"] == "B converts worse than A (10.3% vs 20.0%); the difference is unlikely to be chance"
    assert out["K2"]["verdict"] == "no clear difference between B, A (10.5% / 10.0%); it could be chance"
    for t in out.values():
        assert "p =" not in t["verdict"] and "z =" not in t["verdict"]
        assert "p = " in t["statistics"] and "z-test" in t["statistics"]
