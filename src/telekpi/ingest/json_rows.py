"""Rows posted as JSON (the ingestion API): one batch, a row's "line" is its 1-based
position in the batch. Values are handed on as text, like a CSV's, so the same
validation judges them; nested values and text holding a NUL character are rejected
with their row and column."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.ingest.source import RawBatch, Reject


class JsonRowsSource:
    header_line = 0

    def __init__(self, rows: list, label: str):
        if not isinstance(rows, list):
            raise InputError(_("expected a JSON array of objects (rows)"), file=label)
        self.path = Path(label)
        self.columns: list[str] = []
        for row in rows:
            if isinstance(row, dict):
                self.columns += [k for k in row if k not in self.columns]
        self._rows = rows

    def batches(self) -> Iterator[RawBatch]:
        values: dict[str, list] = {c: [] for c in self.columns}
        lines, rejects = [], []
        for i, row in enumerate(self._rows, start=1):
            if not isinstance(row, dict):
                rejects.append(Reject(i, _("is not a JSON object"), raw=json.dumps(row)[:500]))
                continue
            nested = [k for k, v in row.items() if isinstance(v, dict | list)]
            if nested:
                rejects.append(Reject(i, _("{column}: a nested value; expected text or a number").format(
                                          column=nested[0]),
                                      raw=json.dumps(row, ensure_ascii=False, default=str)[:2000],
                                      column=nested[0]))
                continue
            nul = [k for k, v in row.items() if isinstance(v, str) and "\x00" in v]
            if nul:
                rejects.append(Reject(i, _("{column} holds a NUL byte (\\x00), which is not text").format(
                                          column=nul[0]),
                                      raw=json.dumps(row, ensure_ascii=False, default=str)[:2000],
                                      column=nul[0]))
                continue
            lines.append(i)
            for c in self.columns:
                v = row.get(c)
                values[c].append(None if v is None else
                                 ("true" if v is True else "false" if v is False else str(v)))
        table = pa.table({c: pa.array(v, pa.string()) for c, v in values.items()})
        yield RawBatch(table, np.asarray(lines, dtype=np.int64), rejects)

    def progress(self) -> float:
        return 1.0

    def close(self) -> None:
        pass
