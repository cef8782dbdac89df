"""The staffing table and the model check."""

import math

import numpy as np
import pytest

from telekpi.wfm.plan import model_check, staff_rows
from telekpi.wfm.simulate import simulate
from telekpi.wfm.staffing import parse_target


def test_the_model_check_picks_erlang_a_for_a_queue_whose_callers_hang_up():
    """Intervals "measured" from a simulated M/M/n+M queue with 60 s patience: Erlang A (and
    the simulation) fit it, Erlang C — which assumes nobody hangs up — does not."""
    rng = np.random.default_rng(4)
    intervals = []
    for k in range(60):
        n, offered, aht = int(rng.integers(3, 9)), int(rng.integers(20, 60)), 200.0
        measured = simulate(n, offered / 1800, aht, 60, 20, calls=4000, seed=100 + k)["service_level"]
        intervals.append({"interval": k, "offered": offered, "agents": n, "aht_s": aht, "measured": measured})
    result = model_check(intervals, 30, 20, 60)
    assert result["intervals"] == 60 and result["best"] in ("erlang-a", "simulation")
    assert result["models"]["erlang-a"]["mae"] < 0.03
    assert result["models"]["erlang-c"]["mae"] > 3 * result["models"]["erlang-a"]["mae"]
    assert result["models"]["erlang-c"]["bias"] < 0   # Erlang C under-predicts the service level


def test_the_model_check_skips_intervals_it_cannot_judge():
    rows = [{"interval": 0, "offered": 5, "agents": 0, "aht_s": 200, "measured": 0.5},
            {"interval": 1, "offered": 5, "agents": 2, "aht_s": 200, "measured": None},
            {"interval": 2, "offered": 0, "agents": 2, "aht_s": 200, "measured": 1.0}]
    assert model_check(rows, 30, 20, 60) == {"intervals": 0, "models": {}, "best": None, "rows": []}


def test_staff_rows_give_every_model_and_the_expected_figures():
    rows = staff_rows([{"interval": "08:00", "arrivals": 100, "aht_s": 180},
                       {"interval": "08:30", "arrivals": 0, "aht_s": 180}], 30,
                      [parse_target("service-level=0.8@20s")], "erlang-a", 120)
    busy, empty = rows
    assert busy["erlangs"] == 10 and busy["agents_erlang_c"] == 14
    assert busy["agents"] == busy["agents_erlang_a"] < busy["agents_erlang_c"]
    assert busy["service_level"] >= 0.8 and 0 < busy["abandonment"] < 0.1
    assert busy["occupancy"] == pytest.approx(10 * (1 - busy["abandonment"]) / busy["agents"], abs=1e-3)
    assert empty["agents"] == 0 and empty["service_level"] is None
    assert staff_rows([], 30, [parse_target("asa=20s")], "erlang-c", math.inf) == []
