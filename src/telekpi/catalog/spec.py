"""Metric specifications: measures (aggregates) and metrics built on them."""

from __future__ import annotations

from dataclasses import dataclass, field

from telekpi.i18n import _, current
from telekpi.model.tables import CAMPAIGN_KINDS
from telekpi.units import formatter, human

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
    """A range of a metric's values and what it means (a level, and a label to show).

    One rule for every band (docs/metrics.md): a band holds ``min ≤ value < max`` — its lower
    edge and not its upper one, so a value on an edge belongs to the band above it
    ("very good ≥ 80 %" holds 80 %). A missing min or max leaves that end open. The top
    band of a set whose every band has a max also holds that max (``Metric.band``), so a
    rate of exactly 100 % has a band. The loader rejects bands that overlap."""

    level: str
    min: float | None = None
    max: float | None = None
    label: str | None = None

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value < self.max)

    def describe(self, unit: str | None = None, closed: bool = False) -> str:
        """The range as a reader writes it, in the language in use, rates as percentages:
        "≥ 80%", "< 3%", "≥ 70% and < 80%" (``closed``: the top band, "≤ max")."""
        lo = None if self.min is None else edge(self.min, unit)
        hi = None if self.max is None else edge(self.max, unit)
        if lo is not None and hi is not None:
            return (_("≥ {min} and ≤ {max}") if closed else _("≥ {min} and < {max}")).format(min=lo, max=hi)
        if lo is not None:
            return f"≥ {lo}"
        if hi is not None:
            return f"{'≤' if closed else '<'} {hi}"
        return _("any value")


def edge(value: float, unit: str | None) -> str:
    """A band's edge by its metric's unit, with as few decimals as it needs (at most two):
    0.8 of a rate is "80%", 0.155 "15.5%"; seconds as m:ss; money and others as numbers."""
    if unit == "seconds":
        return human(value, "seconds")
    shown = value * 100 if unit == "rate" else value
    digits = next((d for d in (0, 1) if abs(round(shown, d) - shown) < 1e-9), 2)
    fmt = formatter(current())
    return fmt.percent(value, digits) if unit == "rate" else fmt.number(value, digits)


def closed_top(bands: tuple[Band, ...]) -> Band | None:
    """The band that also holds its max: the highest, when every band of the set has a max."""
    if not bands or any(b.max is None for b in bands):
        return None
    return max(bands, key=lambda b: b.max or 0.0)


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
        """The band ``value`` falls in (``Band``'s one rule: min ≤ value < max), or None."""
        if value is None:
            return None
        bands = self.bands_for(industry)
        for b in bands:
            if b.contains(value):
                return b
        top = closed_top(bands)
        return top if top is not None and value == top.max else None

    def band_ranges(self, bands: tuple[Band, ...] | None = None) -> list[tuple[Band, str]]:
        """Each band (of ``bands``, else the metric's own) with its range as ``describe`` writes
        it in this metric's unit, lowest first."""
        bands = self.bands if bands is None else bands
        top = closed_top(bands)
        ordered = sorted(bands, key=lambda b: float("-inf") if b.min is None else b.min)
        return [(b, b.describe(self.unit, closed=b is top)) for b in ordered]


@dataclass(frozen=True)
class NotBy:
    """Why ``metric`` cannot be split or filtered by ``dim``: the ``model`` it reads carries
    no such dimension, or (``model`` None) its events cannot belong to it, for ``reason``."""

    metric: str
    dim: str
    model: str | None = None
    reason: str | None = None

    def text(self, catalog) -> str:
        """The reason as one sentence in the language in use."""
        from telekpi.i18n import _, translate
        from telekpi.i18n.words import dim_name

        name, dim = translate(catalog.metrics[self.metric].name), dim_name(self.dim)
        if self.reason:
            return _("{metric} has no value by {dimension}: {reason}").format(
                metric=name, dimension=dim, reason=translate(self.reason))
        return _("{metric} has no value by {dimension}: its {model} data carry no "
                 "{dimension}.").format(metric=name, dimension=dim, model=self.model)

    def to_json(self, catalog) -> dict:
        return {"dimension": self.dim, "reason": self.text(catalog), "unattributed": None,
                "total": None}
