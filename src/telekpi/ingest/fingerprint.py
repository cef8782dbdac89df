"""A file's fingerprint for an import: what the import's outcome depends on, hashed.

Two imports of a file with the same fingerprint into a table nothing else wrote to in
between store and quarantine exactly the same (``store/import_marks.py``). It covers the
file's bytes (SHA-256, about 1.5 GB/s with the CPU's SHA instructions, so a fraction of what
reading the file as rows costs), its format and read options, the mapping (the user's over
the format's), every setting (durations, horizons, dispositions, the phone region…), the
workspace's zone and the day there (the plausible range of a time moves with today), the
warehouse's schema version and telekpi's version.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import telekpi
from telekpi.ingest.mapping import Mapping
from telekpi.settings import Settings
from telekpi.store.migrations import SCHEMA_VERSION

CHUNK = 4 << 20


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes, read in 4 MiB chunks into one buffer."""
    h = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    with open(path, "rb") as f:
        while n := f.readinto(buf):
            h.update(view[:n])
    return h.hexdigest()


def canonical(value: object) -> object:
    """``value`` as nested tuples whose ``repr`` is the same in every process: dataclasses by
    field, and sets (whose order follows the process's string hashing) sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple((f.name, canonical(getattr(value, f.name)))
                                            for f in dataclasses.fields(value)))
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((repr(canonical(k)), canonical(v)) for k, v in value.items()),
                                     key=repr)))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((canonical(v) for v in value), key=repr)))
    if isinstance(value, (list, tuple)):
        return tuple(canonical(v) for v in value)
    return value


def fingerprint(path: Path, table: str, fmt: str, options: object, mapping: Mapping,
                settings: Settings) -> str:
    tz = mapping.timezone or settings.timezone
    today = datetime.now(ZoneInfo(tz)).date().isoformat()
    how = repr(canonical((table, fmt, options, mapping, settings, tz, today, SCHEMA_VERSION, telekpi.__version__)))
    return hashlib.sha256(f"{file_digest(path)}\n{how}".encode()).hexdigest()
