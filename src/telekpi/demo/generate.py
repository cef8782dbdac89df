"""Entry points: a seeded demo centre into a warehouse, or straight to Parquet."""

from __future__ import annotations

from pathlib import Path

import duckdb

from telekpi.demo.sink import DuckSink, ParquetSink
from telekpi.demo.simulate import Centre
from telekpi.demo.world import SIZES


def generate(con: duckdb.DuckDBPyConnection, *, seed: int = 42, size: str = "small",
             timezone: str = "Asia/Ho_Chi_Minh") -> dict[str, int]:
    """Fill an open warehouse's canonical tables; returns rows written per table."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    sink = DuckSink(con, timezone)
    Centre(sink, seed, size).run()
    return dict(sink.counts)


def generate_parquet(out_dir: str | Path, *, seed: int = 42, size: str = "small",
                     timezone: str = "Asia/Ho_Chi_Minh") -> dict[str, int]:
    """Write ``<table>.parquet`` files chunk by chunk (bounded memory at any size)."""
    sink = ParquetSink(Path(out_dir), timezone)
    Centre(sink, seed, size).run()
    return dict(sink.counts)
