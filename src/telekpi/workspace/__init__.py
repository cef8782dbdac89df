"""The workspace front ends open: a folder with its warehouse, settings and metric catalog.

``Workspace`` serves one command; ``SharedWorkspace`` serves a long-running process with
many threads (the server): a cursor per request, one writer, an answer cache, and the daily
rollups folded in the background."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telekpi.workspace.workspace import Workspace

if TYPE_CHECKING:
    from telekpi.workspace.shared import SharedWorkspace

__all__ = ["SharedWorkspace", "Workspace"]


def __getattr__(name: str) -> Any:
    """``SharedWorkspace`` is imported when first asked for: it needs the engine (DuckDB,
    sqlglot), which a command such as ``telekpi metrics`` never loads (start-up)."""
    if name == "SharedWorkspace":
        from telekpi.workspace.shared import SharedWorkspace

        return SharedWorkspace
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
