"""What changed since the previous window, and who changed it: the biggest movers.

For a key metric, each team's (campaign's, agent's) **contribution** to the change of the
total between the previous window (``Window.previous``) and this one:

* a count or an amount: the group's own change, ``value_now − value_before``;
* a ratio N / D (conversion = successful calls / calls): the change of the group's share
  of the total, ``N_g,now / D_now − N_g,before / D_before``: what the group adds to the
  rate's numerator, over everyone's denominator.

Either way the contributions of all groups (the one with no team included) add up to the
total's change exactly, so "Revenue −12 %: K2 −180M, T3 −90M" names the groups that moved
the total most. Movers are named in the direction of the total's change, largest first."""

from __future__ import annotations

from telekpi.analysis.compare import PARTS
from telekpi.analysis.windows import Window
from telekpi.engine.request import Request
from telekpi.i18n import _, current, translate
from telekpi.units import formatter, human

KEY_METRICS = ("revenue", "calls", "call_conversion_rate")
BY = ("team", "campaign", "agent")
TOP = 3


def _parts(engine, metric: str) -> tuple[str, str | None]:
    """The catalog metrics a metric's change is split through: itself (a count or an amount),
    or its numerator and denominator (a rate with ``PARTS``)."""
    if metric in PARTS:
        return PARTS[metric]
    return metric, None


def contributions(engine, metric: str, dim: str, window: Window, where=()) -> dict:
    """The total now and before, and each ``dim`` value's contribution to its change."""
    num, den = _parts(engine, metric)
    asked = (num,) + ((den,) if den else ())
    where = tuple(where)

    def ask(w: Window, by=()) -> list[dict]:
        return engine.query(Request(asked, by=by, start=w.start, end=w.end, where=where)).rows

    prev = window.previous()
    total_now, total_before = ask(window)[0], ask(prev)[0]
    d_now = (total_now.get(den) or 0) if den else 1
    d_before = (total_before.get(den) or 0) if den else 1
    groups: dict = {}
    for rows, side, d in ((ask(window, (dim,)), "now", d_now), (ask(prev, (dim,)), "before", d_before)):
        for r in rows:
            groups.setdefault(r[dim], {"now": 0.0, "before": 0.0})[side] = \
                ((r.get(num) or 0) / d) if d else 0.0
    value = (lambda t, d: (t.get(num) or 0) / d if d else None) if den else (lambda t, d: t.get(num))
    return {"metric": metric, "dim": dim, "now": value(total_now, d_now),
            "before": value(total_before, d_before),
            "groups": [{"key": k, "contribution": g["now"] - g["before"]} for k, g in groups.items()]}


def movers(engine, window: Window, where=(), metrics=KEY_METRICS, by=BY, top: int = TOP,
           name_of=None) -> list[dict]:
    """Per key metric the scope can be split by: the total's change and the ``top`` movers of
    each dimension in its direction, with a sentence that says it (each group by
    ``name_of(dim, key)`` when given, the display name the viewer may see; else by its id)."""
    dims_in_where = {d for d, _v in where}
    single = {d for d in dims_in_where if sum(1 for dd, _v in where if dd == d) == 1}
    out = []
    for mid in metrics:
        if mid not in engine.catalog.metrics:
            continue
        m = engine.catalog.metrics[mid]
        per_dim = {}
        total = None
        for dim in by:
            if dim in single or not engine.supports(mid, dims_in_where | {dim}):   # one team: no split
                continue
            c = contributions(engine, mid, dim, window, where)
            total = c
            change = (c["now"] or 0) - (c["before"] or 0)
            sign = 1 if change >= 0 else -1
            named = sorted((g for g in c["groups"] if g["key"] is not None and g["contribution"] * sign > 0),
                           key=lambda g: -abs(g["contribution"]))[:top]
            if named:
                for g in named:
                    g["name"] = name_of(dim, g["key"]) if name_of else g["key"]
                per_dim[dim] = named
        if total is None or total["now"] is None or total["before"] is None:
            continue
        change = total["now"] - total["before"]
        relative = change / abs(total["before"]) if total["before"] else None
        out.append({"metric": mid, "name": m.name, "unit": m.unit, "better": m.better,
                    "now": total["now"], "before": total["before"], "change": change,
                    "relative": relative, "movers": per_dim,
                    "sentence": sentence(m, relative, change, per_dim)})
    return out


def amount(unit: str, contribution: float) -> str:
    """A contribution as the page writes it: "−180M", "+1.2 pts" (a rate's, in points)."""
    plus = "+" if contribution > 0 else ""
    if unit == "rate":
        return _("{points} pts").format(points=plus + formatter(current()).number(contribution * 100, 1))
    return plus + human(contribution, unit)


def sentence(m, relative: float | None, change: float, per_dim: dict) -> str:
    """ "Revenue −12 %: K2 −180M, T3 −90M" — the biggest mover of each dimension first."""
    fmt = formatter(current())
    head = translate(m.name) + " " + (fmt.change(relative) if relative is not None else amount(m.unit, change))
    firsts = [g for dim in BY for g in per_dim.get(dim, [])[:1]]
    if not firsts:
        return head
    return head + ": " + ", ".join(f"{g.get('name', g['key'])} {amount(m.unit, g['contribution'])}"
                                   for g in firsts)
