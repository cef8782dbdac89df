"""Keep the daily rollups current as rows arrive: log each write, fold the log in later.

Rebuilding every rollup after an API batch takes seconds on 10M calls, and until it is
done the dashboard reads the rows. Instead, ``RollupUpkeep`` watches an upsert
(``store.upsert.Upsert(observer=…)``): a write to a table that a current rollup reads
appends its changed rows (new versions, and with ``__old`` the versions they replaced) to
that table's log, ``_rollup_log_<table>``, in the write's own transaction, and marks the
rollup *behind*: built from the tables as they were, plus the log. That costs the write a
few milliseconds. ``catch_up`` (run by ``refresh``: after an import, and by the server once
writes pause) then folds every log into the rollups that are behind, in one transaction:

- only new rows of the rollup's own table: their day sums are added to their days' rows;
- anything else (changed rows, rows another table joins: a call's agent for its surveys):
  the local days the logged rows fall on are summed again from the rows.

The leads rollup depends on calls only through each lead's first outbound call, kept in
``FIRST_CALLS_TABLE``: new calls fold in with ``least()``, changed calls compute their
leads' first calls again, and only leads whose first call moved sum their creation day again.

A rollup behind is not read: the engine reads the rows until ``catch_up`` has run. One
that was already stale, or whose dimension tables (agents, campaigns) were written, is
rebuilt by ``refresh``.
"""

from __future__ import annotations

import json
import time

from telekpi.catalog.loader import Catalog
from telekpi.catalog.models import FIRST_CALLS
from telekpi.engine.dialects import localize
from telekpi.engine.rollups import combos
from telekpi.engine.rollups.spec import (
    FIRST_CALLS_TABLE,
    MERGE,
    SPECS,
    Spec,
    build_sql,
    measure_columns,
    stored_columns,
)
from telekpi.engine.rollups.state import behind, fresh, read_meta, source_state
from telekpi.engine.scope import local_time
from telekpi.model.tables import TABLES
from telekpi.settings import Settings
from telekpi.sql import cast, column
from telekpi.store.warehouse import column_defs

DAYS = "__rollup_days"
DELTA = "__rollup_delta"
MERGED = "__rollup_merged"
FIRST_MOVED = "__first_call_moved"
LEADS = "__rollup_leads"
BEFORE = "__rollup_before"
LOGGED = tuple(sorted({t for spec in SPECS.values() for t in spec.touched}))


def log_table(table: str) -> str:
    return f"_rollup_log_{table}"


def create_logs(con) -> None:
    """A log per table a rollup follows: its columns and ``__old``."""
    for t in LOGGED:
        con.execute(f"CREATE TABLE IF NOT EXISTS {log_table(t)} ({column_defs(TABLES[t])}, "
                    "__old BOOLEAN)")


class RollupUpkeep:
    """An upsert observer that logs writes for the rollups current before them."""

    # A larger write leaves the rollups stale for ``refresh``: it touches most days anyway,
    # and its changed rows would be copied into the log.
    max_rows = 200_000

    def __init__(self, catalog: Catalog, settings: Settings):
        self.catalog, self.settings = catalog, settings
        self._merge = {name: {c: MERGE[m.agg] for c, m in measure_columns(spec, catalog, settings).items()}
                       for name, spec in SPECS.items()}
        self._stored = {name: set(stored_columns(spec, catalog, settings)) for name, spec in SPECS.items()}
        self._following: list[tuple[Spec, dict]] = []

    def _followable(self, con, specs) -> list[tuple[Spec, dict]]:
        """Those of ``specs`` current or behind, with exactly the catalog's measures (a day
        summed again must have the columns of the days kept); with their meta rows."""
        if not specs:   # a write to a table no rollup follows: nothing to read
            return []
        meta = read_meta(con)
        specs = [s for s in specs if s.model in meta]
        if not specs:
            return []
        state = source_state(con, sorted({t for s in specs for t in s.sources}))
        return [(s, meta[s.model]) for s in specs
                if set(json.loads(meta[s.model]["columns"])) == self._stored[s.model]
                and (fresh(s, meta[s.model], self.settings, state)
                     or behind(s, meta[s.model], self.settings, state))]

    def before(self, con, table: str) -> None:
        self._following = self._followable(con, [s for s in SPECS.values() if table in s.touched])

    def after(self, con, table: str, changed: str) -> None:
        """Log the write for the rollups noted before it; in the write's transaction."""
        if not self._following:
            return
        for spec, _m in self._following:
            if spec.combos and table != "engagements":   # the stages read no engagement
                self._combos_delta(con, spec, table, changed)
        con.execute(f"INSERT INTO {log_table(table)} SELECT * FROM {changed}")
        now = source_state(con, [table])[table]
        for spec, m in self._following:
            con.execute("UPDATE telekpi_rollups SET pending = ? WHERE model = ?",
                        [json.dumps({**json.loads(m["pending"] or "{}"), table: now}), spec.model])
        self._following = []

    def catch_up(self, con) -> list[dict]:
        """Fold the logs into every rollup behind on them, and empty them; in one
        transaction. What was done, as ``refresh`` reports it."""
        t0 = time.perf_counter()
        con.begin()
        try:
            done = []
            for spec, m in self._followable(con, SPECS.values()):
                if m["pending"] is not None:
                    self._fold(con, spec, sorted(json.loads(m["pending"])))
                    self._record(con, spec)
                    done.append({"model": spec.model, "rows": None,
                                 "seconds": time.perf_counter() - t0})
            for t in LOGGED:
                con.execute(f"DELETE FROM {log_table(t)}")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        return done

    def _combos_delta(self, con, spec: Spec, table: str, changed: str) -> None:
        """The write's change of its leads' combinations (``combos.delta_sql``), kept in
        ``combos.DELTA_TABLE`` until folded in; the table as it was before the write is the
        table less its changed rows' new versions, plus the versions they replaced."""
        on = " AND ".join(f"t.{k} = c.{k}" for k in TABLES[table].key)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {LEADS} AS SELECT DISTINCT lead_id FROM {changed} "
                    "WHERE lead_id IS NOT NULL")
        con.execute(f"CREATE OR REPLACE TEMP VIEW {BEFORE} AS SELECT * FROM {table} t WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {changed} c WHERE NOT c.__old AND {on}) "
                    f"UNION ALL SELECT * EXCLUDE (__old) FROM {changed} WHERE __old")
        con.execute(f"CREATE TABLE IF NOT EXISTS {combos.DELTA_TABLE} AS SELECT * FROM {spec.table} LIMIT 0")
        before = {"calls": "calls", "orders": "orders", table: BEFORE}
        con.execute(f"INSERT INTO {combos.DELTA_TABLE} BY NAME " + combos.delta_sql(
            self.settings, LEADS, before["calls"], before["orders"]))

    def _resum_touches(self, con, logs: list[str]) -> None:
        """The touch history of the leads of the logged calls and engagements, again from all
        of their calls and engagements (``combos.TOUCHES_TABLE``)."""
        if not logs:
            return
        con.execute(f"CREATE OR REPLACE TEMP TABLE {LEADS} AS SELECT DISTINCT lead_id FROM ("
                    + " UNION ALL ".join(f"SELECT lead_id FROM {log}" for log in logs)
                    + ") WHERE lead_id IS NOT NULL")
        con.execute(f"DELETE FROM {combos.TOUCHES_TABLE} WHERE lead_id IN (SELECT lead_id FROM {LEADS})")
        con.execute(f"INSERT INTO {combos.TOUCHES_TABLE} BY NAME {combos.touches_sql(LEADS)}")

    def _fold(self, con, spec: Spec, tables: list[str]) -> None:
        if spec.combos:   # the writes' changes of combination, added up
            con.execute(f"CREATE TABLE IF NOT EXISTS {combos.DELTA_TABLE} AS SELECT * FROM {spec.table} LIMIT 0")
            con.execute(f"CREATE OR REPLACE TEMP TABLE {MERGED} AS "
                        + combos.merged_sql(self.settings, spec.table, combos.DELTA_TABLE))
            con.execute(f"DELETE FROM {spec.table}")
            con.execute(f"INSERT INTO {spec.table} BY NAME SELECT * FROM {MERGED} ORDER BY ALL")
            con.execute(f"DELETE FROM {combos.DELTA_TABLE}")
            self._resum_touches(con, [log_table(t) for t in tables if t in ("calls", "engagements")])
            return
        logs = {t: log_table(t) for t in tables}
        new_only = not any(con.execute(f"SELECT count(*) FROM {log} WHERE __old").fetchall()[0][0]
                           for log in logs.values())
        if tables == [spec.model] and new_only:
            self._add(con, spec, logs[spec.model])
            return
        times = []
        for t, log in logs.items():
            if spec.model == "leads" and t == "calls":
                log = self._move_first_calls(con, log)
            times.append(spec.touched[t].format(changed=log))
        self._resum(con, spec, " UNION ALL ".join(times))

    def _move_first_calls(self, con, changed: str) -> str:
        """Bring FIRST_CALLS_TABLE up to date with the changed calls; the table of leads whose
        first outbound call moved."""
        if con.execute(f"SELECT count(*) FROM {changed} WHERE __old").fetchall()[0][0]:
            # a call changed or moved: its leads' first calls are computed again from the calls
            leads = f"(SELECT lead_id FROM {changed} WHERE lead_id IS NOT NULL)"
            now = FIRST_CALLS.format(calls=f"(SELECT * FROM calls WHERE lead_id IN {leads})")
            con.execute(f"""CREATE OR REPLACE TEMP TABLE {FIRST_MOVED} AS
                SELECT k.lead_id, n.first_call_at
                FROM (SELECT DISTINCT lead_id FROM {leads}) k
                LEFT JOIN ({now}) n ON n.lead_id = k.lead_id
                LEFT JOIN {FIRST_CALLS_TABLE} h ON h.lead_id = k.lead_id
                WHERE n.first_call_at IS DISTINCT FROM h.first_call_at""")
        else:
            # only new calls: a first call can only come earlier
            new = f"(SELECT * EXCLUDE (__old) FROM {changed})"
            con.execute(f"""CREATE OR REPLACE TEMP TABLE {FIRST_MOVED} AS
                SELECT n.lead_id, n.first_call_at
                FROM ({FIRST_CALLS.format(calls=new)}) n
                LEFT JOIN {FIRST_CALLS_TABLE} h ON h.lead_id = n.lead_id
                WHERE h.first_call_at IS NULL OR n.first_call_at < h.first_call_at""")
        con.execute(f"DELETE FROM {FIRST_CALLS_TABLE} WHERE lead_id IN "
                    f"(SELECT lead_id FROM {FIRST_MOVED})")
        con.execute(f"INSERT INTO {FIRST_CALLS_TABLE} SELECT lead_id, first_call_at "
                    f"FROM {FIRST_MOVED} WHERE first_call_at IS NOT NULL")
        return FIRST_MOVED

    def _add(self, con, spec: Spec, log: str) -> None:
        """New rows (the log ``log``): their day sums merged into the rollup's rows of those days."""
        sql, _cols = build_sql(spec, self.catalog, self.settings, helpers=True, rows=log)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {DELTA} AS {sql}")
        days = f"(SELECT DISTINCT __day FROM {DELTA})"
        aggs = ", ".join(f"{f}({c}) AS {c}" for c, f in self._merge[spec.model].items())
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {MERGED} AS
            SELECT * EXCLUDE ({', '.join(self._merge[spec.model])}), {aggs}
            FROM (SELECT * FROM {spec.table} WHERE __day IN {days}
                  UNION ALL BY NAME SELECT * FROM {DELTA})
            GROUP BY ALL""")
        con.execute(f"DELETE FROM {spec.table} WHERE __day IN {days}")
        con.execute(f"INSERT INTO {spec.table} BY NAME SELECT * FROM {MERGED}")

    def _resum(self, con, spec: Spec, times_sql: str) -> None:
        """The local days of the model times ``times_sql`` selects, summed again from the rows."""
        day = localize(cast(local_time(self.settings.timezone, column("t")), "DATE"),
                       self.settings.timezone, copy=False).sql("duckdb")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {DAYS} AS SELECT DISTINCT {day} AS day "
                    f"FROM ({times_sql}) AS w(t) WHERE t IS NOT NULL")
        first, last = con.execute(f"SELECT min(day), max(day) FROM {DAYS}").fetchall()[0]
        if first is None:
            return
        sql, _cols = build_sql(spec, self.catalog, self.settings, helpers=True,
                               days=(DAYS, first, last))
        con.execute(f"DELETE FROM {spec.table} WHERE __day IN (SELECT day FROM {DAYS})")
        con.execute(f"INSERT INTO {spec.table} BY NAME {sql}")

    def _record(self, con, spec: Spec) -> None:
        """The rollup is now built from the tables as they are: their change and row counts."""
        rows = con.execute(f"SELECT count(*) FROM {spec.table}").fetchall()[0][0]
        con.execute("UPDATE telekpi_rollups SET generations = ?, rows = ?, pending = NULL "
                    "WHERE model = ?", [json.dumps(source_state(con, spec.sources)), rows, spec.model])


def catch_up(con, catalog: Catalog, settings: Settings) -> list[dict]:
    """Fold the logged writes into the rollups behind on them (see the module)."""
    return RollupUpkeep(catalog, settings).catch_up(con)
