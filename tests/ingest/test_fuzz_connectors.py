"""Fuzzing every connector but the plain CSV reader (its own property tests live with it):
a valid export of each format, damaged (see ``mutations``), imported through the
``Workspace`` into a fresh warehouse. Whatever the damage: no error but an ``InputError``
(one located sentence); the counts add up; a re-import changes nothing; the headline KPIs
and the dashboard's pages still answer."""

from __future__ import annotations

import datetime as dt
import functools
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telekpi.errors import InputError
from telekpi.workspace import Workspace

from .fuzz_checks import import_checked, kpis_answer, one_sentence, pages_answer, snapshot
from .mutations import NUMBERS, ODD, TIMES, mutations
from .samples import SAMPLE, write_table

FIXTURES = Path(__file__).parent / "fixtures"
# (fixture, format, table)
EXPORTS = [
    ("asterisk/asterisk-cdr-custom-lab.csv", "asterisk-cdr", "calls"),
    ("asterisk/cdr_table_pbxware.csv", "asterisk-cdr", "calls"),
    ("asterisk/queue_log", "asterisk-queue-log", "calls"),
    ("asterisk/queue_log.outbound", "asterisk-queue-log", "calls"),
    ("asterisk/queue_log_table.csv", "asterisk-queue-log", "calls"),
    ("asterisk/queue_log_data.csv", "asterisk-queue-log", "agent_states"),
    ("freeswitch/Master.csv", "freeswitch-cdr", "calls"),
    ("freeswitch/freeswitch-cdr-csv-lab.csv", "freeswitch-cdr", "calls"),
    ("twilio/call-log.csv", "twilio", "calls"),
    ("twilio/calls-api.csv", "twilio", "calls"),
    ("vicidial/vicidial_log.csv", "vicidial", "calls"),
    ("vicidial/vicidial_closer_log.csv", "vicidial", "calls"),
    ("vicidial/call_report_export.txt", "vicidial", "calls"),
    ("vicidial/vicidial_agent_log.csv", "vicidial-agent-log", "agent_states"),
    ("vicidial/vicidial_callbacks.csv", "vicidial-callbacks", "scheduled_callbacks"),
]
IDS = [f"{fmt}:{Path(f).name}" for f, fmt, _ in EXPORTS]
FUZZ = settings(max_examples=10, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


def fresh(tmp_path_factory) -> Workspace:
    folder = tmp_path_factory.mktemp("ws")
    (folder / "telekpi.toml").write_text('timezone = "Asia/Ho_Chi_Minh"\n', encoding="utf-8")
    return Workspace(folder / "telekpi.duckdb")


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "fmt", "table"), EXPORTS, ids=IDS)
@FUZZ
@given(data=st.data(), named=st.booleans())
def test_a_damaged_export_is_imported_or_refused_in_one_sentence(tmp_path_factory, fixture, fmt, table,
                                                                 data, named):
    """``named``: the format given (``--format``), else found from the file's first bytes."""
    done, damaged = data.draw(mutations((FIXTURES / fixture).read_bytes()), label="damage")
    ws = fresh(tmp_path_factory)
    path = ws.folder / Path(fixture).name
    path.write_bytes(damaged)
    try:
        import_checked(ws, table, path, fmt if named else None)
        kpis_answer(ws)
    finally:
        ws.warehouse.close()


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "fmt", "table"), EXPORTS[::3], ids=IDS[::3])
@settings(FUZZ, max_examples=3)
@given(data=st.data())
def test_pages_answer_over_a_damaged_import(tmp_path_factory, fixture, fmt, table, data):
    _, damaged = data.draw(mutations((FIXTURES / fixture).read_bytes(), max_size=5), label="damage")
    ws = fresh(tmp_path_factory)
    path = ws.folder / Path(fixture).name
    path.write_bytes(damaged)
    try:
        import_checked(ws, table, path, fmt)
    finally:
        ws.warehouse.close()
    pages_answer(ws.db)


# -- typed files: XLSX and Parquet carry numbers and times, not only text -----------------------
TYPED = st.one_of(
    st.sampled_from(NUMBERS + TIMES + ODD[:-1]),
    st.none(), st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(), st.text(max_size=30),
)
CALL_COLUMNS = list(SAMPLE["calls"])


def typed_rows(draw, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        row: dict = dict(SAMPLE["calls"], call_id=f"c{i}")
        for col in draw(st.lists(st.sampled_from(CALL_COLUMNS), max_size=4), label="columns"):
            row[col] = draw(TYPED, label=col)
        rows.append(row)
    return rows


def write_typed(path: Path, rows: list[dict], fmt: str) -> None:
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        sheet = wb.active
        sheet.append(CALL_COLUMNS)
        for r in rows:
            out = []
            for c in CALL_COLUMNS:
                v = r[c]
                if isinstance(v, float) and not math.isfinite(v):
                    v = str(v)   # a workbook cannot hold inf or NaN as a number
                if isinstance(v, str):
                    v = "".join(ch for ch in v if ch >= " " or ch in "\t\n\r")[:32_000]
                out.append(v)
            sheet.append(out)
        wb.save(path)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {}
        for c in CALL_COLUMNS:
            values = [r[c] for r in rows]
            kinds = {type(v) for v in values if v is not None}
            try:
                arr = pa.array(values) if len(kinds) == 1 else pa.array([None if v is None else str(v)
                                                                        for v in values], pa.string())
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                arr = pa.array([None if v is None else str(v) for v in values], pa.string())
            columns[c] = arr
        pq.write_table(pa.table(columns), path)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
@FUZZ
@given(data=st.data())
def test_typed_values_in_a_workbook_or_parquet_are_stored_or_quarantined(tmp_path_factory, fmt, data):
    rows = typed_rows(data.draw, data.draw(st.integers(1, 6), label="rows"))
    ws = fresh(tmp_path_factory)
    path = ws.folder / f"calls.{fmt}"
    write_typed(path, rows, fmt)
    try:
        results = import_checked(ws, "calls", path, fmt)
        assert results is not None, "a well-formed file was refused"
        assert results[0].counts.rows_read == len(rows)
        kpis_answer(ws)
    finally:
        ws.warehouse.close()


@functools.cache
def sound_file(fmt: str) -> bytes:
    """The undamaged file, written once: a workbook's zip entries carry the time they were
    written, and Hypothesis must draw its damage from the same bytes every time it replays."""
    with tempfile.TemporaryDirectory() as folder:
        return write_table(Path(folder) / f"calls.{fmt}",
                           [dict(SAMPLE["calls"], call_id=f"c{i}") for i in range(5)], fmt).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
@FUZZ
@given(data=st.data())
def test_a_damaged_workbook_or_parquet_file_is_refused_in_one_sentence(tmp_path_factory, fmt, data):
    ws = fresh(tmp_path_factory)
    path = ws.folder / f"calls.{fmt}"
    _, damaged = data.draw(mutations(sound_file(fmt)), label="damage")
    path.write_bytes(damaged)
    try:
        import_checked(ws, "calls", path, data.draw(st.sampled_from([fmt, None]), label="format"))
        kpis_answer(ws)
    finally:
        ws.warehouse.close()


# -- JSON rows (the ingestion API) ------------------------------------------------------------
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
                    st.sampled_from(NUMBERS + TIMES + ODD[:-1]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
KEYS = st.one_of(st.sampled_from(CALL_COLUMNS), st.text(max_size=20),
                 st.sampled_from(["", " call_id", "CALL_ID", "__line", "__raw", '"', "a\x00b", "x" * 300]))
ROWS = st.lists(st.one_of(
    st.builds(lambda base, extra: {**base, **extra},
              st.fixed_dictionaries({"call_id": st.sampled_from(["c1", "c2", "c3"]) | SCALARS,
                                     "started_at": st.sampled_from(TIMES) | SCALARS,
                                     "status": st.sampled_from(["answered", "busy", "x"]) | SCALARS}),
              st.dictionaries(KEYS, VALUES, max_size=4)),
    VALUES), max_size=8)


@pytest.mark.slow
@FUZZ
@given(rows=ROWS | VALUES)
def test_json_rows_are_stored_or_quarantined_and_counts_add_up(tmp_path_factory, rows):
    ws = fresh(tmp_path_factory)
    try:
        before = snapshot(ws)
        try:
            r = ws.import_rows("calls", rows, label="api:calls:fuzz")
        except InputError as e:
            one_sentence(e)
            assert snapshot(ws) == before
            return
        c = r.counts
        assert c.rows_read == len(rows)
        assert c.rows_read == c.inserted + c.updated + c.unchanged + c.skipped + c.quarantined, c
        stored = snapshot(ws)
        again = ws.import_rows("calls", rows, label="api:calls:fuzz").counts
        assert (again.inserted, again.updated) == (0, 0)
        assert snapshot(ws) == stored
        kpis_answer(ws)
    finally:
        ws.warehouse.close()
