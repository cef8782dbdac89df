"""The workspace front ends open: a folder with its warehouse, settings and metric catalog.

``Workspace`` serves one command; ``SharedWorkspace`` serves a long-running process with
many threads (the server): a cursor per request, one writer, an answer cache, and the daily
rollups folded in the background."""

from telekpi.workspace.shared import SharedWorkspace
from telekpi.workspace.workspace import Workspace

__all__ = ["SharedWorkspace", "Workspace"]
