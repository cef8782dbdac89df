"""Wilson intervals and the two-proportion test against published values."""

import math

import pytest

from telekpi.stats import two_proportion_test, wilson


def test_wilson_known_values():
    # Wilson (1927) / Newcombe (1998) example: 81 of 263 → 0.2553 … 0.3662.
    lo, hi = wilson(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-5)
    assert hi == pytest.approx(0.3662, abs=5e-5)


def test_wilson_edges():
    assert wilson(0, 0) == (None, None)
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=5e-5)
    lo, hi = wilson(10, 10)
    assert hi == 1.0 and lo == pytest.approx(0.7225, abs=5e-5)


def test_two_proportion_matches_hand_computation():
    # 120/1000 vs 90/1000: pooled p = 0.105; se = sqrt(.105*.895*(2/1000)) = 0.013709
    z, p = two_proportion_test(120, 1000, 90, 1000)
    assert z == pytest.approx(0.03 / math.sqrt(0.105 * 0.895 * 0.002), rel=1e-12)
    assert z == pytest.approx(2.1883, abs=1e-4)
    assert p == pytest.approx(0.02865, abs=1e-5)


def test_two_proportion_undefined():
    assert two_proportion_test(0, 0, 1, 2) is None
    assert two_proportion_test(0, 10, 0, 10) is None
