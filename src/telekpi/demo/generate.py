"""Entry points: a seeded demo centre into a warehouse, or straight to Parquet."""

from __future__ import annotations

from pathlib import Path

import duckdb

from telekpi.demo.simulate import Centre
from telekpi.demo.sink import DuckSink, ParquetSink
from telekpi.demo.world import scale


def generate(con: duckdb.DuckDBPyConnection, *, seed: int = 42, size: str = "small",
             timezone: str = "Asia/Ho_Chi_Minh") -> dict[str, int]:
    """Fill an open warehouse's canonical tables; returns rows written per table.

    ``size``: small (~50k calls, 16 agents), medium (~1M, 140), large (~10M, 1300).
    """
    leads, agents = scale(size)
    sink = DuckSink(con, timezone)
    Centre(sink, seed, leads, agents).run()
    return dict(sink.counts)


def generate_parquet(out_dir: str | Path, *, seed: int = 42, calls: int | None = None,
                     size: str = "small", timezone: str = "Asia/Ho_Chi_Minh") -> dict[str, int]:
    """Write ``<table>.parquet`` files chunk by chunk (bounded memory at any size).

    ``calls`` asks for about that many calls (leads and agents scale with it, ±5 %);
    without it, ``size`` names the centre as for :func:`generate`.
    """
    leads, agents = scale(size, calls)
    sink = ParquetSink(Path(out_dir), timezone)
    Centre(sink, seed, leads, agents).run()
    return dict(sink.counts)
