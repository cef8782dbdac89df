"""Load the metric catalog: built-in YAML plus the workspace's ``metrics/*.yaml``.

Every problem is collected as an ``Issue`` with file and line (metricflow's
validators), and all of them are reported together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path

from telekpi.catalog.spec import (
    AGGS,
    BAND_LEVELS,
    METRIC_TYPES,
    UNITS,
    Applies,
    Band,
    Measure,
    Metric,
    Where,
)
from telekpi.errors import CatalogError, Issue
from telekpi.i18n import _
from telekpi.yaml_lines import KEY_LINES, LINE, error_line, load


@dataclass
class Catalog:
    measures: dict[str, Measure]
    metrics: dict[str, Metric]
    # metric → the dimensions it has a value by, and why not by the others (catalog/applies.py)
    applies: dict[str, Applies] = field(default_factory=dict)

    def metric(self, metric_id: str) -> Metric:
        return self.metrics[metric_id]


def _read(path: Path, text: str, issues: list[Issue]) -> dict:
    import yaml

    try:
        data = load(text)
    except yaml.YAMLError as e:
        issues.append(Issue("error", str(path), error_line(e),
                            _("not valid YAML: {problem}").format(problem=getattr(e, "problem", e))))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        issues.append(Issue("error", str(path), 1, _("expected a mapping with 'measures' and/or 'metrics'")))
        return {}
    return data


def _bands(raw, where: Where, issues: list[Issue], unit: str = "count") -> tuple[Band, ...]:
    """A metric's bands, each ``min ≤ value < max`` (``Band``); two that overlap are an error."""
    if not isinstance(raw, list):
        issues.append(Issue("error", where.file, where.line,
                            _("bands must be a list of {fields}").format(fields="{level, min, max}")))
        return ()
    out = []
    for b in raw:
        line = b.get(LINE, where.line) if isinstance(b, dict) else where.line
        if not isinstance(b, dict) or b.get("level") not in BAND_LEVELS:
            issues.append(Issue("error", where.file, line,
                                _("a band needs a level, one of: {levels}").format(
                                    levels=", ".join(BAND_LEVELS))))
            continue
        lo, hi = b.get("min"), b.get("max")
        if any(v is not None and not isinstance(v, (int, float)) for v in (lo, hi)):
            issues.append(Issue("error", where.file, line, _("band min and max must be numbers")))
            continue
        if lo is not None and hi is not None and lo >= hi:
            issues.append(Issue("error", where.file, line,
                                _("band min {min} is not below max {max}").format(min=lo, max=hi)))
            continue
        if "inclusive" in b:
            issues.append(Issue("error", where.file, line, _(
                "band key inclusive is gone: every band holds min ≤ value < max, and a value on "
                "an edge belongs to the band above it; remove the key")))
            continue
        out.append(Band(b["level"], lo, hi, b.get("label")))
    ordered = sorted(out, key=lambda b: float("-inf") if b.min is None else b.min)
    for a, b in pairwise(ordered):
        if a.max is None or b.min is None or a.max > b.min:
            issues.append(Issue("error", where.file, where.at("bands"), _(
                "bands {a} ({a_range}) and {b} ({b_range}) overlap; a band holds min ≤ value < max, "
                "so the next band starts at the max of the one before").format(
                    a=a.label or a.level, a_range=a.describe(unit), b=b.label or b.level,
                    b_range=b.describe(unit))))
    return tuple(out)


_MEASURE_KEYS = {"id", "model", "agg", "expr", "filter", "not_by", "reason", LINE, KEY_LINES}
_METRIC_KEYS = {"id", "name", "description", "type", "unit", "better", "measure", "numerator",
                "denominator", "expr", "proportion", "target", "stage", "bands",
                "bands_by_industry", "not_by", "reason", "kinds", LINE, KEY_LINES}


def _names(raw, key: str, owner: str, where: Where, issues: list[Issue]) -> tuple[str, ...]:
    """A list of names (``not_by``, ``kinds``); a single name is a list of one."""
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        issues.append(Issue("error", where.file, where.at(key),
                            _("{owner}: {key} must be a list of names").format(owner=owner, key=key)))
        return ()
    return tuple(value)


def _parse_file(path: Path, text: str, issues: list[Issue], measures: dict, metrics: dict) -> None:
    data = _read(path, text, issues)
    for key in set(data) - {"measures", "metrics", LINE, KEY_LINES}:
        issues.append(Issue("error", str(path), data.get(LINE),
                            _("unknown top-level key {key}; expected 'measures' and 'metrics'").format(
                                key=repr(key))))
    for raw in data.get("measures") or []:
        line = raw.get(LINE) if isinstance(raw, dict) else None
        where = _where(path, raw)
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            issues.append(Issue("error", str(path), line, _("a measure needs an id")))
            continue
        for k in set(raw) - _MEASURE_KEYS:
            issues.append(Issue("error", str(path), where.at(k),
                                _("measure {id}: unknown key {key}").format(id=raw["id"], key=repr(k))))
        if raw.get("agg") not in AGGS:
            issues.append(Issue("error", str(path), where.at("agg"),
                                _("measure {id}: agg must be one of {aggs}").format(
                                    id=raw["id"], aggs=", ".join(AGGS))))
            continue
        if raw["id"] in measures:
            issues.append(Issue("error", str(path), line,
                                _("measure {id} is already defined at {where}").format(
                                    id=raw["id"], where=measures[raw["id"]].where)))
            continue
        owner = _("measure {id}").format(id=raw["id"])
        measures[raw["id"]] = Measure(raw["id"], str(raw.get("model", "")), raw["agg"],
                                      _str(raw.get("expr")), _str(raw.get("filter")), where,
                                      _names(raw, "not_by", owner, where, issues),
                                      _str(raw.get("reason")))
    for raw in data.get("metrics") or []:
        line = raw.get(LINE) if isinstance(raw, dict) else None
        where = _where(path, raw)
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            issues.append(Issue("error", str(path), line, _("a metric needs an id")))
            continue
        mid = raw["id"]
        for k in set(raw) - _METRIC_KEYS:
            issues.append(Issue("error", str(path), where.at(k),
                                _("metric {id}: unknown key {key}").format(id=mid, key=repr(k))))
        mtype = raw.get("type", "simple")
        problems = []   # (key, message)
        if mtype not in METRIC_TYPES:
            problems.append(("type", _("metric {id}: type must be one of {types}").format(
                id=mid, types=", ".join(METRIC_TYPES))))
        if raw.get("unit", "count") not in UNITS:
            problems.append(("unit", _("metric {id}: unit must be one of {units}").format(
                id=mid, units=", ".join(UNITS))))
        if raw.get("better") not in (None, "higher", "lower"):
            problems.append(("better", _("metric {id}: better must be higher or lower").format(id=mid)))
        if not raw.get("name") or not raw.get("description"):
            problems.append(("id", _("metric {id}: needs a name and a description").format(id=mid)))
        if mid in metrics:
            problems.append(("id", _("metric {id}: is already defined at {where}").format(
                id=mid, where=metrics[mid].where)))
        if problems:
            for key, p in problems:
                issues.append(Issue("error", str(path), where.at(key), p))
            continue
        by_industry = {}
        for industry, bands in (raw.get("bands_by_industry") or {}).items():
            if industry not in (LINE, KEY_LINES):
                by_industry[str(industry).lower()] = _bands(bands, where, issues,
                                                            raw.get("unit", "count"))
        metrics[mid] = Metric(
            id=mid, name=str(raw["name"]), description=str(raw["description"]), type=mtype,
            unit=raw.get("unit", "count"), better=raw.get("better"),
            measure=raw.get("measure"), numerator=raw.get("numerator"),
            denominator=raw.get("denominator"), expr=_str(raw.get("expr")),
            proportion=raw.get("proportion"), target=raw.get("target"), stage=raw.get("stage"),
            bands=_bands(raw["bands"], where, issues, raw.get("unit", "count")) if "bands" in raw else (),
            bands_by_industry=by_industry, where=where,
            not_by=_names(raw, "not_by", _("metric {id}").format(id=mid), where, issues),
            reason=_str(raw.get("reason")),
            kinds=_names(raw, "kinds", _("metric {id}").format(id=mid), where, issues),
        )


def _where(path: Path, raw) -> Where:
    if not isinstance(raw, dict):
        return Where(str(path), None)
    keys = tuple((str(k), n) for k, n in (raw.get(KEY_LINES) or {}).items())
    return Where(str(path), raw.get(LINE), keys)


def _str(v) -> str | None:
    return None if v is None else str(v)


def builtin_files() -> list[tuple[Path, str]]:
    root = resources.files("telekpi.catalog") / "builtin"
    files = sorted((p for p in root.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
    return [(Path("builtin") / p.name, p.read_text(encoding="utf-8")) for p in files]


def load_catalog(workspace: Path | str | None = None, *, strict: bool = True) -> Catalog:
    """The built-in catalog plus ``<workspace>/metrics/*.yaml``, validated (and kept for the
    next command, ``cache.py``)."""
    from telekpi.catalog import cache

    issues: list[Issue] = []
    measures: dict[str, Measure] = {}
    metrics: dict[str, Metric] = {}
    sources = builtin_files()
    if workspace is not None:
        folder = Path(workspace) / "metrics"
        if folder.is_dir():
            for p in sorted(folder.glob("*.y*ml")):
                try:
                    sources.append((p, p.read_text(encoding="utf-8")))
                except UnicodeDecodeError:
                    issues.append(Issue("error", str(p), None, _("is not UTF-8 text")))
    key = None if issues else cache.key(sources)
    kept = cache.get(key) if key else None
    if isinstance(kept, Catalog):
        return kept
    from telekpi.catalog.validate import validate_catalog

    for path, text in sources:
        _parse_file(path, text, issues, measures, metrics)
    catalog = Catalog(measures, metrics)
    issues += validate_catalog(catalog)
    errors = any(i.level == "error" for i in issues)
    if strict and errors:
        raise CatalogError(issues)
    if not errors:
        from telekpi.catalog.applies import work_out

        catalog.applies = work_out(catalog)
    if key and not errors:
        cache.put(key, catalog)
    return catalog
