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
from pathlib import Path


from telekpi.catalog.loader import Catalog
from telekpi.errors import ConfigError, Issue, raise_issues
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
    data = load_file(path, "template")
    issues: list[Issue] = []
    f = str(path)

    def err(line, message):
        issues.append(Issue("error", f, line, message))

    if not isinstance(data, dict):
        raise ConfigError("a template is a YAML mapping with name, period, items, …", file=f)
    keys = data.get(KEY_LINES, {})
    for k in set(data) - TOP_KEYS - {LINE, KEY_LINES}:
        err(keys.get(k), f"unknown key {k!r}; expected one of: {', '.join(sorted(TOP_KEYS))}")
    period = data.get("period") or {}
    start, end = (period.get("start"), period.get("end")) if isinstance(period, dict) else (None, None)
    if not isinstance(start, date) or not isinstance(end, date):
        err(keys.get("period"), "period needs start and end dates (YYYY-MM-DD)")
    elif start > end:
        err(keys.get("period"), f"period starts {start} after it ends {end}")
    cadence = data.get("cadence", "monthly")
    if cadence not in CADENCES:
        err(keys.get("cadence"), f"cadence {cadence!r} is not one of {', '.join(CADENCES)}")
    scope = []
    for dim, value in (data.get("scope") or {}).items():
        if dim in (LINE, KEY_LINES):
            continue
        if dim not in SCOPE_DIMS:
            err(keys.get("scope"), f"scope {dim!r} is not one of {', '.join(SCOPE_DIMS)}")
        for v in value if isinstance(value, list) else [value]:
            scope.append((dim, str(v)))

    items: list[Item] = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        err(keys.get("items") or data.get(LINE), "items: list at least one metric with a target and weight")
        raw_items = []
    for raw in raw_items:
        line = raw.get(LINE) if isinstance(raw, dict) else keys.get("items")
        if not isinstance(raw, dict):
            err(line, "an item is a mapping with metric, target and weight")
            continue
        at = raw.get(KEY_LINES, {})
        mid = raw.get("metric")
        m = catalog.metrics.get(mid) if isinstance(mid, str) else None
        if m is None:
            err(at.get("metric", line), f"unknown metric {mid!r}; `telekpi metrics` lists the ids")
            continue
        if m.type in ("growth", "retention"):
            err(at.get("metric", line), f"{mid} compares periods; score it with a plain metric")
        weight, target = _num(raw.get("weight")), _num(raw.get("target"))
        if weight is None or weight <= 0:
            err(at.get("weight", line), f"{mid}: weight must be a positive number")
        if target is None:
            err(at.get("target", line), f"{mid}: target must be a number")
        better = raw.get("direction", m.better or "higher")
        if better not in ("higher", "lower"):
            err(at.get("direction", line), f"{mid}: direction must be higher or lower")
        if any(i.metric == mid for i in items):
            err(at.get("metric", line), f"{mid} is listed twice")
        items.append(Item(mid, weight or 0.0, target if target is not None else 0.0, better, line))
    total = sum(i.weight for i in items)
    if items and len(items) == len(raw_items) and not (abs(total - 100) < 1e-6 or abs(total - 1) < 1e-6):
        err(keys.get("items"), f"weights add up to {total:g}; make them add up to 100 (or to 1)")

    overrides = {}
    targets = data.get("targets") or {}
    tkeys = targets.get(KEY_LINES, {}) if isinstance(targets, dict) else {}
    for kind in ("teams", "levels", "agents"):
        table = {}
        for who, values in (targets.get(kind) or {}).items() if isinstance(targets, dict) else ():
            if who in (LINE, KEY_LINES):
                continue
            if not isinstance(values, dict):
                err(tkeys.get(kind), f"targets.{kind}.{who}: expected metric: target pairs")
                continue
            vkeys = values.get(KEY_LINES, {})
            table[str(who)] = {}
            for mid, v in values.items():
                if mid in (LINE, KEY_LINES):
                    continue
                if mid not in {i.metric for i in items}:
                    err(vkeys.get(mid), f"targets.{kind}.{who}: {mid!r} is not an item of this template")
                elif _num(v) is None:
                    err(vkeys.get(mid), f"targets.{kind}.{who}.{mid}: target must be a number")
                else:
                    table[str(who)][mid] = float(v)
        overrides[kind] = table
    for k in set(targets) - {"teams", "levels", "agents", LINE, KEY_LINES} if isinstance(targets, dict) else ():
        err(tkeys.get(k), f"targets.{k}: expected teams, levels or agents")

    cap = _num(data.get("attainment_cap", 1.5))
    if cap is None or cap < 1:
        err(keys.get("attainment_cap"), "attainment_cap must be a number ≥ 1 (1.5 = at most 150 %)")
    missing = data.get("missing", "skip")
    if missing not in ("skip", "zero"):
        err(keys.get("missing"), "missing must be skip (re-weigh the other items) or zero")
    tiers, commission = _reward(data.get("reward") or {}, keys.get("reward"), catalog, err)
    raise_issues(issues, "template")
    return Template(
        name=str(data.get("name") or path.stem), file=f, goal=str(data.get("goal") or ""),
        start=start, end=end, cadence=cadence, supervisor=data.get("supervisor"), items=items,
        scope=tuple(scope), team_targets=overrides["teams"], level_targets=overrides["levels"],
        agent_targets=overrides["agents"], attainment_cap=cap or 1.5, missing=missing,
        tiers=tiers, commission=commission)


def _reward(reward: dict, line, catalog: Catalog, err) -> tuple[list[Tier], Commission | None]:
    if not isinstance(reward, dict):
        err(line, "reward: expected tiers and/or commission")
        return [], None
    keys = reward.get(KEY_LINES, {})
    for k in set(reward) - {"tiers", "commission", LINE, KEY_LINES}:
        err(keys.get(k, line), f"reward.{k}: expected tiers and/or commission")
    tiers = []
    for raw in reward.get("tiers") or []:
        tl = raw.get(LINE) if isinstance(raw, dict) else line
        lo, hi = (_num(raw.get("min")), raw.get("max")) if isinstance(raw, dict) else (None, None)
        bonus = _num(raw.get("bonus", 0)) if isinstance(raw, dict) else None
        if lo is None or (hi is not None and _num(hi) is None) or bonus is None:
            err(tl, "a tier needs a numeric min (score, 1.0 = 100 %), an optional max and a bonus")
            continue
        if hi is not None and float(hi) <= lo:
            err(tl, f"tier min {lo:g} is not below its max {float(hi):g}")
            continue
        tiers.append(Tier(lo, None if hi is None else float(hi), bonus,
                          str(raw.get("label") or f"{lo:.0%}+")))
    ordered = sorted(tiers, key=lambda t: t.min)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if a.max is None or a.max > b.min:
            err(keys.get("tiers", line), f"tiers overlap: {a.label} ({a.min:g}–"
                f"{'' if a.max is None else f'{a.max:g}'}) and {b.label} (from {b.min:g})")
    commission = None
    raw = reward.get("commission")
    if raw is not None:
        ck = raw.get(KEY_LINES, {}) if isinstance(raw, dict) else {}
        rate = _num(raw.get("rate")) if isinstance(raw, dict) else None
        of = raw.get("of", "revenue") if isinstance(raw, dict) else None
        if rate is None or not 0 <= rate <= 1:
            err(ck.get("rate", keys.get("commission")), "commission rate must be a share between 0 and 1")
        elif of not in catalog.metrics or catalog.metrics[of].unit != "money":
            err(ck.get("of", keys.get("commission")), f"commission of {of!r}: expected a money metric such as revenue")
        else:
            cap = raw.get("cap")
            if cap is not None and _num(cap) is not None and _num(cap) < (_num(raw.get("floor", 0)) or 0):
                err(ck.get("cap", keys.get("commission")), "commission cap is below its floor")
            commission = Commission(rate, of, _num(raw.get("floor", 0)) or 0.0,
                                    None if cap is None else _num(cap),
                                    _num(raw.get("min_score", 0)) or 0.0)
    return ordered, commission
