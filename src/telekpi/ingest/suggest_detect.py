"""What `mapping suggest` reads from an export: its layout (title lines, delimiter, encoding)
and a sample of its values, and what the values say (a time layout, a duration unit, amounts)."""

from __future__ import annotations

import codecs
import contextlib
import re
import statistics
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import cast

from telekpi.errors import InputError
from telekpi.i18n import _
from telekpi.ingest.csv_file import CsvSource
from telekpi.ingest.registry import detect_format, read_head
from telekpi.ingest.source import ReadOptions, Source
from telekpi.ingest.suggest_words import NULL_TEXTS, UNIT_WORDS, _score, _words, fold

SAMPLE_ROWS = 500
MAX_TITLE_ROWS = 5
TIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%H:%M:%S %d/%m/%Y", "%H:%M %d/%m/%Y", "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y", "%m/%d/%Y",
    "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d")
ISO = re.compile(r"^\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?)?\s*(Z|[+-]\d\d(:?\d\d)?)?$")
CLOCK = re.compile(r"^\d+:\d{1,2}(:\d{1,2}(\.\d+)?)?$")
CURRENCY = r"\s|₫|VNĐ|VND|đ|฿|THB|¥|CNY|RMB|US\$|USD|\$|€"


def guess_encoding(head: bytes) -> str | None:
    """None for UTF-8 (or a byte-order mark); else the likeliest of cp874, gb18030, cp1258."""
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    for enc, script in (("utf-8", ""), ("cp874", "[\u0e00-\u0e7f]"), ("gb18030", "[\u4e00-\u9fff]")):
        with contextlib.suppress(UnicodeDecodeError):
            if re.search(script, codecs.getincrementaldecoder(enc)().decode(head, final=False)):
                return None if enc == "utf-8" else enc
    return "cp1258"


def _year(value: str, fmt: str) -> int | None:
    try:
        return datetime.strptime(value, fmt).year
    except ValueError:
        return None


def detect_time(values: list[str], header: str = "") -> tuple[str | None, list[str]] | None:
    """(format, or None for ISO; notes), or None when the values are not times."""
    if not values:
        return None, [_("no values in the sample to tell the time layout")]
    enough = 0.9 * len(values)
    if sum(1 for v in values if ISO.match(v)) >= enough:
        return None, [_("ISO times like {value}: read as they are").format(value=repr(values[0]))]
    if all(v.isdigit() and len(v) in (10, 13) for v in values):
        fmt = "epoch" if len(values[0]) == 10 else "epoch_ms"
        why = _("numbers like {value} are Unix times in seconds") if fmt == "epoch" else \
            _("numbers like {value} are Unix times in ms")
        return fmt, [why.format(value=values[0])]
    fits = [(f, ys) for f in TIME_FORMATS if len(ys := [y for v in values if (y := _year(v, f))]) >= enough]
    if not fits:
        return None
    fmt, years = fits[0]
    notes = [_("values like {value} read as {format}").format(value=repr(values[0]), format=fmt)]
    if (swapped := fmt.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m")) != fmt and \
            any(f == swapped for f, _ in fits):
        notes.append(_("no day above 12 in the sample, so day/month order is a guess (day first here)"))
    if max(years) > 2400:
        notes.append(_("years like {year} look Buddhist Era (subtract 543): convert them before importing").format(
            year=max(years)))
    return fmt, notes


def detect_seconds(values: list[str], header: str = "") -> tuple[dict, list[str]] | None:
    """(rule keys such as unit, notes) for a duration column, or None when the values are not durations."""
    if values and all(CLOCK.match(v) for v in values):
        return {}, [_("durations like {value} (h:mm:ss or m:ss): read as they are").format(value=repr(values[0]))]
    nums = [float(v.replace(",", ".")) for v in values if re.fullmatch(r"-?\d+([.,]\d+)?", v)]
    if len(nums) < 0.9 * len(values):
        return None
    keys = {"decimal": ","} if any("," in v for v in values) else {}
    for unit in ("ms", "min", "h", "s"):
        if _score(fold(header), _words(UNIT_WORDS[unit]))[0]:
            return ({"unit": unit} if unit != "s" else {}) | keys, [_("the header says {unit}").format(unit=unit)]
    positive = [n for n in nums if n > 0]
    if positive and (median := statistics.median(positive)) > 7200:
        return {"unit": "ms"} | keys, [_("median {median} is over two hours as seconds, so milliseconds").format(
            median=f"{median:g}")]
    return keys, [_("numbers of seconds")]


def detect_money(values: list[str], header: str = "") -> tuple[dict, list[str]] | None:
    """(thousands/decimal keys, notes) for amounts, or None when the values are not amounts."""
    cleaned = [c for c in (re.sub(CURRENCY, "", v) for v in values) if c]
    for sep, dec in ((".", ","), (",", ".")):
        grouped, plain = rf"-?\d{{1,3}}(\{sep}\d{{3}})+(\{dec}\d+)?", rf"-?\d+(\{dec}\d+)?"
        if any(re.fullmatch(grouped, c) for c in cleaned) and \
                all(re.fullmatch(grouped, c) or re.fullmatch(plain, c) for c in cleaned):
            return {"thousands": sep} | ({"decimal": dec} if dec != "." else {}), \
                [_("amounts like {value}: {separator} groups thousands").format(value=repr(values[0]),
                                                                                separator=repr(sep))]
    return ({}, []) if all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in cleaned) else None


# Column type → (values, header) → (rule keys or a format, notes), or None when the values do not fit.
DETECT = {"timestamp": detect_time, "date": detect_time, "seconds": detect_seconds, "money": detect_money,
          "double": detect_money, "int": detect_money}


@dataclass
class Sample:
    format: str
    read: dict                           # top-level mapping keys: skip_rows, csv, nulls
    header: list[str]
    cells: dict[str, list[str | None]]   # the first rows, column by column, aligned; None when empty
    notes: list[str]

    @property
    def rows(self) -> dict[str, list[str]]:
        """Each column's non-empty sample values."""
        return {c: [v for v in vs if v is not None] for c, vs in self.cells.items()}

    @property
    def n(self) -> int:
        return len(next(iter(self.cells.values()), []))


def sample(path: Path, table: str | None = None, encoding: str | None = None) -> Sample:
    """The layout of ``path`` and its first rows."""
    fmt = detect_format(path)
    if fmt.mapping or fmt.name not in ("csv", "xlsx", "parquet"):   # a connector's: it reads it
        raise InputError(_("is in the {format} format, which telekpi maps already; import it as it is "
                           "(a --mapping there overrides single columns)").format(format=fmt.name), file=str(path))
    notes, base = [], ReadOptions(table=table)
    if fmt.name == "csv":
        enc = encoding or guess_encoding(read_head(path))
        if enc and not encoding:
            notes.append(_("the file is not UTF-8; {encoding} is a guess (others: cp1258 Vietnamese, cp874 Thai, "
                           "gb18030 / big5 Chinese): check that the names below read right").format(encoding=enc))
        base = replace(base, encoding=enc)
    best: tuple[int, Source | None, int] = (0, None, 0)
    error: InputError | None = None
    for skip in range(MAX_TITLE_ROWS + 1):   # title lines above the header: the header names most columns
        try:
            src = fmt.open(path, replace(base, skip_rows=skip))
        except InputError as e:
            error = error or e
            continue
        named = sum(1 for c in src.columns if not re.fullmatch(r"column \d+", c))
        (best, dropped) = ((named, src, skip), best[1]) if best[1] is None or named > best[0] else (best, src)
        if dropped is not None:
            dropped.close()
    if best[1] is None:
        raise cast(InputError, error)   # no skip could be opened: each raised an InputError
    src, skip = best[1], best[2]
    cells: dict[str, list[str | None]] = {c: [] for c in src.columns}
    nulls = {t.casefold(): t for t in NULL_TEXTS}
    found: set[str] = set()
    n = 0
    try:
        for batch in src.batches():
            part = batch.table.slice(0, SAMPLE_ROWS - n)
            for name, col in zip(part.column_names, part.columns, strict=True):
                for v in col.to_pylist():
                    v = str(v).strip() if v is not None else ""
                    if v.casefold() in nulls:
                        found.add(nulls[v.casefold()])
                        v = ""
                    cells[name].append(v or None)
            if (n := n + part.num_rows) >= SAMPLE_ROWS:
                break
    finally:
        src.close()
    delimiter = src.delimiter if isinstance(src, CsvSource) else ","
    csv_opts = {k: v for k, v in (("delimiter", delimiter), ("encoding", base.encoding)) if v and v != ","}
    read: dict[str, object] = ({"skip_rows": skip} if skip else {}) | \
        ({"csv": csv_opts} if fmt.name == "csv" and csv_opts else {})
    if found:
        read["nulls"] = sorted(found)
        notes.append(_("{texts} in a cell means empty (a database dump's NULL): listed under nulls").format(
            texts=", ".join(sorted(found))))
    if skip:
        notes.append(_("{n} title line(s) above the header are skipped").format(n=skip))
    if n == 0:
        notes.append(_("the file has no data rows: guesses come from the header alone"))
    return Sample(fmt.name, read, list(src.columns), cells, notes)
