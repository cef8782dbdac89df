"""Are we on target this month? Progress so far and the month's end at the current pace.

The month is the calendar month of the day the view ends on (``as_of``), from its 1st to
``as_of``. For each headline metric that has a target:

* **Counts and money** (calls, revenue): so far ÷ elapsed working days × working days in
  the month. A *working day* is a weekday the scope worked on: one that had calls in the
  four weeks before ``as_of`` (a centre closed on Sundays projects over Monday–Saturday).
  Without such calls every day counts. With fewer than ``MIN_DAYS`` working days elapsed
  it is too early to project: the page says so and gives no figure.
* **Rates and durations** (conversion, CSAT, handle time): the projection is the current
  value; a month's rate is not a sum.

The target for the month comes from the workspace's KPI templates (``scorecards/*.yaml``)
when one covers ``as_of`` and names the metric: for counts and money, the sum of the
targets of the agents in scope (each agent's own target for the template's period, pro-rated
to the days of this month inside it); for rates, their mean (as a team's scorecard target).
Else from the catalog's ``target`` (rates only). On track when the projection meets the
target in the metric's direction."""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from telekpi.engine.request import Request
from telekpi.targets.scorecard import additive, scorecard
from telekpi.targets.template import Template

MIN_DAYS = 3      # fewer working days elapsed than this: too early to project
LOOKBACK = 28     # days before as_of that decide the working weekdays


def working_weekdays(engine, as_of: date, where) -> set[int]:
    """ISO weekdays (1 = Monday) on which the scope had calls in the ``LOOKBACK`` days up to
    ``as_of``; every weekday when it had none."""
    rows = engine.query(Request(("calls",), by=("weekday",), start=as_of - timedelta(days=LOOKBACK - 1),
                                end=as_of, where=tuple(where))).rows
    worked = {int(r["weekday"]) for r in rows if r["weekday"] is not None and (r["calls"] or 0) > 0}
    return worked or set(range(1, 8))


def count_days(start: date, end: date, weekdays: set[int]) -> int:
    """Days from ``start`` to ``end`` (both included) that fall on ``weekdays``."""
    return sum(1 for i in range((end - start).days + 1)
               if (start + timedelta(days=i)).isoweekday() in weekdays)


def template_targets(engine, templates: list[Template], as_of: date, where) -> dict[str, dict]:
    """The month's target per metric from the templates covering ``as_of``, for the agents
    in ``where``: {metric: {"target", "source", "agents"}}."""
    cat = engine.catalog.metrics
    month = (as_of.replace(day=1), as_of.replace(day=monthrange(as_of.year, as_of.month)[1]))
    wanted = {d: {v for dd, v in where if dd == d} for d, _v in where}
    out: dict[str, dict] = {}
    for t in templates:
        if not t.start <= as_of <= t.end:
            continue
        card = scorecard(engine, t, as_of)
        share = card["elapsed"]
        inside = (min(month[1], t.end) - max(month[0], t.start)).days + 1
        period = (t.end - t.start).days + 1
        for a in card["agents"]:
            if any(a.get(d) not in values for d, values in wanted.items()):
                continue
            for item in a["items"]:
                m = cat[item["metric"]]
                got = out.setdefault(item["metric"], {"sum": 0.0, "n": 0, "sources": []})
                full = item["target"] / share if additive(m) else item["target"]
                got["sum"] += full * inside / period if additive(m) else full
                got["n"] += 1
                if t.name not in got["sources"]:
                    got["sources"].append(t.name)
    return {mid: {"target": g["sum"] if additive(cat[mid]) else g["sum"] / g["n"],
                  "source": ", ".join(g["sources"]), "agents": g["n"]}
            for mid, g in out.items() if g["n"]}


def pace(engine, metrics, as_of: date, where=(), templates: list[Template] | None = None) -> dict:
    """This month to ``as_of``, per metric of ``metrics`` that has a target: so far, the
    projection (None when too early), the target and whether it is on track."""
    cat = engine.catalog.metrics
    first = as_of.replace(day=1)
    last = as_of.replace(day=monthrange(as_of.year, as_of.month)[1])
    weekdays = working_weekdays(engine, as_of, where)
    elapsed, total = count_days(first, as_of, weekdays), count_days(first, last, weekdays)
    from_templates = template_targets(engine, templates or [], as_of, where)
    targets: dict[str, dict] = {}
    for mid in metrics:
        if mid in from_templates:
            targets[mid] = from_templates[mid]
        elif cat[mid].target is not None and not additive(cat[mid]):
            targets[mid] = {"target": cat[mid].target, "source": "catalog", "agents": None}
    asked = [m for m in targets if engine.supports(m, {d for d, _v in where})]
    row = engine.query(Request(tuple(asked), start=first, end=as_of, where=tuple(where))).rows[0] \
        if asked else {}
    early = elapsed < MIN_DAYS
    items = []
    for mid in asked:
        m, so_far, target = cat[mid], row.get(mid), targets[mid]["target"]
        if additive(m):
            projected = None if early or so_far is None or not elapsed else so_far / elapsed * total
        else:
            projected = so_far
        on_track = None if projected is None else (
            projected <= target if m.better == "lower" else projected >= target)
        items.append({"metric": mid, "name": m.name, "unit": m.unit, "better": m.better,
                      "so_far": so_far, "projected": projected, "target": target,
                      "progress": so_far / target if additive(m) and so_far is not None and target
                      else None,
                      "on_track": on_track, "additive": additive(m),
                      "source": targets[mid]["source"]})
    return {"month": {"from": first.isoformat(), "to": last.isoformat()}, "as_of": as_of.isoformat(),
            "working_weekdays": sorted(weekdays), "elapsed_days": elapsed, "month_days": total,
            "too_early": early, "min_days": MIN_DAYS, "items": items}
