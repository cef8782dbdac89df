"""The frozen request every front end builds, and the result it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from telekpi.errors import UsageError
from telekpi.i18n import N_, _
from telekpi.model.tables import EARLIEST, LATEST

if TYPE_CHECKING:
    from telekpi.catalog.applies import NotBy

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


def check_day(day: date, field: str) -> date:
    """``day``, asked for as request parameter ``field`` (``from``, ``to``, ``as_of``), if it
    lies within the days telekpi answers for (``model.tables.EARLIEST`` … ``LATEST``); the
    windows and periods worked out from a day outside them would leave Python's calendar."""
    if not EARLIEST <= day <= LATEST:
        raise UsageError(N_("{given} is outside the days telekpi answers for, {first} to {last}"),
                         field=field, value=day.isoformat(), first=EARLIEST.isoformat(),
                         last=LATEST.isoformat())
    return day


@dataclass(frozen=True)
class NotMeaningful:
    """Why ``metric`` shows no value in a breakdown: ``unattributed`` of its ``total`` cost is
    on no value of ``dimension`` (a campaign's cost by site; the centre's software by team), so
    a row's ratio would leave it out and the rows would not agree with the total.

    The other reason a metric has no value (it cannot be split by the dimension at all) is
    ``catalog.applies.NotBy``; both say it with ``text`` and ``to_json``."""

    metric: str
    dimension: str
    unattributed: float
    total: float

    def text(self, catalog) -> str:
        """The sentence a front end shows, in the language in use."""
        from telekpi.i18n import translate
        from telekpi.i18n.words import dim_name
        from telekpi.units import human

        return _("{metric} by {dimension} is not meaningful: {amount} of the {total} cost is "
                 "not attributable to any {dimension}").format(
            metric=translate(catalog.metrics[self.metric].name), dimension=dim_name(self.dimension),
            amount=human(self.unattributed, "money"), total=human(self.total, "money"))

    def to_json(self, catalog) -> dict:
        return {"dimension": self.dimension, "reason": self.text(catalog),
                "unattributed": self.unattributed, "total": self.total}


@dataclass
class Result:
    metrics: list[str]
    by: list[str]
    period: str | None
    rows: list[dict] = field(default_factory=list)
    sql: str = ""
    # metric → why it has no value in these rows (its values are None): part of its cost is
    # on no row (NotMeaningful), or it cannot be split or filtered as asked (NotBy)
    not_meaningful: dict[str, NotMeaningful | NotBy] = field(default_factory=dict)

    def reasons(self, catalog) -> dict[str, str]:
        """Each metric with no value in these rows, and why, in the language in use."""
        return {m: why.text(catalog) for m, why in self.not_meaningful.items()}

    def to_json(self, catalog) -> dict:
        return {"metrics": self.metrics, "by": self.by, "period": self.period, "rows": self.rows,
                "not_meaningful": {m: n.to_json(catalog) for m, n in self.not_meaningful.items()}}


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
