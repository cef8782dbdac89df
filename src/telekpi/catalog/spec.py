"""Metric specifications: measures (aggregates) and metrics built on them."""

from __future__ import annotations

from dataclasses import dataclass, field

from telekpi.model.tables import CAMPAIGN_KINDS

AGGS = ("count", "sum", "avg", "min", "max", "count_distinct", "median")
METRIC_TYPES = ("simple", "ratio", "derived", "growth", "retention")
UNITS = ("count", "rate", "seconds", "money", "ratio", "score")
BAND_LEVELS = ("poor", "fair", "standard", "good", "excellent")
# The kinds of work a campaign is (``campaigns.kind``); an agent's kind is that of the
# campaigns most of their calls are on. A metric declares the kinds it applies to.
KINDS = CAMPAIGN_KINDS


@dataclass(frozen=True)
class Where:
    """Where a spec was declared, for error messages."""

    file: str
    line: int | None
    keys: tuple[tuple[str, int], ...] = ()   # (key, line) of each key, for precise errors

    def at(self, key: str) -> int | None:
        """The line of ``key`` in this spec, else the spec's own line."""
        return dict(self.keys).get(key, self.line)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Measure:
    id: str
    model: str
    agg: str
    expr: str | None = None
    filter: str | None = None
    where: Where | None = None
    not_by: tuple[str, ...] = ()    # dimensions its events cannot carry (dialer drops: no agent)
    reason: str | None = None       # why, as people read it


@dataclass(frozen=True)
class Applies:
    """What a metric can be split or filtered by (``applies.py``), worked out when the catalog
    is loaded and kept with it: the dimensions it has a value by, those it has none by, and of
    these the ones its events cannot carry (``not_by``) with the reason."""

    dimensions: tuple[str, ...]
    missing: tuple[str, ...]
    not_by: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class Band:
    level: str
    min: float | None = None
    max: float | None = None
    label: str | None = None
    inclusive: bool = False  # max belongs to this band ("≤ 3 %"); bands are tried in order

    def contains(self, value: float) -> bool:
        if self.min is not None and value < self.min:
            return False
        if self.max is None:
            return True
        return value <= self.max if self.inclusive else value < self.max

    def describe(self) -> str:
        if self.min is not None and self.max is not None:
            return f"{self.min:g}–{self.max:g}"
        if self.min is not None:
            return f"≥ {self.min:g}"
        return f"{'≤' if self.inclusive else '<'} {self.max:g}"


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    description: str
    type: str = "simple"
    unit: str = "count"
    better: str | None = None  # "higher" | "lower" | None
    measure: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    expr: str | None = None
    proportion: bool | None = None
    target: float | None = None
    stage: str | None = None
    bands: tuple[Band, ...] = ()
    bands_by_industry: dict[str, tuple[Band, ...]] = field(default_factory=dict)
    where: Where | None = None
    not_by: tuple[str, ...] = ()    # dimensions it means nothing by, besides its measures' own
    reason: str | None = None       # why, as people read it
    kinds: tuple[str, ...] = ()     # kinds of work it applies to (KINDS); () = every kind

    def applies_to(self, kind: str | None) -> bool:
        """Does this metric judge work of ``kind`` (an agent's or a team's)? Unknown: yes."""
        return not self.kinds or kind is None or kind in self.kinds

    def part(self, name: str) -> str:
        """``measure``, ``numerator``, ``denominator`` or ``expr``: the field this metric's type
        requires, which validating the catalog guarantees is set."""
        value = getattr(self, name)
        if not isinstance(value, str):
            raise TypeError(f"metric {self.id} ({self.type}) has no {name}")
        return value

    @property
    def is_proportion(self) -> bool:
        """A rate of events out of trials, so a Wilson interval applies."""
        if self.proportion is not None:
            return self.proportion
        return self.type == "ratio" and self.unit == "rate"

    def bands_for(self, industry: str | None = None) -> tuple[Band, ...]:
        if industry and industry.lower() in self.bands_by_industry:
            return self.bands_by_industry[industry.lower()]
        return self.bands

    def band(self, value: float | None, industry: str | None = None) -> Band | None:
        if value is None:
            return None
        for b in self.bands_for(industry):
            if b.contains(value):
                return b
        return None
