"""Where generated tables go: a DuckDB warehouse or Parquet files, chunk by chunk.

The generator builds local (naive) times; a sink turns them into instants in
the workspace timezone (DST-correct) on the way out, so memory holds one
chunk at a time whatever the size.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from telekpi import sql as sqltext
from telekpi.model.tables import TABLES
from telekpi.store.warehouse import touch

ARROW_TYPES = {"string": pa.string(), "timestamp": pa.timestamp("us", tz="UTC"), "date": pa.date32(),
               "seconds": pa.float64(), "double": pa.float64(), "money": pa.decimal128(18, 4),
               "int": pa.int64(), "phone": pa.string()}


def local_ts(base_us: int, seconds: np.ndarray) -> pa.Array:
    """Naive local timestamps: ``base`` plus seconds (NaN → null)."""
    seconds = np.asarray(seconds, dtype=np.float64)
    mask = np.isnan(seconds)
    us = base_us + np.where(mask, 0, seconds * 1e6).astype(np.int64)
    return pa.array(us, pa.timestamp("us"), mask=mask)


def ids(prefix: str, numbers: np.ndarray, suffix: str = "") -> pa.Array:
    text = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, text, suffix, "")


def pick(values, index: np.ndarray) -> pa.Array:
    """values[index] as a string array; a negative index is null."""
    index = np.asarray(index, dtype=np.int64)
    mask = index < 0
    return pa.array(list(values), pa.string()).take(pa.array(np.where(mask, 0, index), mask=mask))


class DuckSink:
    def __init__(self, con: duckdb.DuckDBPyConnection, timezone: str):
        self.con, self.tz = con, timezone
        self.counts: dict[str, int] = {}

    def write(self, table: str, data: pa.Table) -> None:
        if not data.num_rows:
            return
        cols = []
        for c in TABLES[table].columns:
            if c.name not in data.column_names:
                continue
            q = sqltext.identifier(c.name)
            if c.type == "timestamp":
                cols.append(f"timezone({sqltext.string(self.tz)}, {q}) AS {q}")
            else:
                cols.append(q)
        self.con.register("__demo_chunk", data)
        try:
            self.con.execute(f'INSERT INTO {sqltext.identifier(table)} BY NAME '
                             f'SELECT {", ".join(cols)} FROM __demo_chunk')
        finally:
            self.con.unregister("__demo_chunk")
        self.counts[table] = self.counts.get(table, 0) + data.num_rows
        touch(self.con, [table])

    def close(self) -> None:
        pass


class ParquetSink:
    """One Parquet file per table; timestamps become UTC instants."""

    def __init__(self, out_dir: Path, timezone: str):
        self.dir, self.tz = Path(out_dir), timezone
        self.dir.mkdir(parents=True, exist_ok=True)
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.counts: dict[str, int] = {}

    def write(self, table: str, data: pa.Table) -> None:
        if not data.num_rows:
            return
        arrays, names = [], []
        for c in TABLES[table].columns:
            kind = ARROW_TYPES[c.type]
            if c.name not in data.column_names:
                arrays.append(pa.nulls(data.num_rows, kind))
                names.append(c.name)
                continue
            a = data.column(c.name)
            if c.type == "timestamp":
                a = pc.assume_timezone(a, self.tz, ambiguous="earliest", nonexistent="latest")
            elif c.type == "money":
                a = pc.cast(pc.cast(a, pa.float64()), kind, safe=False)
            arrays.append(pc.cast(a, kind))
            names.append(c.name)
        out = pa.table(arrays, names=names)
        w = self.writers.get(table)
        if w is None:
            w = self.writers[table] = pq.ParquetWriter(self.dir / f"{table}.parquet", out.schema)
        w.write_table(out)
        self.counts[table] = self.counts.get(table, 0) + out.num_rows

    def close(self) -> None:
        for w in self.writers.values():
            w.close()
