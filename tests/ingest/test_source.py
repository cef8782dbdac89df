"""Optional source behaviour is declared (ingest/source.py) and found by isinstance: a third
party's source with no telekpi base class gets exactly the behaviour it declares."""

import numpy as np
import pyarrow as pa
import pytest

from telekpi.ingest.pipeline import import_source
from telekpi.ingest.source import DerivesColumns, HasNotes, KeepsState, RawBatch
from telekpi.settings import Settings
from telekpi.store.connector_state import ConnectorState, Entry
from telekpi.store.warehouse import Warehouse


class Plain:
    """Only the members every source has."""

    def __init__(self, path, ids):
        self.path, self.ids = path, ids
        self.columns, self.header_line = ["call_id", "started_at", "status"], 1

    def batches(self):
        n = len(self.ids)
        yield RawBatch(pa.table({"call_id": self.ids, "started_at": ["2026-01-05 10:00:00"] * n,
                                 "status": ["answered"] * n}), np.arange(2, n + 2, dtype=np.int64))

    def progress(self):
        return 1.0

    def close(self):
        pass


class Stateful(Plain):
    """Carries the ids it saw to the next import, and says how many it found."""

    def begin(self, con):
        self.found = ConnectorState(con, "test", "call").before(1e12)

    def commit(self, con):
        ConnectorState(con, "test", "call").replace(
            {e.key: e.at for e in self.found}, [Entry(i, 1.0, "{}") for i in self.ids], str(self.path))

    def notes(self):
        return [f"{len(self.found)} carried over"]


def run(wh, source, **kw):
    return import_source(wh, "calls", source, Settings(), label=str(source.path), fmt="test", **kw)


def test_a_source_without_optional_behaviour_imports_as_it_is(tmp_path):
    source = Plain(tmp_path / "a", ["c1"])
    assert not isinstance(source, KeepsState | HasNotes | DerivesColumns)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert run(wh, source).notes == []
        assert wh.count("calls") == 1


def test_state_is_loaded_before_and_saved_with_the_rows(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        first = Stateful(tmp_path / "a", ["c1", "c2"])
        assert isinstance(first, KeepsState) and isinstance(first, HasNotes)
        assert run(wh, first).notes == ["0 carried over"]
        second = Stateful(tmp_path / "b", ["c3"])
        assert run(wh, second).notes == ["2 carried over"]
        assert [e.key for e in ConnectorState(wh.con, "test", "call").before(1e12)] == ["c3"]


def test_a_failed_import_saves_no_state(tmp_path):
    with Warehouse(tmp_path / "w.duckdb") as wh:
        def fail(con):
            raise RuntimeError("disk full")

        with pytest.raises(RuntimeError):
            run(wh, Stateful(tmp_path / "a", ["c1"]), on_commit=fail)
        assert wh.count("calls") == 0
        assert ConnectorState(wh.con, "test", "call").before(1e12) == []
