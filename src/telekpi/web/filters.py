"""The dashboard's filters, read from and written to the URL so a link shows the same view,
and the links from a chart's points to the rows behind them (the same filters, narrowed to
the point's period or value)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import urlencode

from telekpi.analysis.windows import Window, period_days, window
from telekpi.engine.request import check_day
from telekpi.errors import UsageError
from telekpi.i18n import _

FILTER_DIMS = ("team", "vendor", "campaign", "agent", "queue")


def parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(_("{name} {value} is not a date; expected YYYY-MM-DD").format(
            name=name, value=repr(value))) from None
    return check_day(day, name)


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    where: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_query(cls, params, default_end: date) -> Filters:
        end = parse_date(params.get("to"), "to") or default_end
        start = parse_date(params.get("from"), "from") or window("month", end).start
        if start > end:
            raise UsageError(_("from {start} is after to {end}").format(start=start, end=end))
        where = tuple((d, v) for d in FILTER_DIMS for v in params.getlist(d) if v)
        return cls(start, end, where)

    @property
    def window(self) -> Window:
        return Window(self.start, self.end)

    def previous(self) -> Filters:
        """The same filters over the window this one is compared with (``Window.previous``)."""
        start, end = self.window.previous()
        return replace(self, start=start, end=end)

    def trend_period(self) -> str:
        return self.window.trend_period()

    def query(self, **extra) -> str:
        pairs = [("from", self.start.isoformat()), ("to", self.end.isoformat())] + list(self.where)
        pairs += [(k, v) for k, v in extra.items() if v is not None]
        return urlencode(pairs)

    def values(self, dim: str) -> list[str]:
        return [v for d, v in self.where if d == dim]


def day_of(x) -> date:
    """A trend's period start as the engine gives it (a date, a datetime or its ISO text)."""
    if isinstance(x, datetime):
        return x.date()
    return x if isinstance(x, date) else date.fromisoformat(str(x)[:10])


def period_links(path: str, view: Filters, starts: list, period: str, fragment: str = "") -> list[str]:
    """For each point of a trend over ``view`` (its period's first day in ``starts``),
    ``path`` showing that period's days (kept within the view's) with the view's filters."""
    out = []
    for x in starts:
        days = period_days(day_of(x), period)
        narrowed = replace(view, start=max(days.start, view.start), end=min(days.end, view.end))
        out.append(f"{path}?{narrowed.query()}{fragment}")
    return out


def value_links(path: str, view: Filters, dim: str, values: list[str], **extra) -> list[str]:
    """For each bar of a chart by ``dim``, ``path`` over the view's days with the view's
    filters and ``dim`` narrowed to that bar's value (a campaign's agents)."""
    out = []
    for v in values:
        where = tuple((d, w) for d, w in view.where if d != dim) + ((dim, v),)
        out.append(f"{path}?{replace(view, where=where).query(**extra)}")
    return out
