"""The validated catalog, kept between commands so that start-up skips YAML and validation.

Parsing the catalog's YAML and validating every SQL snippet with sqlglot takes about
0.1 s, on every command. A catalog that validated is pickled into the user's cache
folder (``$TELEKPI_CACHE_DIR``, else ``$XDG_CACHE_HOME/telekpi``, else
``~/.cache/telekpi``; ``TELEKPI_CACHE_DIR=`` with no value turns the cache off) under a
key made of every YAML file's path and text and of the catalog code's files (their
sizes and modification times), so an edited metric or a new telekpi version is a new
key and never reads a stale catalog. A catalog with errors is never kept. Anything
wrong with the cache (no home folder, a read-only disk, a damaged file) only means
the catalog is loaded from its YAML as before.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

import telekpi

# The code a cached catalog depends on: the catalog package and the YAML reader.
_CODE = [Path(__file__).parent, Path(telekpi.__file__).parent / "yaml_lines.py"]
KEEP = 16   # catalogs kept (one per workspace catalog and telekpi version in use)


def folder() -> Path | None:
    configured = os.environ.get("TELEKPI_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "telekpi"


def key(sources: list[tuple[Path, str]]) -> str:
    h = hashlib.sha256(f"{telekpi.__version__} {sys.version} {pickle.HIGHEST_PROTOCOL}".encode())
    for place in _CODE:
        for f in sorted(place.glob("*.py")) if place.is_dir() else [place]:
            st = f.stat()
            h.update(f"{f.name} {st.st_size} {st.st_mtime_ns}\0".encode())
    for path, text in sources:
        h.update(f"{path}\0{len(text)}\0".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:32]


def get(k: str) -> Any | None:
    """The catalog kept under ``k``, or None."""
    try:
        place = folder()
        if place is None:
            return None
        return pickle.loads((place / f"catalog-{k}.pickle").read_bytes())
    except Exception:   # missing, unreadable or from another version: load it from the YAML
        return None


def put(k: str, catalog: Any) -> None:
    """Keep ``catalog`` under ``k`` (atomically), and only the newest ``KEEP`` catalogs."""
    try:
        place = folder()
        if place is None:
            return
        place.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=place, prefix=".catalog-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(catalog, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, place / f"catalog-{k}.pickle")
        finally:
            Path(tmp).unlink(missing_ok=True)
        kept = sorted(place.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:   # a cache that cannot be written is no cache, not an error
        return
