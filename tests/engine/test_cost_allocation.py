"""cost_allocation: team and campaign costs stay put, or follow talk time when asked."""

import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.settings import Settings
from telekpi.store.warehouse import Warehouse


@pytest.fixture
def wh(tmp_path):
    w = Warehouse(tmp_path / "w.duckdb")
    c = w.con
    c.execute("INSERT INTO agents (agent_id, team_id) VALUES ('a1','t1'), ('a2','t1'), ('a3','t2')")
    c.execute("""INSERT INTO calls (call_id, started_at, agent_id, campaign_id, status, talk_s) VALUES
        ('c1', '2026-01-10 03:00:00+00', 'a1', 'k1', 'answered', 300),
        ('c2', '2026-01-10 04:00:00+00', 'a2', 'k1', 'answered', 100),
        ('c3', '2026-01-10 04:00:00+00', 'a3', 'k2', 'answered', 50)""")
    c.execute("""INSERT INTO costs (cost_id, incurred_on, amount, category, agent_id, team_id, campaign_id)
        VALUES ('s1', '2026-01-31', 1000, 'salary', 'a1', NULL, NULL),
               ('t1', '2026-01-15', 400, 'telco', NULL, 't1', NULL),
               ('k2', '2026-01-15', 90, 'data', NULL, NULL, 'k2'),
               ('t9', '2026-02-15', 70, 'telco', NULL, 't1', NULL),
               ('x', '2026-01-01', 5, 'other', NULL, NULL, NULL)""")
    yield w
    w.close()


def costs(wh, alloc):
    rows = Engine(wh, Settings(cost_allocation=alloc)).query(Request(("cost",), by=("agent",))).rows
    return {r["agent"]: r["cost"] for r in rows}


def test_not_split_by_default(wh):
    assert costs(wh, "none") == {"a1": 1000, None: 565}


def test_by_talk_time(wh):
    # t1's 400 split 300:100 by talk; k2's 90 all to a3; February's 70 had no talk → unallocated.
    assert costs(wh, "by_talk_time") == pytest.approx({"a1": 1300, "a2": 100, "a3": 90, None: 75})
    assert sum(costs(wh, "by_talk_time").values()) == pytest.approx(1565)
