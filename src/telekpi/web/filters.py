"""The dashboard's filters, read from and written to the URL so a link shows the same view."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import urlencode

from telekpi.analysis.windows import Window, window
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
