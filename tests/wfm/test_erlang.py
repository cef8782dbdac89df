"""Erlang B, C and A against published tables, worked examples computed by hand, exact
special cases, an independent implementation (pyworkforce) and a simulation."""

import math

import numpy as np
import pytest

from telekpi.wfm.erlang import (
    erlang_a_figures,
    erlang_b,
    erlang_c,
    erlang_c_figures,
    patience_estimate,
)
from telekpi.wfm.simulate import simulate
from telekpi.wfm.staffing import agents_needed, parse_target


def hand_erlang_b(n: int, a: float) -> float:
    """The textbook sum, with factorials (fine for small n): (aⁿ/n!) / Σ aᵏ/k!."""
    return (a ** n / math.factorial(n)) / sum(a ** k / math.factorial(k) for k in range(n + 1))


# Erlang B tables (e.g. ITU-T "Teletraffic Engineering Handbook", table of the Erlang loss
# formula; the same columns are in every traffic table): the traffic n trunks carry at a
# grade of service of 1 % — 10 trunks: 4.461 E; 20: 12.03 E; 100: 84.06 E.
@pytest.mark.parametrize(("n", "a"), [(10, 4.461), (20, 12.03), (100, 84.06)])
def test_erlang_b_matches_the_published_table_at_one_percent(n, a):
    assert erlang_b(n, a) == pytest.approx(0.01, abs=0.0002)


def test_erlang_b_matches_the_sum_worked_by_hand():
    assert erlang_b(1, 1) == pytest.approx(0.5)        # 1 / (1 + 1)
    assert erlang_b(2, 1) == pytest.approx(0.2)        # 0.5 / (1 + 1 + 0.5)
    for n, a in [(5, 2.5), (10, 5), (30, 25.5), (60, 70)]:
        assert erlang_b(n, a) == pytest.approx(hand_erlang_b(n, a), rel=1e-10)


def test_stable_at_a_thousand_erlangs():
    """No factorial overflow: the recursion B(k) = a·B(k−1) / (k + a·B(k−1)) in floats is the
    check at 1,000 Erlangs, where aⁿ/n! alone overflows."""
    b = 1.0
    for k in range(1, 1101):
        b = 1000 * b / (k + 1000 * b)
        if k in (950, 1000, 1050, 1100):
            assert erlang_b(k, 1000) == pytest.approx(b, rel=1e-9)
    c = erlang_c(1050, 1000)
    assert 0 < c < 1 and np.isfinite(c)
    fig = erlang_a_figures(1000, 1000, 240, 20, 180)
    assert all(np.isfinite(v) for v in fig.values())
    assert 0 < fig["abandonment"] < 0.1
    assert agents_needed("erlang-c", 1000, 240, [parse_target("service-level=0.8@20s")]) > 1000
    assert agents_needed("erlang-a", 1000, 240, [parse_target("service-level=0.8@20s")], 180) < 1000


def test_the_classic_erlang_c_example_worked_by_hand():
    """100 calls in 30 minutes, 180 s handle time: 10 Erlangs (the example of
    callcentrehelper.com's "Erlang C formula – made simple"). With 14 agents, by hand:
    C = (aⁿ/n!·n/(n−a)) / (Σₖ₌₀ⁿ⁻¹ aᵏ/k! + aⁿ/n!·n/(n−a)) = 0.1741; SL(20 s) = 1 − C·e^(−4·20/180)
    = 0.8884; ASA = C·180/4 = 7.8 s; occupancy 10/14 = 71.4 %; and 14 is the fewest agents
    for 80 % in 20 s (13 give 79.6 %)."""
    top = 10 ** 14 / math.factorial(14) * 14 / 4
    c = top / (sum(10 ** k / math.factorial(k) for k in range(14)) + top)
    assert c == pytest.approx(0.17413, abs=1e-5)
    fig = erlang_c_figures(14, 10, 180, 20)
    assert fig["wait_probability"] == pytest.approx(c, rel=1e-10)
    assert fig["service_level"] == pytest.approx(1 - c * math.exp(-4 * 20 / 180), rel=1e-10)
    assert fig["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert fig["asa"] == pytest.approx(c * 180 / 4, rel=1e-10)
    assert fig["occupancy"] == pytest.approx(10 / 14)
    top13 = 10 ** 13 / math.factorial(13) * 13 / 3
    c13 = top13 / (sum(10 ** k / math.factorial(k) for k in range(13)) + top13)
    assert erlang_c_figures(13, 10, 180, 20)["service_level"] == pytest.approx(1 - c13 * math.exp(-3 * 20 / 180))
    assert erlang_c_figures(13, 10, 180, 20)["service_level"] == pytest.approx(0.7956, abs=1e-4)
    assert agents_needed("erlang-c", 10, 180, [parse_target("service-level=0.8@20s")]) == 14


def test_targets_each_find_the_fewest_agents():
    a, aht = 10, 180
    for text, metric, ok in [("asa=30s", "asa", lambda v: v <= 30),
                             ("wait-probability=0.3", "wait_probability", lambda v: v <= 0.3),
                             ("occupancy=0.85", "occupancy", lambda v: v <= 0.85)]:
        n = int(agents_needed("erlang-c", a, aht, [parse_target(text)]))
        assert ok(erlang_c_figures(n, a, aht, 20)[metric])
        assert not ok(erlang_c_figures(n - 1, a, aht, 20)[metric]) or n - 1 <= a
    assert agents_needed("erlang-c", 10, 180, [parse_target("occupancy=0.85")]) == 12   # ⌈10/0.85⌉
    both = [parse_target("service-level=0.8@20s"), parse_target("occupancy=0.6")]
    assert agents_needed("erlang-c", 10, 180, both) == 17                               # ⌈10/0.6⌉
    assert agents_needed("erlang-c", 0, 180, both) == 0


def test_erlang_a_when_patience_equals_handle_time_is_a_poisson_count():
    """θ = μ: every caller leaves at rate μ, waiting or served, so the number in the system is
    Poisson(a) (M/M/∞) — an exact check of P(wait) = P(N ≥ n) and of the abandonment,
    θ·E[(N − n)⁺] / λ = E[(N − n)⁺] / a."""
    for n, a in [(8, 10.0), (12, 10.0), (45, 50.0)]:
        k = np.arange(0, 400)
        pmf = np.exp(k * math.log(a) - a - np.array([math.lgamma(i + 1) for i in k]))
        fig = erlang_a_figures(n, a, 200, 20, 200)
        assert fig["wait_probability"] == pytest.approx(pmf[n:].sum(), rel=1e-9)
        assert fig["abandonment"] == pytest.approx((pmf * np.maximum(k - n, 0)).sum() / a, rel=1e-9)


def test_erlang_a_becomes_erlang_c_as_callers_grow_patient():
    c = erlang_c_figures(14, 10, 180, 20)
    a = erlang_a_figures(14, 10, 180, 20, 180 * 5000)
    for key in ("wait_probability", "service_level", "asa"):
        assert a[key] == pytest.approx(c[key], rel=2e-3)
    assert erlang_a_figures(14, 10, 180, 20, math.inf)["service_level"] == c["service_level"]


@pytest.mark.parametrize(("n", "a", "aht", "patience", "t"), [
    (14, 10, 180, 120, 20), (10, 10, 180, 120, 20), (8, 10, 300, 60, 30), (30, 30, 200, 400, 20),
    (3, 10, 200, 2000, 20),
])
def test_erlang_a_matches_the_simulation(n, a, aht, patience, t):
    """A simulated M/M/n+M queue (200,000 callers, seeded) agrees with the formulas within
    sampling error: five standard errors of a share over ~2,000 effectively independent
    batches is ≤ 0.012; ASA within 5 %."""
    sim = simulate(n, a / aht, aht, patience, t, calls=200_000, seed=7)
    fig = erlang_a_figures(n, a, aht, t, patience)
    for key in ("service_level", "abandonment", "wait_probability"):
        assert fig[key] == pytest.approx(sim[key], abs=0.012), key
    assert fig["asa"] == pytest.approx(sim["asa"], rel=0.05)


def test_erlang_c_matches_the_simulation_of_patient_callers():
    sim = simulate(14, 10 / 180, 180, math.inf, 20, calls=200_000, seed=3)
    fig = erlang_c_figures(14, 10, 180, 20)
    assert fig["service_level"] == pytest.approx(sim["service_level"], abs=0.01)
    assert fig["asa"] == pytest.approx(sim["asa"], rel=0.08)


def test_erlang_c_agrees_with_pyworkforce_on_random_inputs():
    """pyworkforce's ErlangC (an independent implementation, its own Erlang B loop): the same
    P(wait), service level, occupancy and agents for 80 % in the threshold. It starts its
    search at round(a + 1) agents, so its answer is the larger of that and ours."""
    pyworkforce = pytest.importorskip("pyworkforce.queuing")
    rng = np.random.default_rng(26)
    for __ in range(200):
        calls, aht_min = float(rng.uniform(5, 800)), float(rng.uniform(1, 10))
        threshold_min, target = float(rng.uniform(0.1, 1.5)), float(rng.uniform(0.5, 0.95))
        theirs = pyworkforce.ErlangC(transactions=calls, aht=aht_min, asa=threshold_min, interval=30)
        a = calls / 30 * aht_min
        sl = parse_target(f"service-level={target}@{threshold_min * 60}s")
        n = int(agents_needed("erlang-c", a, aht_min * 60, [sl]))
        assert max(n, round(a + 1)) == theirs.required_positions(target)["raw_positions"]
        fig = erlang_c_figures(n, a, aht_min * 60, threshold_min * 60)
        assert fig["wait_probability"] == pytest.approx(theirs.waiting_probability(n), rel=1e-8)
        assert fig["service_level"] == pytest.approx(theirs.service_level(n), rel=1e-8, abs=1e-12)
        assert fig["occupancy"] == pytest.approx(theirs.achieved_occupancy(n))


def test_patience_is_waiting_time_over_abandons():
    assert patience_estimate(10, 1200) == 120
    assert patience_estimate(0, 1200) == math.inf


def test_patience_estimate_recovers_the_simulated_mean():
    """Callers who waited: answered ones' waits are censored patience, abandoners' waits are
    their patience; the ratio estimates the mean (exponential maximum likelihood)."""
    rng = np.random.default_rng(1)
    patience = rng.exponential(90, 50_000)
    offered_wait = rng.exponential(60, 50_000)
    waited = np.minimum(patience, offered_wait)
    assert patience_estimate(int((patience < offered_wait).sum()), float(waited.sum())) == pytest.approx(90, rel=0.03)


@pytest.mark.parametrize("text", ["service-level=0.8", "service-level=80@20s", "speed=3", "asa=0s",
                                  "occupancy=1.5", "wait-probability=0.5@3s", ""])
def test_bad_targets_are_one_sentence(text):
    from telekpi.errors import UsageError

    with pytest.raises(UsageError):
        parse_target(text)


def test_targets_are_read_in_their_written_forms():
    assert parse_target("service-level=80%@20s").value == pytest.approx(0.8)
    assert parse_target("service-level=0.8@20s").threshold_s == 20
    assert parse_target("asa=30s").value == 30
    assert parse_target("asa=30").value == 30
