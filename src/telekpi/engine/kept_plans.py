"""Plans kept between commands, so that a request planned before runs without sqlglot.

Planning needs sqlglot, and importing it with its DuckDB dialect took about 0.13 s of every
`telekpi kpi` (the plan itself a few ms). What running a plan needs — its SQL in the
backend's dialect, the ``--where`` values it binds, its output columns, the columns of its
intervals and costs (``Runnable``) — is written beside the kept catalog
(``catalog/cache.py``: ``$TELEKPI_CACHE_DIR``, else ``$XDG_CACHE_HOME/telekpi``, else
``~/.cache/telekpi``; ``TELEKPI_CACHE_DIR=`` with no value keeps nothing) under a key of
everything the planner's output depends on:

- the request and the dialect;
- the catalog and the settings, as their whole content (a metric edited in ``metrics/``, or
  any setting changed in ``telekpi.toml``, is another key);
- what the warehouse records of its daily rollups and of their source tables
  (``rollups.state.record``): which rollups the planner may read follows from it, so an
  import or a rebuilt rollup is another key;
- the code that plans: telekpi's version and every one of its modules (size and time), and
  the sqlglot installed that rendered the SQL.

The planner stays the one source of SQL: a kept entry is only ever its output, written after
it planned, and a request the planner refuses is never kept. Anything wrong with the folder
(no home, a read-only disk, a damaged file) only means the request is planned again."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import telekpi
from telekpi.catalog.cache import folder
from telekpi.catalog.spec import NotBy

FORMAT = 2   # 2: the metrics answered null, and why (missing)
KEEP = 256   # plans kept; the oldest go first
PRUNE_EVERY = 32   # a process's 1st, 33rd, … plan written prunes the folder back to KEEP
_written = 0


@dataclass(frozen=True)
class Runnable:
    """What running a plan (``plan.Plan``) needs, in one dialect."""

    sql: str
    columns: list[str]
    ci: dict[str, tuple[str, str]]   # metric → (numerator column, denominator column)
    params: dict[str, str]           # $name → value of a --where filter
    costs: dict[str, str]            # metric → the hidden column of its cost per row
    missing: dict[str, NotBy] = field(default_factory=dict)   # metric answered null, and why

    def to_json(self) -> dict:
        return {"sql": self.sql, "columns": self.columns, "ci": self.ci, "params": self.params,
                "costs": self.costs, "missing": {m: asdict(n) for m, n in self.missing.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Runnable:
        return cls(str(data["sql"]), [str(c) for c in data["columns"]],
                   {m: (str(n), str(d)) for m, (n, d) in data["ci"].items()},
                   {str(k): str(v) for k, v in data["params"].items()},
                   {str(k): str(v) for k, v in data["costs"].items()},
                   {str(k): NotBy(**v) for k, v in data.get("missing", {}).items()})


@lru_cache(maxsize=1)
def code_version() -> str:
    """telekpi's version, its modules' sizes and times, and the sqlglot installed (found
    without importing it)."""
    parts = [f"{FORMAT} {telekpi.__version__}"]
    package = Path(telekpi.__file__).parent
    for root, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            st = os.stat(os.path.join(root, name))
            parts.append(f"{os.path.relpath(os.path.join(root, name), package)} {st.st_size} {st.st_mtime_ns}")
    spec = find_spec("sqlglot")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    for f in ([origin, origin.with_name("_version.py")] if origin is not None else []):
        if f.exists():
            st = f.stat()
            parts.append(f"sqlglot {f} {st.st_size} {st.st_mtime_ns}")
    return "\n".join(parts)


def key(catalog: Any, settings: Any, request: Any, dialect: str, recorded: Any) -> str:
    """The key of a request's plan: see the module's docstring for what goes in."""
    h = hashlib.sha256(code_version().encode())
    for part in (dialect, request):
        h.update(b"\0" + _json(part))
    for whole in (catalog, settings):
        h.update(b"\0" + _digest(whole))
    h.update(b"\0" + _json(recorded))
    return h.hexdigest()[:32]


_DIGESTS: dict[int, tuple[Any, bytes]] = {}   # id → (catalog or settings, its content's digest)
_DIGESTS_LOCK = threading.Lock()


def _digest(whole: Any) -> bytes:
    """A catalog's or settings' content, digested once per object: neither changes once
    loaded (the planner keeps plans by them too), and writing one out as JSON took 9 ms, on
    every query. The object is held with its digest, so its id is not reused meanwhile."""
    with _DIGESTS_LOCK:
        kept = _DIGESTS.get(id(whole))
    if kept is not None and kept[0] is whole:
        return kept[1]
    digest = hashlib.sha256(_json(whole)).digest()
    with _DIGESTS_LOCK:
        if len(_DIGESTS) >= 32:   # a test run loads hundreds; a process a few
            _DIGESTS.clear()
        _DIGESTS[id(whole)] = (whole, digest)
    return digest


def _json(part: Any) -> bytes:
    return json.dumps(part, sort_keys=True, default=_content).encode()


def _content(o: Any) -> Any:
    """A value as JSON, the same in every process: a dataclass as its fields (not what its
    cached properties hold), a set in order."""
    if is_dataclass(o) and not isinstance(o, type):
        return {"": type(o).__qualname__} | {f.name: getattr(o, f.name) for f in fields(o)}
    if isinstance(o, set | frozenset):
        return sorted(json.dumps(v, sort_keys=True, default=_content) for v in o)
    return repr(o)


def _path(k: str) -> Path | None:
    place = folder()
    return None if place is None else place / f"plan-{k}.json"


def get(k: str) -> Runnable | None:
    """The plan kept under ``k``, or None."""
    try:
        path = _path(k)
        return None if path is None else Runnable.from_json(json.loads(path.read_text(encoding="utf-8")))
    except Exception:   # missing, unreadable or damaged: planned again
        return None


def put(k: str, runnable: Runnable) -> None:
    """Keep ``runnable`` under ``k`` (atomically), and only the newest ``KEEP`` plans."""
    try:
        path = _path(k)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".plan-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(runnable.to_json(), f)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        global _written
        _written += 1
        if _written % PRUNE_EVERY == 1:   # listing the folder cost more than the write
            kept = sorted(path.parent.glob("plan-*.json"), key=lambda p: p.stat().st_mtime,
                          reverse=True)
            for old in kept[KEEP:]:
                old.unlink(missing_ok=True)
    except Exception:   # a folder that cannot be written keeps nothing, and is no error
        return
