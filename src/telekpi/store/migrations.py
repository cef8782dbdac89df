"""The warehouse's schema version, and the numbered steps that bring an older warehouse to it.

``telekpi_meta`` records the version (key ``schema_version``). Opening a warehouse for
writing applies every step from the recorded version up to ``SCHEMA_VERSION``, each in a
transaction that also records the version it reaches: a step that fails leaves the
warehouse at the version before it, readable by this code and by the one that wrote it.
A warehouse from a newer telekpi is refused, read-only or not, before anything touches it.

Read-only opens do not migrate (they cannot write, and a query must not wait for a write
lock): they read an older warehouse as it is. Every step so far only adds (defaults, tables,
columns). A column queries read that a step added (``costs.period_end``, version 3) is
read from a read-only older warehouse through a temporary view that gives it as the step
gives the rows already there, empty (``read_as_current``); a step that changes what queries
read in another way must refuse read-only opens below its version (``check``).

A step holds the DDL as it was at the version it makes, never the current constants of
``store/warehouse.py``, which a later step may change. docs/import.md says how to add one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from telekpi import sql as sqltext
from telekpi.errors import InputError
from telekpi.i18n import _

Step = Callable[[duckdb.DuckDBPyConnection], None]

# The column defaults version 2 declares (added to the DDL by commit 7f41968).
V2_DEFAULTS = (("calls", "direction", "outbound"), ("orders", "status", "completed"),
               ("costs", "category", "other"), ("agents", "site", "in_house"),
               ("surveys", "scale_max", 5))


def v1_to_v2(con: duckdb.DuckDBPyConnection) -> None:
    """Every schema shipped before migrations recorded version 1 (see tests/store/fixtures);
    they differ in three changes, each made here where the warehouse lacks it."""
    # 7f41968: defaults, so rows a tool inserts by plain SQL get them (rows there keep theirs).
    for table, column, default in V2_DEFAULTS:
        con.execute(f"ALTER TABLE {sqltext.identifier(table)} ALTER COLUMN {sqltext.identifier(column)} "
                    f"SET DEFAULT {sqltext.value(default)}")
    # 05a5970: what log connectors carry between imports, and where `import --follow` stopped.
    con.execute("CREATE TABLE IF NOT EXISTS connector_state (format VARCHAR NOT NULL, "
                'kind VARCHAR NOT NULL, key VARCHAR NOT NULL, "at" DOUBLE NOT NULL, '
                "value VARCHAR NOT NULL, source VARCHAR, line BIGINT)")
    con.execute('CREATE TABLE IF NOT EXISTS follow_offsets (path VARCHAR NOT NULL, "table" VARCHAR NOT NULL, '
                'device BIGINT, inode BIGINT, head VARCHAR, "offset" BIGINT NOT NULL, line BIGINT NOT NULL, '
                "updated_at TIMESTAMPTZ NOT NULL)")
    # c77994b made telekpi_rollups when rollups were first built; 345f4e6 added `pending` and
    # made the table on open. Rollups built before keep their entry: their shape is not this
    # version's, so they are rebuilt as any stale rollup is (engine/rollups/state.py).
    con.execute("CREATE TABLE IF NOT EXISTS telekpi_rollups (model VARCHAR, shape VARCHAR, "
                "timezone VARCHAR, columns VARCHAR, generations VARCHAR, rows BIGINT, "
                "seconds DOUBLE, built_at TIMESTAMPTZ)")
    con.execute("ALTER TABLE telekpi_rollups ADD COLUMN IF NOT EXISTS pending VARCHAR")


def v2_to_v3(con: duckdb.DuckDBPyConnection) -> None:
    """``costs.period_end``: the last day of the period a cost covers; the rows already there
    cover their own day, as before (NULL)."""
    con.execute("ALTER TABLE costs ADD COLUMN IF NOT EXISTS period_end DATE")


def v3_to_v4(con: duckdb.DuckDBPyConnection) -> None:
    """Campaigns gain their kind of work (outbound_sales, inbound_care, collections). Left
    unset on the campaigns there are: an unset kind reads as the calls' direction (inbound
    calls are inbound care, outbound calls outbound sales), which is what every campaign
    was taken for before. Queries that do not ask for kinds read nothing new."""
    con.execute("ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS kind VARCHAR")


# The calls' columns version 5 adds, in their order (model/tables.py).
V5_CALL_COLUMNS = (("queue", "VARCHAR"), ("queued_at", "TIMESTAMPTZ"), ("caller_number", "VARCHAR"),
                   ("called_number", "VARCHAR"), ("line", "VARCHAR"), ("transferred_to", "VARCHAR"),
                   ("hangup_by", "VARCHAR"))


def v4_to_v5(con: duckdb.DuckDBPyConnection) -> None:
    """Calls gain their queue (name, and when they entered it), the caller's and the called
    number, the line used, the transfer and who hung up. Empty on the calls there are, so
    the inbound calls imported before it were offered to no queue (the queue metrics' rule,
    docs/metrics.md: a call reached the queue when it entered one or names one) until they are
    imported again through a connector that reads queues or a mapping that names the queue
    (a re-import updates them in place). And ``imports.skipped``: rows a mapping's skip/where rules left out (empty for
    the imports before it)."""
    con.execute("ALTER TABLE imports ADD COLUMN IF NOT EXISTS skipped BIGINT")
    for column, type_ in V5_CALL_COLUMNS:
        con.execute(f"ALTER TABLE calls ADD COLUMN IF NOT EXISTS {sqltext.identifier(column)} {type_}")


def v5_to_v6(con: duckdb.DuckDBPyConnection) -> None:
    """Version 6 adds tables, empty until something is imported into them:

    - ``dnc``, the stop list: numbers that asked not to be called and when (``telekpi import
      dnc FILE``); compliance reads it with the DNC dispositions (docs/operations-compliance.md);
    - call analysis from recordings (docs/call-analysis.md): ``recordings`` (the file linked
      to each call, its hash and what it holds), ``speech_segments`` (who spoke when) and the
      canonical ``call_speech`` (each analysed call's speech figures);
    - ``schedules``: who is scheduled to do what, when (``telekpi import schedules``), for
      adherence and conformance (wfm/adherence.py);
    - call analysis from words (docs/call-analysis.md): ``transcripts`` (one row per
      utterance) and ``transcript_files`` (the files they came from), ``qa_items`` (the items
      behind a QA result), and the canonical ``qa_results`` (per call and form) and
      ``call_sentiment`` (the customer's sentiment per call)."""
    for version, _table, ddl in ADDED_TABLES:
        if version == 6:
            con.execute(ddl)


# The DDL of version 6's tables as the step makes them (the current DDL may change later).
DNC_V6 = """CREATE TABLE IF NOT EXISTS dnc ("number" VARCHAR NOT NULL, requested_at TIMESTAMPTZ NOT NULL,
    source VARCHAR)"""
CALL_SPEECH_V6 = """CREATE TABLE IF NOT EXISTS call_speech (call_id VARCHAR NOT NULL, layout VARCHAR NOT NULL,
    duration_s DOUBLE NOT NULL, speech_s DOUBLE, silence_s DOUBLE, longest_silence_s DOUBLE,
    agent_talk_s DOUBLE, customer_talk_s DOUBLE, agent_talk_ratio DOUBLE, overtalk_s DOUBLE,
    agent_interruptions BIGINT, customer_interruptions BIGINT, longest_monologue_s DOUBLE,
    first_words_s DOUBLE, switches_per_min DOUBLE, vad VARCHAR)"""
RECORDINGS_V6 = """CREATE TABLE IF NOT EXISTS recordings (call_id VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    path VARCHAR NOT NULL, bytes BIGINT, duration_s DOUBLE, channels BIGINT, sample_rate BIGINT,
    codec VARCHAR, agent_channel VARCHAR, analysis VARCHAR, imported_at TIMESTAMPTZ NOT NULL)"""
SCHEDULES_V6 = """CREATE TABLE IF NOT EXISTS schedules (agent_id VARCHAR NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL, ends_at TIMESTAMPTZ NOT NULL, activity VARCHAR NOT NULL)"""
SEGMENTS_V6 = """CREATE TABLE IF NOT EXISTS speech_segments (call_id VARCHAR NOT NULL, speaker VARCHAR NOT NULL,
    start_s DOUBLE NOT NULL, end_s DOUBLE NOT NULL)"""
# Call analysis from words (version 6): the transcripts and the QA items behind a QA result
# (the warehouse makes these as they are here), and the canonical qa_results and
# call_sentiment (model/tables.py) as they were at that version.
TRANSCRIPTS_V6 = """
CREATE TABLE IF NOT EXISTS transcripts (
    call_id VARCHAR NOT NULL, seq BIGINT NOT NULL,
    speaker VARCHAR NOT NULL,        -- agent | customer | unknown
    start_s DOUBLE, end_s DOUBLE, text VARCHAR NOT NULL,
    confidence DOUBLE,               -- 0..1 as the recogniser says; empty when it does not
    source VARCHAR NOT NULL          -- the file (absolute path) or the recording transcribed
)"""
TRANSCRIPT_FILES_V6 = """
CREATE TABLE IF NOT EXISTS transcript_files (
    call_id VARCHAR NOT NULL, source VARCHAR NOT NULL, format VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,   -- sha256 of the file: the same file again changes nothing
    utterances BIGINT NOT NULL, imported_at TIMESTAMPTZ NOT NULL
)"""
QA_ITEMS_V6 = """
CREATE TABLE IF NOT EXISTS qa_items (
    call_id VARCHAR NOT NULL, form_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL,
    section VARCHAR, kind VARCHAR NOT NULL,
    status VARCHAR NOT NULL,         -- pass | fail | pending | not_scored
    weight DOUBLE NOT NULL, auto_fail BOOLEAN NOT NULL,
    evidence VARCHAR, at_s DOUBLE    -- what was heard (or missed) and when
)"""
WORDS_DDL = (TRANSCRIPTS_V6, TRANSCRIPT_FILES_V6, QA_ITEMS_V6)
QA_RESULTS_V6 = """CREATE TABLE IF NOT EXISTS qa_results (call_id VARCHAR NOT NULL, form_id VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL, agent_id VARCHAR, score DOUBLE, passed BIGINT, compliant BIGINT,
    pending BIGINT, form_hash VARCHAR, transcript_hash VARCHAR, scored_at TIMESTAMPTZ NOT NULL)"""
CALL_SENTIMENT_V6 = """CREATE TABLE IF NOT EXISTS call_sentiment (call_id VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL, agent_id VARCHAR, sentiment DOUBLE, negative BIGINT,
    customer_utterances BIGINT, predicted_csat DOUBLE, transcript_hash VARCHAR)"""


def v6_to_v7(con: duckdb.DuckDBPyConnection) -> None:
    """Version 7 adds the people in the loop of QA (docs/call-analysis.md, "Reviewing calls"),
    empty until someone reviews a call: ``qa_reviews`` (one per reviewer per call and form:
    the items they scored, their comment, and the agent's answer) and ``qa_calibration``
    (the calls a supervisor put up for several reviewers to score)."""
    for version, _table, ddl in ADDED_TABLES:
        if version == 7:
            con.execute(ddl)


# The DDL of version 7's tables as the step makes them.
QA_REVIEWS_V7 = """
CREATE TABLE IF NOT EXISTS qa_reviews (
    call_id VARCHAR NOT NULL, form_id VARCHAR NOT NULL, reviewer VARCHAR NOT NULL,
    agent_id VARCHAR,
    items VARCHAR NOT NULL,          -- JSON {item_id: pass | fail}: every item the reviewer judged
    score DOUBLE, passed BIGINT, compliant BIGINT,   -- the call's result as this reviewer scores it
    comment VARCHAR, reviewed_at TIMESTAMPTZ NOT NULL,
    response VARCHAR,                -- the agent's answer: acknowledged | disputed
    response_comment VARCHAR, responded_at TIMESTAMPTZ
)"""
QA_CALIBRATION_V7 = """
CREATE TABLE IF NOT EXISTS qa_calibration (
    call_id VARCHAR NOT NULL, form_id VARCHAR NOT NULL, marked_by VARCHAR NOT NULL,
    marked_at TIMESTAMPTZ NOT NULL
)"""
REVIEW_DDL = (QA_REVIEWS_V7, QA_CALIBRATION_V7)   # the warehouse makes these as they are here


def v7_to_v8(con: duckdb.DuckDBPyConnection) -> None:
    """Version 8 adds ``scheduled_callbacks``: callbacks as the dialer scheduled them
    (VICIdial's callback list, ``telekpi import scheduled_callbacks FILE``), empty until one is
    imported; the callbacks model takes their due time where there is one (docs/operations.md)."""
    con.execute(SCHEDULED_CALLBACKS_V8)


SCHEDULED_CALLBACKS_V8 = """CREATE TABLE IF NOT EXISTS scheduled_callbacks (callback_id VARCHAR NOT NULL,
    scheduled_at TIMESTAMPTZ NOT NULL, due_at TIMESTAMPTZ NOT NULL, lead_id VARCHAR, campaign_id VARCHAR,
    agent_id VARCHAR, recipient VARCHAR, status VARCHAR, comments VARCHAR)"""


# STEPS[n - 1] takes a warehouse from version n to n + 1.
STEPS: tuple[Step, ...] = (
    v1_to_v2,
    v2_to_v3,
    v3_to_v4,
    v4_to_v5,
    v5_to_v6,
    v6_to_v7,
    v7_to_v8,
)
SCHEMA_VERSION = len(STEPS) + 1

# Columns queries read that a step added: (version that added it, table, column, type). A
# read-only open of an older warehouse reads them as empty (``read_as_current``).
ADDED_COLUMNS = (
    (3, "costs", "period_end", "DATE"),
    (4, "campaigns", "kind", "VARCHAR"),
    (5, "imports", "skipped", "BIGINT"),
    *((5, "calls", column, type_) for column, type_ in V5_CALL_COLUMNS),
)
# Tables a step added: (version, name, its DDL as the step makes it). A read-only open of an
# older warehouse reads them as empty (``read_as_current``).
ADDED_TABLES = ((6, "dnc", DNC_V6), (6, "call_speech", CALL_SPEECH_V6), (6, "recordings", RECORDINGS_V6),
                (6, "speech_segments", SEGMENTS_V6), (6, "schedules", SCHEDULES_V6),
                (6, "transcripts", TRANSCRIPTS_V6), (6, "transcript_files", TRANSCRIPT_FILES_V6),
                (6, "qa_items", QA_ITEMS_V6), (6, "qa_results", QA_RESULTS_V6),
                (6, "call_sentiment", CALL_SENTIMENT_V6),
                (7, "qa_reviews", QA_REVIEWS_V7), (7, "qa_calibration", QA_CALIBRATION_V7),
                (8, "scheduled_callbacks", SCHEDULED_CALLBACKS_V8))


def recorded_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The version ``telekpi_meta`` records; None for a file telekpi has not set up yet."""
    if not con.execute("SELECT 1 FROM duckdb_tables() WHERE schema_name = 'main' "
                       "AND table_name = 'telekpi_meta'").fetchall():
        return None
    row = con.execute("SELECT value FROM telekpi_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def check(version: int | None, path: Path) -> None:
    """Refuse a warehouse this code does not know how to read: one from a newer telekpi."""
    if version is not None and version > SCHEMA_VERSION:
        raise InputError(_("this warehouse was written by a newer telekpi (schema version {found}; this "
                           "telekpi knows versions up to {known}): upgrade telekpi to open it").format(
            found=version, known=SCHEMA_VERSION), file=str(path))


def read_as_current(con: duckdb.DuckDBPyConnection, version: int | None) -> None:
    """Let a read-only connection to a warehouse at ``version`` read the columns later steps
    add: a temporary view per table that lacks one, named as the table (the temporary
    schema is searched first), giving the column as the step would give the rows, NULL."""
    if version is None or version >= SCHEMA_VERSION:
        return
    database = con.execute("SELECT current_database()").fetchall()[0][0]
    missing: dict[str, list[str]] = {}
    for added, table, column, type_ in ADDED_COLUMNS:
        if version < added:
            missing.setdefault(table, []).append(
                f"CAST(NULL AS {type_}) AS {sqltext.identifier(column)}")
    for added, _table, ddl in ADDED_TABLES:
        if version < added:   # an empty temporary table of the step's columns
            con.execute(ddl.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE IF NOT EXISTS", 1))
    for table, cols in missing.items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {sqltext.identifier(table)} AS SELECT *, "
                    f"{', '.join(cols)} FROM {sqltext.identifier(database)}.main."
                    f"{sqltext.identifier(table)}")


def record_version(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Write ``version`` into ``telekpi_meta``, in the caller's transaction."""
    con.execute("DELETE FROM telekpi_meta WHERE key = 'schema_version'")
    con.execute("INSERT INTO telekpi_meta VALUES ('schema_version', ?)", [str(version)])


def upgrade(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Apply the steps from ``version`` up to ``SCHEMA_VERSION``, one transaction each."""
    for n in range(version, SCHEMA_VERSION):
        con.begin()
        try:
            STEPS[n - 1](con)
            record_version(con, n + 1)
            con.commit()
        except BaseException:
            con.rollback()
            raise
