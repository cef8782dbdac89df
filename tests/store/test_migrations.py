"""Every schema telekpi has shipped opens with this code: nothing lost, brought to SCHEMA_VERSION.

Each ``fixtures/schema-v*.sql`` is one shipped schema as DuckDB stored it (extracted from git
history, see its header), loaded with ``fixtures/rows.sql`` and the rows of its own tables.
"""

from pathlib import Path

import duckdb
import pytest

from telekpi.engine.engine import Engine
from telekpi.engine.request import Request
from telekpi.errors import InputError
from telekpi.settings import Settings
from telekpi.sql import identifier
from telekpi.store import migrations
from telekpi.store.migrations import SCHEMA_VERSION
from telekpi.store.warehouse import STAGING, Warehouse

FIXTURES = Path(__file__).parent / "fixtures"
# In the order they shipped: 398c9f6 the first release; 7f41968 column defaults; 05a5970
# connector_state and follow_offsets; c77994b telekpi_rollups; 345f4e6 its pending column;
# version 2 (291f344 to 0ccfa0c), before costs.period_end; version 3 (54c805d), before
# campaigns.kind; version 4 (5cffb0a), before the calls' queue and number columns; version 5
# (45e9c54), before transcripts, QA results and the customer's sentiment.
SHIPPED = [FIXTURES / f"schema-v1-{commit}.sql" for commit in ("398c9f6", "7f41968", "05a5970", "c77994b", "345f4e6")] \
    + [FIXTURES / "schema-v2-0ccfa0c.sql", FIXTURES / "schema-v3-54c805d.sql",
       FIXTURES / "schema-v4-5cffb0a.sql", FIXTURES / "schema-v5-45e9c54.sql"]


def build(path: Path, schema: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute(schema.read_text())
    con.execute((FIXTURES / "rows.sql").read_text())
    con.close()


def columns(con) -> list[tuple]:
    """Every column of every table: name, position, type, default, nullable."""
    return con.execute("SELECT table_name, column_index, column_name, data_type, column_default, is_nullable "
                       "FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' "
                       "ORDER BY ALL").fetchall()


def contents(con, names: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """The rows of each table (of ``names``' columns only, if given), sorted."""
    names = names or table_columns(con)
    return {t: con.execute(f"SELECT {', '.join(map(identifier, cols))} FROM {identifier(t)} ORDER BY ALL")
            .fetchall() for t, cols in names.items()}


def table_columns(con) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, _, column, *_ in columns(con):
        out.setdefault(table, []).append(column)
    return out


def version(con) -> str:
    return con.execute("SELECT value FROM telekpi_meta WHERE key = 'schema_version'").fetchall()[0][0]


@pytest.fixture(scope="module")
def current(tmp_path_factory) -> list[tuple]:
    """The columns of a warehouse this code makes from nothing."""
    with Warehouse(tmp_path_factory.mktemp("new") / "w.duckdb") as wh:
        assert version(wh.con) == str(SCHEMA_VERSION)
        return columns(wh.con)


def test_every_fixture_is_tested():
    assert sorted(FIXTURES.glob("schema-v*.sql")) == sorted(SHIPPED)


@pytest.mark.parametrize("schema", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_warehouse_opens_with_nothing_lost(tmp_path, schema, current):
    path = tmp_path / "w.duckdb"
    build(path, schema)
    con = duckdb.connect(str(path))
    old_columns = table_columns(con)
    before = contents(con)
    con.close()

    with Warehouse(path) as wh:
        assert version(wh.con) == str(SCHEMA_VERSION)
        assert columns(wh.con) == current
        after = contents(wh.con, old_columns)
        new_columns = {t: [c for c in cols if c not in old_columns.get(t, [])]
                       for t, cols in table_columns(wh.con).items()}
        for t, cols in new_columns.items():
            for c in cols:   # a column a step added: null in the rows already there
                assert wh.con.execute(f"SELECT count(*) FROM {identifier(t)} WHERE {identifier(c)} IS NOT NULL"
                                      ).fetchall() == [(0,)]
        wh.con.execute("INSERT INTO calls (call_id, started_at, status) "
                       "VALUES ('c9', TIMESTAMPTZ '2026-01-09 00:00:00+00', 'busy')")
        assert wh.con.execute("SELECT direction FROM calls WHERE call_id = 'c9'").fetchall() == [("outbound",)]
    meta = "telekpi_meta"
    assert [r for r in after.pop(meta) if r[0] != "schema_version"] == \
        [r for r in before.pop(meta) if r[0] != "schema_version"]
    assert after == before
    assert all(before.values()), "every table of the fixture has rows"


@pytest.mark.parametrize("schema", SHIPPED, ids=lambda p: p.stem)
def test_opening_twice_changes_nothing(tmp_path, schema):
    path = tmp_path / "w.duckdb"
    build(path, schema)
    Warehouse(path).close()
    with Warehouse(path) as wh:
        first = columns(wh.con), contents(wh.con)
    with Warehouse(path) as wh:
        assert (columns(wh.con), contents(wh.con)) == first


@pytest.mark.parametrize("schema", [SHIPPED[0], SHIPPED[3]], ids=lambda p: p.stem)
def test_a_read_only_open_reads_an_older_warehouse_as_it_is(tmp_path, schema):
    path = tmp_path / "w.duckdb"
    build(path, schema)
    request = Request(("calls", "connected_calls", "revenue"), by=("agent",))
    with Warehouse(path, read_only=True) as wh:
        old = Engine(wh, Settings()).query(request).rows
        assert version(wh.con) == "1"
    with Warehouse(path) as wh:
        assert Engine(wh, Settings()).query(request).rows == old
    assert {r["agent"]: r["calls"] for r in old} == {"a1": 1, "a2": 1, None: 1}


@pytest.mark.parametrize("schema", [SHIPPED[0], FIXTURES / "schema-v2-0ccfa0c.sql"], ids=lambda p: p.stem)
def test_a_read_only_open_reads_costs_without_period_end_as_covering_their_day(tmp_path, schema):
    """Version 3 added costs.period_end, which the costs model reads: a read-only open of an
    older warehouse reads it as empty (what the step gives the rows there), and answers as
    the upgraded warehouse does; the file is not changed."""
    path = tmp_path / "w.duckdb"
    build(path, schema)
    request = Request(("cost", "profit"), by=("agent",), period="day")
    with Warehouse(path, read_only=True) as wh:
        old = Engine(wh, Settings()).query(request).rows
        cursor = wh.cursor()   # a cursor is a connection of its own: it reads the same
        assert Engine(cursor, Settings()).query(request).rows == old
        assert "period_end" not in table_columns(wh.con)["costs"]
    with Warehouse(path) as wh:
        assert version(wh.con) == str(SCHEMA_VERSION)
        assert Engine(wh, Settings()).query(request).rows == old
    assert {(r["agent"], r["period"]): r["cost"] for r in old} == {
        ("a1", "2026-01-05"): 0, ("a1", "2026-01-31"): 4000.25, ("a2", "2026-01-07"): 0,
        (None, "2026-01-31"): 300}


def test_a_warehouse_from_a_newer_telekpi_is_refused_untouched(tmp_path):
    path = tmp_path / "w.duckdb"
    Warehouse(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE telekpi_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.execute(f"CREATE TABLE {STAGING} (x INT)")   # an open for writing would drop it
    con.close()
    for read_only in (False, True):
        with pytest.raises(InputError) as e:
            Warehouse(path, read_only=read_only)
        assert str(e.value) == (f"{path}: this warehouse was written by a newer telekpi (schema version "
                                f"{SCHEMA_VERSION + 1}; this telekpi knows versions up to {SCHEMA_VERSION}): "
                                "upgrade telekpi to open it")
    con = duckdb.connect(str(path), read_only=True)
    assert version(con) == str(SCHEMA_VERSION + 1)
    assert con.execute(f"SELECT count(*) FROM {STAGING}").fetchall() == [(0,)]
    con.close()


def test_a_failing_step_rolls_back_and_leaves_the_old_version(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    build(path, FIXTURES / "schema-v1-398c9f6.sql")
    con = duckdb.connect(str(path))
    before = columns(con), contents(con)
    con.close()

    def breaks_half_way(con):
        migrations.v1_to_v2(con)
        raise RuntimeError("disk full")

    monkeypatch.setattr(migrations, "STEPS", (breaks_half_way,))
    with pytest.raises(RuntimeError, match="disk full"):
        Warehouse(path)
    with Warehouse(path, read_only=True) as wh:
        assert (columns(wh.con), contents(wh.con)) == before
        assert wh.count("calls") == 3
    monkeypatch.undo()
    with Warehouse(path) as wh:
        assert version(wh.con) == str(SCHEMA_VERSION)


def test_each_step_commits_with_its_version(tmp_path, monkeypatch):
    """Steps run one transaction each: a later step failing keeps what the earlier ones did."""
    path = tmp_path / "w.duckdb"
    build(path, FIXTURES / "schema-v1-398c9f6.sql")

    def fails(con):
        con.execute("CREATE TABLE made_by_step_2 (x INT)")
        raise RuntimeError("step 2 failed")

    monkeypatch.setattr(migrations, "STEPS", (migrations.v1_to_v2, fails))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 3)
    with pytest.raises(RuntimeError, match="step 2 failed"):
        Warehouse(path)
    monkeypatch.undo()
    con = duckdb.connect(str(path), read_only=True)
    assert version(con) == "2"
    assert "made_by_step_2" not in table_columns(con)
    assert "connector_state" in table_columns(con)
    con.close()


def test_campaigns_gain_a_kind_left_unset(tmp_path):
    """Version 4 (issue 21, like with like): campaigns gain their kind of work, unset on the
    campaigns there are (an unset kind reads as the calls' direction)."""
    path = tmp_path / "w.duckdb"
    build(path, FIXTURES / "schema-v2-0ccfa0c.sql")
    with Warehouse(path) as wh:
        assert wh.con.execute("SELECT count(*), count(kind) FROM campaigns").fetchall() == [(2, 0)]
        wh.con.execute("INSERT INTO campaigns (campaign_id, kind) VALUES ('K9', 'inbound_care')")
        from telekpi.engine.lookup import Lookup

        wh.con.execute("INSERT INTO calls (call_id, started_at, status, agent_id, campaign_id, direction) "
                       "VALUES ('k1', TIMESTAMPTZ '2026-01-09 00:00:00+00', 'answered', 'a9', 'K9', 'outbound'),"
                       " ('k2', TIMESTAMPTZ '2026-01-09 00:00:00+00', 'answered', 'a8', NULL, 'inbound')")
        kinds = Lookup(Engine(wh, Settings())).kinds()
    # a set kind wins over the direction; unset, an inbound call is inbound care
    assert kinds["a9"] == "inbound_care" and kinds["a8"] == "inbound_care"
    assert kinds["a1"] == "outbound_sales"


def test_the_stop_list_table_comes_empty_and_an_older_warehouse_reads_it_empty(tmp_path):
    """The step that adds ``dnc`` (the stop list, docs/operations-compliance.md): an upgraded
    warehouse has it empty, with the columns a new one has; a read-only open of an older
    warehouse reads it as an empty table rather than failing."""
    path = tmp_path / "w.duckdb"
    build(path, SHIPPED[-1])
    with Warehouse(path, read_only=True) as wh:
        assert wh.cursor().con.execute("SELECT count(*) FROM dnc").fetchall() == [(0,)]
    with Warehouse(path) as wh:
        assert version(wh.con) == str(SCHEMA_VERSION)
        assert wh.con.execute("SELECT count(*) FROM dnc").fetchall() == [(0,)]
        assert table_columns(wh.con)["dnc"] == ["number", "requested_at", "source"]
def test_schedules_arrive_with_their_step_and_read_empty_before(tmp_path):
    """The step that adds ``schedules`` (issue 26.4): a warehouse from the version before has
    none; a read-only open reads it as an empty table, a writable one makes it."""
    (added,) = [v for v, table, _ in migrations.ADDED_TABLES if table == "schedules"]
    path = tmp_path / "w.duckdb"
    Warehouse(path).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE schedules")
    con.execute("UPDATE telekpi_meta SET value = ? WHERE key = 'schema_version'", [str(added - 1)])
    con.close()
    with Warehouse(path, read_only=True) as wh:
        assert wh.con.execute("SELECT count(*), count(activity) FROM schedules").fetchall() == [(0, 0)]
    with Warehouse(path) as wh:
        assert version(wh.con) == str(SCHEMA_VERSION)
        assert "schedules" in table_columns(wh.con)


def test_scheduled_callbacks_arrive_with_their_step_and_read_empty_before(tmp_path):
    """The step that adds ``scheduled_callbacks`` (issue 27, VICIdial's callback list): a
    warehouse from the version before has none; a read-only open reads it as empty (so the
    callbacks model still answers), a writable one makes it."""
    (added,) = [v for v, table, _ in migrations.ADDED_TABLES if table == "scheduled_callbacks"]
    path = tmp_path / "w.duckdb"
    Warehouse(path).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE scheduled_callbacks")
    con.execute("UPDATE telekpi_meta SET value = ? WHERE key = 'schema_version'", [str(added - 1)])
    con.close()
    with Warehouse(path, read_only=True) as wh:
        assert wh.con.execute("SELECT count(*), count(due_at) FROM scheduled_callbacks").fetchall() == [(0, 0)]
    with Warehouse(path) as wh:
        assert version(wh.con) == str(SCHEMA_VERSION)
        assert table_columns(wh.con)["scheduled_callbacks"][:3] == ["callback_id", "scheduled_at", "due_at"]


def test_qa_reviews_arrive_with_their_step_and_read_empty_before(tmp_path):
    """The step that adds the QA reviews (issue 25, people in the loop): a warehouse from the
    version before has neither table; a read-only open reads them as empty, so the review
    pages of an older warehouse show nothing reviewed; a writable open makes them."""
    (added,) = {v for v, table, _ in migrations.ADDED_TABLES if table in ("qa_reviews", "qa_calibration")}
    path = tmp_path / "w.duckdb"
    Warehouse(path).close()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE qa_reviews")
    con.execute("DROP TABLE qa_calibration")
    con.execute("UPDATE telekpi_meta SET value = ? WHERE key = 'schema_version'", [str(added - 1)])
    con.close()
    with Warehouse(path, read_only=True) as wh:
        assert wh.con.execute("SELECT count(*), count(response) FROM qa_reviews").fetchall() == [(0, 0)]
        assert wh.con.execute("SELECT count(*) FROM qa_calibration").fetchall() == [(0,)]
    with Warehouse(path) as wh:
        assert version(wh.con) == str(SCHEMA_VERSION)
        columns = table_columns(wh.con)
        assert columns["qa_reviews"][:5] == ["call_id", "form_id", "reviewer", "agent_id", "items"]
        assert columns["qa_calibration"] == ["call_id", "form_id", "marked_by", "marked_at"]
