"""Connector state and follow offsets: what they keep, replace and leave alone."""

from telekpi.store.connector_state import ConnectorState, Entry, FollowOffsets, Position
from telekpi.store.warehouse import Warehouse


def test_entries_are_kept_per_format_and_kind_and_read_before_a_time(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        calls = ConnectorState(wh.con, "log", "call")
        calls.replace({}, [Entry("u1", 10.0, '{"a": 1}', 3), Entry("u2", 20.0, "{}")], "/logs/1")
        ConnectorState(wh.con, "log", "agent").replace({}, [Entry("u1", 5.0, "{}")], "/logs/1")
        ConnectorState(wh.con, "other", "call").replace({}, [Entry("u1", 5.0, "{}")], "/logs/1")
        assert calls.before(20.0) == [Entry("u1", 10.0, '{"a": 1}', 3)]
        assert [e.key for e in calls.before(21.0)] == ["u1", "u2"]
        assert wh.con.execute("SELECT source FROM connector_state WHERE key = 'u2'").fetchall() == [("/logs/1",)]


def test_taken_entries_go_and_a_newer_entry_wins(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        state = ConnectorState(wh.con, "log", "call")
        state.replace({}, [Entry("u1", 10.0, "first"), Entry("u2", 30.0, "newer")], "/logs/2")
        # An import that took u1 over and ended it; an older file's u2 and a new u3 still open.
        state.replace({"u1": 10.0}, [Entry("u2", 20.0, "older"), Entry("u3", 25.0, "open")], "/logs/1")
        assert [(e.key, e.value) for e in state.before(100.0)] == [("u2", "newer"), ("u3", "open")]
        # A later entry of the same key replaces the one there.
        state.replace({}, [Entry("u3", 40.0, "later")], "/logs/3")
        assert [(e.key, e.at, e.value) for e in state.before(100.0)] == [("u2", 30.0, "newer"), ("u3", 40.0, "later")]


def test_entries_roll_back_with_the_callers_transaction(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        state = ConnectorState(wh.con, "log", "call")
        wh.con.begin()
        state.replace({}, [Entry("u1", 10.0, "{}")], "/logs/1")
        wh.con.rollback()
        assert state.before(100.0) == []


def test_follow_offsets_are_saved_per_path_and_table(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        offsets = FollowOffsets(wh.con)
        assert offsets.get("/var/log/queue_log", "calls") is None
        offsets.save("/var/log/queue_log", "calls", Position(1, 2, "abc", 100, 4))
        offsets.save("/var/log/queue_log", "agent_states", Position(1, 2, "abc", 50, 2))
        offsets.save("/var/log/queue_log", "calls", Position(1, 2, "abc", 200, 8))
        assert offsets.get("/var/log/queue_log", "calls") == Position(1, 2, "abc", 200, 8)
        assert offsets.get("/var/log/queue_log", "agent_states") == Position(1, 2, "abc", 50, 2)
        assert wh.count("follow_offsets") == 2
