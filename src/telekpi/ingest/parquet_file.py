"""Parquet files, read in row groups' batches; a row's "line" is its 1-based row number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.ingest.registry import Format, register_format
from telekpi.ingest.source import RawBatch, ReadOptions

BATCH_ROWS = 500_000


class ParquetSource:
    header_line = 0

    def __init__(self, path: Path, options: ReadOptions):
        self.path = path
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as e:
            raise InputError(_("is not a readable Parquet file ({error})").format(error=str(e).splitlines()[0]),
                             file=str(path)) from None
        self.columns = list(self._file.schema_arrow.names)
        self.total = max(1, self._file.metadata.num_rows)
        self.done = 0

    def progress(self) -> float:
        return self.done / self.total

    def batches(self) -> Iterator[RawBatch]:
        try:
            for batch in self._file.iter_batches(batch_size=BATCH_ROWS):
                lines = np.arange(self.done + 1, self.done + 1 + batch.num_rows, dtype=np.int64)
                self.done += batch.num_rows
                yield RawBatch(pa.Table.from_batches([batch]), lines)
        except (pa.ArrowInvalid, OSError) as e:
            raise InputError(_("is damaged after row {row} ({error})").format(
                row=self.done, error=str(e).splitlines()[0]), file=str(self.path), line=self.done + 1) from None

    def close(self) -> None:
        self._file.close()


def sniff_parquet(path: Path, head: bytes) -> bool:
    return head.startswith(b"PAR1")


register_format(Format(
    name="parquet", help="Apache Parquet (typed columns are kept; naive timestamps are local time)",
    open=ParquetSource, sniff=sniff_parquet, extensions=("parquet", "pq")))
