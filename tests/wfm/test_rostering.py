"""The schedule builder: a case solved by hand, optimality against brute force on random small
cases, breaks, a mean day across midnight, infeasible requirements, the shift patterns file,
and `telekpi roster` writing a schedule `telekpi import schedules` reads."""

from __future__ import annotations

import csv
import itertools
import json
import random
from datetime import datetime

import numpy as np
import pytest

from telekpi.errors import ConfigError, UsageError
from telekpi.wfm.rostering import build, candidates, coverage, schedule_rows
from telekpi.wfm.shifts import DEFAULT_PATTERNS, Pattern, load_patterns, parse_patterns
from telekpi.yaml_lines import load

EIGHT = datetime(2026, 3, 2, 8, 0)


def h(*clock: int) -> tuple[int, ...]:
    return tuple(c * 60 for c in clock)


def test_a_case_solved_by_hand():
    """60-minute intervals 08:00–14:00 needing 1, 1, 1, 1, 1, 2 agents. Patterns: A, 4 hours
    from 08:00, 09:00 or 10:00 at 1 a paid hour; B, 2 hours from 12:00 at 1.5 an hour.
    13:00 needs two agents and each shift that covers it costs at least 3 (B; A from 10:00
    costs 4), so at least 6; 08:00 is covered only by A from 08:00 (4): no schedule costs
    less than 10, and A at 08:00 plus two B at 12:00 costs 4 + 3 + 3 = 10 for 8 paid hours.
    The cheaper-per-hour A from 10:00 twice (cost 12) or A 08 + A 10 + B (11) are worse."""
    patterns = [Pattern("A", h(8, 9, 10), 240), Pattern("B", h(12), 120, cost=1.5)]
    got = build(patterns, EIGHT, [1, 1, 1, 1, 1, 2], 60)
    assert [(s["pattern"], s["start"].hour, s["agents"]) for s in got["shifts"]] == [("A", 8, 1), ("B", 12, 2)]
    assert got["cost"] == 10 and got["agent_hours"] == 8 and got["agents"] == 3
    assert got["optimal"] and got["lower_bound"] == pytest.approx(10)
    assert [r["covered"] for r in got["coverage"]] == [1, 1, 1, 1, 2, 2]
    assert [r["surplus"] for r in got["coverage"]] == [0, 0, 0, 0, 1, 0]


def _brute_force(a: np.ndarray, cost: np.ndarray, need: np.ndarray) -> float:
    top = int(need.max())
    best = np.inf
    for x in itertools.product(range(top + 1), repeat=a.shape[1]):
        v = np.array(x)
        if (a @ v >= need).all():
            best = min(best, float(cost @ v))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_the_optimum_of_random_small_cases_matches_brute_force(seed):
    """Six 30-minute intervals, two or three patterns with random starts, lengths, a break and
    costs, needs of 0–3 agents: every way of starting 0–3 agents per start is tried."""
    rng = random.Random(seed)
    patterns = []
    for k in range(rng.randint(2, 3)):
        length = rng.choice([60, 90, 120, 150])
        breaks = ((30, 30),) if length >= 120 and rng.random() < 0.4 else ()
        starts = tuple(sorted(rng.sample([480, 510, 540, 570, 600, 630], rng.randint(1, 2))))
        patterns.append(Pattern(f"p{k}", starts, length, breaks, rng.choice([1.0, 1.25, 2.0])))
    need = np.array([rng.randint(0, 3) for __ in range(6)])
    starts = candidates(patterns, EIGHT, 6, 30, False)
    a = coverage(starts, 6, 30, False)
    keep = a.any(axis=0)
    a, starts = a[:, keep], [s for s, k in zip(starts, keep, strict=True) if k]
    cost = np.array([s.pattern.hours * s.pattern.cost for s in starts])
    best = _brute_force(a, cost, need) if len(starts) <= 7 else None
    if best is None:
        pytest.skip("too many starts to try them all")
    if not np.isfinite(best):
        with pytest.raises(UsageError, match="no shift pattern covers"):
            build(patterns, EIGHT, need, 30)
        return
    got = build(patterns, EIGHT, need, 30)
    assert got["cost"] == pytest.approx(best)
    assert all(r["covered"] >= r["required"] for r in got["coverage"])


def test_breaks_and_partial_intervals_leave_an_interval_uncovered():
    """A 5-hour shift from 08:00 with an hour's break after 2 hours works 08, 09, 11 and 12; a
    30-minute break (or a 07:30 start) leaves its whole 60-minute interval uncovered."""
    starts = candidates([Pattern("s", h(8), 300, ((120, 60),))], EIGHT, 6, 60, False)
    assert coverage(starts, 6, 60, False)[:, 0].tolist() == [1, 1, 0, 1, 1, 0]
    half = candidates([Pattern("s", (450,), 300, ((120, 30),))], EIGHT, 6, 60, False)
    assert coverage(half, 6, 60, False)[:, 0].tolist() == [1, 0, 1, 1, 0, 0]   # 07:30–12:30, break 09:30–10:00


def test_a_mean_day_wraps_past_midnight():
    night = Pattern("night", h(22), 240)
    need = [0] * 24
    need[0] = need[1] = need[23] = 2
    got = build([night], datetime(2026, 3, 2), need, 60, cyclic=True)
    assert [(s["start"].hour, s["agents"]) for s in got["shifts"]] == [(22, 2)]
    assert [r["covered"] for r in got["coverage"]][:3] == [2, 2, 0] and got["coverage"][22]["covered"] == 2
    dated = build([night], datetime(2026, 3, 2, 20), [0, 0, 1, 1], 60)   # 20:00–24:00, not cyclic
    assert dated["shifts"][0]["end"] == datetime(2026, 3, 3, 2)
    morning = build([night], datetime(2026, 3, 3), [1, 0], 60)   # 00:00–02:00: the night before's shift
    assert morning["shifts"][0]["start"] == datetime(2026, 3, 2, 22)


def test_an_interval_no_pattern_covers_is_one_sentence():
    with pytest.raises(UsageError) as e:
        build([Pattern("day", h(8), 480)], EIGHT, [1] * 8 + [2], 60)
    assert "16:00" in str(e.value) and "2 agents" in str(e.value)


def test_nothing_needed_schedules_nobody():
    got = build(list(DEFAULT_PATTERNS), EIGHT, [0, 0, 0], 60)
    assert got["shifts"] == [] and got["agent_hours"] == 0 and got["optimal"]


def test_the_schedule_rows_split_work_around_breaks():
    got = build([Pattern("d", h(8), 300, ((120, 60),))], EIGHT, [1, 1, 0, 1, 1], 60)
    rows = schedule_rows(got["shifts"])
    assert [(r["agent_id"], r["starts_at"].hour, r["ends_at"].hour, r["activity"]) for r in rows] == [
        ("open-001", 8, 10, "work"), ("open-001", 10, 11, "break"), ("open-001", 11, 13, "work")]


def test_the_patterns_file():
    text = """shifts:
  - name: early
    starts: ["06:00", 07:30]
    length: 8h30m
    breaks: [{after: 4h, length: 30m}]
    cost: 1.25
  - name: late
    earliest: "12:00"
    latest: "14:00"
    every: 30m
    length: 240
"""
    early, late = parse_patterns(load(text), "shifts.yaml")
    assert early == Pattern("early", (360, 450), 510, ((240, 30),), 1.25)
    assert late.starts == (720, 750, 780, 810, 840) and late.length == 240 and late.cost == 1.0
    assert load_patterns(None)[0] == list(DEFAULT_PATTERNS)


@pytest.mark.parametrize(("text", "words"), [
    ("shifts: []", "no shift patterns"),
    ("shifts:\n  - name: a\n    start: '25:00'\n    length: 8h", "line 3, column start"),
    ("shifts:\n  - name: a\n    start: '08:00'\n    length: 30h", "shift length"),
    ("shifts:\n  - name: a\n    start: '08:00'\n    length: 2h\n    breaks: [{after: 2h, length: 1h}]", "break"),
    ("shifts:\n  - name: a\n    start: '08:00'\n    length: 2h\n    cost: 0", "cost"),
    ("shifts:\n  - name: a\n    start: '08:00'\n    length: 2h\n  - name: a\n    start: '09:00'\n    length: 2h",
     "twice"),
    ("shifts:\n  - name: a\n    length: 2h", "earliest"),
])
def test_bad_patterns_name_file_and_line(text, words):
    with pytest.raises(ConfigError) as e:
        parse_patterns(load(text), "shifts.yaml")
    assert words in str(e.value) and "shifts.yaml" in str(e.value)


@pytest.mark.slow   # imports the schedule into a new warehouse
def test_roster_command_writes_a_schedule_that_imports(run, monkeypatch, tmp_path):
    """The calculator's needs (no warehouse needed) covered by the default patterns, written as a
    schedule and imported into a new workspace: every row goes in."""
    monkeypatch.setenv("COLUMNS", "200")
    sched = tmp_path / "rota.csv"
    code, out, err = run("--db", tmp_path / "none.duckdb", "roster", "--arrivals", "20,60,60,60,60,20",
                         "--aht", "180", "--interval", "60m", "--start", "08:00", "--shrinkage", "0.2",
                         "--day", "2026-03-02", "--schedule", sched, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["optimal"] and data["rows"][0]["interval"] == "2026-03-02 08:00"
    assert all(r["covered"] >= r["required"] > 0 for r in data["rows"])
    with open(sched, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len({r["agent_id"] for r in rows}) == data["agents"]
    assert rows[0]["starts_at"].startswith("2026-03-02T") and rows[0]["activity"] in ("work", "break")
    code, out, err = run("--db", tmp_path / "ws" / "telekpi.duckdb", "import", "schedules", sched)
    assert code == 0, err
    assert f"{len(rows)} inserted" in err + out and "0 quarantined" in err + out


@pytest.mark.parametrize(("args", "words"), [
    (["--shifts", "{tmp}/missing.yaml"], "missing.yaml"),
    (["--time-limit", "0"], "--time-limit 0"),
    (["--model", "erlang-x"], "erlang-x"),
    (["--day", "tomorrow"], "--day"),
])
def test_roster_bad_input_is_one_sentence(run, tmp_path, args, words):
    code, out, err = run("--db", tmp_path / "none.duckdb", "roster", "--arrivals", "20", "--aht", "180",
                         *(a.format(tmp=tmp_path) for a in args))
    assert code == 2 and words in err and "Traceback" not in err and err.count("\n") == 1
