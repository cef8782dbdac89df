"""The frozen request every front end builds, and the result it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

PERIODS = ("day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class Request:
    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    period: str | None = None
    start: date | None = None   # inclusive, workspace timezone
    end: date | None = None     # inclusive, workspace timezone
    where: tuple[tuple[str, str], ...] = ()
    ci: bool = False


@dataclass
class Result:
    metrics: list[str]
    by: list[str]
    period: str | None
    rows: list[dict] = field(default_factory=list)
    sql: str = ""

    def to_json(self) -> dict:
        return {"metrics": self.metrics, "by": self.by, "period": self.period, "rows": self.rows}


def parse_where(items, name: str = "--where") -> tuple[tuple[str, str], ...]:
    """DIM=VALUE filters, as the CLI and the API take them."""
    from telekpi.errors import UsageError
    from telekpi.i18n import _

    out = []
    for item in items:
        dim, sep, value = item.partition("=")
        if not sep or not dim.strip():
            raise UsageError(_("{option} {item} must look like DIM=VALUE, e.g. team=T1").format(
                option=name, item=repr(item)))
        out.append((dim.strip(), value.strip()))
    return tuple(out)
