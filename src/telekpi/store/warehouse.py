"""Open (and create) the warehouse file; own its schema.

Keys are enforced by the upsert (``store/upsert.py``), not by DuckDB primary
keys: an ART index over 10M string keys costs more memory than the bounded
import allows, and MERGE on a staged file is as fast.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from telekpi import sql as sqltext
from telekpi.errors import InputError, TelekpiError
from telekpi.i18n import _
from telekpi.model.tables import SQL_TYPES, TABLES, Table
from telekpi.store.migrations import (
    REVIEW_DDL,
    SCHEMA_VERSION,
    WORDS_DDL,
    check,
    read_as_current,
    record_version,
    recorded_version,
    upgrade,
)

STAGING = "__import_staging"

# Recordings and their speech segments (store/recordings.py says what they hold).
RECORDINGS_DDL = """
CREATE TABLE IF NOT EXISTS recordings (
    call_id VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, path VARCHAR NOT NULL, bytes BIGINT,
    duration_s DOUBLE, channels BIGINT, sample_rate BIGINT, codec VARCHAR,
    agent_channel VARCHAR,     -- left or right; empty for a mono recording
    analysis VARCHAR,          -- how it was analysed: detector and options
    imported_at TIMESTAMPTZ NOT NULL
)"""
SEGMENTS_DDL = """
CREATE TABLE IF NOT EXISTS speech_segments (
    call_id VARCHAR NOT NULL,
    speaker VARCHAR NOT NULL,  -- agent, customer, or speech (a mono recording)
    start_s DOUBLE NOT NULL, end_s DOUBLE NOT NULL
)"""   # where an import stages its rows (store/upsert.py)

# The DDL below is the current schema, SCHEMA_VERSION, which a new file gets; an older
# warehouse reaches it by the steps of store/migrations.py.

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine (
    source VARCHAR NOT NULL,      -- the file as given to import (absolute path)
    line BIGINT,                  -- 1-based line of the file (the header is line 1)
    "table" VARCHAR NOT NULL,
    "column" VARCHAR,
    raw VARCHAR,                  -- the row as read, JSON
    reason VARCHAR NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL
)"""

IMPORTS_DDL = """
CREATE TABLE IF NOT EXISTS imports (
    source VARCHAR NOT NULL,
    "table" VARCHAR NOT NULL,
    format VARCHAR,
    rows_read BIGINT, inserted BIGINT, updated BIGINT, unchanged BIGINT, quarantined BIGINT,
    imported_at TIMESTAMPTZ NOT NULL,
    skipped BIGINT
)"""

# What a log connector carries from one import to the next: calls still in the queue at the
# end of a queue_log, agents' open states. ``at`` (epoch seconds) dates each entry.
CONNECTOR_STATE_DDL = """
CREATE TABLE IF NOT EXISTS connector_state (
    format VARCHAR NOT NULL, kind VARCHAR NOT NULL, key VARCHAR NOT NULL,
    "at" DOUBLE NOT NULL, value VARCHAR NOT NULL, source VARCHAR, line BIGINT
)"""

# Where `import --follow` stopped in each followed file, saved with the rows it read.
FOLLOW_DDL = """
CREATE TABLE IF NOT EXISTS follow_offsets (
    path VARCHAR NOT NULL, "table" VARCHAR NOT NULL, device BIGINT, inode BIGINT, head VARCHAR,
    "offset" BIGINT NOT NULL, line BIGINT NOT NULL, updated_at TIMESTAMPTZ NOT NULL
)"""


# What engine/rollups/ built, from which state of the tables, and what it has logged since.
ROLLUPS_DDL = ("CREATE TABLE IF NOT EXISTS telekpi_rollups (model VARCHAR, shape VARCHAR, "
               "timezone VARCHAR, columns VARCHAR, generations VARCHAR, rows BIGINT, "
               "seconds DOUBLE, built_at TIMESTAMPTZ, pending VARCHAR)")


def column_defs(t: Table) -> str:
    """The columns of ``t`` with their types and no constraints: for tables that hold its rows
    on their way (an import's staging, the rollups' logs)."""
    return ", ".join(f'"{c.name}" {SQL_TYPES[c.type]}' for c in t.columns)


def create_table_sql(t: Table) -> str:
    cols = ",\n    ".join(
        f'"{c.name}" {SQL_TYPES[c.type]}' + (" NOT NULL" if c.required else "")
        + (f" DEFAULT {sqltext.value(c.default)}" if c.default is not None else "") for c in t.columns)
    return f'CREATE TABLE IF NOT EXISTS "{t.name}" (\n    {cols}\n)'


class Warehouse:
    """A DuckDB file holding the canonical tables of one workspace."""

    def __init__(self, path: str | Path = "telekpi.duckdb", *, read_only: bool = False,
                 memory_limit: str | None = None):
        self.path = Path(path)
        self._reads_as: int | None = None   # a read-only open's version (store/migrations.py)
        if read_only and not self.path.exists():
            raise InputError(_("no warehouse here yet; run `telekpi import` or `telekpi demo` first"),
                             file=str(self.path))
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as e:
            raise TelekpiError(_("{path}: cannot open the warehouse ({error})").format(
                path=self.path, error=str(e).splitlines()[0])) from None
        self.con.execute("SET TimeZone = 'UTC'")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        try:
            if read_only:   # read as it is: store/migrations.py says why that is safe
                self._reads_as = recorded_version(self.con)
                check(self._reads_as, self.path)
                read_as_current(self.con, self._reads_as)
            else:
                self.ensure_schema()
        except BaseException:
            self.con.close()
            raise

    @property
    def workspace(self) -> Path:
        return self.path.resolve().parent

    def ensure_schema(self) -> None:
        """Set up a new file at ``SCHEMA_VERSION``, or bring an older warehouse up to it; a
        newer one is refused untouched (``store/migrations.py``)."""
        version = recorded_version(self.con)
        check(version, self.path)
        if version is None:
            self._create()
        else:
            upgrade(self.con, version)
        self.con.execute(f"DROP TABLE IF EXISTS {STAGING}")   # left by an import that died

    def _create(self) -> None:
        """The current schema and its version, in one transaction."""
        con = self.con
        con.begin()
        try:
            con.execute("CREATE TABLE IF NOT EXISTS telekpi_meta (key VARCHAR, value VARCHAR)")
            for t in TABLES.values():
                con.execute(create_table_sql(t))
            for ddl in (QUARANTINE_DDL, IMPORTS_DDL, CONNECTOR_STATE_DDL, FOLLOW_DDL, ROLLUPS_DDL,
                        RECORDINGS_DDL, SEGMENTS_DDL, *WORDS_DDL, *REVIEW_DDL):
                con.execute(ddl)
            record_version(con, SCHEMA_VERSION)
            con.commit()
        except BaseException:
            con.rollback()
            raise

    def cursor(self) -> Warehouse:
        """The same warehouse on a cursor of this connection: one per thread or request
        (DuckDB serves many threads through cursors of one connection)."""
        cur = object.__new__(Warehouse)
        cur.path, cur.con = self.path, self.con.cursor()
        cur.con.execute("SET TimeZone = 'UTC'")
        cur._reads_as = self._reads_as
        read_as_current(cur.con, cur._reads_as)   # temporary views are the connection's own
        return cur

    def checkpoint(self) -> None:
        """Write the WAL into the file (after a bulk load, so the next open is quick)."""
        self.con.execute("CHECKPOINT")

    def mark_demo(self) -> None:
        self.con.execute("INSERT INTO telekpi_meta VALUES ('demo', 'true')")

    def only_demo(self) -> bool:
        """Does this warehouse hold nothing but what ``telekpi demo`` generated? Every import
        (a file, API rows, a followed log) is logged in ``imports``; the demo's rows are not."""
        made_by_demo = self.con.execute("SELECT 1 FROM telekpi_meta WHERE key = 'demo'").fetchone()
        return bool(made_by_demo) and not self.con.execute("SELECT count(*) FROM imports").fetchall()[0][0]

    def count(self, table: str) -> int:
        return self.con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def touch(con, tables) -> None:
    """Count a change to each of ``tables``: rollups built before it are no longer used
    (``engine/rollups/``). Every write to a canonical table calls this in its transaction."""
    for t in sorted(set(tables)):
        key = f"gen:{t}"
        con.execute("UPDATE telekpi_meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                    "WHERE key = ?", [key])
        if not con.execute("SELECT 1 FROM telekpi_meta WHERE key = ?", [key]).fetchall():
            con.execute("INSERT INTO telekpi_meta VALUES (?, '1')", [key])


def absent_keys(con, table: str, keys: list[str]) -> int:
    """How many of ``keys`` no row of ``table`` (a table with a one-column key) holds yet."""
    # Arrow (and numpy) are imported by the writes that need them, not by every query.
    import pyarrow as pa

    (key,) = TABLES[table].key
    con.register("__keys", pa.table({"key": pa.array(keys, pa.string())}))
    try:
        return con.execute(f"SELECT count(*) FROM __keys k WHERE NOT EXISTS (SELECT 1 FROM "
                           f"{sqltext.identifier(table)} t WHERE t.{sqltext.identifier(key)} = k.key)"
                           ).fetchall()[0][0]
    finally:
        con.unregister("__keys")


def quarantine_rows(wh: Warehouse, *, source: str | None = None, table: str | None = None,
                    limit: int | None = 100) -> list[dict]:
    """Quarantined rows, newest import first, then by file and line."""
    where, args = _quarantine_where(source, table)
    sql = ('SELECT source, line, "table", "column", reason, raw, imported_at FROM quarantine' + where
           + " ORDER BY imported_at DESC, source, line" + (f" LIMIT {int(limit)}" if limit else ""))
    return _dicts(wh.con.execute(sql, args))


def quarantine_count(wh: Warehouse, *, source: str | None = None, table: str | None = None) -> int:
    """How many rows ``quarantine_rows`` would list with no limit."""
    where, args = _quarantine_where(source, table)
    return wh.con.execute("SELECT count(*) FROM quarantine" + where, args).fetchall()[0][0]


def _quarantine_where(source: str | None, table: str | None) -> tuple[str, list]:
    where, args = [], []
    if source:
        where.append("(source = ? OR source LIKE ?)")
        args += [source, "%/" + source.lstrip("./")]
    if table:
        where.append('"table" = ?')
        args.append(table)
    return (" WHERE " + " AND ".join(where) if where else ""), args


def recent_imports(wh: Warehouse, limit: int = 20) -> list[dict]:
    """The last imports: source, table, format and the counts."""
    return _dicts(wh.con.execute(
        "SELECT source, \"table\", format, rows_read, inserted, updated, unchanged, "
        "quarantined, skipped, imported_at FROM imports ORDER BY imported_at DESC LIMIT ?", [limit]))


def _dicts(cur) -> list[dict]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
