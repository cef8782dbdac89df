"""The queue's history by interval: local-time buckets, what counts as offered, bad options."""

import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.intervals import interval_history
from telekpi.errors import UsageError
from telekpi.store.warehouse import Warehouse


@pytest.fixture
def db(tmp_path):
    (tmp_path / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n')
    path = tmp_path / "telekpi.duckdb"
    wh = Warehouse(path)
    wh.con.execute("""INSERT INTO calls (call_id, started_at, queued_at, agent_id, direction, status,
        wait_s, talk_s, hold_s, wrap_s, queue, campaign_id) VALUES
        -- 23:59 local (16:59 UTC) queued, answered at 00:00:30 local: it arrived in the 23:30 slot
        ('c1', '2026-03-01 16:59:40+00', '2026-03-01 16:59:00+00', 'a1', 'inbound', 'answered',
         40, 100, 10, 20, 'q1', 'k'),
        ('c2', '2026-03-01 17:10:00+00', NULL, NULL, 'inbound', 'abandoned', 25, 0, 0, 0, 'q2', 'k'),
        ('c3', '2026-03-01 17:12:00+00', NULL, 'a2', 'inbound', 'answered', NULL, 50, NULL, NULL, 'q2', 'k'),
        ('c4', '2026-03-01 17:13:00+00', NULL, NULL, 'inbound', 'abandoned', 0, 0, 0, 0, NULL, 'k'),
        ('c5', '2026-03-01 17:14:00+00', NULL, 'a2', 'outbound', 'answered', NULL, 60, 0, 0, NULL, 'k')""")
    wh.close()
    return path


def test_calls_fall_in_the_local_interval_they_entered_the_queue(db):
    rows = interval_history(Engine.open(db), 30, threshold_s=20)
    assert [(r["slot"].isoformat(), r["offered"]) for r in rows] == [
        ("2026-03-01T23:30:00", 1), ("2026-03-02T00:00:00", 2)]   # the IVR hang-up and outbound call are out
    late, early = rows
    assert late["answered"] == 1 and late["in_threshold"] == 0 and late["handle_s"] == 130
    assert early["abandoned"] == 1 and early["waited_s"] == 25 and early["known_wait"] == 1
    assert early["handle_s"] == 50 and early["handled"] == 1 and early["agents"] == 1


def test_split_and_filter_by_queue(db):
    engine = Engine.open(db)
    rows = interval_history(engine, 60, by="queue")
    assert sorted((r["slot"].hour, r["key"]) for r in rows) == [(0, "q2"), (23, "q1")]
    assert [r["key"] for r in interval_history(engine, 60, by="queue", where={"queue": ["q1"]})] == ["q1"]


@pytest.mark.parametrize(("kwargs", "field"), [({"minutes": 20}, "interval"), ({"minutes": 30, "by": "agent"}, "by")])
def test_bad_options_are_usage_errors(db, kwargs, field):
    with pytest.raises(UsageError) as e:
        interval_history(Engine.open(db), **kwargs)
    assert e.value.field == field


def test_staffed_agents_include_those_logged_in_on_a_day_they_worked_the_queue(db):
    """a2 answered in the 00:00 interval; a3 was paused then and answered a q2 call later that
    day, so they count too; a4 was offline; a5 was available but never worked q2 that day (an
    outbound seller); a2's state from the evening before counts for no queue that evening."""
    wh = Warehouse(db)
    wh.con.execute("""INSERT INTO calls (call_id, started_at, agent_id, direction, status, wait_s, talk_s, queue)
        VALUES ('c6', '2026-03-01 18:00:00+00', 'a3', 'inbound', 'answered', 5, 60, 'q2'),
               ('c7', '2026-03-01 18:05:00+00', 'a4', 'inbound', 'answered', 5, 60, 'q2')""")
    wh.con.execute("""INSERT INTO agent_states (agent_id, state, started_at, ended_at) VALUES
        ('a2', 'available', '2026-03-01 16:40:00+00', '2026-03-01 17:20:00+00'),
        ('a3', 'pause', '2026-03-01 17:00:00+00', '2026-03-01 17:29:00+00'),
        ('a4', 'offline', '2026-03-01 17:00:00+00', '2026-03-01 17:29:00+00'),
        ('a5', 'available', '2026-03-01 17:00:00+00', '2026-03-01 17:29:00+00')""")
    wh.close()
    rows = {(r["slot"].isoformat(), r["key"]): r for r in interval_history(Engine.open(db), 30, by="queue")}
    midnight = rows[("2026-03-02T00:00:00", "q2")]
    assert midnight["answering"] == 1 and midnight["agents"] == 2
    assert rows[("2026-03-01T23:30:00", "q1")]["agents"] == 1        # a1 answered; a2 worked no queue that day
    assert rows[("2026-03-02T01:00:00", "q2")]["agents"] == 2        # a3 and a4 answered
