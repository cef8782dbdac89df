"""The frozen request every front end builds, and the result it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from telekpi.errors import UsageError
from telekpi.i18n import N_

PERIODS = ("day", "week", "month", "quarter", "year")
# Used by the planner and by ``Engine.metric``: the front end says where the ids are listed.
UNKNOWN_METRIC = N_("unknown metric {value}; {catalog} lists the ids")


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
    # metric → why its values are null: it cannot be split or filtered as asked
    reasons: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"metrics": self.metrics, "by": self.by, "period": self.period, "rows": self.rows,
                "reasons": self.reasons}


def parse_where(items, name: str = "where") -> tuple[tuple[str, str], ...]:
    """DIM=VALUE filters, as the CLI and the API take them. ``name``: the parameter, as an
    error names it for every front end (a CLI spelling, ``--spark-conf``, is read as
    ``spark_conf``)."""
    param = name.lstrip("-").replace("-", "_")
    out = []
    for item in items:
        dim, sep, value = item.partition("=")
        if not sep or not dim.strip():
            raise UsageError(N_("{given} must look like DIM=VALUE, e.g. team=T1"), field=param,
                             value=item)
        out.append((dim.strip(), value.strip()))
    return tuple(out)
