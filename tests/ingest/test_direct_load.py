"""The direct load (``store/direct_load.py``): into an empty table the good rows are written
once, straight into it. It must store and quarantine exactly what the staged path does (rows,
lines, columns, reasons, counts), also when keys repeat across read batches, and a file
interrupted half-way leaves the table empty."""


import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import telekpi.ingest.csv_file as csv_file
from telekpi.ingest.pipeline import import_file
from telekpi.settings import Settings
from telekpi.store import direct_load
from telekpi.store.warehouse import Warehouse

COLUMNS = ["call_id", "started_at", "agent_id", "status", "talk_s", "wait_s", "disposition"]
# every kind of value the validator judges: good ones, and one of each way to be bad
IDS = ["c1", "c2", "c3", "c4", "", " c5 "]
TIMES = ["2026-01-31 10:00:00", "2026-02-01T23:59", "2026-03-01 00:00:00+07:00",
         "31/01/2026", "soon", "", "1969-12-31 10:00", "9999-01-01 00:00", "2026-01-31 10:00+99:99"]
STATUSES = ["answered", "BUSY", " no_answer ", "bogus", ""]
SECONDS = ["0", "12.5", "0:01:30", "-3", "abc", "", "NaN", "1e309", "99999999", "1:99"]
TEXTS = ["a1", "", "Nguyễn", "x" * 70_000]
OTHER = "z0,2026-01-01 10:00,a,busy,0,0,\n"   # a row of another file: the table is not empty

row = st.one_of(
    st.fixed_dictionaries({
        "call_id": st.sampled_from(IDS), "started_at": st.sampled_from(TIMES),
        "agent_id": st.sampled_from(TEXTS), "status": st.sampled_from(STATUSES),
        "talk_s": st.sampled_from(SECONDS), "wait_s": st.sampled_from(SECONDS),
        "disposition": st.sampled_from(["SALE", "", "odd code"]),
    }).map(lambda r: ",".join(r[c] for c in COLUMNS)),
    st.sampled_from(["c9,2026-01-31 10:00,a1", "c9,2026-01-31 10:00,a1,answered,1,2,SALE,extra", ""]),
)


def write(path, lines):
    path.write_text(",".join(COLUMNS) + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def imported(db, f, s, prefill: bool):
    """(counts, stored rows, quarantine) of importing ``f``, into an empty table or one holding
    another file's row; with which path ran."""
    ran = []
    real_add = direct_load.DirectLoad.add

    def spy(self, sql):
        ran.append("direct")
        real_add(self, sql)

    with Warehouse(db) as wh:
        if prefill:
            other = f.parent / "other.csv"
            other.write_text(",".join(COLUMNS) + "\n" + OTHER, encoding="utf-8")
            import_file(wh, "calls", other, s)
        mp = pytest.MonkeyPatch()
        mp.setattr(direct_load.DirectLoad, "add", spy)
        try:
            r = import_file(wh, "calls", f, s)
        finally:
            mp.undo()
        q = wh.con.execute
        rows = q("SELECT * FROM calls WHERE call_id <> 'z0' ORDER BY call_id").fetchall()
        quarantine = q('SELECT line, "table", "column", raw, reason FROM quarantine WHERE source = ? '
                       "ORDER BY line, reason", [str(f.resolve())]).fetchall()
        c = r.counts
        return ((c.rows_read, c.inserted, c.quarantined, c.skipped, c.updated, c.unchanged), rows,
                quarantine, r.examples, r.unknown_dispositions, bool(ran))


@pytest.mark.slow   # 30 examples × two imports: 10 s
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(row, max_size=25), block=st.sampled_from([64, 256, 1 << 20]))
def test_direct_and_staged_paths_store_and_quarantine_the_same(tmp_path_factory, lines, block):
    s = Settings(timezone="Asia/Ho_Chi_Minh")
    mp = pytest.MonkeyPatch()
    mp.setattr(csv_file, "BLOCK_BYTES", block)   # many read batches: keys repeat across them
    try:
        out = []
        for prefill in (False, True):
            ws = tmp_path_factory.mktemp("ws")
            out.append(imported(ws / "w.duckdb", write(ws / "calls.csv", lines), s, prefill))
    finally:
        mp.undo()
    direct, staged = out
    assert not staged[5] and (direct[5] or not direct[0][1])   # each path ran where it should
    assert direct[:5] == staged[:5]


def test_direct_load_interrupted_half_way_leaves_the_table_empty(tmp_path, monkeypatch):
    """Rows already written by earlier batches are in the open transaction only."""
    monkeypatch.setattr(csv_file, "BLOCK_BYTES", 4096)   # two batches
    f = write(tmp_path / "calls.csv", [f"c{i},2026-01-31 10:00,a1,{'bogus' if i % 9 else 'busy'},1,2,"
                                       for i in range(2000)])
    seen = []

    def ctrl_c(fraction):
        seen.append(fraction)
        if len(seen) == 2:   # both batches written, the file not finished
            raise KeyboardInterrupt

    with Warehouse(tmp_path / "w.duckdb") as wh:
        with pytest.raises(KeyboardInterrupt):
            import_file(wh, "calls", f, Settings(), progress=ctrl_c)
        assert [wh.count(t) for t in ("calls", "quarantine", "imports")] == [0, 0, 0]
        r = import_file(wh, "calls", f, Settings())   # and the file goes in whole afterwards
        assert (r.counts.inserted, r.counts.quarantined) == (223, 1777)
        assert wh.count("calls") == 223


def test_duplicates_with_different_values_keep_the_last_line_across_batches(tmp_path, monkeypatch):
    """The earlier rows of a repeated key are told apart by the order they were written."""
    monkeypatch.setattr(csv_file, "BLOCK_BYTES", 128)
    lines = [f"c{i % 3},2026-01-31 10:00,agent{i},busy,{i},0," for i in range(40)]
    f = write(tmp_path / "calls.csv", lines)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        r = import_file(wh, "calls", f, Settings())
        assert (r.counts.inserted, r.counts.quarantined) == (3, 37)
        assert wh.con.execute("SELECT call_id, agent_id, talk_s FROM calls ORDER BY 1").fetchall() == [
            ("c0", "agent39", 39.0), ("c1", "agent37", 37.0), ("c2", "agent38", 38.0)]
        raws = wh.con.execute("SELECT line, raw::JSON->>'agent_id' FROM quarantine ORDER BY line").fetchall()
        assert raws == [(n + 2, f"agent{n}") for n in range(37)]


def test_a_file_above_the_direct_limit_is_staged(tmp_path, monkeypatch):
    """A transaction's appended rows stay in memory until it commits: a large file is staged."""
    from telekpi.store import upsert

    f = write(tmp_path / "calls.csv", [f"c{i},2026-01-31 10:00,a1,busy,1,2," for i in range(50)])
    monkeypatch.setattr(upsert, "DIRECT_MAX_BYTES", f.stat().st_size - 1)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert imported_path(wh, f) == "staged"
    monkeypatch.setattr(upsert, "DIRECT_MAX_BYTES", f.stat().st_size)
    with Warehouse(tmp_path / "w2.duckdb") as wh:
        assert imported_path(wh, f) == "direct"


def imported_path(wh, f) -> str:
    from telekpi.store.upsert import Upsert

    ran = []
    real = Upsert.start_direct

    def spy(self, size):
        ran.append(real(self, size))
        return ran[-1]

    mp = pytest.MonkeyPatch()
    mp.setattr(Upsert, "start_direct", spy)
    try:
        r = import_file(wh, "calls", f, Settings())
    finally:
        mp.undo()
    assert (r.counts.inserted, wh.count("calls")) == (50, 50)
    return "direct" if ran == [True] else "staged"
