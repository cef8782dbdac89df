"""KPI templates (seed 001): a goal, an evaluation period and cadence, a supervisor,
weighted items with targets that differ by team, agent level and agent, and a reward
policy (bonus tiers on the weighted score, commission on a money metric).

A template is read from YAML and checked as a whole: every problem is collected with
file, line and reason (an unknown metric, weights that do not add up, overlapping
tiers, …) before any is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import cast

from telekpi.catalog.loader import Catalog
from telekpi.errors import ConfigError, Issue, raise_issues
from telekpi.i18n import _
from telekpi.model.tables import EARLIEST, LATEST
from telekpi.yaml_lines import KEY_LINES, LINE, load_file

CADENCES = ("daily", "weekly", "twice_weekly", "monthly")
SCOPE_DIMS = ("team", "site", "vendor", "campaign", "agent")
TOP_KEYS = {"name", "goal", "period", "cadence", "supervisor", "scope", "items", "targets",
            "attainment_cap", "missing", "reward"}


@dataclass(frozen=True)
class Item:
    metric: str
    weight: float
    target: float
    better: str            # higher | lower
    line: int | None = None


@dataclass(frozen=True)
class Tier:
    min: float
    max: float | None
    bonus: float
    label: str


@dataclass(frozen=True)
class Commission:
    rate: float
    of: str
    floor: float = 0.0
    cap: float | None = None
    min_score: float = 0.0


@dataclass
class Template:
    name: str
    file: str
    goal: str
    start: date
    end: date
    cadence: str
    supervisor: str | None
    items: list[Item]
    scope: tuple[tuple[str, str], ...] = ()
    team_targets: dict[str, dict[str, float]] = field(default_factory=dict)
    level_targets: dict[str, dict[str, float]] = field(default_factory=dict)
    agent_targets: dict[str, dict[str, float]] = field(default_factory=dict)
    attainment_cap: float = 1.5
    missing: str = "skip"           # an item without data: skip (re-weigh the rest) or zero
    tiers: list[Tier] = field(default_factory=list)
    commission: Commission | None = None

    @property
    def total_weight(self) -> float:
        return sum(i.weight for i in self.items)

    def target_for(self, metric: str, agent: str | None, team: str | None,
                   level: str | None) -> float:
        """Most specific wins: the agent's own target, then the level's, the team's, everyone's."""
        for table, key in ((self.agent_targets, agent), (self.level_targets, level),
                           (self.team_targets, team)):
            if key is not None and metric in table.get(key, {}):
                return table[key][metric]
        return next(i.target for i in self.items if i.metric == metric)

    def tier_for(self, score: float | None) -> Tier | None:
        if score is None:
            return None
        for t in self.tiers:
            if score >= t.min and (t.max is None or score < t.max):
                return t
        return None


def _num(v) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def load_template(path: str | Path, catalog: Catalog) -> Template:
    """Read and check a template; raise ConfigError listing every problem with its line."""
    path = Path(path)
    data = load_file(path, _("cannot read the template ({reason})"))
    issues: list[Issue] = []
    f = str(path)

    def err(line, message):
        issues.append(Issue("error", f, line, message))

    if not isinstance(data, dict):
        raise ConfigError(_("a template is a YAML mapping with name, period, items, …"), file=f)
    keys = data.get(KEY_LINES, {})
    for k in set(data) - TOP_KEYS - {LINE, KEY_LINES}:
        err(keys.get(k), _("unknown key {key}; expected one of: {keys}").format(
            key=repr(k), keys=", ".join(sorted(TOP_KEYS))))
    period = data.get("period") or {}
    start, end = (period.get("start"), period.get("end")) if isinstance(period, dict) else (None, None)
    if not isinstance(start, date) or not isinstance(end, date):
        err(keys.get("period"), _("period needs start and end dates (YYYY-MM-DD)"))
    elif start > end:
        err(keys.get("period"), _("period starts {start} after it ends {end}").format(start=start, end=end))
    elif start < EARLIEST or end > LATEST:
        err(keys.get("period"), _("period {start} – {end} is outside the days telekpi answers for, "
                                  "{first} to {last}").format(start=start, end=end, first=EARLIEST,
                                                              last=LATEST))
    cadence = data.get("cadence", "monthly")
    if cadence not in CADENCES:
        err(keys.get("cadence"), _("cadence {cadence} is not one of {cadences}").format(
            cadence=repr(cadence), cadences=", ".join(CADENCES)))
    scope = []
    for dim, value in (data.get("scope") or {}).items():
        if dim in (LINE, KEY_LINES):
            continue
        if dim not in SCOPE_DIMS:
            err(keys.get("scope"), _("scope {dimension} is not one of {dimensions}").format(
                dimension=repr(dim), dimensions=", ".join(SCOPE_DIMS)))
        for v in value if isinstance(value, list) else [value]:
            scope.append((dim, str(v)))

    items: list[Item] = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        err(keys.get("items") or data.get(LINE), _("items: list at least one metric with a target and weight"))
        raw_items = []
    for raw in raw_items:
        line = raw.get(LINE) if isinstance(raw, dict) else keys.get("items")
        if not isinstance(raw, dict):
            err(line, _("an item is a mapping with metric, target and weight"))
            continue
        at = raw.get(KEY_LINES, {})
        mid = raw.get("metric")
        m = catalog.metrics.get(mid) if isinstance(mid, str) else None
        if m is None:
            err(at.get("metric", line), _("unknown metric {metric}; `telekpi metrics` lists the ids").format(
                metric=repr(mid)))
            continue
        if m.type in ("growth", "retention"):
            err(at.get("metric", line), _("{metric} compares periods; score it with a plain metric").format(
                metric=mid))
        weight, target = _num(raw.get("weight")), _num(raw.get("target"))
        if weight is None or weight <= 0:
            err(at.get("weight", line), _("{metric}: weight must be a positive number").format(metric=mid))
        if target is None:
            err(at.get("target", line), _("{metric}: target must be a number").format(metric=mid))
        better = raw.get("direction", m.better or "higher")
        if better not in ("higher", "lower"):
            err(at.get("direction", line), _("{metric}: direction must be higher or lower").format(metric=mid))
        if any(i.metric == mid for i in items):
            err(at.get("metric", line), _("{metric} is listed twice").format(metric=mid))
        # m was found, so mid is a str
        items.append(Item(cast(str, mid), weight or 0.0, target if target is not None else 0.0, better, line))
    total = sum(i.weight for i in items)
    if items and len(items) == len(raw_items) and not (abs(total - 100) < 1e-6 or abs(total - 1) < 1e-6):
        err(keys.get("items"), _("weights add up to {total}; make them add up to 100 (or to 1)").format(
            total=f"{total:g}"))

    overrides: dict[str, dict[str, dict[str, float]]] = {}
    targets = data.get("targets") or {}
    tkeys = targets.get(KEY_LINES, {}) if isinstance(targets, dict) else {}
    for kind in ("teams", "levels", "agents"):
        table: dict[str, dict[str, float]] = {}
        for who, values in (targets.get(kind) or {}).items() if isinstance(targets, dict) else ():
            if who in (LINE, KEY_LINES):
                continue
            if not isinstance(values, dict):
                err(tkeys.get(kind), _("{key}: expected metric: target pairs").format(
                    key=f"targets.{kind}.{who}"))
                continue
            vkeys = values.get(KEY_LINES, {})
            table[str(who)] = {}
            for mid, v in values.items():
                if mid in (LINE, KEY_LINES):
                    continue
                if mid not in {i.metric for i in items}:
                    err(vkeys.get(mid), _("{key}: {metric} is not an item of this template").format(
                        key=f"targets.{kind}.{who}", metric=repr(mid)))
                elif _num(v) is None:
                    err(vkeys.get(mid), _("{key}: target must be a number").format(
                        key=f"targets.{kind}.{who}.{mid}"))
                else:
                    table[str(who)][mid] = float(v)
        overrides[kind] = table
    for k in set(targets) - {"teams", "levels", "agents", LINE, KEY_LINES} if isinstance(targets, dict) else ():
        err(tkeys.get(k), _("{key}: expected teams, levels or agents").format(key=f"targets.{k}"))

    cap = _num(data.get("attainment_cap", 1.5))
    if cap is None or cap < 1:
        err(keys.get("attainment_cap"), _("attainment_cap must be a number ≥ 1 (1.5 = at most 150 %)"))
    missing = data.get("missing", "skip")
    if missing not in ("skip", "zero"):
        err(keys.get("missing"), _("missing must be skip (re-weigh the other items) or zero"))
    tiers, commission = _reward(data.get("reward") or {}, keys.get("reward"), catalog, err)
    raise_issues(issues, _("{n} problem(s) in the template:"))   # so the period's start and end are dates
    return Template(
        name=str(data.get("name") or path.stem), file=f, goal=str(data.get("goal") or ""),
        start=cast(date, start), end=cast(date, end), cadence=cadence, supervisor=data.get("supervisor"),
        items=items, scope=tuple(scope), team_targets=overrides["teams"], level_targets=overrides["levels"],
        agent_targets=overrides["agents"], attainment_cap=cap or 1.5, missing=missing,
        tiers=tiers, commission=commission)


def _reward(reward: dict, line, catalog: Catalog, err) -> tuple[list[Tier], Commission | None]:
    if not isinstance(reward, dict):
        err(line, _("{key}: expected tiers and/or commission").format(key="reward"))
        return [], None
    keys = reward.get(KEY_LINES, {})
    for k in set(reward) - {"tiers", "commission", LINE, KEY_LINES}:
        err(keys.get(k, line), _("{key}: expected tiers and/or commission").format(key=f"reward.{k}"))
    tiers = []
    for raw in reward.get("tiers") or []:
        tl = raw.get(LINE) if isinstance(raw, dict) else line
        lo, hi = (_num(raw.get("min")), raw.get("max")) if isinstance(raw, dict) else (None, None)
        bonus = _num(raw.get("bonus", 0)) if isinstance(raw, dict) else None
        if lo is None or (hi is not None and _num(hi) is None) or bonus is None:
            err(tl, _("a tier needs a numeric min (score, 1.0 = 100 %), an optional max and a bonus"))
            continue
        if hi is not None and float(hi) <= lo:
            err(tl, _("tier min {min} is not below its max {max}").format(min=f"{lo:g}", max=f"{float(hi):g}"))
            continue
        tiers.append(Tier(lo, None if hi is None else float(hi), bonus,
                          str(raw.get("label") or f"{lo:.0%}+")))
    ordered = sorted(tiers, key=lambda t: t.min)
    for a, b in pairwise(ordered):
        if a.max is None or a.max > b.min:
            err(keys.get("tiers", line), _("tiers overlap: {a} ({a_min}–{a_max}) and {b} (from {b_min})").format(
                a=a.label, a_min=f"{a.min:g}", a_max="" if a.max is None else f"{a.max:g}", b=b.label,
                b_min=f"{b.min:g}"))
    commission = None
    raw = reward.get("commission")
    if raw is not None:
        ck = raw.get(KEY_LINES, {}) if isinstance(raw, dict) else {}
        rate = _num(raw.get("rate")) if isinstance(raw, dict) else None
        of = raw.get("of", "revenue") if isinstance(raw, dict) else None
        if rate is None or not 0 <= rate <= 1:
            err(ck.get("rate", keys.get("commission")), _("commission rate must be a share between 0 and 1"))
        elif of not in catalog.metrics or catalog.metrics[of].unit != "money":
            err(ck.get("of", keys.get("commission")),
                _("commission of {metric}: expected a money metric such as revenue").format(metric=repr(of)))
        else:
            cap = raw.get("cap")
            cap_n = None if cap is None else _num(cap)
            if cap_n is not None and cap_n < (_num(raw.get("floor", 0)) or 0):
                err(ck.get("cap", keys.get("commission")), _("commission cap is below its floor"))
            commission = Commission(rate, of, _num(raw.get("floor", 0)) or 0.0, cap_n,
                                    _num(raw.get("min_score", 0)) or 0.0)
    return ordered, commission
