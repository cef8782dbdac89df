"""A row a source could not read: its line, why, and what it said."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Reject:
    line: int | None
    reason: str
    raw: str | None = None
    column: str | None = None
