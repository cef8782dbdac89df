"""tests/conftest.py's order under xdist: the longest tests first, one per worker in turn."""

from __future__ import annotations

from types import SimpleNamespace

from .conftest import LONG_FIRST, long_first

SPARK, CRASH = LONG_FIRST[0], LONG_FIRST[1]


def _items(ids):
    return [SimpleNamespace(nodeid=i) for i in ids]


def _config(workers=None, dist="load", maxschedchunk=None):
    options = {"dist": dist, "maxschedchunk": maxschedchunk}
    config = SimpleNamespace(getoption=lambda name, default=None: options.get(name, default))
    if workers:
        config.workerinput = {"workercount": workers}
    return config


def _ids(items):
    return [i.nodeid for i in items]


SHORT = [f"tests/a/test_{i:02d}.py::test_x" for i in range(40)]
LONG = [f"{SPARK}[g{g}]" for g in range(3)] + [f"{CRASH}[0]"]


def test_long_tests_lead_each_workers_first_batch():
    items = _items(SHORT[:10] + [LONG[3]] + SHORT[10:30] + LONG[:3] + SHORT[30:])
    long_first(_config(workers=2), items)
    ids, batch = _ids(items), len(items) // 2 // 4     # xdist sends each worker this many first
    assert ids[:2] == [LONG[0], LONG[2]]                           # the first worker's batch
    assert ids[batch:batch + 2] == [LONG[1], LONG[3]]              # the second worker's
    assert sorted(ids) == sorted(SHORT + LONG)                     # nothing lost, nothing twice
    assert [i for i in ids if i in SHORT] == SHORT                 # the rest in collection order


def test_without_xdist_or_long_tests_the_order_stays():
    items = _items(SHORT[:5] + LONG + SHORT[5:])
    long_first(_config(), items)
    assert _ids(items) == SHORT[:5] + LONG + SHORT[5:]
    short = _items(SHORT)
    long_first(_config(workers=2), short)
    assert _ids(short) == SHORT


def test_other_distributions_get_the_long_tests_first():
    items = _items(SHORT + LONG)
    long_first(_config(workers=2, dist="worksteal"), items)
    assert _ids(items) == [LONG[0], LONG[1], LONG[2], LONG[3], *SHORT]
