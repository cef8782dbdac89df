"""The format registry: built-in connectors register exactly as a third party would.

A third-party package adds a format with an entry point in the group
``telekpi.formats`` whose object is a ``Format`` (or a callable returning one),
or by calling ``register_format`` before importing.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from telekpi.errors import InputError, UsageError
from telekpi.i18n import _
from telekpi.ingest.source import ReadOptions, Source
from telekpi.ingest.text_encoding import as_utf8, checked_encoding

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Format:
    name: str
    help: str
    open: Callable[[Path, ReadOptions], Source]
    # Says whether a file's first bytes are this format; None: only by name or extension.
    sniff: Callable[[Path, bytes], bool] | None = None
    extensions: tuple[str, ...] = ()
    # Higher sniffs first; specific log formats outrank the generic CSV reader.
    priority: int = 0
    # A built-in mapping (YAML text) onto canonical columns, for formats with fixed columns.
    mapping: str | None = None
    tables: tuple[str, ...] = ()   # canonical tables it can fill; () means any
    followable: bool = False       # a headerless log appended line by line (`import --follow`)


BUILTIN = ("csv_file", "parquet_file", "xlsx_file", "asterisk_cdr", "asterisk_queue_log", "freeswitch_cdr",
           "twilio", "vicidial", "vicidial_callbacks")
_FORMATS: dict[str, Format] = {}
_loaded = False


def register_format(fmt: Format) -> Format:
    _FORMATS[fmt.name] = fmt
    return fmt


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib

    for module in BUILTIN:
        importlib.import_module(f"telekpi.ingest.{module}")  # each registers its format

    for ep in entry_points(group="telekpi.formats"):
        obj = ep.load()
        fmt = obj() if callable(obj) and not isinstance(obj, Format) else obj
        register_format(fmt)


def formats() -> dict[str, Format]:
    _load()
    return dict(_FORMATS)


def get_format(name: str) -> Format:
    _load()
    try:
        return _FORMATS[name]
    except KeyError:
        raise UsageError(_("unknown format {format}; known: {formats}").format(
            format=repr(name), formats=", ".join(sorted(_FORMATS)))) from None


def read_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(HEAD_BYTES)
    except FileNotFoundError:
        raise InputError(_("no such file"), file=str(path)) from None
    except IsADirectoryError:
        raise InputError(_("is a folder, not a file"), file=str(path)) from None
    except PermissionError:
        raise InputError(_("cannot be read (permission denied)"), file=str(path)) from None


def is_zip_workbook(path: Path, head: bytes) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.startswith("xl/") for n in z.namelist())
    except zipfile.BadZipFile:
        return False


def detect_format(path: Path, encoding: str | None = None) -> Format:
    """The format of ``path`` from its first bytes, then its extension. The sniffers see text
    as UTF-8: in ``encoding`` when it is given, else in UTF-16 when the file is."""
    _load()
    head = read_head(path)
    if head and encoding is not None:
        head = as_utf8(head, checked_encoding(encoding, str(path)))
    elif head:
        head = as_utf8(head, None)
    if not head:
        raise InputError(_("is empty; expected a header line naming the columns"), file=str(path), line=1)
    for fmt in sorted(_FORMATS.values(), key=lambda f: -f.priority):
        if fmt.sniff and fmt.sniff(path, head):
            return fmt
    suffix = path.suffix.lower().lstrip(".")
    for fmt in _FORMATS.values():
        if suffix in fmt.extensions and not fmt.sniff:
            return fmt
    raise InputError(_("is not a table telekpi can read (CSV, Parquet or XLSX); "
                       "pass --format if it is one"), file=str(path))
