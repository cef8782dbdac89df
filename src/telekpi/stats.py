"""Small-sample honesty: Wilson intervals, the two-proportion z-test, the interval of a mean."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float] | tuple[None, None]:
    """95 % Wilson score interval of a proportion; (None, None) when n is 0."""
    if not n:
        return None, None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if successes <= 0 else max(0.0, centre - half)
    hi = 1.0 if successes >= n else min(1.0, centre + half)
    return lo, hi


def two_proportion_test(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float] | None:
    """z and two-sided p-value for H0: p1 = p2 (pooled); None when undefined."""
    if not n1 or not n2:
        return None
    p = (x1 + x2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return None
    z = (x1 / n1 - x2 / n2) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def mean_half_width(values: list[float], z: float = Z95) -> float | None:
    """Half the width of the 95 % interval of the mean of ``values`` (a normal approximation
    from their spread); None for fewer than two values."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return z * math.sqrt(var / n)
