"""Queueing models for staffing: Erlang B (trunks), Erlang C (M/M/n) and Erlang A
(Palm's M/M/n+M: callers who hang up when their exponential patience runs out).

Pure numpy/scipy, no I/O. Every function takes arrays (one element per interval) and
broadcasts, so a year of 15-minute intervals is one call. Traffic ``a`` is in Erlangs
(arrivals per second × handle time in seconds); ``n`` agents; times in seconds.

Stable at any size: Erlang B is the Poisson ratio pmf/cdf taken in logs (never a
factorial), Erlang A's sums are regularised incomplete gamma functions or, where those
underflow, their series — both worked with as ratios, so 1,000 Erlangs and 1,100 agents
are as exact as 10 and 12.

Formulas (docs/workforce.md states each with its assumptions):

- Erlang B: B(n, a) = (aⁿ/n!) / Σₖ₌₀ⁿ aᵏ/k!  (Erlang 1917).
- Erlang C: C = n·B / (n − a·(1 − B)); P(wait ≤ t) = 1 − C·e^(−(n − a)·t/AHT);
  ASA = C·AHT/(n − a); occupancy a/n (e.g. Gans, Koole & Mandelbaum 2003, §4.1).
- Erlang A, with λ arrivals/s, μ = 1/AHT, θ = 1/patience, x = λ/θ, y = nμ/θ:
  the density of the offered wait V given V > 0 is ∝ g(v) = exp(x(1 − e^(−θv)) − nμv)
  (Baccelli & Hébuterne 1981, for M/M/n+G); with J(x, y) = Σⱼ xʲ/((y+1)…(y+j)):
  P(V > 0) = B·J / (1 − B + B·J); P(abandon | V > 0) = 1 − 1/r + 1/(r·J), r = λ/(nμ)
  (Garnett, Mandelbaum & Reiman 2002; Mandelbaum & Zeltyn 2007, "Service engineering
  in action: the Palm/Erlang-A queue"); answered within t = P(V = 0) + P(V > 0)·
  y·[P(y+1, x) − P(y+1, x·e^(−θt))] / (x·P(y, x)), P the regularised lower incomplete
  gamma function (the integral of g·e^(−θv) from 0 to t, worked out by substituting
  z = x·e^(−θv)).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammainc, gammaincc, gammaln

# Patience above this many handle times makes abandonment negligible: Erlang A is then
# computed as Erlang C (its limit as θ → 0), where x and y would be huge for nothing.
PATIENT = 1e4
_SERIES_TERMS = 4000


def erlang_b(n, a) -> np.ndarray:
    """Probability that a call finds all ``n`` trunks busy with ``a`` Erlangs offered."""
    n, a = np.broadcast_arrays(np.asarray(n, float), np.asarray(a, float))
    out = np.where(n <= 0, 1.0, 0.0)
    ok = (n > 0) & (a > 0)
    nn, aa = n[ok], a[ok]
    # B = pmf(n)/cdf(n) of a Poisson(a); cdf(n) = Q(n+1, a), the upper regularised gamma.
    log_pmf = nn * np.log(aa) - aa - gammaln(nn + 1)
    cdf = gammaincc(nn + 1, aa)
    with np.errstate(divide="ignore"):
        b = np.exp(log_pmf - np.log(cdf))
    # n far below a: the cdf underflows; there B → 1 − n/a (every call but n/a is lost).
    low = ~(cdf > 1e-290)
    b[low] = np.maximum(1 - nn[low] / aa[low], 1e-300)
    out[ok] = np.clip(b, 0, 1)
    return out


def erlang_c(n, a, b=None) -> np.ndarray:
    """Probability that a call waits (M/M/n, nobody hangs up): 1 where ``n`` ≤ ``a``."""
    n, a = np.broadcast_arrays(np.asarray(n, float), np.asarray(a, float))
    b = erlang_b(n, a) if b is None else b
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1 - b))
    return np.where(n > a, np.clip(c, 0, 1), 1.0)


def _series_j(x, y) -> np.ndarray:
    """J(x, y) = Σⱼ xʲ / ((y+1)…(y+j)) by its series; for x ≤ y + 1, where it converges."""
    total = np.ones_like(x)
    term = np.ones_like(x)
    for k in range(1, _SERIES_TERMS):
        term = term * x / (y + k)
        total = total + term
        if not (term > 1e-17 * total).any():
            break
    return total


def _abandon_parts(n, a, aht, patience, t, b):
    """(P(V > 0), P(abandon | V > 0), P(answered within t | V > 0)) of Erlang A, given
    ``b`` = Erlang B(n, a)."""
    mu, theta = 1 / aht, 1 / patience
    x, y = a * mu / theta, n * mu / theta
    p_wait, ab_given, sl_given = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    p = gammainc(y, x)
    closed = p > 1e-200
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        # P(y, x) representable: log J = ln Γ(y+1) + x − y·ln x + ln P(y, x), and the ratios
        # of incomplete gamma functions as they are (a term that underflows is < 1e-100 of them).
        xb, yb, bb, pb = x[closed], y[closed], b[closed], p[closed]
        log_j = gammaln(yb + 1) + xb - yb * np.log(xb) + np.log(pb)
        p_wait[closed] = 1 / (1 + np.exp(np.log1p(-bb) - np.log(bb) - log_j))
        upper = gammainc(yb + 1, xb)
        ab_given[closed] = 1 - yb * upper / (xb * pb)   # 1 − ∫g·e^(−θv) / ∫g
        later = gammainc(yb + 1, xb * np.exp(-theta[closed] * t[closed]))
        sl_given[closed] = yb * (upper - later) / (xb * pb)
        # P(y, x) underflows (x far below y: many agents, few calls): the same ratios from J's
        # series, P(s, x) = xˢ·e^(−x)/Γ(s+1)·J(x, s), which converges fast there.
        small = ~closed
        if small.any():
            xs, ys, bs = x[small], y[small], b[small]
            j0 = _series_j(xs, ys)
            p_wait[small] = bs * j0 / (1 - bs + bs * j0)
            ratio = ys / (ys + 1) * _series_j(xs, ys + 1) / j0
            ab_given[small] = 1 - ratio
            x2 = xs * np.exp(-theta[small] * t[small])
            later = (ys / (ys + 1) * np.exp(-n[small] * mu[small] * t[small] + xs - x2) * x2 / xs
                     * _series_j(x2, ys + 1) / j0)
            sl_given[small] = ratio - later
    p_wait = np.where(b > 0, p_wait, 0.0)
    return np.clip(p_wait, 0, 1), np.clip(ab_given, 0, 1), np.clip(sl_given, 0, 1)


def _arrays(*values):
    return np.broadcast_arrays(*(np.asarray(v, float) for v in values))


class Figures(dict):
    """What a model expects at a staffing: ``wait_probability``, ``service_level`` (answered
    within the threshold, of all offered calls), ``asa`` (mean wait of answered calls, s),
    ``abandonment`` and ``occupancy``; arrays, one element per interval."""


def erlang_c_figures(n, a, aht, t, b=None) -> Figures:
    """Erlang C at ``n`` agents, ``a`` Erlangs, handle time ``aht`` s, threshold ``t`` s
    (``b``: Erlang B(n, a) when the caller has it)."""
    n, a, aht, t = _arrays(n, a, aht, t)
    c = erlang_c(n, a, b)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sl = np.where(stable, 1 - c * np.exp(-(n - a) * t / aht), 0.0)
        asa = np.where(stable, c * aht / (n - a), np.inf)
        occ = np.where(n > 0, np.minimum(a / n, 1.0), np.nan)
    return Figures(wait_probability=c, service_level=np.where(a > 0, sl, 1.0),
                   asa=np.where(a > 0, asa, 0.0), abandonment=np.zeros_like(a), occupancy=occ)


def erlang_a_figures(n, a, aht, t, patience, asa: bool = True) -> Figures:
    """Erlang A at ``n`` agents with callers' mean ``patience`` in seconds (``inf``: none
    hang up, which is Erlang C). ``asa=False`` leaves the ASA (a numerical integral, most of
    the cost) as NaN where callers hang up."""
    n, a, aht, t, patience = _arrays(n, a, aht, t, patience)
    impatient = (patience < PATIENT * aht) & (a > 0) & (n > 0)
    b = erlang_b(n, a)
    out = erlang_c_figures(n, a, aht, t, b)
    if not impatient.any():
        return out
    i = impatient
    p_wait, ab_given, sl_given = _abandon_parts(n[i], a[i], aht[i], patience[i], t[i], b[i])
    abandon = p_wait * ab_given
    out["wait_probability"][i] = p_wait
    out["service_level"][i] = (1 - p_wait) + p_wait * sl_given
    out["abandonment"][i] = abandon
    out["occupancy"][i] = np.minimum(a[i] * (1 - abandon) / n[i], 1.0)
    out["asa"][i] = (_answered_wait(n[i], a[i], aht[i], patience[i], p_wait, 1 - abandon) if asa
                     else np.nan)
    return out


def _answered_wait(n, a, aht, patience, p_wait, answered, points: int = 161) -> np.ndarray:
    """Mean wait of the answered calls: P(V > 0)·∫v·g(v)·e^(−θv)dv / ∫g(v)dv / P(answered),
    by Simpson's rule in logs on a grid that covers g's mass (30 of its scales each side of
    its peak; log g is concave, so the mass is there)."""
    mu, theta = 1 / aht, 1 / patience
    lam = a * mu
    peak = np.maximum(np.log(np.maximum(lam / (n * mu), 1.0)) / theta, 0.0)
    # g's scale: a Gaussian of variance 1/(nμθ) about a peak inside (λ > nμ); else its decay
    # from 0 at rate nμ − λ, bent down by λθ.
    with np.errstate(divide="ignore"):
        falling = np.minimum(1 / np.maximum(n * mu - lam, 0), 1 / np.sqrt(lam * theta))
    scale = np.where(peak > 0, 1 / np.sqrt(n * mu * theta), falling)
    lo, hi = np.maximum(peak - 30 * scale, 0), peak + 30 * scale
    w = np.ones(points)
    w[1:-1:2], w[2:-1:2] = 4, 2
    u = np.linspace(0, 1, points)
    out = np.empty(n.shape)
    for s in range(0, n.size, 4096):   # a few MB at a time
        c = slice(s, s + 4096)
        v = lo[c, None] + u[None, :] * (hi[c] - lo[c])[:, None]
        log_g = (lam[c] / theta[c])[:, None] * -np.expm1(-theta[c, None] * v) - (n[c] * mu[c])[:, None] * v
        g = np.exp(log_g - log_g.max(axis=1, keepdims=True))
        served = g * np.exp(-theta[c, None] * v)
        out[c] = (v * served) @ w / (g @ w)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(answered > 0, p_wait * out / answered, np.inf)


def patience_estimate(abandoned: float, waited_s: float) -> float:
    """Callers' mean patience in seconds from a queue's own history: total time waited by all
    callers who waited (answered or abandoned) ÷ abandons. With exponential patience this is
    the maximum-likelihood estimate of 1/θ from censored waits — each answered caller's wait is
    a patience known to be at least that long (Mandelbaum & Zeltyn, "The impact of customers'
    patience on delay and abandonment: some empirically-driven experiments with the M/M/n+G
    queue", OR Spectrum 2004, §3). No abandons: ``inf`` (nobody is seen to hang up)."""
    if abandoned <= 0 or waited_s <= 0:
        return float("inf")
    return waited_s / abandoned
