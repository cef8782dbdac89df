"""Numbers as people read them, by unit: rates as %, seconds as m:ss, money grouped.

Shared by every front end (CLI tables, web pages, alert messages)."""

from __future__ import annotations


def human(value, unit: str | None) -> str:
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value:.1%}"
    if unit == "seconds":
        s = int(round(value))
        return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    if unit == "money":
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    if unit in ("ratio", "score"):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:,.2f}" if value != int(value) else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
